"""Web sessions: a signed cookie carrying the user id and a CSRF token.

The cookie is signed with `settings.session_secret()` (itsdangerous), HttpOnly, SameSite=Lax,
Secure when `BANKMIND_SECURE_COOKIES` is set, and expires after `BANKMIND_SESSION_HOURS`. Every
state-changing request made with the cookie must carry the session's CSRF token, in the
`csrf_token` form field or the `X-CSRF-Token` header (htmx sends it from `hx-headers`). The login
form, which has no session yet, is protected by a short-lived signed token cookie of its own.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from bankmind.config import Settings
from bankmind.errors import CsrfFailed

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "LOGIN_COOKIE",
    "SESSION_COOKIE",
    "SessionSigner",
    "WebSession",
    "csrf_refused",
    "tokens_match",
]

SESSION_COOKIE = "bankmind_session"
LOGIN_COOKIE = "bankmind_login"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_LOGIN_TOKEN_SECONDS = 3600


@dataclass(frozen=True)
class WebSession:
    """A verified session cookie."""

    user_id: int
    csrf_token: str


def csrf_refused() -> CsrfFailed:
    return CsrfFailed(
        "the form's security token (CSRF) is missing, expired or wrong; reload the page and submit it again"
    )


def tokens_match(expected: str, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(expected.encode(), (submitted or "").encode())


class SessionSigner:
    """Issues, reads and ends session cookies, and the pre-session login token."""

    def __init__(self, secret: str, *, hours: int, secure: bool) -> None:
        self._sessions = URLSafeTimedSerializer(secret, salt="bankmind.session")
        self._logins = URLSafeTimedSerializer(secret, salt="bankmind.login")
        self.max_age = hours * 3600
        self.secure = secure

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionSigner:
        return cls(settings.session_secret(), hours=settings.session_hours, secure=settings.secure_cookies)

    def _set(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", secure=self.secure)

    # sessions ----------------------------------------------------------------------
    def start(self, response: Response, user_id: int) -> WebSession:
        """Log a user in: a fresh cookie with a fresh CSRF token (no session fixation)."""
        session = WebSession(user_id=user_id, csrf_token=self.new_token())
        value = self._sessions.dumps({"uid": session.user_id, "csrf": session.csrf_token})
        self._set(response, SESSION_COOKIE, value, self.max_age)
        return session

    def read(self, request: Request) -> WebSession | None:
        """The session of this request, or None when absent, tampered with or expired."""
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            data = self._sessions.loads(raw, max_age=self.max_age)
        except BadSignature:
            return None
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("uid"), int)
            or not isinstance(data.get("csrf"), str)
        ):
            return None
        return WebSession(user_id=data["uid"], csrf_token=data["csrf"])

    def end(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=self.secure)

    # the login form's token --------------------------------------------------------
    def issue_login_token(self, response: Response, token: str) -> None:
        """Keep a signed copy of the login form's token in a cookie (make it with `new_token()`)."""
        self._set(response, LOGIN_COOKIE, self._logins.dumps(token), _LOGIN_TOKEN_SECONDS)

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    def check_login_token(self, request: Request, submitted: str | None) -> None:
        """Refuse a login post whose token does not match the login cookie."""
        raw = request.cookies.get(LOGIN_COOKIE)
        try:
            expected = self._logins.loads(raw, max_age=_LOGIN_TOKEN_SECONDS) if raw else None
        except BadSignature:
            expected = None
        if not isinstance(expected, str) or not tokens_match(expected, submitted):
            raise csrf_refused()

    def end_login(self, response: Response) -> None:
        response.delete_cookie(LOGIN_COOKIE, httponly=True, samesite="lax", secure=self.secure)
