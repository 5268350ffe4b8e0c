"""Appending audit records and reading them back: the fields kept, the chain format, what is never stored,
the viewer query."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bankmind.guard.audit import (
    GENESIS,
    append,
    canonical_json,
    format_ts,
    iter_entries,
    list_entries,
    sha256_text,
)
from bankmind.guard.audit_verify import verify
from bankmind.guard.quotas import SHANGHAI
from bankmind.store import Store
from bankmind.store.departments import create_department
from bankmind.store.schema import AuditRecord
from bankmind.types import Principal

ZHANG = Principal(user_id=1, name="zhang.wei", department="托管部", roles=("custody",))
LI = Principal(user_id=2, name="li.na", department="信贷部", roles=("credit",))
MASKED_PROMPT = "客户 <PERSON_1> 的身份证号 <CN_ID_1> 名下有几笔贷款？"
MASKED_ANSWER = "<PERSON_1> 名下有 2 笔贷款。"


def test_first_record_starts_the_chain_and_each_next_links_to_it(store: Store) -> None:
    first = append(store, principal=ZHANG, action="document.view", details={"document_id": 7})
    second = append(store, principal=None, action="recon.run", outcome="error")
    assert (first.seq, first.prev_hash) == (1, GENESIS)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert second.principal is None and second.department is None and second.outcome == "error"
    assert verify(store).ok


def test_the_hash_is_sha256_of_the_documented_canonical_json(store: Store) -> None:
    entry = append(
        store,
        principal=ZHANG,
        action="gateway.chat",
        model="deepseek-r1",
        tokens_in=812,
        tokens_out=240,
        latency_ms=930,
        pii={"CN_ID": 1, "BANK_CARD": 2},
        details={"stream": True, "temperature_x100": 70},
    )
    fields = {
        "seq": 1,
        "ts": entry.ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "principal": "zhang.wei",
        "department": "托管部",
        "action": "gateway.chat",
        "model": "deepseek-r1",
        "tokens_in": 812,
        "tokens_out": 240,
        "latency_ms": 930,
        "pii": {"BANK_CARD": 2, "CN_ID": 1},
        "prompt_sha256": None,
        "response_sha256": None,
        "masked_prompt": None,
        "masked_response": None,
        "outcome": "ok",
        "details": {"stream": True, "temperature_x100": 70},
        "prev_hash": GENESIS,
    }
    body = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert canonical_json(fields) == body.encode("utf-8")
    assert '"department":"托管部"' in body  # non-ASCII as itself
    assert entry.hash == hashlib.sha256(body.encode("utf-8")).hexdigest()
    assert entry.hashed_fields() == fields


def test_timestamps_always_have_six_fraction_digits() -> None:
    assert format_ts(datetime(2025, 6, 30, 8, 0, tzinfo=UTC)) == "2025-06-30T08:00:00.000000Z"
    beijing = datetime(2025, 6, 30, 16, 0, 0, 1, tzinfo=SHANGHAI)
    assert format_ts(beijing) == "2025-06-30T08:00:00.000001Z"


def test_only_digests_are_kept_unless_the_department_keeps_masked_text(store: Store) -> None:
    create_department(store, "信贷部", keep_masked_text=True)
    hashed = append(
        store,
        principal=ZHANG,
        action="gateway.chat",
        masked_prompt=MASKED_PROMPT,
        masked_response=MASKED_ANSWER,
    )
    kept = append(
        store, principal=LI, action="gateway.chat", masked_prompt=MASKED_PROMPT, masked_response=MASKED_ANSWER
    )
    assert hashed.prompt_sha256 == sha256_text(MASKED_PROMPT) == kept.prompt_sha256
    assert hashed.response_sha256 == sha256_text(MASKED_ANSWER)
    assert hashed.masked_prompt is None and hashed.masked_response is None
    assert (kept.masked_prompt, kept.masked_response) == (MASKED_PROMPT, MASKED_ANSWER)
    with store.engine.connect() as conn:
        stored = conn.execute(select(AuditRecord.__table__).where(AuditRecord.seq == 1)).one()
    assert MASKED_PROMPT not in str(tuple(stored))
    assert verify(store).ok


def test_a_given_policy_is_used_and_a_digest_is_not_recomputed(store: Store) -> None:
    from bankmind.store.departments import DepartmentPolicy

    policy = DepartmentPolicy(name="托管部", keep_masked_text=True)
    digest = "A" * 64
    entry = append(
        store, principal=ZHANG, action="gateway.chat", masked_prompt="x", prompt_sha256=digest, policy=policy
    )
    assert entry.prompt_sha256 == "a" * 64 and entry.masked_prompt == "x"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"action": "聊天"}, "action"),
        ({"action": ""}, "action"),
        ({"outcome": "not ok"}, "outcome"),
        ({"tokens_in": -1}, "tokens_in"),
        ({"tokens_out": True}, "tokens_out"),
        ({"pii": {"CN_ID": -2}}, "pii"),
        ({"prompt_sha256": "张三的身份证号是 110101199003074514"}, "SHA-256"),
        ({"model": "m" * 201}, "model"),
    ],
)
def test_bad_values_are_refused_before_anything_is_written(store: Store, kwargs: dict, message: str) -> None:
    args = {"principal": ZHANG, "action": "gateway.chat", **kwargs}
    with pytest.raises(ValueError, match=message) as info:
        append(store, **args)
    assert "110101199003074514" not in str(info.value)
    assert list_entries(store) == []


@pytest.mark.parametrize("details", [{"ratio": 0.5}, {"when": datetime.now(UTC)}, {1: "x"}])
def test_details_must_have_one_json_form(store: Store, details: dict) -> None:
    with pytest.raises(TypeError, match="details"):
        append(store, principal=ZHANG, action="recon.run", details=details)


def test_list_entries_filters_newest_first(store: Store) -> None:
    append(store, principal=ZHANG, action="gateway.chat")
    append(store, principal=LI, action="gateway.chat", outcome="quota_exceeded")
    append(store, principal=ZHANG, action="document.view")
    append(store, principal=None, action="key.create")
    assert [e.seq for e in list_entries(store)] == [4, 3, 2, 1]
    assert [e.seq for e in list_entries(store, principal="zhang.wei")] == [3, 1]
    assert [e.seq for e in list_entries(store, action="gateway.chat")] == [2, 1]
    assert [e.seq for e in list_entries(store, outcome="quota_exceeded")] == [2]
    assert [e.seq for e in list_entries(store, department="信贷部")] == [2]
    assert [e.seq for e in list_entries(store, limit=2, offset=1)] == [3, 2]
    now = datetime.now(UTC)
    assert len(list_entries(store, since=now - timedelta(minutes=5), until=now + timedelta(minutes=5))) == 4
    assert list_entries(store, until=now - timedelta(minutes=5)) == []


def test_records_read_back_equal_what_append_returned(store: Store) -> None:
    entries = [
        append(store, principal=ZHANG, action="gateway.chat", model="deepseek-v3", tokens_in=812,
               tokens_out=240, latency_ms=930, pii={"CN_ID": 1, "BANK_CARD": 2}, masked_prompt="<CN_ID_1>"),
        append(store, principal=None, action="department.add", details={"name": "托管部", "via": "cli"}),
        append(store, principal=ZHANG, action="document.upload", outcome="zip_bomb", details={"via": "web"}),
    ]  # fmt: skip
    assert list(iter_entries(store)) == entries
    with store.engine.connect() as conn:
        assert conn.execute(select(AuditRecord.seq)).scalars().all() == [1, 2, 3]
