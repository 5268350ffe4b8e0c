"""`bankmind kb ingest|search|list|remove` on both stores, in the shapes of cli-contract.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bankmind.store import Store

LOANS = (
    "# 个人贷款细则\n\n第一条 个人消费贷款单户最高30万元。\n\n第二条 贷款期限最长5年。\n\n"
    "第三条 本细则自2025年3月1日起施行。\n"
)
SECRET = "# 内部授权\n\n第一条 个人消费贷款审批权限：支行行长50万元。\n"


@pytest.fixture
def cli_store(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("BANKMIND_DATABASE_URL", store.url)
    return store


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    (root / "内部").mkdir(parents=True)
    (root / "贷款细则.md").write_text(LOANS, encoding="utf-8")
    (root / "内部" / "授权.md").write_text(SECRET, encoding="utf-8")
    return root


def test_ingest_search_list_remove(run, cli_store: Store, docs: Path) -> None:  # type: ignore[no-untyped-def]
    public = run("kb", "ingest", str(docs / "贷款细则.md"), "--kb", "制度库", "--format", "json")
    assert public.exit_code == 0, public.stderr
    secret = run("kb", "ingest", str(docs / "内部"), "--kb", "制度库", "--acl", "credit,risk")
    assert secret.exit_code == 0 and "1 added" in secret.stderr
    assert json.loads(public.stdout)["files"][0] == {
        "name": "贷款细则.md", "outcome": "added", "chunks": 3, "code": None, "error": None
    }  # fmt: skip

    found = run("kb", "search", "个人消费贷款最高多少", "--kb", "制度库", "--format", "json")
    hits = json.loads(found.stdout)
    assert found.exit_code == 0 and {h["document"] for h in hits} == {"贷款细则.md", "授权.md"}
    assert set(hits[0]) == {"document", "locator", "text", "score"}
    assert all(isinstance(h["score"], float) for h in hits)
    query = ("kb", "search", "个人消费贷款审批权限", "--kb", "制度库", "--format", "json")
    as_teller = json.loads(run(*query, "--as-role", "teller").stdout)
    assert as_teller and {h["document"] for h in as_teller} == {"贷款细则.md"}
    assert "授权.md" in {h["document"] for h in json.loads(run(*query, "--as-role", "credit").stdout)}

    listed = json.loads(run("kb", "list", "--kb", "制度库", "--format", "json").stdout)
    assert [(d["name"], d["acl"]) for d in listed] == [("授权.md", ["credit", "risk"]), ("贷款细则.md", None)]
    assert run("kb", "remove", "授权.md", "--kb", "制度库").exit_code == 0
    assert run("kb", "remove", "授权.md", "--kb", "制度库").exit_code == 2


def test_unreadable_files_are_listed_and_exit_1(run, cli_store: Store, docs: Path) -> None:  # type: ignore[no-untyped-def]
    (docs / "空.txt").write_bytes(b"")
    result = run("kb", "ingest", str(docs), "--kb", "制度库")
    assert result.exit_code == 1
    assert "failed    空.txt" in result.stdout and "2 added" in result.stderr


def test_bad_input_exits_2_with_one_line(run, cli_store: Store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = run("kb", "ingest", str(tmp_path / "nowhere"), "--kb", "制度库")
    assert missing.exit_code == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr
    unknown = run("kb", "search", "贷款", "--kb", "没有这个库")
    assert unknown.exit_code == 2 and "no knowledge base named" in unknown.stderr
