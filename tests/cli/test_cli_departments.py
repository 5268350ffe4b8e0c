"""`bankmind departments …` on both stores."""

from __future__ import annotations

import json

import pytest

from bankmind.guard.audit import list_entries
from bankmind.guard.quotas import charge, reserve
from bankmind.store import Store
from bankmind.store.departments import DepartmentPolicy, get_department
from bankmind.store.users import create_user


@pytest.fixture
def cli_store(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("BANKMIND_DATABASE_URL", store.url)
    return store


def test_add_set_list_remove(run, cli_store: Store) -> None:  # type: ignore[no-untyped-def]
    added = run("departments", "add", "托管部", "--no-external", "--tokens-per-day", "200000")
    assert added.exit_code == 0, added.stderr
    assert added.stdout.strip() == (
        "added department '托管部': external models refused, mask for internal models yes, "
        "masked text in audit log no, 200,000 tokens/day"
    )
    assert get_department(cli_store, "托管部") == DepartmentPolicy(
        name="托管部", no_external=True, tokens_per_day=200_000
    )
    changed = run("departments", "set", "托管部", "--allow-external", "--keep-masked-text", "--no-quota")
    assert changed.exit_code == 0, changed.stderr
    assert get_department(cli_store, "托管部") == DepartmentPolicy(name="托管部", keep_masked_text=True)
    run("departments", "add", "信贷部", "--no-mask-internal")
    listed = json.loads(run("departments", "list", "--format", "json").stdout)
    assert [(d["name"], d["mask_internal"]) for d in listed] == [("信贷部", False), ("托管部", True)]
    assert "托管部" in run("departments", "list").stdout
    create_user(cli_store, "li.na", roles=["credit"], department="信贷部")
    refused = run("departments", "remove", "信贷部")
    assert refused.exit_code == 2 and "still has 1 user(s)" in refused.stderr
    assert run("departments", "remove", "托管部").exit_code == 0
    assert [e.action for e in list_entries(cli_store)] == [
        "department.remove",
        "department.add",
        "department.update",
        "department.add",
    ]


def test_errors_are_one_line(run, cli_store: Store) -> None:  # type: ignore[no-untyped-def]
    missing = run("departments", "set", "不存在", "--no-external")
    assert missing.exit_code == 2
    assert (
        missing.stderr.strip()
        == "error: no department named '不存在'; add it with `bankmind departments add`"
    )
    both = run("departments", "set", "不存在", "--tokens-per-day", "5", "--no-quota")
    assert both.exit_code == 2 and "not both" in both.stderr
    bad_day = run("departments", "usage", "--from", "2025-13-01")
    assert bad_day.exit_code == 2 and "is not a date; use YYYY-MM-DD" in bad_day.stderr


def test_usage(run, cli_store: Store) -> None:  # type: ignore[no-untyped-def]
    run("departments", "add", "托管部", "--tokens-per-day", "5000")
    policy = get_department(cli_store, "托管部")
    charge(cli_store, reserve(cli_store, policy), tokens_in=1200, tokens_out=300)
    rows = json.loads(run("departments", "usage", "--format", "json").stdout)
    assert [
        (r["department"], r["requests"], r["tokens_in"], r["tokens_out"], r["tokens_per_day"]) for r in rows
    ] == [("托管部", 1, 1200, 300, 5000)]
    assert "1,200" in run("departments", "usage", "--department", "托管部").stdout
    assert json.loads(run("departments", "usage", "--to", "2000-01-01", "--format", "json").stdout) == []
