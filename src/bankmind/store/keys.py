"""API keys with their principal: issue (creating an API-only user if needed), list and revoke.

A key acts as its user: the user's department and roles are the key's. Issuing a key for an
existing user therefore refuses a different department or different roles instead of silently
changing who the user is. Only the key's SHA-256 and its first 10 characters (the prefix shown by
`bankmind keys list`) are stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from bankmind.errors import InputError, NotFound
from bankmind.store import Store
from bankmind.store.departments import ensure_department
from bankmind.store.schema import ApiKey, User
from bankmind.store.users import KEY_PREFIX, create_api_key, create_user, key_hash, principal_of
from bankmind.types import Principal

__all__ = ["IssuedKey", "KeyInfo", "issue_key", "list_keys", "revoke_key"]

PREFIX_LENGTH = 10


class KeyInfo(BaseModel):
    """An API key as `bankmind keys list` and the admin page show it (never the key itself)."""

    model_config = ConfigDict(frozen=True)

    prefix: str
    name: str | None
    user: str
    department: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class IssuedKey:
    """A new key (shown once), who it acts as, and what had to be created for it."""

    key: str
    prefix: str
    principal: Principal
    created_user: bool
    created_department: bool


def _find_user(store: Store, name: str) -> User | None:
    with store.session() as s:
        return s.scalar(select(User).where(User.name == name))


def _check_consistent(user: User, department: str | None, roles: set[str]) -> None:
    if user.disabled:
        raise InputError(f"user '{user.name}' is disabled; enable the user before creating keys for it")
    if department is not None and department != user.department:
        raise InputError(
            f"user '{user.name}' belongs to department '{user.department or '(none)'}', not '{department}'; "
            "a key acts with its user's department: leave out --department or use another user name"
        )
    if roles and roles != set(user.roles):
        have = ", ".join(user.roles) or "(none)"
        raise InputError(
            f"user '{user.name}' has roles {have}; a key acts with all of its user's roles: "
            "leave out --role or name exactly those"
        )


def issue_key(
    store: Store,
    user: str,
    *,
    department: str | None = None,
    roles: Sequence[str] = (),
    name: str | None = None,
) -> IssuedKey:
    """Create an API key for `user`, first creating the user (API-only, no password) if missing.

    A missing user needs at least one role, so a mistyped name does not silently become a new
    principal. An existing user must match the given department and roles.
    """
    wanted = {r.strip() for r in roles if r.strip()}
    row = _find_user(store, user)
    created_user = False
    if row is None:
        if not wanted:
            raise NotFound(
                f"no user named '{user}'; add one with `bankmind users add`, or give --role "
                "(and --department) to create an API-only user"
            )
        try:
            create_user(store, user, roles=sorted(wanted), department=department)
            created_user = True
        except InputError:
            if _find_user(store, user) is None:  # refused for its name, not created meanwhile
                raise
        row = _find_user(store, user)
        assert row is not None
    if not created_user:
        _check_consistent(row, department, wanted)
    created_department = False
    if row.department is not None:
        _, created_department = ensure_department(store, row.department)
    key = create_api_key(store, user, name=name)
    return IssuedKey(key, key[:PREFIX_LENGTH], principal_of(row), created_user, created_department)


def _info(key: ApiKey, user: User) -> KeyInfo:
    return KeyInfo(
        prefix=key.prefix,
        name=key.name,
        user=user.name,
        department=user.department,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


def list_keys(store: Store, *, user: str | None = None) -> list[KeyInfo]:
    """Every key (revoked ones too), oldest first; only `user`'s keys when given."""
    query = select(ApiKey, User).join(User, User.id == ApiKey.user_id).order_by(ApiKey.id)
    if user is not None:
        if _find_user(store, user) is None:
            raise NotFound(f"no user named '{user}'; list users with `bankmind users list`")
        query = query.where(User.name == user)
    with store.session() as s:
        return [_info(key, owner) for key, owner in s.execute(query)]


def revoke_key(store: Store, prefix: str) -> tuple[KeyInfo, bool]:
    """Revoke the key with this prefix (or this whole key); False when it was already revoked."""
    prefix = prefix.strip()
    if len(prefix) > PREFIX_LENGTH and prefix.startswith(KEY_PREFIX):
        where = ApiKey.key_hash == key_hash(prefix)
    else:
        where = ApiKey.prefix == prefix
    with store.session() as s:
        found = s.execute(select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(where)).all()
        if not found:
            raise NotFound(f"no API key with prefix '{prefix[:PREFIX_LENGTH]}'; see `bankmind keys list`")
        if len(found) > 1:
            raise InputError(
                f"prefix '{prefix}' matches {len(found)} keys; revoke with the whole key instead"
            )
        key, owner = found[0]
        newly = key.revoked_at is None
        if newly:
            key.revoked_at = datetime.now(UTC)
        return _info(key, owner), newly
