"""Web sessions kept in the store, so logging out (or a password change) really ends them.

The browser holds a random token (signed by the web layer); the store keeps only its SHA-256,
the user, the session's CSRF token and when it expires.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update

from bankmind.store import Store
from bankmind.store.schema import WebSession

__all__ = ["SessionRecord", "end_session", "end_user_sessions", "read_session", "start_session"]


@dataclass(frozen=True)
class SessionRecord:
    """A live session: who it belongs to and the CSRF token its forms must carry."""

    user_id: int
    csrf_token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(store: Store, user_id: int, *, hours: int) -> tuple[str, SessionRecord]:
    """Open a session; returns the token for the cookie (only its hash is stored)."""
    token, record = secrets.token_urlsafe(32), SessionRecord(user_id, secrets.token_urlsafe(32))
    now = datetime.now(UTC)
    with store.session() as s:
        s.execute(delete(WebSession).where(WebSession.expires_at < now))
        s.add(
            WebSession(
                id=_digest(token),
                user_id=user_id,
                csrf_token=record.csrf_token,
                created_at=now,
                expires_at=now + timedelta(hours=hours),
            )
        )
    return token, record


def read_session(store: Store, token: str) -> SessionRecord | None:
    """The live session for a token, or None when unknown, ended or expired."""
    with store.session() as s:
        row = s.get(WebSession, _digest(token))
        if row is None or row.revoked_at is not None or row.expires_at <= datetime.now(UTC):
            return None
        return SessionRecord(row.user_id, row.csrf_token)


def end_session(store: Store, token: str) -> None:
    with store.session() as s:
        s.execute(
            update(WebSession).where(WebSession.id == _digest(token)).values(revoked_at=datetime.now(UTC))
        )


def end_user_sessions(store: Store, user_id: int) -> int:
    """End every session of a user (password changed, account disabled); returns how many."""
    with store.session() as s:
        result = s.execute(
            update(WebSession)
            .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        return int(getattr(result, "rowcount", 0) or 0)
