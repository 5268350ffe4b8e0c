"""Policy: may this principal's request go to this model, and must its personal data be masked?

    policy = department_policy(store, principal)            # None: no department
    decision = decide(principal, policy, exposure="external", model="deepseek-v3")
    # raises PermissionDenied for a no_external department; decision.mask is True here

| model exposure | department policy        | allowed | mask              |
|----------------|--------------------------|---------|-------------------|
| external       | no_external              | no      | (refused)         |
| external       | otherwise                | yes     | always            |
| internal       | mask_internal (default)  | yes     | yes               |
| internal       | mask_internal off        | yes     | no                |

A principal without a department gets the default policy (`DepartmentPolicy` defaults). A
principal with a department must come with that department's policy (`department_policy`);
anything else is a programming error (ValueError), never a silent fallback to the defaults.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection

from bankmind.errors import PermissionDenied
from bankmind.store import Store
from bankmind.store.departments import DepartmentPolicy, ensure_department
from bankmind.types import Principal

__all__ = ["Decision", "Exposure", "decide", "department_policy", "explain"]

Exposure = Literal["internal", "external"]


class Decision(BaseModel):
    """What policy says about one request: allowed at all, and whether to mask personal data."""

    model_config = ConfigDict(frozen=True)

    allowed: bool
    mask: bool
    reason: str


def department_policy(target: Store | Connection, principal: Principal) -> DepartmentPolicy | None:
    """The policy of the principal's department (created with defaults on first use); None without one.

    `target` is a store, or a connection inside the caller's transaction.
    """
    if principal.department is None:
        return None
    return ensure_department(target, principal.department)[0]


def explain(
    principal: Principal,
    department: DepartmentPolicy | None,
    *,
    exposure: Exposure,
    model: str | None = None,
) -> Decision:
    """The decision without raising (for the admin page and tests); `decide` is what callers use."""
    if principal.department is not None and (department is None or department.name != principal.department):
        # A caller that forgot to look the policy up must not fall back to the defaults (fail closed).
        raise ValueError(
            f"pass the policy of department '{principal.department}': department_policy(store, principal)"
        )
    policy = department or DepartmentPolicy(name="(none)")
    who = f"department '{policy.name}'" if department is not None else "a principal without a department"
    target = f"model '{model}'" if model else "this model"
    if exposure == "external":
        if policy.no_external:
            return Decision(
                allowed=False,
                mask=True,
                reason=f"{who} may not use external models, and {target} is external (a third-party "
                "API); use an internal model, or ask an administrator to allow external models with "
                f"`bankmind departments set '{policy.name}' --allow-external`",
            )
        return Decision(
            allowed=True, mask=True, reason=f"{target} is external: personal data is always masked"
        )
    if exposure != "internal":
        raise ValueError(f"exposure must be 'internal' or 'external', not {exposure!r}")
    if policy.mask_internal:
        return Decision(
            allowed=True, mask=True, reason=f"{target} is internal and {who} masks personal data for it"
        )
    return Decision(
        allowed=True,
        mask=False,
        reason=f"{target} is internal and {who} does not mask personal data for internal models",
    )


def decide(
    principal: Principal,
    department: DepartmentPolicy | None,
    *,
    exposure: Exposure,
    model: str | None = None,
) -> Decision:
    """Apply the policy: returns the decision, or raises `PermissionDenied` when the request is refused.

    Fails closed: a caller cannot forget to look at `allowed`.
    """
    decision = explain(principal, department, exposure=exposure, model=model)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    return decision
