"""`/api/kb/{kb}/documents` and `/api/kb/{kb}/reindex`: managing a knowledge base's documents
(administrators only; anybody else gets 403 with the reason).

    GET    /api/kb/{kb}/documents            documents with ACL, chunk count, dates, original kept
    POST   /api/kb/{kb}/documents            multipart `files` (several) and `acl=credit,risk`: 202, a job
    DELETE /api/kb/{kb}/documents/{name}     remove one document (`name` may hold `/`)
    POST   /api/kb/{kb}/reindex              rebuild from the kept originals: 202, a job

Uploads go through `documents.accept_upload` (size limit, type sniffing, zip-bomb guard) one file
at a time and are kept in the blob store; a refused file is reported in the job's result beside
the ingested ones, the batch goes on (`knowledge.sources.ingest_sources`). The job's result is the
`IngestReport` (`kb`, `files`) plus `counts` per outcome. Each change is audited (`kb.upload`,
`kb.remove` by SHA-256 never by name, `kb.reindex`). The web page calls these same functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bankmind.api.deps import PrincipalDep, RunnerDep, SettingsDep, StoreDep
from bankmind.api.job_uploads import job_accepted
from bankmind.api.routers.jobs import JobAccepted
from bankmind.api.routers.kb import IndexDep
from bankmind.api.routers.uploads import read_upload
from bankmind.config import Settings
from bankmind.documents import accept_upload, sanitize_filename
from bankmind.errors import BankmindError, InputError, NotFound, PermissionDenied
from bankmind.guard.audit import audited
from bankmind.knowledge.index import KnowledgeIndex
from bankmind.knowledge.ingest import FileResult, IngestReport
from bankmind.knowledge.sources import Source, ingest_sources, reindex, source_kept
from bankmind.store import Store
from bankmind.store.jobs import JobRunner, Progress
from bankmind.types import Principal

__all__ = [
    "MAX_FILES",
    "JobAccepted",
    "KbAdminDep",
    "KbDocument",
    "documents",
    "parse_acl",
    "remove_document",
    "router",
    "submit_reindex",
    "submit_upload",
]

router = APIRouter(prefix="/api/kb", tags=["kb"])

MAX_FILES = 100
"""Most files in one upload (their total size is also capped by BANKMIND_UPLOAD_MAX_BYTES + 1 MB)."""
_MAX_ROLES, _MAX_ROLE_CHARS = 50, 100
_ROLE_SEPARATORS = re.compile(r"[\s,，、;；]+")  # as the admin pages read a user's roles


async def _kb_admin(principal: PrincipalDep) -> Principal:
    if not principal.is_admin:
        raise PermissionDenied(
            f"managing knowledge-base documents is for administrators and '{principal.name}' is not one; "
            "ask an administrator to upload, remove or re-index documents"
        )
    return principal


KbAdminDep = Annotated[Principal, Depends(_kb_admin)]


class KbDocument(BaseModel):
    """A document as `bankmind kb list` shows it, and whether its original file is kept."""

    name: str
    title: str
    acl: list[str] | None = Field(description="Roles or departments that may read it; null: everyone.")
    chunks: int
    effective_date: date | None
    ingested_at: datetime
    sha256: str
    source_kept: bool = Field(description="The original file is stored, so re-index can rebuild it.")


def documents(index: KnowledgeIndex, settings: Settings, kb: str) -> list[KbDocument]:
    return [
        KbDocument(**d.model_dump(), source_kept=source_kept(settings, d.sha256))
        for d in index.list_documents(kb)
    ]


def parse_acl(values: Sequence[str] | None) -> list[str] | None:
    """`credit,risk` (or `credit 、risk`, or the field repeated) as roles; nothing: everyone may read."""
    roles = sorted({part for value in values or () for part in _ROLE_SEPARATORS.split(value) if part})
    if len(roles) > _MAX_ROLES or any(len(r) > _MAX_ROLE_CHARS for r in roles):
        raise InputError(
            f"the ACL may name at most {_MAX_ROLES} roles or departments of at most {_MAX_ROLE_CHARS} "
            "characters each, separated by commas (e.g. credit,risk)"
        )
    return roles or None


def _accept(
    settings: Settings, store: Store, admin: Principal, file: UploadFile, acl: list[str] | None
) -> Source | FileResult:
    name = sanitize_filename(file.filename)
    try:
        data = read_upload(file, settings)
        stored = accept_upload(settings, store, filename=name, data=data, owner_id=admin.user_id, acl=acl)
    except BankmindError as exc:
        return FileResult(name=name, outcome="failed", code=exc.code, error=exc.message)
    return Source(stored.filename, stored.content_hash)


def _ticker(progress: Progress) -> Callable[[int, int, str], None]:
    """Job progress from ingest's `(done, total, name)`: the share done and `2/5 name`."""

    def tick(done: int, total: int, name: str) -> None:
        message = f"{done + 1}/{total} {name}" if name else f"{done}/{total}"
        progress(done / total if total else 1.0, message)

    return tick


def _result(report: IngestReport) -> dict[str, Any]:
    counts = {o: report.count(o) for o in ("added", "replaced", "unchanged", "failed")}
    return {**report.model_dump(mode="json"), "counts": counts}


def submit_upload(
    settings: Settings,
    store: Store,
    runner: JobRunner,
    index: KnowledgeIndex,
    admin: Principal,
    kb: str,
    files: Sequence[UploadFile],
    acl: Sequence[str] | None,
    *,
    via: str,
) -> str:
    """Store the files (each checked; a refused one is reported in the result) and start a job
    ingesting them into `kb`, created if new; return the job's id."""
    if len(files) > MAX_FILES:
        raise InputError(f"{len(files)} files in one upload; send at most {MAX_FILES} at a time")
    roles = parse_acl(acl)
    index.create_knowledge_base(kb)  # checks the name
    with audited(store, admin, "kb.upload", kb=kb, via=via) as details:
        sources = [_accept(settings, store, admin, file, roles) for file in files]
        refused = sum(isinstance(s, FileResult) for s in sources)
        details.update(files=len(sources), refused=refused, acl=roles)

        def work(progress: Progress) -> dict[str, Any]:
            return _result(
                ingest_sources(index, settings, kb, sources, acl=roles, progress=_ticker(progress))
            )

        params = {"kb": kb, "files": len(sources), "acl": roles}
        details["job_id"] = job_id = runner.submit("kb.ingest", work, params=params, owner_id=admin.user_id)
    return job_id


def submit_reindex(
    settings: Settings,
    store: Store,
    runner: JobRunner,
    index: KnowledgeIndex,
    admin: Principal,
    kb: str,
    *,
    via: str,
) -> str:
    """Start a job rebuilding `kb` from its kept originals; return the job's id."""
    index.require(kb)
    with audited(store, admin, "kb.reindex", kb=kb, via=via) as details:

        def work(progress: Progress) -> dict[str, Any]:
            return _result(reindex(index, settings, kb, progress=_ticker(progress)))

        details["job_id"] = job_id = runner.submit(
            "kb.reindex", work, params={"kb": kb}, owner_id=admin.user_id
        )
    return job_id


def remove_document(
    store: Store, index: KnowledgeIndex, admin: Principal, kb: str, name: str, *, via: str
) -> None:
    """Remove document `name` and its passages from `kb` (audited by digest, never by name)."""
    with audited(store, admin, "kb.remove", kb=kb, via=via) as details:
        found = next((d for d in index.list_documents(kb) if d.name == name), None)
        if found is None or not index.remove_document(kb, name):
            raise NotFound(
                f"knowledge base {kb!r} has no document named '{name[:200]}'; "
                f"GET /api/kb/{kb}/documents (or `bankmind kb list --kb {kb}`) lists them"
            )
        details["sha256"] = found.sha256


@router.get("/{kb}/documents")
def list_documents(kb: str, index: IndexDep, settings: SettingsDep, admin: KbAdminDep) -> list[KbDocument]:
    """Every document of a knowledge base with its ACL, chunk count and dates (administrators)."""
    return documents(index, settings, kb)


@router.post("/{kb}/documents", status_code=202, response_model=JobAccepted)
def upload_documents(
    kb: str,
    settings: SettingsDep,
    store: StoreDep,
    runner: RunnerDep,
    index: IndexDep,
    admin: KbAdminDep,
    files: Annotated[list[UploadFile], File(description="The files; each type is told from its content.")],
    acl: Annotated[
        list[str] | None,
        Form(description="Roles or departments that may read them, `credit,risk`; leave out for everyone."),
    ] = None,
) -> JSONResponse:
    """Ingest uploaded files as a job (202 with the job's URL); its result lists every file's
    outcome: added, replaced, unchanged, or failed with the reason (administrators)."""
    return job_accepted(submit_upload(settings, store, runner, index, admin, kb, files, acl, via="api"))


@router.delete("/{kb}/documents/{name:path}")
def delete_document(
    kb: str, name: str, store: StoreDep, index: IndexDep, admin: KbAdminDep
) -> dict[str, str]:
    """Remove a document and its passages (administrators)."""
    remove_document(store, index, admin, kb, name, via="api")
    return {"kb": kb, "removed": name}


@router.post("/{kb}/reindex", status_code=202, response_model=JobAccepted)
def reindex_documents(
    kb: str, settings: SettingsDep, store: StoreDep, runner: RunnerDep, index: IndexDep, admin: KbAdminDep
) -> JSONResponse:
    """Re-read, re-chunk and re-embed every document whose original file is kept, as a job
    (administrators); documents ingested from the server's files are listed as not rebuilt."""
    return job_accepted(submit_reindex(settings, store, runner, index, admin, kb, via="api"))
