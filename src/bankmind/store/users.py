"""Users, passwords (argon2id) and API keys (stored as SHA-256, shown once)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError

from bankmind.errors import AuthenticationFailed, InputError, NotFound
from bankmind.store import Store
from bankmind.store.schema import ApiKey, User
from bankmind.store.sessions import end_user_sessions
from bankmind.types import Principal

__all__ = [
    "KEY_PREFIX",
    "authenticate",
    "create_api_key",
    "create_user",
    "get_principal",
    "key_hash",
    "list_users",
    "principal_of",
    "resolve_api_key",
    "set_password",
]

KEY_PREFIX = "bm-"
LAST_USED_RESOLUTION = timedelta(minutes=1)
_hasher = PasswordHasher()
_NAME = re.compile(r"^[\w.@-]{1,100}$")
# Verified against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def principal_of(user: User) -> Principal:
    """The `Principal` a user row acts as."""
    return Principal(user_id=user.id, name=user.name, department=user.department, roles=tuple(user.roles))


def create_user(
    store: Store,
    name: str,
    *,
    roles: list[str],
    department: str | None = None,
    password: str | None = None,
) -> Principal:
    """Add a user; a password enables web login, without one the user acts through API keys only."""
    if not _NAME.match(name):
        raise InputError(
            f"user name '{name[:40]}' may only hold letters, digits and . _ @ - (1-100 characters)"
        )
    if password is not None and len(password) < 8:
        raise InputError("the password must have at least 8 characters")
    user = User(
        name=name,
        roles=sorted(set(roles)),
        department=department,
        password_hash=_hasher.hash(password) if password else None,
        disabled=False,
    )
    try:
        with store.session() as s:
            s.add(user)
            s.flush()
            return principal_of(user)
    except IntegrityError:
        raise InputError(f"a user named '{name}' already exists") from None


def set_password(store: Store, name: str, password: str) -> None:
    """Replace a user's password and end the user's open sessions."""
    if len(password) < 8:
        raise InputError("the password must have at least 8 characters")
    with store.session() as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise NotFound(f"no user named '{name}'; list users with `bankmind users list`")
        user.password_hash = _hasher.hash(password)
        user_id = user.id
    end_user_sessions(store, user_id)


def list_users(store: Store) -> list[Principal]:
    with store.session() as s:
        return [principal_of(u) for u in s.scalars(select(User).order_by(User.name))]


def get_principal(store: Store, user_id: int) -> Principal | None:
    """The principal of an enabled user, or None (deleted or disabled since the session began)."""
    with store.session() as s:
        user = s.get(User, user_id)
        return principal_of(user) if user is not None and not user.disabled else None


def authenticate(store: Store, name: str, password: str) -> Principal:
    """Check a name and password; the same error for an unknown name and a wrong password."""
    with store.session() as s:
        user = s.scalar(select(User).where(User.name == name))
        stored = user.password_hash if user is not None and not user.disabled else None
        try:
            _hasher.verify(stored or _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            stored = None
        if user is None or stored is None:
            raise AuthenticationFailed("wrong user name or password")
        if _hasher.check_needs_rehash(stored):
            user.password_hash = _hasher.hash(password)
        return principal_of(user)


def key_hash(key: str) -> str:
    """What the store keeps of an API key: its SHA-256."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(store: Store, user_name: str, *, name: str | None = None) -> str:
    """Create an API key for a user and return it; only its hash is kept."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with store.session() as s:
        user = s.scalar(select(User).where(User.name == user_name))
        if user is None:
            raise NotFound(f"no user named '{user_name}'; add one with `bankmind users add`")
        s.add(ApiKey(user_id=user.id, key_hash=key_hash(key), prefix=key[:10], name=name))
    return key


# Every API call runs this: one prepared statement (building a query costs more than running it).
_KEY_LOOKUP = (
    select(ApiKey.id, ApiKey.last_used_at, User.id, User.name, User.department, User.roles)
    .join(User, User.id == ApiKey.user_id)
    .where(ApiKey.key_hash == bindparam("digest"), ApiKey.revoked_at.is_(None), User.disabled.is_(False))
)
_TOUCH_KEY = update(ApiKey).where(ApiKey.id == bindparam("key_id")).values(last_used_at=bindparam("now"))


def resolve_api_key(store: Store, key: str) -> Principal:
    """The principal behind an API key; refuses unknown, revoked or disabled ones."""
    with store.engine.begin() as conn:
        row = conn.execute(_KEY_LOOKUP, {"digest": key_hash(key)}).first()
        if row is None:
            raise AuthenticationFailed("unknown or revoked API key; create one with `bankmind keys create`")
        key_id, last_used, user_id, name, department, roles = row
        now = datetime.now(UTC)
        # "last used" to the minute: writing it on every call would cost a write transaction per request
        if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
            conn.execute(_TOUCH_KEY, {"key_id": key_id, "now": now})
        return Principal(user_id=user_id, name=name, department=department, roles=tuple(roles))
