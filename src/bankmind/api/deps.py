"""Typed dependencies for routes and pages; the principal is resolved here and nowhere else.

    def route(store: StoreDep, principal: PrincipalDep) -> ...

A principal comes from `Authorization: Bearer bm-…` (an API key) or from the web session cookie.
Requests that change state with the cookie must carry the session's CSRF token (API-key requests
need none: a browser never sends the header on its own).
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from bankmind.api.sessions import CSRF_FIELD, CSRF_HEADER, SessionSigner, csrf_refused, tokens_match
from bankmind.config import Settings
from bankmind.errors import AuthenticationFailed
from bankmind.guard.gateway import Gateway
from bankmind.store import Store
from bankmind.store.jobs import JobRunner
from bankmind.store.users import get_principal, resolve_api_key
from bankmind.types import Principal

__all__ = [
    "GatewayDep",
    "OptionalPrincipalDep",
    "PrincipalDep",
    "RunnerDep",
    "SessionsDep",
    "SettingsDep",
    "StoreDep",
]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# The getters are `async def`: FastAPI runs a plain `def` dependency in a worker thread, and the
# hop costs more than the lookup (several per request otherwise).
async def _settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


async def _store(request: Request) -> Store:
    return cast(Store, request.app.state.store)


async def _runner(request: Request) -> JobRunner:
    return cast(JobRunner, request.app.state.runner)


async def _gateway(request: Request) -> Gateway:
    """The model gateway the `/v1` router's lifespan builds."""
    return cast(Gateway, request.app.state.gateway)


async def _sessions(request: Request) -> SessionSigner:
    return cast(SessionSigner, request.app.state.sessions)


SettingsDep = Annotated[Settings, Depends(_settings)]
StoreDep = Annotated[Store, Depends(_store)]
RunnerDep = Annotated[JobRunner, Depends(_runner)]
SessionsDep = Annotated[SessionSigner, Depends(_sessions)]
GatewayDep = Annotated[Gateway, Depends(_gateway)]


async def _resolve(request: Request, store: Store, sessions: SessionSigner) -> Principal | None:
    """The one place a request becomes a principal (None when it carries no credentials)."""
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise AuthenticationFailed(
                "the Authorization header must be 'Bearer bm-…'; create a key with `bankmind keys create`"
            )
        principal = await run_in_threadpool(resolve_api_key, store, key.strip())
    else:
        session = await run_in_threadpool(sessions.read, request)
        if session is None:
            return None
        found = await run_in_threadpool(get_principal, store, session.user_id)
        if found is None:
            raise AuthenticationFailed("your account is disabled or was removed; ask an administrator")
        if request.method not in _SAFE_METHODS:
            submitted = request.headers.get(CSRF_HEADER)
            if submitted is None:
                value = (await request.form()).get(CSRF_FIELD)
                submitted = value if isinstance(value, str) else None
            if not tokens_match(session.csrf_token, submitted):
                raise csrf_refused()
        request.state.web_session = session
        principal = found
    request.state.principal_id = principal.user_id
    return principal


async def _required_principal(request: Request, store: StoreDep, sessions: SessionsDep) -> Principal:
    principal = await _resolve(request, store, sessions)
    if principal is None:
        raise AuthenticationFailed(
            "not logged in: log in at /login, or send 'Authorization: Bearer bm-…' (`bankmind keys create`)"
        )
    return principal


async def _optional_principal(request: Request, store: StoreDep, sessions: SessionsDep) -> Principal | None:
    try:
        return await _resolve(request, store, sessions)
    except AuthenticationFailed:
        return None


PrincipalDep = Annotated[Principal, Depends(_required_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(_optional_principal)]
