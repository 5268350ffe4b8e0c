"""Render a page's typed context with its Jinja2 template.

Each page passes a frozen dataclass (its context); the template sees it as `page` and each of its
fields by name, so `_`-prefixed partials (`jobs/_job.html` uses `job`) render the same inside a
full page and alone as an htmx fragment. The chrome around every page (language, user, CSRF token,
navigation) is a `Shell`.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bankmind import __version__
from bankmind.errors import BankmindError
from bankmind.guard.quotas import SHANGHAI
from bankmind.types import Principal
from bankmind.web.i18n import LANG_COOKIE, LANGS, Translator, pick_lang
from bankmind.web.nav import NavEntry, entries

__all__ = ["STATIC_DIR", "Refusal", "Shell", "is_htmx", "render", "shell_for"]

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
_LANG_COOKIE_SECONDS = 365 * 24 * 3600


@dataclasses.dataclass(frozen=True)
class Shell:
    """What every full page shows around its content."""

    lang: str
    path: str
    user: Principal | None = None
    csrf_token: str | None = None
    nav: tuple[NavEntry, ...] = ()
    switch_lang_url: str = ""
    version: str = __version__


def is_htmx(request: Request) -> bool:
    """True for requests htmx sends (they want a fragment, not a whole page)."""
    return request.headers.get("hx-request") == "true"


def _nav_for(user: Principal | None) -> tuple[NavEntry, ...]:
    """The top bar's entries for this user; role-restricted ones (administration) go last."""
    if user is None:
        return ()
    shown = [e for e in entries() if e.landed and e.visible_to(user)]
    return tuple(sorted(shown, key=lambda e: bool(e.roles)))


def shell_for(request: Request, user: Principal | None) -> Shell:
    """The shell for this request; the CSRF token comes from the session the principal came from."""
    session = getattr(request.state, "web_session", None)
    lang = pick_lang(request)
    other = request.url.include_query_params(lang="en" if lang == "zh" else "zh")
    return Shell(
        lang=lang,
        path=request.url.path,
        user=user,
        csrf_token=getattr(session, "csrf_token", None),
        nav=_nav_for(user),
        switch_lang_url=f"{other.path}?{other.query}",
    )


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    env.filters["when"] = _when
    env.filters["num"] = _num
    env.filters["beijing"] = _beijing
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    return env


def _when(moment: datetime | None) -> str:
    """A stored time in the server's local time zone (SQLite hands back naive UTC values)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _beijing(moment: datetime | None) -> str:
    """A stored time in Beijing time, the zone of quota days and audit date filters (as the CLI shows it)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _num(value: int | None) -> str:
    """A count with thousands separators (`12,345`); nothing for None."""
    return "" if value is None else f"{value:,}"


def render(
    request: Request,
    template: str,
    page: Any,
    *,
    shell: Shell | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render `template` with the dataclass `page`; remember `?lang=` in a cookie."""
    if not dataclasses.is_dataclass(page) or isinstance(page, type):
        raise TypeError(f"{template}: the page context must be a dataclass instance")
    lang = shell.lang if shell is not None else pick_lang(request)
    fields = {f.name: getattr(page, f.name) for f in dataclasses.fields(page)}
    html = (
        _environment()
        .get_template(template)
        .render(fields, page=page, shell=shell, lang=lang, t=Translator(lang))
    )
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    if is_htmx(request):
        response.headers["Vary"] = "HX-Request"
    chosen = request.query_params.get("lang")
    if chosen in LANGS and request.cookies.get(LANG_COOKIE) != chosen:
        settings = getattr(request.app.state, "settings", None)
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=_LANG_COOKIE_SECONDS,
            httponly=True,
            samesite="lax",
            secure=bool(getattr(settings, "secure_cookies", False)),
        )
    return response


@dataclasses.dataclass(frozen=True)
class Refusal:
    """An upload or action the backend refused, shown as `_error.html` shows any error."""

    status: int
    code: str
    message: str
    request_id: str | None = None

    @classmethod
    def of(cls, exc: BankmindError, request: Request) -> Refusal:
        rid = getattr(request.state, "request_id", None)
        return cls(exc.http_status, exc.code, exc.message, rid if isinstance(rid, str) else None)
