"""Departments and their model policy (read by `guard/policy.py`, `guard/quotas.py`, `guard/audit.py`).

A department's policy says whether its requests may go to an external model (`no_external`),
whether prompts are masked toward internal models too (`mask_internal`), whether the audit log
keeps the masked prompt and response text (`keep_masked_text`, otherwise only their SHA-256), and
its daily token quota (`tokens_per_day`, None for no limit).

A department named by a user but not configured yet is created with the default policy on first
use (`ensure_department`): `bankmind users add --department` does not check the table, and a user
must not be locked out of internal models because nobody configured their department. The defaults
are the cautious ones (masking toward every model, no text in the audit log, external models only
masked), the new row appears at once in `bankmind departments list` and the admin page, and
`bankmind keys create` says on stderr when it created one.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.exc import IntegrityError

from bankmind.errors import InputError, NotFound
from bankmind.store import Store
from bankmind.store.schema import Department, User
from bankmind.store.sql import insert_or_ignore, transaction

__all__ = [
    "DepartmentPolicy",
    "create_department",
    "delete_department",
    "ensure_department",
    "get_department",
    "list_departments",
    "update_department",
]

# Any 1-100 printable characters (`bankmind users add --department` accepts any name, so must this).
_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,100}")


class DepartmentPolicy(BaseModel):
    """A department's model policy; `DepartmentPolicy(name=...)` holds the defaults."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    name: str
    no_external: bool = Field(
        default=False, description="Requests from this department may never go to an external model."
    )
    mask_internal: bool = Field(
        default=True, description="Mask personal data toward internal (on-premises) models too."
    )
    keep_masked_text: bool = Field(
        default=False,
        description="The audit log keeps the masked prompt and response text (otherwise only hashes).",
    )
    tokens_per_day: int | None = Field(
        default=None, description="Tokens (in + out) the department may use per day; None: no limit."
    )


def _by_name(policy: DepartmentPolicy) -> str:
    return policy.name


def _check_name(name: str) -> str:
    cleaned = name.strip()
    if not _NAME.fullmatch(cleaned):
        raise InputError(
            f"department name '{name[:40]}' must have 1-100 characters and no control characters"
        )
    return cleaned


def _check_quota(tokens_per_day: int | None) -> None:
    if tokens_per_day is not None and tokens_per_day < 0:
        raise InputError(f"tokens per day must be 0 or more, not {tokens_per_day}; omit it for no limit")


def create_department(
    store: Store,
    name: str,
    *,
    no_external: bool = False,
    mask_internal: bool = True,
    keep_masked_text: bool = False,
    tokens_per_day: int | None = None,
) -> DepartmentPolicy:
    """Add a department with its policy; refuses a name that exists."""
    name = _check_name(name)
    _check_quota(tokens_per_day)
    row = Department(
        name=name,
        no_external=no_external,
        mask_internal=mask_internal,
        keep_masked_text=keep_masked_text,
        tokens_per_day=tokens_per_day,
    )
    try:
        with store.session() as s:
            s.add(row)
            s.flush()
            return DepartmentPolicy.model_validate(row)
    except IntegrityError:
        raise InputError(
            f"department '{name}' already exists; change it with `bankmind departments set`"
        ) from None


def get_department(store: Store, name: str) -> DepartmentPolicy | None:
    """The department's policy, or None when it is not configured."""
    with store.session() as s:
        row = s.scalar(select(Department).where(Department.name == name))
        return DepartmentPolicy.model_validate(row) if row is not None else None


def ensure_department(target: Store | Connection, name: str) -> tuple[DepartmentPolicy, bool]:
    """The department's policy, created with the defaults if missing; True when it was created.

    Safe when several requests or processes see the same new department at once. Given a
    connection, it runs inside the caller's transaction (the gateway admits a request in one).
    """
    with transaction(target) as conn:
        found = _policy(conn, name)
        if found is not None:
            return found, False
        name = _check_name(name)
        created = insert_or_ignore(conn, Department, {"name": name}, key=("name",))
        policy = _policy(conn, name)
        assert policy is not None
        return policy, created


_POLICY_COLUMNS = (
    Department.name,
    Department.no_external,
    Department.mask_internal,
    Department.keep_masked_text,
    Department.tokens_per_day,
)


_POLICY = select(*_POLICY_COLUMNS).where(Department.name == bindparam("name"))


def _policy(conn: Connection, name: str) -> DepartmentPolicy | None:
    row = conn.execute(_POLICY, {"name": name}).first()
    return DepartmentPolicy.model_validate(dict(row._mapping)) if row is not None else None


def list_departments(store: Store) -> list[DepartmentPolicy]:
    with store.session() as s:
        # sorted here, not by the database, so both backends list in the same (code point) order
        found = [DepartmentPolicy.model_validate(d) for d in s.scalars(select(Department))]
    return sorted(found, key=_by_name)


def update_department(
    store: Store,
    name: str,
    *,
    no_external: bool | None = None,
    mask_internal: bool | None = None,
    keep_masked_text: bool | None = None,
    tokens_per_day: int | None = None,
    remove_quota: bool = False,
) -> DepartmentPolicy:
    """Change some of a department's settings; arguments left as None keep their value.

    `remove_quota=True` removes the daily token quota (no limit).
    """
    if remove_quota and tokens_per_day is not None:
        raise InputError("give a new tokens-per-day quota or remove the quota, not both")
    changes: dict[str, Any] = {
        k: v
        for k, v in {
            "no_external": no_external,
            "mask_internal": mask_internal,
            "keep_masked_text": keep_masked_text,
        }.items()
        if v is not None
    }
    if tokens_per_day is not None or remove_quota:
        _check_quota(tokens_per_day)
        changes["tokens_per_day"] = tokens_per_day
    with store.session() as s:
        row = s.scalar(select(Department).where(Department.name == name))
        if row is None:
            raise NotFound(f"no department named '{name[:40]}'; add it with `bankmind departments add`")
        for key, value in changes.items():
            setattr(row, key, value)
        if changes:
            row.updated_at = datetime.now(UTC)
        s.flush()
        return DepartmentPolicy.model_validate(row)


def delete_department(store: Store, name: str) -> None:
    """Remove a department; refused while users still belong to it."""
    with store.session() as s:
        row = s.scalar(select(Department).where(Department.name == name))
        if row is None:
            raise NotFound(f"no department named '{name[:40]}'; list them with `bankmind departments list`")
        members = s.scalar(select(func.count()).select_from(User).where(User.department == name)) or 0
        if members:
            raise InputError(
                f"department '{name}' still has {members} user(s); move them to another department first"
            )
        s.delete(row)
