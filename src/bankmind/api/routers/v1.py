"""OpenAI-compatible endpoints: `/v1/chat/completions`, `/v1/embeddings`, `/v1/models`.

Thin: the body is parsed into the gateway's request types (unknown fields ignored, as SDKs send new
ones), the principal comes from `Authorization: Bearer bm-…`, and the gateway does the rest
(`bankmind.guard.gateway`). Streams are server-sent events, `data: {chunk}` each, then
`data: [DONE]`; an error after the stream started is sent as a `data: {"error": {…}}` event, which the
openai SDK raises as `APIError`. Errors before it are OpenAI error objects (`api/errors.py`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from bankmind.api.deps import GatewayDep, PrincipalDep
from bankmind.errors import BankmindError
from bankmind.guard.gateway import Gateway, GatewayStream, ModelNotFound
from bankmind.guard.gateway_types import (
    ChatCompletion,
    ChatCompletionRequest,
    EmbeddingList,
    EmbeddingRequest,
    ModelCard,
    ModelList,
)
from bankmind.llm import ModelRouter
from bankmind.store.keys import PREFIX_LENGTH

__all__ = ["router"]

log = logging.getLogger(__name__)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    models = ModelRouter(app.state.settings)
    app.state.gateway = Gateway(app.state.settings, app.state.store, models)
    try:
        yield
    finally:
        models.close()


router = APIRouter(prefix="/v1", tags=["openai"], lifespan=_lifespan)


def _caller(request: Request) -> dict[str, str | None]:
    """The API key's prefix (its per-minute rate is counted under it) and the request id."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    key_id = key.strip()[:PREFIX_LENGTH] if scheme.lower() == "bearer" and key.strip() else None
    request_id = getattr(request.state, "request_id", None)
    return {"key_id": key_id, "request_id": request_id if isinstance(request_id, str) else None}


@router.post(
    "/chat/completions",
    response_model=None,
    responses={
        200: {"model": ChatCompletion, "description": "The answer, or server-sent events with `stream`."}
    },
)
def chat_completions(
    body: ChatCompletionRequest, principal: PrincipalDep, gateway: GatewayDep, request: Request
) -> Response:
    """A chat answer through the gateway (masked, audited); `"stream": true` for server-sent events."""
    caller = _caller(request)
    if body.stream:
        stream = gateway.chat_stream(principal, body, **caller)
        return StreamingResponse(
            _events(stream, caller["request_id"]),
            media_type="text/event-stream",
            headers={"X-Accel-Buffering": "no"},
        )
    completion = gateway.chat(principal, body, **caller)
    return JSONResponse(completion.model_dump(mode="json", exclude_none=True))


async def _events(stream: GatewayStream, request_id: str | None) -> AsyncIterator[str]:
    try:
        async for chunk in iterate_in_threadpool(stream):
            yield f"data: {chunk.model_dump_json(exclude_none=True)}\n\n"
        yield "data: [DONE]\n\n"
    except BankmindError as exc:
        yield _error_event(exc.message, exc.code, exc.http_status)
    except Exception:
        log.exception("v1.stream.crashed", extra={"request_id": request_id})
        message = f"internal error; the server log has the details under request id {request_id}"
        yield _error_event(message, "internal_error", 500)
    finally:
        with anyio.CancelScope(shield=True):  # also when the client hung up: write the audit record
            await run_in_threadpool(stream.close)


def _error_event(message: str, code: str, status: int) -> str:
    kind = "server_error" if status >= 500 else "invalid_request_error"
    error: dict[str, Any] = {"message": message, "type": kind, "code": code, "param": None}
    return f"data: {json.dumps({'error': error}, ensure_ascii=False)}\n\n"


@router.post("/embeddings")
def embeddings(
    body: EmbeddingRequest, principal: PrincipalDep, gateway: GatewayDep, request: Request
) -> EmbeddingList:
    """Vectors for texts through the gateway (masked like chat prompts, audited)."""
    return gateway.embeddings(principal, body, **_caller(request))


@router.get("/models")
def models(principal: PrincipalDep, gateway: GatewayDep) -> ModelList:
    """The model names and aliases this principal may use."""
    return gateway.models(principal)


@router.get("/models/{model}")
def model(model: str, principal: PrincipalDep, gateway: GatewayDep) -> ModelCard:
    """One model of `/v1/models`, or `model_not_found`."""
    for card in gateway.models(principal).data:
        if card.id == model:
            return card
    raise ModelNotFound(f"the model '{model[:80]}' does not exist here; see GET /v1/models")
