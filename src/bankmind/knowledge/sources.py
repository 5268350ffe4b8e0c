"""Knowledge-base documents whose original files are kept in the blob store: ingest uploads, and
rebuild a knowledge base from those originals (re-index).

    sources = [Source("信贷管理办法.docx", sha256), refused_result]   # uploads, in the order received
    report = ingest_sources(index, settings, "制度库", sources, acl=["credit"], progress=tick)
    report = reindex(index, settings, "制度库", progress=tick)

Uploaded files enter through `documents.accept_upload` (size limit, type sniffing, zip-bomb guard)
and are stored by their SHA-256, the same digest the index keeps per document, so a document's
original is found again by that digest. A file refused before it was stored is passed in as its
`FileResult` and reported in its place, so one report lists the whole batch.

Re-index re-reads, re-chunks and re-embeds every document whose original is kept (documents
ingested from files on the server by `bankmind kb ingest` have none, and are reported as such).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from bankmind.config import Settings
from bankmind.documents import load_document
from bankmind.errors import BankmindError, ConfigError
from bankmind.knowledge.chunking import chunk_document
from bankmind.knowledge.index import DocumentInfo, KnowledgeIndex
from bankmind.knowledge.ingest import FileResult, IngestReport, effective_date, ingest
from bankmind.store.blobs import BlobStore

__all__ = ["Source", "ingest_sources", "reindex", "source_kept"]

ProgressCallback = Callable[[int, int, str], None]


class Source(NamedTuple):
    """An accepted upload: its (sanitised) file name, which names the document, and its SHA-256."""

    name: str
    sha256: str


def source_kept(settings: Settings, sha256: str) -> bool:
    """Whether the original file with this digest is in the blob store (so it can be re-indexed)."""
    try:
        return BlobStore(settings.blobs_dir).path(sha256).is_file()
    except BankmindError:  # not a digest
        return False


def ingest_sources(
    index: KnowledgeIndex,
    settings: Settings,
    kb: str,
    sources: Sequence[Source | FileResult],
    *,
    acl: Sequence[str] | None = None,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Ingest the stored files of `sources` into `kb` (see `ingest`), reporting every entry in order.

    A name given twice is ingested once (the first copy); the later copies are reported as failed.
    """
    blobs = BlobStore(settings.blobs_dir)
    first: dict[str, Source] = {}
    for item in sources:
        if isinstance(item, Source):
            first.setdefault(item.name, item)
    work = settings.home / "tmp"
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, FileResult] = {}
    with tempfile.TemporaryDirectory(prefix="kb-ingest-", dir=work) as folder:
        paths = []
        for source in first.values():
            target = Path(folder) / source.name
            try:
                shutil.copyfile(blobs.path(source.sha256), target)
            except OSError as exc:  # the stored file went missing since it was accepted
                error = f"'{source.name}': the stored copy cannot be read ({exc.strerror}); upload it again"
                results[source.name] = FileResult(
                    name=source.name, outcome="failed", code="not_found", error=error
                )
                continue
            paths.append(target)
        if paths:
            results |= {
                f.name: f for f in ingest(index, settings, kb, paths, acl=acl, progress=progress).files
            }
    files: list[FileResult] = []
    for item in sources:
        if isinstance(item, FileResult):
            files.append(item)
        elif first.get(item.name) is item and item.name in results:
            files.append(results.pop(item.name))
        else:
            files.append(
                FileResult(
                    name=item.name,
                    outcome="failed",
                    code="input_error",
                    error=f"'{item.name}' was sent twice in this batch; only its first copy was ingested",
                )
            )
    return IngestReport(kb=kb, files=files)


def reindex(
    index: KnowledgeIndex, settings: Settings, kb: str, *, progress: ProgressCallback | None = None
) -> IngestReport:
    """Re-read, re-chunk and re-embed every document of `kb` from its kept original; documents
    without one are reported as failed with what to do. A document that cannot be rebuilt keeps
    its current chunks."""
    info = index.require(kb)
    if info.embedder is not None and info.embedder != index.embedder_name:
        raise ConfigError(
            f"knowledge base {kb!r} was embedded with {info.embedder}, but the embedding model is "
            f"{index.embedder_name}; set BANKMIND_EMBEDDING back, or ingest into a new knowledge base"
        )
    documents = index.list_documents(kb)
    blobs = BlobStore(settings.blobs_dir)
    files: list[FileResult] = []
    for done, document in enumerate(documents):
        if progress is not None:
            progress(done, len(documents), document.name)
        files.append(_rebuild(index, settings, kb, document, blobs))
    if progress is not None:
        progress(len(documents), len(documents), "")
    return IngestReport(kb=kb, files=files)


def _rebuild(
    index: KnowledgeIndex, settings: Settings, kb: str, document: DocumentInfo, blobs: BlobStore
) -> FileResult:
    name = document.name
    path = blobs.path(document.sha256)
    if not path.is_file():
        return FileResult(
            name=name,
            outcome="failed",
            code="not_found",
            error=(
                f"the original of '{name}' is not kept (it was ingested from files on the server); "
                f"ingest the file again, e.g. `bankmind kb ingest FILE --kb {kb}`, or upload it"
            ),
        )
    try:
        loaded = load_document(path.read_bytes(), name, settings=settings)
        chunks = chunk_document(loaded, name)
    except BankmindError as exc:
        return FileResult(name=name, outcome="failed", code=exc.code, error=exc.message)
    title = loaded.title or Path(name).stem
    try:  # replaced in one transaction: the old chunks answer until the new ones are in
        index.upsert_document(
            kb, name, document.sha256, title, document.acl, chunks,
            effective_date=effective_date(loaded.text), force=True,
        )  # fmt: skip
    except BankmindError as exc:
        return FileResult(name=name, outcome="failed", code=exc.code, error=exc.message)
    return FileResult(name=name, outcome="replaced", chunks=len(chunks))
