"""`/api/kb`: the knowledge assistant over HTTP (the `bankmind kb` commands' JSON shapes).

    GET    /api/kb                  knowledge bases and how many documents the caller may read
    POST   /api/kb/{kb}/search      {"query", "top_k"} -> passages, best first
    POST   /api/kb/{kb}/ask         {"question", "stream"} -> a cited answer (or server-sent events)

Managing documents (upload, list, remove, re-index; administrators) is in `kb_documents.py`.

Access: a caller reads as `reader_roles(principal)` (everything for an administrator; otherwise their
roles and their department), and retrieval filters by that inside its SQL, so a document outside
them never appears in hits, answers, citations or counts; a knowledge base in which the caller may
read nothing is reported as not found. The web page (`web/pages/kb.py`) calls these same functions.

With `"stream": true` the answer comes as server-sent events: `event: delta` `{"text"}` for each
verified sentence while the model writes, then `event: answer` with the whole answer, which
*replaces* the deltas (sentences can still be dropped at the end, and an extractive answer
substituted), then `event: done`. A failure after the stream started is one `event: error` with
`{"error": {"code", "message", "request_id"}}`. Every answer is audited as `kb.ask` (mode, refused,
number of citations; never the question or the passages); the gateway audits the model call itself.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import AsyncIterator, Generator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal, cast

import anyio
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from bankmind.api.deps import GatewayDep, PrincipalDep, StoreDep
from bankmind.errors import BankmindError, NotFound
from bankmind.guard.audit import audited
from bankmind.guard.gateway import Gateway
from bankmind.knowledge.answer import Answer, AnswerDelta, Turn, answer_events
from bankmind.knowledge.index import KnowledgeIndex
from bankmind.knowledge.search import search
from bankmind.knowledge.writer import gateway_writer
from bankmind.store import Store
from bankmind.types import Principal

__all__ = [
    "MAX_QUESTION_CHARS",
    "AskRequest",
    "IndexDep",
    "KbAnswer",
    "KbCitation",
    "KbHit",
    "KnowledgeBaseSummary",
    "SearchRequest",
    "answer_question",
    "ask_events",
    "knowledge_bases",
    "readable",
    "reader_roles",
    "router",
]

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
"""Longest question (and search query) accepted, in characters."""
MAX_TOP_K = 100
_index_lock = threading.Lock()


# --- who reads what -------------------------------------------------------------------------------


def reader_roles(principal: Principal) -> set[str] | None:
    """The roles a principal reads knowledge-base documents as: None (everything) for an
    administrator; otherwise their roles and their department (a document's ACL names either)."""
    if principal.is_admin:
        return None
    return {name for name in (*principal.roles, principal.department) if name}


# --- the index, one per app -----------------------------------------------------------------------


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.kb_index = None  # opened on first use (it needs the gateway's embedding model)
    yield


def _open_index(app: Any) -> KnowledgeIndex:
    with _index_lock:
        if getattr(app.state, "kb_index", None) is None:
            gateway = cast(Gateway, app.state.gateway)
            app.state.kb_index = KnowledgeIndex.open(
                app.state.settings, app.state.store, gateway.router.embedding()
            )
        return cast(KnowledgeIndex, app.state.kb_index)


async def _index(request: Request) -> KnowledgeIndex:
    index = getattr(request.app.state, "kb_index", None)
    if index is None:
        index = await run_in_threadpool(_open_index, request.app)
    return cast(KnowledgeIndex, index)


IndexDep = Annotated[KnowledgeIndex, Depends(_index)]

router = APIRouter(prefix="/api/kb", tags=["kb"], lifespan=_lifespan)


# --- shapes ---------------------------------------------------------------------------------------


class KnowledgeBaseSummary(BaseModel):
    name: str
    documents: int = Field(description="Documents the caller may read.")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("is blank; write what you are looking for")
    return value.strip()


class SearchRequest(_Strict):
    query: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, description="Words or a question.")
    top_k: int = Field(5, ge=1, le=MAX_TOP_K, description="How many passages.")

    _blank = field_validator("query")(_not_blank)


class KbHit(BaseModel):
    """One passage, as `bankmind kb search --format json` prints it (plus title and page)."""

    document: str
    locator: str
    text: str
    score: float
    title: str
    page: int | None


class PriorTurn(_Strict):
    question: str = Field(max_length=MAX_QUESTION_CHARS)
    answer: str = Field(max_length=20_000)


class AskRequest(_Strict):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, description="The question.")
    stream: bool = Field(False, description="Answer as server-sent events (delta, answer, done).")
    history: list[PriorTurn] = Field(
        default=[],
        max_length=20,
        description="Earlier turns of the conversation, oldest first: with a chat model configured, "
        "a follow-up ('那II类户呢？') is made standalone from them before retrieval.",
    )

    def turns(self) -> list[Turn]:
        return [Turn(t.question, t.answer) for t in self.history]

    _blank = field_validator("question")(_not_blank)


class KbCitation(BaseModel):
    document: str
    locator: str
    text: str = Field(description="The passage, verbatim.")
    title: str
    page: int | None
    highlights: list[str] = Field(description="Sentences of the passage the answer relies on.")


class KbAnswer(BaseModel):
    """`bankmind kb ask --format json` plus how the answer was made."""

    answer: str
    refused: bool
    citations: list[KbCitation]
    mode: Literal["generated", "extractive", "refused"]
    note: str | None = Field(None, description="Why a configured chat model was not used, if it was not.")
    query: str | None = Field(None, description="The follow-up made standalone, when it was rewritten.")

    @classmethod
    def of(cls, answer: Answer) -> KbAnswer:
        citations = [
            KbCitation(
                document=c.document,
                locator=c.locator,
                text=c.text,
                title=c.title,
                page=c.page,
                highlights=c.highlights,
            )
            for c in answer.citations
        ]
        return cls(
            answer=answer.answer,
            refused=answer.refused,
            citations=citations,
            mode=answer.mode,
            note=answer.note,
            query=answer.query,
        )


# --- what the routes and the page call ------------------------------------------------------------


def _visible_count(index: KnowledgeIndex, kb_id: int, roles: set[str] | None) -> int:
    query = select(func.count()).select_from(index.visible(kb_id, roles).subquery())
    with index.store.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def knowledge_bases(index: KnowledgeIndex, principal: Principal) -> list[KnowledgeBaseSummary]:
    """The knowledge bases the principal may read something in (an administrator: all of them)."""
    roles = reader_roles(principal)
    found = [
        KnowledgeBaseSummary(name=kb.name, documents=_visible_count(index, kb.id, roles))
        for kb in index.list_knowledge_bases()
    ]
    return [kb for kb in found if kb.documents or principal.is_admin]


def readable(index: KnowledgeIndex, kb: str, principal: Principal) -> None:
    """Raise `NotFound` unless `kb` exists and holds something the principal may read (the same
    message either way: a knowledge base one may not read is not revealed)."""
    info = index.require(kb)
    if not principal.is_admin and not _visible_count(index, info.id, reader_roles(principal)):
        raise NotFound(f"no knowledge base named {kb!r}; create it with `bankmind kb ingest PATH --kb {kb}`")


def ask_events(
    index: KnowledgeIndex,
    gateway: Gateway,
    store: Store,
    principal: Principal,
    kb: str,
    question: str,
    *,
    request_id: str | None,
    via: str,
    history: Sequence[Turn] = (),
) -> Generator[AnswerDelta | Answer, None, None]:
    """`answer_events` as the principal reads, written by the gateway's chat model when one is
    configured (extractive otherwise); audited as `kb.ask` when it ends."""
    writer = gateway_writer(gateway, principal, request_id=request_id)
    events = answer_events(index, kb, question, roles=reader_roles(principal), writer=writer, history=history)
    with audited(store, principal, "kb.ask", kb=kb, via=via) as details:
        try:
            for event in events:
                if isinstance(event, Answer):
                    details.update(mode=event.mode, refused=event.refused, citations=len(event.citations))
                    details["dropped"] = event.dropped
                    if event.note is not None:
                        details["model_unavailable"] = True
                yield event
        except GeneratorExit:
            details["cancelled"] = True  # the client went away before the answer was complete
            raise
        finally:
            close = getattr(events, "close", None)  # closes the model's stream: the gateway records the call
            if close is not None:
                close()


def answer_question(
    index: KnowledgeIndex,
    gateway: Gateway,
    store: Store,
    principal: Principal,
    kb: str,
    question: str,
    *,
    request_id: str | None,
    via: str,
    history: Sequence[Turn] = (),
) -> KbAnswer:
    """The whole answer at once (see `ask_events`)."""
    readable(index, kb, principal)
    final: Answer | None = None
    events = ask_events(
        index, gateway, store, principal, kb, question, request_id=request_id, via=via, history=history
    )
    for event in events:
        if isinstance(event, Answer):
            final = event
    assert final is not None  # answer_events always ends with the Answer
    return KbAnswer.of(final)


# --- routes ---------------------------------------------------------------------------------------


def _request_id(request: Request) -> str | None:
    rid = getattr(request.state, "request_id", None)
    return rid if isinstance(rid, str) else None


@router.get("")
def list_knowledge_bases(index: IndexDep, principal: PrincipalDep) -> list[KnowledgeBaseSummary]:
    """The knowledge bases the caller may read something in, with how many documents."""
    return knowledge_bases(index, principal)


@router.post("/{kb}/search")
def search_documents(
    kb: str, body: SearchRequest, store: StoreDep, index: IndexDep, principal: PrincipalDep
) -> list[KbHit]:
    """The best passages the caller may read, best first."""
    readable(index, kb, principal)
    with audited(store, principal, "kb.search", kb=kb, via="api") as details:
        hits = search(index, kb, body.query, roles=reader_roles(principal), top_k=body.top_k)
        details["hits"] = len(hits)
    return [
        KbHit(document=h.document, locator=h.locator, text=h.text, score=h.score, title=h.title, page=h.page)
        for h in hits
    ]


@router.post(
    "/{kb}/ask",
    response_model=KbAnswer,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "The answer, or events with `stream`."}
    },
)
def ask(
    kb: str,
    body: AskRequest,
    request: Request,
    store: StoreDep,
    index: IndexDep,
    gateway: GatewayDep,
    principal: PrincipalDep,
) -> KbAnswer | Response:
    """A cited answer from what the caller may read, or a refusal when the knowledge base does not
    cover the question; `"stream": true` for server-sent events."""
    rid = _request_id(request)
    history = body.turns()
    if not body.stream:
        return answer_question(
            index, gateway, store, principal, kb, body.question, request_id=rid, via="api", history=history
        )
    readable(index, kb, principal)
    events = ask_events(
        index, gateway, store, principal, kb, body.question, request_id=rid, via="api", history=history
    )
    return StreamingResponse(
        _stream(events, rid), media_type="text/event-stream", headers={"X-Accel-Buffering": "no"}
    )


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _stream(
    events: Generator[AnswerDelta | Answer, None, None], request_id: str | None
) -> AsyncIterator[str]:
    try:
        async for event in iterate_in_threadpool(events):
            if isinstance(event, AnswerDelta):
                yield _event("delta", {"text": event.text})
            else:
                yield _event("answer", KbAnswer.of(event).model_dump(mode="json"))
        yield _event("done", {})
    except BankmindError as exc:
        yield _event("error", {"error": {"code": exc.code, "message": exc.message, "request_id": request_id}})
    except Exception:
        log.exception("kb.ask.stream_crashed", extra={"request_id": request_id})
        message = f"internal error; the server log has the details under request id {request_id}"
        yield _event(
            "error", {"error": {"code": "internal_error", "message": message, "request_id": request_id}}
        )
    finally:
        with anyio.CancelScope(shield=True):  # also when the client hung up: close the model's stream, audit
            await run_in_threadpool(events.close)
