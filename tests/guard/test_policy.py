"""Policy: which requests may go to which model, and when personal data is masked."""

from __future__ import annotations

import pytest

from bankmind.errors import PermissionDenied
from bankmind.guard.policy import decide, department_policy, explain
from bankmind.store import Store
from bankmind.store.departments import DepartmentPolicy, get_department, update_department
from bankmind.types import Principal

CUSTODY = Principal(user_id=1, name="zhang.wei", department="托管部", roles=("custody",))
NOBODY = Principal(user_id=2, name="batch", roles=("system",))


def _policy(**flags: bool) -> DepartmentPolicy:
    return DepartmentPolicy(name="托管部", **flags)


# fmt: off
TABLE = [
    # exposure,   policy flags,                                   allowed, mask
    ("external", {},                                              True,  True),
    ("external", {"mask_internal": False},                        True,  True),
    ("external", {"no_external": True},                           False, True),
    ("external", {"no_external": True, "mask_internal": False},   False, True),
    ("internal", {},                                              True,  True),
    ("internal", {"mask_internal": False},                        True,  False),
    ("internal", {"no_external": True},                           True,  True),
    ("internal", {"no_external": True, "mask_internal": False},   True,  False),
]
# fmt: on


@pytest.mark.parametrize("exposure, flags, allowed, mask", TABLE)
def test_policy_table(exposure: str, flags: dict, allowed: bool, mask: bool) -> None:
    decision = explain(CUSTODY, _policy(**flags), exposure=exposure)  # type: ignore[arg-type]
    assert (decision.allowed, decision.mask) == (allowed, mask)
    if allowed:
        assert decide(CUSTODY, _policy(**flags), exposure=exposure) == decision  # type: ignore[arg-type]
    else:
        with pytest.raises(PermissionDenied) as info:
            decide(CUSTODY, _policy(**flags), exposure=exposure)  # type: ignore[arg-type]
        assert info.value.message == decision.reason


def test_refusal_names_the_department_the_model_and_the_fix() -> None:
    with pytest.raises(PermissionDenied) as info:
        decide(CUSTODY, _policy(no_external=True), exposure="external", model="deepseek-chat")
    assert info.value.http_status == 403
    assert info.value.message == (
        "department '托管部' may not use external models, and model 'deepseek-chat' is external "
        "(a third-party API); use an internal model, or ask an administrator to allow external "
        "models with `bankmind departments set '托管部' --allow-external`"
    )


@pytest.mark.parametrize("exposure, mask", [("internal", True), ("external", True)])
def test_a_principal_without_department_gets_the_defaults(exposure: str, mask: bool) -> None:
    decision = decide(NOBODY, None, exposure=exposure)  # type: ignore[arg-type]
    assert decision.allowed and decision.mask == mask
    assert "without a department" in decision.reason or "external" in decision.reason


def test_a_missing_or_wrong_policy_is_a_bug_not_the_defaults() -> None:
    with pytest.raises(ValueError, match="department_policy"):
        decide(CUSTODY, None, exposure="external")
    with pytest.raises(ValueError, match="托管部"):
        decide(CUSTODY, DepartmentPolicy(name="信贷部"), exposure="internal")
    with pytest.raises(ValueError, match="exposure"):
        explain(NOBODY, None, exposure="cloud")  # type: ignore[arg-type]


def test_department_policy_reads_the_store_and_creates_unknown_departments(store: Store) -> None:
    assert department_policy(store, NOBODY) is None
    assert get_department(store, "托管部") is None
    created = department_policy(store, CUSTODY)
    assert created == DepartmentPolicy(name="托管部")
    assert get_department(store, "托管部") == created
    update_department(store, "托管部", no_external=True)
    policy = department_policy(store, CUSTODY)
    assert policy is not None and policy.no_external
    with pytest.raises(PermissionDenied):
        decide(CUSTODY, policy, exposure="external")
