"""`/login` and `/logout`. A wrong name and a wrong password get the same answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from bankmind.api.deps import OptionalPrincipalDep, PrincipalDep, SessionsDep, StoreDep
from bankmind.api.sessions import LoginThrottle, SessionSigner
from bankmind.errors import AuthenticationFailed
from bankmind.store.users import authenticate
from bankmind.web.render import render, shell_for

__all__ = ["LoginPage", "router", "safe_next"]

log = logging.getLogger(__name__)
router = APIRouter()


@dataclass(frozen=True)
class LoginPage:
    """Context of `login/index.html`."""

    csrf_token: str
    next: str
    failed: bool = False
    name: str = ""


def safe_next(target: str | None) -> str:
    """Only local paths: never send a user to another site after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _login_form(
    request: Request, sessions: SessionSigner, next_: str, *, failed: bool = False, name: str = ""
) -> Response:
    token = sessions.new_token()
    page = LoginPage(csrf_token=token, next=safe_next(next_), failed=failed, name=name)
    response = render(
        request, "login/index.html", page, shell=shell_for(request, None), status_code=401 if failed else 200
    )
    sessions.issue_login_token(response, token)
    return response


@router.get("/login")
def login_page(
    request: Request, sessions: SessionsDep, principal: OptionalPrincipalDep, next: str = "/"
) -> Response:
    if principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, sessions, next)


@router.post("/login")
def login(
    request: Request,
    store: StoreDep,
    sessions: SessionsDep,
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    sessions.check_login_token(request, csrf_token)
    throttle: LoginThrottle = request.app.state.login_throttle
    throttle.check(name)
    try:
        principal = authenticate(store, name, password)
    except AuthenticationFailed:
        throttle.failed(name)
        log.warning("web.login.refused", extra={"request_id": request.state.request_id})
        return _login_form(request, sessions, next, failed=True, name=name)
    throttle.succeeded(name)
    response = RedirectResponse(safe_next(next), status_code=303)
    sessions.start(response, principal.user_id)
    sessions.end_login(response)
    log.info("web.login", extra={"user_id": principal.user_id, "request_id": request.state.request_id})
    return response


@router.post("/logout")
def logout(request: Request, principal: PrincipalDep, sessions: SessionsDep) -> Response:
    response = RedirectResponse("/login", status_code=303)
    sessions.end(request, response)
    log.info("web.logout", extra={"user_id": principal.user_id, "request_id": request.state.request_id})
    return response
