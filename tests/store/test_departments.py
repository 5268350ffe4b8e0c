"""Departments and their policies on both store backends."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from bankmind.errors import InputError, NotFound
from bankmind.store import Store
from bankmind.store.departments import (
    DepartmentPolicy,
    create_department,
    delete_department,
    ensure_department,
    get_department,
    list_departments,
    update_department,
)
from bankmind.store.users import create_user


def test_create_with_defaults_and_with_a_policy(store: Store) -> None:
    plain = create_department(store, "托管部")
    assert plain == DepartmentPolicy(name="托管部")
    assert (plain.no_external, plain.mask_internal, plain.keep_masked_text, plain.tokens_per_day) == (
        False,
        True,
        False,
        None,
    )
    strict = create_department(
        store,
        "风险管理部",
        no_external=True,
        mask_internal=True,
        keep_masked_text=True,
        tokens_per_day=200_000,
    )
    assert get_department(store, "风险管理部") == strict
    assert [d.name for d in list_departments(store)] == sorted(["托管部", "风险管理部"])
    assert get_department(store, "信贷部") is None


def test_duplicate_and_bad_names_and_quotas_are_refused(store: Store) -> None:
    create_department(store, "托管部")
    with pytest.raises(InputError, match="already exists"):
        create_department(store, "托管部")
    for bad in ("", "   ", "a" * 101, "托管\n部"):
        with pytest.raises(InputError, match="1-100 characters"):
            create_department(store, bad)
    with pytest.raises(InputError, match="0 or more"):
        create_department(store, "科技部", tokens_per_day=-5)


def test_update_changes_only_what_is_given(store: Store) -> None:
    create_department(store, "托管部", tokens_per_day=1000)
    changed = update_department(store, "托管部", no_external=True, keep_masked_text=True)
    assert changed == DepartmentPolicy(
        name="托管部", no_external=True, keep_masked_text=True, tokens_per_day=1000
    )
    assert update_department(store, "托管部", remove_quota=True).tokens_per_day is None
    with pytest.raises(InputError, match="not both"):
        update_department(store, "托管部", tokens_per_day=5, remove_quota=True)
    assert update_department(store, "托管部").no_external is True
    with pytest.raises(NotFound, match="bankmind departments add"):
        update_department(store, "不存在", no_external=True)


def test_delete_refuses_a_department_with_users(store: Store) -> None:
    create_department(store, "托管部")
    create_department(store, "空部门")
    create_user(store, "zhang.wei", roles=["custody"], department="托管部")
    with pytest.raises(InputError, match="still has 1 user"):
        delete_department(store, "托管部")
    delete_department(store, "空部门")
    assert get_department(store, "空部门") is None
    with pytest.raises(NotFound):
        delete_department(store, "空部门")


def test_ensure_creates_once_even_when_many_threads_race(store: Store) -> None:
    created: list[bool] = []
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        created.append(ensure_department(store, "新部门")[1])

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(created) == [False] * 7 + [True]
    assert ensure_department(store, "新部门") == (DepartmentPolicy(name="新部门"), False)


def test_upgrading_creates_the_departments_users_already_name(store_url: str) -> None:
    old = Store(store_url)
    old.migrate("0003")
    with old.engine.begin() as conn:
        for i, dept in enumerate(["托管部", "托管部", "信贷部", None]):
            conn.execute(
                text(
                    "INSERT INTO users (name, password_hash, department, roles, disabled, created_at) "
                    "VALUES (:n, NULL, :d, '[]', false, CURRENT_TIMESTAMP)"
                ),
                {"n": f"u{i}", "d": dept},
            )
    old.migrate()
    assert list_departments(old) == [DepartmentPolicy(name="信贷部"), DepartmentPolicy(name="托管部")]
    old.close()
