"""The one error handler: every failure becomes a `Problem`, rendered by where the request went.

    /v1/…            OpenAI error object  {"error": {"message", "type", "code", "param"}}
    htmx requests    an HTML fragment (`_error.html`), swapped into the page
    /api/…           {"error": {"code", "message", "request_id"}}
    other pages      an error page; a page that needs a login redirects to /login

The HTTP status is the error's `http_status`; `QuotaExceeded` adds `Retry-After`. Unexpected
exceptions are answered with 500 by `api.middleware` through `error_response`, with a request id
(also in `X-Request-ID`); the traceback goes only to the server log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from bankmind.errors import AuthenticationFailed, BankmindError, FileTooLarge, QuotaExceeded
from bankmind.web.render import is_htmx, render, shell_for

__all__ = ["Problem", "error_response", "install_error_handlers", "problem_from"]

_OPENAI_TYPES = {
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
}
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: FileTooLarge.code}
_HTTP_MESSAGES = {
    404: "there is no page or endpoint at this address; the API is listed at /docs",
    405: "this address does not accept the {method} method; the API is listed at /docs",
}


@dataclass(frozen=True)
class Problem:
    """An error as every interface shows it."""

    status: int
    code: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ErrorPage:
    """Context of `error.html` and `_error.html`."""

    status: int
    code: str
    message: str
    request_id: str | None


def _validation_message(exc: RequestValidationError) -> str:
    """Which fields are wrong and why, never the submitted values."""
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid")))
    return "invalid request: " + "; ".join(parts)


def problem_from(exc: Exception, request: Request) -> Problem:
    """Turn an exception the handlers receive into a `Problem`."""
    if isinstance(exc, BankmindError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, QuotaExceeded) else {}
        if isinstance(exc, AuthenticationFailed) and request.url.path.startswith(("/api/", "/v1/")):
            headers["WWW-Authenticate"] = "Bearer"
        return Problem(exc.http_status, exc.code, exc.message, headers)
    if isinstance(exc, RequestValidationError):
        return Problem(422, "input_error", _validation_message(exc))
    if isinstance(exc, StarletteHTTPException):
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        if exc.status_code == 413:
            limit = _size(request.app.state.settings.upload_max_bytes)
            message = (
                f"the request is larger than the upload limit of {limit}; "
                "send a smaller file or ask an administrator to raise BANKMIND_UPLOAD_MAX_BYTES"
            )
        elif exc.status_code in _HTTP_MESSAGES:
            message = _HTTP_MESSAGES[exc.status_code].format(method=request.method)
        else:
            message = str(exc.detail)
        return Problem(exc.status_code, code, message, dict(exc.headers or {}))
    raise TypeError(f"no problem mapping for {type(exc).__name__}")  # pragma: no cover


def _size(n: int) -> str:
    return f"{n / 1048576:,.1f} MB".replace(".0 MB", " MB") if n >= 1048576 else f"{n:,} bytes"


def _request_id(request: Request) -> str | None:
    rid = getattr(request.state, "request_id", None)
    return rid if isinstance(rid, str) else None


def _openai_type(status: int) -> str:
    if status >= 500:
        return "server_error"
    return _OPENAI_TYPES.get(status, "invalid_request_error")


def error_response(request: Request, problem: Problem) -> Response:
    """Render `problem` in the shape the request expects."""
    path = request.url.path
    rid = _request_id(request)
    headers = dict(problem.headers)
    if path == "/v1" or path.startswith("/v1/"):
        body: dict[str, Any] = {
            "error": {
                "message": problem.message,
                "type": _openai_type(problem.status),
                "code": problem.code,
                "param": None,
            }
        }
        return JSONResponse(body, status_code=problem.status, headers=headers)
    login_needed = problem.code == AuthenticationFailed.code
    if is_htmx(request):
        if login_needed:
            headers["HX-Redirect"] = "/login"
        return _html(request, "_error.html", problem, rid, headers)
    if path == "/api" or path.startswith("/api/"):
        body = {"error": {"code": problem.code, "message": problem.message, "request_id": rid}}
        return JSONResponse(body, status_code=problem.status, headers=headers)
    if login_needed and request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    return _html(request, "error.html", problem, rid, headers)


def _html(
    request: Request, template: str, problem: Problem, rid: str | None, headers: dict[str, str]
) -> Response:
    shell = shell_for(request, None)
    page = ErrorPage(problem.status, problem.code, problem.message, rid)
    return render(request, template, page, shell=shell, status_code=problem.status, headers=headers)


async def _handle(request: Request, exc: Exception) -> Response:
    return error_response(request, problem_from(exc, request))


def install_error_handlers(app: FastAPI) -> None:
    """Register the handler for expected errors, request validation and routing errors."""
    for exc_class in (BankmindError, RequestValidationError, StarletteHTTPException):
        app.add_exception_handler(exc_class, _handle)
