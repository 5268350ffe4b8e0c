"""Per-request context: request id, security headers, a body-size cap, and the 500 answer.

A plain ASGI middleware (no BaseHTTPMiddleware): it gives each request an id (`request.state.
request_id`, the `X-Request-ID` header, and every log line about it), adds the security headers to
every response, refuses bodies larger than the upload limit before they are read, and answers an
unexpected exception with a 500 in the shape the path expects while the traceback goes only to
the server log.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bankmind.api.errors import Problem, error_response, problem_from

__all__ = ["CONTENT_SECURITY_POLICY", "RequestContextMiddleware"]

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class RequestContextMiddleware:
    """Wraps the whole app; see the module docstring."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, hsts: bool = False) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status: dict[str, Any] = {"code": None}
        path = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                for name, value in _SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if not path.startswith("/static/"):
                    headers.setdefault("Cache-Control", "no-store")
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise StarletteHTTPException(413)
            return message

        try:
            declared = Headers(scope=scope).get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_body_bytes:
                request = Request(scope, receive)
                await error_response(request, problem_from(StarletteHTTPException(413), request))(
                    scope, receive, send_with_headers
                )
            else:
                await self.app(scope, receive_limited, send_with_headers)
        except Exception:
            log.exception(
                "http.crashed", extra={"request_id": request_id, "method": scope["method"], "path": path}
            )
            if status["code"] is not None:
                raise
            problem = Problem(
                500,
                "internal_error",
                f"internal error; the server log has the details under request id {request_id}",
            )
            try:
                response = error_response(Request(scope, receive), problem)
            except Exception:  # the error page itself failed: fall back to plain text
                log.exception("http.error_page_failed", extra={"request_id": request_id})
                response = PlainTextResponse(problem.message, status_code=500)
            await response(scope, receive, send_with_headers)
        finally:
            log.info(
                "http.request",
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": path,
                    "status": status["code"],
                    "duration_ms": int((time.perf_counter() - started) * 1000),
                },
            )
