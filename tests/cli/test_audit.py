"""`bankmind audit verify|export` on both stores: output, exit codes, files for the compliance team."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from bankmind.guard.audit import append, parse_csv_row, record_hash
from bankmind.guard.quotas import local_day
from bankmind.store import Store
from bankmind.store.schema import AuditRecord
from bankmind.types import Principal

T = AuditRecord.__table__
ZHANG = Principal(user_id=1, name="zhang.wei", department="托管部", roles=("custody",))


@pytest.fixture
def cli_store(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("BANKMIND_DATABASE_URL", store.url)
    for i in range(5):
        append(store, principal=ZHANG, action="gateway.chat", model="deepseek-v3", tokens_in=100 + i,
               tokens_out=10, pii={"CN_ID": 1}, details={"i": i})  # fmt: skip
    return store


def test_verify_an_intact_log_exits_0_and_prints_an_anchor(run, cli_store: Store) -> None:  # type: ignore[no-untyped-def]
    result = run("audit", "verify")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "audit log intact: 5 records checked"
    assert lines[1].startswith("anchor: --anchor 5:") and len(lines[1].split(":")[-1]) == 64
    as_json = json.loads(run("audit", "verify", "--format", "json").stdout)
    assert as_json["ok"] is True and as_json["checked"] == 5 and as_json["problems"] == []
    anchored = run("audit", "verify", "--anchor", lines[1].removeprefix("anchor: --anchor "))
    assert anchored.exit_code == 0


def test_verify_a_broken_log_exits_1_and_names_the_records(run, cli_store: Store) -> None:  # type: ignore[no-untyped-def]
    anchor = run("audit", "verify").stdout.splitlines()[1].removeprefix("anchor: --anchor ")
    with cli_store.engine.begin() as conn:
        conn.execute(update(T).where(T.c.seq == 2).values(tokens_in=1))
        conn.execute(delete(T).where(T.c.seq.in_([4, 5])))
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "audit log BROKEN: 1 problem(s) in 3 records",
        "seq 2  edited     record 2 does not match its hash: it was changed after it was written",
    ]
    anchored = run("audit", "verify", "--anchor", anchor, "--format", "json")
    assert anchored.exit_code == 1
    kinds = [(p["seq"], p["kind"]) for p in json.loads(anchored.stdout)["problems"]]
    assert kinds == [(2, "edited"), (5, "deleted")]


@pytest.mark.parametrize("anchor", ["5", "x:" + "0" * 64, "5:abc"])
def test_a_bad_anchor_is_a_usage_error(run, cli_store: Store, anchor: str) -> None:  # type: ignore[no-untyped-def]
    result = run("audit", "verify", "--anchor", anchor)
    assert result.exit_code == 2 and "must be SEQ:HASH" in result.stderr


def test_export_csv_file_for_excel(run, cli_store: Store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    today = local_day().isoformat()
    target = tmp_path / "audit.csv"
    result = run("audit", "export", "--from", today, "--to", today, "--format", "csv", "--out", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.strip() == f"exported 5 records (seq 1 to 5) to {target}"
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    records = [parse_csv_row(r) for r in rows]
    assert [r["seq"] for r in records] == [1, 2, 3, 4, 5]
    assert all(record_hash({k: v for k, v in r.items() if k != "hash"}) == r["hash"] for r in records)
    assert not (tmp_path / "audit.csv.part").exists()


def test_export_jsonl_to_stdout(run, cli_store: Store) -> None:  # type: ignore[no-untyped-def]
    result = run("audit", "export", "--format", "jsonl")
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["tokens_in"] for r in records] == [100, 101, 102, 103, 104]
    assert records[0]["department"] == "托管部" and records[0]["pii"] == {"CN_ID": 1}
    assert "exported 5 records" in result.stderr
    none = run("audit", "export", "--to", "2000-01-01")
    assert (
        none.exit_code == 0 and none.stdout.startswith("seq,ts,") and "exported 0 records to" in none.stderr
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "30/06/2025"], "--from '30/06/2025' is not a date; use YYYY-MM-DD, e.g. 2025-06-30"),
        (["--from", "2025-07-01", "--to", "2025-06-30"], "--from 2025-07-01 is after --to 2025-06-30"),
    ],
)
def test_export_refuses_bad_days(run, cli_store: Store, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = run("audit", "export", *args)
    assert result.exit_code == 2 and result.stderr.strip() == f"error: {message}"
