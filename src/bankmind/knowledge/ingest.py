"""Ingest files and folders into a knowledge base: load, chunk, index, one file at a time.

    report = ingest(index, settings, "制度库", [Path("handbook/")], acl=["credit"], progress=tick)
    report.files[0]   # FileResult(name="01-账户开立管理办法.md", outcome="added", chunks=27)

A file keeps its path relative to the folder it was found in (a file named directly: its own
name); that name identifies it in the knowledge base, so re-ingesting the folder replaces changed
files and skips unchanged ones (same SHA-256: not even loaded). A file that cannot be read (damaged,
encrypted, empty, too large, an unsupported kind) is reported with its error and the rest of the
batch goes on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from bankmind.config import Settings
from bankmind.documents import load_document, read_limited
from bankmind.errors import BankmindError, InputError
from bankmind.knowledge.chunking import chunk_document
from bankmind.knowledge.chunking_statutes import chinese_number
from bankmind.knowledge.index import DocumentInfo, KnowledgeIndex

__all__ = ["INGESTIBLE", "FileResult", "IngestReport", "collect", "effective_date", "ingest"]

INGESTIBLE = frozenset(
    {".pdf", ".docx", ".xlsx", ".xls", ".csv", ".html", ".htm", ".md", ".txt"}
    | {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
)

Outcome = Literal["added", "replaced", "unchanged", "failed"]


class FileResult(BaseModel):
    """What happened to one file."""

    model_config = ConfigDict(frozen=True)

    name: str
    outcome: Outcome
    chunks: int = 0
    code: str | None = None
    error: str | None = None


class IngestReport(BaseModel):
    """One ingest run: every file's result, in the order they were read."""

    model_config = ConfigDict(frozen=True)

    kb: str
    files: list[FileResult]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for f in self.files if f.outcome == outcome)


def collect(paths: Sequence[Path]) -> list[tuple[Path, str]]:
    """The files to ingest with their names: folders recursively (ingestible kinds only, hidden
    files and folders skipped), files as given; sorted by name. A path that does not exist is an
    input error naming it."""
    found: dict[str, Path] = {}
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                relative = file.relative_to(path)
                hidden = any(part.startswith(".") for part in relative.parts)
                if file.is_file() and not hidden and file.suffix.lower() in INGESTIBLE:
                    found.setdefault(relative.as_posix(), file)
        elif path.is_file():
            found.setdefault(path.name, path)
        else:
            raise InputError(f"'{path}' does not exist; give files or folders to ingest")
    return sorted(((file, name) for name, file in found.items()), key=lambda item: item[1])


_DIGITS = "0-9〇零一二三四五六七八九十"
_EFFECTIVE = re.compile(
    rf"自\s*([{_DIGITS}]{{4}})\s*年\s*([{_DIGITS}]{{1,3}})\s*月\s*([{_DIGITS}]{{1,3}})\s*日\s*起(?:施行|实施|生效|执行)"
)


def effective_date(text: str) -> date | None:
    """The date a regulation takes effect, from its own words (`本办法自2025年3月1日起施行`)."""
    match = _EFFECTIVE.search(text)
    if match is None:
        return None
    year, month, day = (_number(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _number(text: str) -> int:
    return int(text) if text.isdigit() else chinese_number(text) or 0


def ingest(
    index: KnowledgeIndex,
    settings: Settings,
    kb: str,
    paths: Sequence[Path],
    *,
    acl: Sequence[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    force: bool = False,
) -> IngestReport:
    """Ingest `paths` into knowledge base `kb`; `progress(done, total, name)` before each file.
    With `force`, unchanged files are read, chunked and embedded again (after an upgrade)."""
    files = collect(paths)
    index.create_knowledge_base(kb)
    known = {doc.name: doc for doc in index.list_documents(kb)}
    results: list[FileResult] = []
    for done, (path, name) in enumerate(files):
        if progress is not None:
            progress(done, len(files), name)
        results.append(_one(index, settings, kb, path, name, acl, {} if force else known, force))
    if progress is not None:
        progress(len(files), len(files), "")
    return IngestReport(kb=kb, files=results)


def _one(
    index: KnowledgeIndex,
    settings: Settings,
    kb: str,
    path: Path,
    name: str,
    acl: Sequence[str] | None,
    known: dict[str, DocumentInfo],
    force: bool,
) -> FileResult:
    try:
        with path.open("rb") as stream:
            data = read_limited(stream, settings.upload_max_bytes, filename=name)
        sha256 = hashlib.sha256(data).hexdigest()
        previous = known.get(name)
        if previous is not None and previous.sha256 == sha256:  # not even loaded; the ACL may change
            outcome = index.upsert_document(
                kb, name, sha256, previous.title, acl, [], effective_date=previous.effective_date
            )
            return FileResult(name=name, outcome=outcome, chunks=previous.chunks)
        document = load_document(data, name, settings=settings)
        chunks = chunk_document(document, name)
        title = document.title or Path(name).stem
        outcome = index.upsert_document(
            kb, name, sha256, title, acl, chunks, effective_date=effective_date(document.text), force=force
        )
        return FileResult(name=name, outcome=outcome, chunks=len(chunks))
    except BankmindError as exc:
        return FileResult(name=name, outcome="failed", code=exc.code, error=exc.message)
    except OSError as exc:
        return FileResult(name=name, outcome="failed", code="input_error", error=f"'{name}': {exc.strerror}")
