"""Exports for the compliance team: CSV and JSONL hold exactly what the hash covers, by day."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from bankmind.guard.audit import EXPORT_FIELDS, append, export, parse_csv_row, record_hash
from bankmind.guard.quotas import local_day
from bankmind.store import Store
from bankmind.store.departments import create_department
from bankmind.types import Principal

ZHANG = Principal(user_id=1, name="zhang.wei", department="托管部", roles=("custody",))


def _fill(store: Store) -> list[dict]:
    create_department(store, "托管部", keep_masked_text=True)
    entries = [
        append(store, principal=None, action="key.create", details={"user": "esb", "prefix": "bm-AbCdEfG"}),
        append(
            store,
            principal=ZHANG,
            action="gateway.chat",
            model="deepseek-v3",
            tokens_in=812,
            tokens_out=240,
            latency_ms=930,
            pii={"CN_ID": 1, "CN_MOBILE": 2},
            masked_prompt='客户 <PERSON_1>，"手机" <CN_MOBILE_1>,\n第二行',
            masked_response="已查询。",
        ),
        append(store, principal=ZHANG, action="document.view", outcome="denied", details={"document_id": 7}),
    ]
    return [e.model_dump(mode="json") for e in entries]


def _verify_records(records: list[dict]) -> None:
    prev = "0" * 64
    for record in records:
        body = {k: v for k, v in record.items() if k != "hash"}
        assert record_hash(body) == record["hash"]
        assert record["prev_hash"] == prev
        prev = record["hash"]


def test_jsonl_round_trip(store: Store) -> None:
    expected = _fill(store)
    out = io.StringIO()
    summary = export(store, out, format="jsonl")
    assert (summary.count, summary.first_seq, summary.last_seq) == (3, 1, 3)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert records == expected
    assert list(records[0]) == list(EXPORT_FIELDS)
    assert "托管部" in out.getvalue()  # UTF-8, not \\u escapes
    _verify_records(records)


def test_csv_round_trip(store: Store) -> None:
    expected = _fill(store)
    out = io.StringIO()
    export(store, out, format="csv")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(EXPORT_FIELDS)
    records = [parse_csv_row(row) for row in rows]
    assert records == expected
    _verify_records(records)


def test_days_are_inclusive_shanghai_calendar_days(store: Store) -> None:
    _fill(store)
    today = local_day()

    def count(since, until) -> int:  # type: ignore[no-untyped-def]
        return export(store, io.StringIO(), since=since, until=until, format="jsonl").count

    assert count(today, today) == 3
    assert count(today - timedelta(days=7), today) == 3
    assert count(today + timedelta(days=1), None) == 0
    assert count(None, today - timedelta(days=1)) == 0
    empty = io.StringIO()
    assert export(store, empty, since=today + timedelta(days=1), format="csv").count == 0
    assert empty.getvalue().strip() == ",".join(EXPORT_FIELDS)
