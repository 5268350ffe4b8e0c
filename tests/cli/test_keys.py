"""`bankmind keys create|list|revoke` on both stores: principals, consistency checks, audit records."""

from __future__ import annotations

import json

import pytest

from bankmind.errors import AuthenticationFailed
from bankmind.guard.audit import list_entries
from bankmind.store import Store
from bankmind.store.departments import get_department
from bankmind.store.users import create_user, resolve_api_key


@pytest.fixture
def cli_store(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The CLI runs against the same database as `store` (SQLite or PostgreSQL)."""
    monkeypatch.setenv("BANKMIND_DATABASE_URL", store.url)
    return store


def test_create_makes_an_api_only_user_and_its_department(run, cli_store: Store) -> None:  # type: ignore[no-untyped-def]
    result = run("keys", "create", "--user", "core-banking", "--department", "科技部", "--role", "system,esb",
                 "--name", "ESB")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    key = result.stdout.strip()
    assert key.startswith("bm-") and "\n" not in key
    assert "created user 'core-banking' (API keys only, no web login) in department '科技部'" in result.stderr
    assert "department '科技部' was new: created with the default policy" in result.stderr
    assert result.stderr.rstrip().endswith("store this key now: it cannot be shown again")
    principal = resolve_api_key(cli_store, key)
    assert (principal.name, principal.department, principal.roles) == (
        "core-banking",
        "科技部",
        ("esb", "system"),
    )
    assert get_department(cli_store, "科技部") is not None
    [created] = list_entries(cli_store, action="key.create")
    assert created.principal is None and created.details is not None
    assert created.details["user"] == "core-banking" and created.details["prefix"] == key[:10]
    assert created.details["created_user"] is True and created.details["via"] == "cli"
    assert key not in json.dumps(created.model_dump(mode="json"))


def test_create_for_an_existing_user_checks_department_and_roles(run, cli_store: Store) -> None:  # type: ignore[no-untyped-def]
    create_user(
        cli_store, "zhang.wei", roles=["custody", "admin"], department="托管部", password="a-long-password"
    )
    same = run("keys", "create", "--user", "zhang.wei", "--department", "托管部", "--role", "admin,custody")
    assert same.exit_code == 0, same.stderr
    assert "created user" not in same.stderr
    assert resolve_api_key(cli_store, same.stdout.strip()).name == "zhang.wei"
    plain = run("keys", "create", "--user", "zhang.wei")
    assert plain.exit_code == 0
    other_dept = run("keys", "create", "--user", "zhang.wei", "--department", "信贷部")
    assert other_dept.exit_code == 2 and other_dept.stdout == ""
    assert other_dept.stderr.strip() == (
        "error: user 'zhang.wei' belongs to department '托管部', not '信贷部'; a key acts with its user's "
        "department: leave out --department or use another user name"
    )
    other_roles = run("keys", "create", "--user", "zhang.wei", "--role", "credit")
    assert other_roles.exit_code == 2 and "has roles admin, custody" in other_roles.stderr


def test_a_missing_user_without_roles_is_refused(run, cli_store: Store) -> None:  # type: ignore[no-untyped-def]
    result = run("keys", "create", "--user", "ghost")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip() == (
        "error: no user named 'ghost'; add one with `bankmind users add`, or give --role "
        "(and --department) to create an API-only user"
    )


def test_list_and_revoke(run, cli_store: Store) -> None:  # type: ignore[no-untyped-def]
    first = run("keys", "create", "--user", "esb", "--role", "system", "--name", "ESB").stdout.strip()
    second = run(
        "keys", "create", "--user", "ods", "--role", "system", "--department", "数据部"
    ).stdout.strip()
    resolve_api_key(cli_store, first)
    listed = json.loads(run("keys", "list", "--format", "json").stdout)
    assert [(k["prefix"], k["user"], k["department"], k["name"]) for k in listed] == [
        (first[:10], "esb", None, "ESB"),
        (second[:10], "ods", "数据部", None),
    ]
    assert listed[0]["last_used_at"] is not None and listed[1]["last_used_at"] is None
    assert [
        k["user"] for k in json.loads(run("keys", "list", "--user", "ods", "--format", "json").stdout)
    ] == ["ods"]
    text = run("keys", "list").stdout
    assert first[:10] in text and first not in text and second not in text

    revoked = run("keys", "revoke", first[:10])
    assert revoked.exit_code == 0 and revoked.stdout.strip() == f"revoked key {first[:10]} of user 'esb'"
    with pytest.raises(AuthenticationFailed):
        resolve_api_key(cli_store, first)
    assert resolve_api_key(cli_store, second).name == "ods"
    again = run("keys", "revoke", first[:10])
    assert again.exit_code == 0 and "was already revoked on" in again.stdout
    by_key = run("keys", "revoke", second)  # the whole key works too
    assert by_key.exit_code == 0 and "revoked key" in by_key.stdout
    assert all(k["revoked_at"] for k in json.loads(run("keys", "list", "--format", "json").stdout))
    assert [e.details["prefix"] for e in list_entries(cli_store, action="key.revoke") if e.details] == [
        second[:10],
        first[:10],
    ]
    unknown = run("keys", "revoke", "bm-nothere")
    assert unknown.exit_code == 2 and "no API key with prefix 'bm-nothere'" in unknown.stderr
    assert run("keys", "list", "--user", "nobody").exit_code == 2
