"""Web sessions in the store: issued, read, ended, expired, ended by a password change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bankmind.store import Store
from bankmind.store.schema import WebSession
from bankmind.store.sessions import end_session, end_user_sessions, read_session, start_session
from bankmind.store.users import create_user, set_password


def test_session_lifecycle(store: Store) -> None:
    user = create_user(store, "zhou", roles=["custody"], password="first-password")
    token, record = start_session(store, user.user_id, hours=8)
    assert read_session(store, token) == record
    with store.session() as s:
        stored = s.scalar(select(WebSession.id))
    assert stored is not None and token not in stored  # only the hash is kept
    end_session(store, token)
    assert read_session(store, token) is None
    assert read_session(store, "never-issued") is None


def test_expired_sessions_are_refused_and_cleaned_up(store: Store) -> None:
    user = create_user(store, "wu", roles=["credit"])
    old, _ = start_session(store, user.user_id, hours=1)
    with store.session() as s:
        s.execute(update(WebSession).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    assert read_session(store, old) is None
    start_session(store, user.user_id, hours=1)  # starting a session purges expired ones
    with store.session() as s:
        assert len(s.scalars(select(WebSession)).all()) == 1


def test_password_change_ends_every_session_of_the_user(store: Store) -> None:
    user = create_user(store, "zheng", roles=["credit"], password="first-password")
    other = create_user(store, "feng", roles=["credit"], password="first-password")
    mine = [start_session(store, user.user_id, hours=1)[0] for _ in range(2)]
    theirs, _ = start_session(store, other.user_id, hours=1)
    set_password(store, "zheng", "second-password")
    assert all(read_session(store, t) is None for t in mine)
    assert read_session(store, theirs) is not None
    assert end_user_sessions(store, user.user_id) == 0
