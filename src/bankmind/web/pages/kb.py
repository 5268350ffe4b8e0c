"""`/kb`: the knowledge assistant (知识助手): ask a knowledge base, read the cited passages; for
administrators, upload documents, see and remove them, re-index.

The question box posts to `/api/kb/{kb}/ask` with `"stream": true` from `static/kb.js`, which shows
the verified sentences as they come and then the final answer (with numbered citations; a click
opens the passage beside it, the sentences the answer relies on marked). Without JavaScript the same
form posts here and the answer is rendered on the server, in the same markup. Uploads and re-index
run as jobs whose fragment (`jobs/_job.html`) polls until done; the document list then refreshes
itself on the `job-finished` event. Everything goes through the functions of `api/routers/kb.py`,
so the page reads exactly what the API would give the same user.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse

from bankmind.api.deps import GatewayDep, PrincipalDep, RunnerDep, SettingsDep, StoreDep
from bankmind.api.routers.jobs import JobFragment
from bankmind.api.routers.kb import (
    MAX_QUESTION_CHARS,
    IndexDep,
    KbAnswer,
    KnowledgeBaseSummary,
    answer_question,
    knowledge_bases,
)
from bankmind.api.routers.kb_documents import (
    KbAdminDep,
    KbDocument,
    documents,
    remove_document,
    submit_reindex,
    submit_upload,
)
from bankmind.config import Settings
from bankmind.documents import accepted_kinds_label
from bankmind.errors import InputError
from bankmind.knowledge.index import KnowledgeIndex
from bankmind.store.jobs import JobView, get_job
from bankmind.types import Principal
from bankmind.web.pages.admin import Notice
from bankmind.web.pages.jobs_start import upload_mb
from bankmind.web.render import is_htmx, render, shell_for

__all__ = ["KbPage", "Turn", "answer_parts", "marked", "router"]

router = APIRouter()

_MARKER = re.compile(r"\[(\d{1,3})\]")
KbName = Annotated[str, Form(min_length=1, max_length=200)]


def marked(text: str, highlights: Sequence[str]) -> list[tuple[str, bool]]:
    """`text` as runs, each with whether it is one of the `highlights` (shown as `<mark>`)."""
    spans: list[tuple[int, int]] = []
    for sentence in (h.strip() for h in highlights):
        start = text.find(sentence) if sentence else -1
        while start != -1:
            spans.append((start, start + len(sentence)))
            start = text.find(sentence, start + len(sentence))
    runs: list[tuple[str, bool]] = []
    at = 0
    for start, end in sorted(spans):
        if end <= at:
            continue
        start = max(start, at)
        if start > at:
            runs.append((text[at:start], False))
        runs.append((text[start:end], True))
        at = end
    if at < len(text):
        runs.append((text[at:], False))
    return runs


def answer_parts(text: str, citations: int) -> list[tuple[str, int | None]]:
    """The answer's text split at its citation markers: `("…", None)` text, `("", 2)` marker [2]."""
    parts: list[tuple[str, int | None]] = []
    at = 0
    for match in _MARKER.finditer(text):
        number = int(match.group(1))
        if not 1 <= number <= citations:
            continue
        parts.append((text[at : match.start()], None))
        parts.append(("", number))
        at = match.end()
    parts.append((text[at:], None))
    return [p for p in parts if p[0] or p[1] is not None]


@dataclass(frozen=True)
class Turn:
    """A question and its answer rendered on the server (the page without JavaScript)."""

    question: str
    answer: KbAnswer

    @property
    def parts(self) -> list[tuple[str, int | None]]:
        return answer_parts(self.answer.answer, len(self.answer.citations))

    def passage(self, number: int) -> list[tuple[str, bool]]:
        citation = self.answer.citations[number - 1]
        return marked(citation.text, citation.highlights)


@dataclass(frozen=True)
class KbPage:
    """Context of `kb/index.html`, `kb/_documents.html` (admins) and the job fragment."""

    bases: list[KnowledgeBaseSummary]
    kb: str | None
    is_admin: bool
    max_question: int
    max_mb: str
    kinds: str
    documents: list[KbDocument] | None = None
    turn: Turn | None = None
    job: JobView | None = None
    notice: Notice | None = None


def _page(
    index: KnowledgeIndex,
    settings: Settings,
    principal: Principal,
    kb: str | None,
    *,
    turn: Turn | None = None,
    job: JobView | None = None,
    notice: Notice | None = None,
) -> KbPage:
    bases = knowledge_bases(index, principal)
    names = [b.name for b in bases]
    chosen = kb if kb in names else (names[0] if names else None)
    return KbPage(
        bases=bases,
        kb=chosen,
        is_admin=principal.is_admin,
        max_question=MAX_QUESTION_CHARS,
        max_mb=upload_mb(settings),
        kinds=accepted_kinds_label(None),
        documents=documents(index, settings, chosen) if principal.is_admin and chosen else None,
        turn=turn,
        job=job,
        notice=notice,
    )


def _full(request: Request, principal: Principal, page: KbPage, status_code: int = 200) -> HTMLResponse:
    return render(
        request, "kb/index.html", page, shell=shell_for(request, principal), status_code=status_code
    )


@router.get("/kb")
def kb_page(
    request: Request,
    index: IndexDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    kb: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    return _full(request, principal, _page(index, settings, principal, kb))


@router.post("/kb")
def ask_page(
    request: Request,
    index: IndexDep,
    settings: SettingsDep,
    store: StoreDep,
    gateway: GatewayDep,
    principal: PrincipalDep,
    kb: KbName,
    question: Annotated[str, Form(max_length=MAX_QUESTION_CHARS)],
) -> HTMLResponse:
    """The question box without JavaScript: the whole page with the answer."""
    if not question.strip():
        raise InputError("the question is blank; write what you want to know")
    rid = getattr(request.state, "request_id", None)
    answer = answer_question(
        index, gateway, store, principal, kb, question.strip(), request_id=rid, via="web"
    )
    return _full(
        request, principal, _page(index, settings, principal, kb, turn=Turn(question.strip(), answer))
    )


@router.get("/kb/documents")
def documents_fragment(
    request: Request,
    index: IndexDep,
    settings: SettingsDep,
    admin: KbAdminDep,
    kb: Annotated[str, Query(min_length=1, max_length=200)],
) -> HTMLResponse:
    """The document list of `kb` (refreshed after an upload or re-index job has finished)."""
    index.require(kb)
    page = _page(index, settings, admin, kb)  # an administrator's list holds every knowledge base
    return render(request, "kb/_documents.html", page, shell=shell_for(request, admin))


def _job_response(
    request: Request, index: KnowledgeIndex, settings: Settings, admin: Principal, kb: str, job: JobView
) -> HTMLResponse:
    if is_htmx(request):
        return render(request, "jobs/_job.html", JobFragment(job), status_code=202)
    return _full(request, admin, _page(index, settings, admin, kb, job=job), status_code=202)


@router.post("/kb/documents")
def upload_page(
    request: Request,
    index: IndexDep,
    settings: SettingsDep,
    store: StoreDep,
    runner: RunnerDep,
    admin: KbAdminDep,
    kb: KbName,
    files: Annotated[list[UploadFile], File()],
    acl: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse:
    job_id = submit_upload(settings, store, runner, index, admin, kb.strip(), files, [acl], via="web")
    return _job_response(request, index, settings, admin, kb.strip(), get_job(store, job_id))


@router.post("/kb/reindex")
def reindex_page(
    request: Request,
    index: IndexDep,
    settings: SettingsDep,
    store: StoreDep,
    runner: RunnerDep,
    admin: KbAdminDep,
    kb: KbName,
) -> HTMLResponse:
    job_id = submit_reindex(settings, store, runner, index, admin, kb, via="web")
    return _job_response(request, index, settings, admin, kb, get_job(store, job_id))


@router.post("/kb/documents/remove")
def remove_page(
    request: Request,
    index: IndexDep,
    settings: SettingsDep,
    store: StoreDep,
    admin: KbAdminDep,
    kb: KbName,
    name: Annotated[str, Form(min_length=1, max_length=1000)],
) -> HTMLResponse:
    remove_document(store, index, admin, kb, name, via="web")
    notice = Notice("kb.removed", {"name": name, "kb": kb})
    page = _page(index, settings, admin, kb, notice=notice)
    if is_htmx(request):
        return render(request, "kb/_documents.html", page, shell=shell_for(request, admin))
    return _full(request, admin, page)
