"""Web sessions: a signed cookie carrying a session token kept in the store (`store/sessions.py`).

Logging out or changing the password ends the session in the store, so a copied cookie stops
working at once. The cookie is signed with `settings.session_secret()` (itsdangerous), HttpOnly, SameSite=Lax,
Secure when `BANKMIND_SECURE_COOKIES` is set, and expires after `BANKMIND_SESSION_HOURS`. Every
state-changing request made with the cookie must carry the session's CSRF token, in the
`csrf_token` form field or the `X-CSRF-Token` header (htmx sends it from `hx-headers`). The login
form, which has no session yet, is protected by a short-lived signed token cookie of its own, and
failed logins are throttled per account name (`LoginThrottle`).
"""

from __future__ import annotations

import hmac
import math
import secrets
import threading
import time
from collections import deque

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from bankmind.config import Settings
from bankmind.errors import CsrfFailed, QuotaExceeded
from bankmind.store import Store
from bankmind.store.sessions import SessionRecord, end_session, read_session, start_session

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "LOGIN_COOKIE",
    "SESSION_COOKIE",
    "LoginThrottle",
    "SessionSigner",
    "csrf_refused",
    "tokens_match",
]

SESSION_COOKIE = "bankmind_session"
LOGIN_COOKIE = "bankmind_login"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_LOGIN_TOKEN_SECONDS = 3600


def csrf_refused() -> CsrfFailed:
    return CsrfFailed(
        "the form's security token (CSRF) is missing, expired or wrong; reload the page and submit it again"
    )


def tokens_match(expected: str, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(expected.encode(), (submitted or "").encode())


class SessionSigner:
    """Issues, reads and ends session cookies, and the pre-session login token."""

    def __init__(self, secret: str, store: Store, *, hours: int, secure: bool) -> None:
        self._store = store
        self._sessions = URLSafeTimedSerializer(secret, salt="bankmind.session")
        self._logins = URLSafeTimedSerializer(secret, salt="bankmind.login")
        self.max_age = hours * 3600
        self.secure = secure

    @classmethod
    def from_settings(cls, settings: Settings, store: Store) -> SessionSigner:
        return cls(
            settings.session_secret(), store, hours=settings.session_hours, secure=settings.secure_cookies
        )

    def _set(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", secure=self.secure)

    # sessions ----------------------------------------------------------------------
    def start(self, response: Response, user_id: int) -> SessionRecord:
        """Log a user in: a fresh session and CSRF token in the store (no session fixation)."""
        token, session = start_session(self._store, user_id, hours=self.max_age // 3600)
        self._set(response, SESSION_COOKIE, self._sessions.dumps(token), self.max_age)
        return session

    def _token(self, request: Request) -> str | None:
        raw = request.cookies.get(SESSION_COOKIE)
        try:
            token = self._sessions.loads(raw, max_age=self.max_age) if raw else None
        except BadSignature:
            return None
        return token if isinstance(token, str) else None

    def read(self, request: Request) -> SessionRecord | None:
        """The live session of this request, or None when absent, tampered with, ended or expired."""
        token = self._token(request)
        return read_session(self._store, token) if token else None

    def end(self, request: Request, response: Response) -> None:
        """Log out: end the session in the store and delete the cookie."""
        token = self._token(request)
        if token:
            end_session(self._store, token)
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


class LoginThrottle:
    """Refuse logins for an account name after too many recent failures (guessing passwords)."""

    def __init__(self, *, failures: int = 5, window_seconds: int = 900) -> None:
        self._failures, self._window = failures, window_seconds
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, name: str, now: float) -> deque[float]:
        stamps = self._seen.setdefault(name.casefold(), deque())
        while stamps and stamps[0] <= now - self._window:
            stamps.popleft()
        return stamps

    def check(self, name: str) -> None:
        """Raise `QuotaExceeded` (429 with Retry-After) while the account is locked."""
        now = time.monotonic()
        with self._lock:
            stamps = self._recent(name, now)
            if len(stamps) >= self._failures:
                wait = math.ceil(stamps[0] + self._window - now)
                raise QuotaExceeded(
                    f"too many failed logins for this account; wait {math.ceil(wait / 60)} minutes "
                    "or ask an administrator to reset the password",
                    retry_after=wait,
                )

    def failed(self, name: str) -> None:
        with self._lock:
            self._recent(name, time.monotonic()).append(time.monotonic())

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._seen.pop(name.casefold(), None)
