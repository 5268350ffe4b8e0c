"""Tampering with the audit table is detected, and `verify` says which record and what happened.

Each test changes the table the way someone with database access would (plain SQL), on both stores.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update

from bankmind.guard.audit import AuditEntry, append, record_hash
from bankmind.guard.audit_verify import verify
from bankmind.store import Store
from bankmind.store.schema import AuditRecord
from bankmind.types import Principal

T = AuditRecord.__table__
ZHANG = Principal(user_id=1, name="zhang.wei", department="托管部", roles=("custody",))


def _fill(store: Store, n: int = 10) -> list[AuditEntry]:
    return [
        append(
            store,
            principal=ZHANG if i % 3 else None,
            action="gateway.chat" if i % 2 else "recon.run",
            model="deepseek-v3" if i % 2 else None,
            tokens_in=100 + i,
            tokens_out=20 + i,
            latency_ms=300 + i,
            pii={"CN_ID": i % 2, "BANK_CARD": 1},
            masked_prompt=f"客户 <PERSON_1> 的第 {i} 个问题",
            outcome="ok",
            details={"rows": i, "file": "估值表.xlsx"},
        )
        for i in range(1, n + 1)
    ]


def _problems(store: Store, **kwargs: Any) -> list[tuple[int, str]]:
    result = verify(store, **kwargs)
    assert result.ok == (not result.problems)
    return [(p.seq, p.kind) for p in result.problems]


def _sql(store: Store, *statements: Any) -> None:
    with store.engine.begin() as conn:
        for statement in statements:
            conn.execute(statement)


def _renumber(store: Store, *, from_seq: int, by: int) -> None:
    """Shift seq of every record from `from_seq` on by `by`, without tripping the unique index."""
    _sql(
        store,
        update(T).where(T.c.seq >= from_seq).values(seq=-T.c.seq),
        update(T).where(T.c.seq < 0).values(seq=-T.c.seq + by),
    )


def _swap(store: Store, a: int, b: int) -> None:
    _sql(
        store,
        update(T).where(T.c.seq == a).values(seq=-1),
        update(T).where(T.c.seq == b).values(seq=a),
        update(T).where(T.c.seq == -1).values(seq=b),
    )


def _forged(entries: list[AuditEntry], *, seq: int, after: int, valid_hash: bool) -> dict[str, Any]:
    """A made-up record numbered `seq`, chained to record `after` (a correct hash if `valid_hash`)."""
    fields = entries[0].hashed_fields()
    fields.update(
        seq=seq,
        principal="intruder",
        action="document.view",
        prev_hash=entries[after - 1].hash,
        ts=entries[after - 1].hashed_fields()["ts"],
    )
    digest = record_hash(fields) if valid_hash else "f" * 64
    return {**fields, "ts": entries[after - 1].ts, "hash": digest}


def test_an_untouched_log_verifies(store: Store) -> None:
    assert verify(store).ok and verify(store).checked == 0
    entries = _fill(store)
    result = verify(store)
    assert result.ok and result.checked == 10 and result.problems == []
    assert (result.head_seq, result.head_hash) == (10, entries[-1].hash)


@pytest.mark.parametrize(
    "column, value",
    [
        ("tokens_in", 99999),
        ("tokens_out", 0),
        ("latency_ms", None),
        ("principal", "li.na"),
        ("department", "信贷部"),
        ("action", "gateway.embeddings"),
        ("model", "gpt-4o"),
        ("outcome", "denied"),
        ("pii", {"CN_ID": 0, "BANK_CARD": 0}),
        ("details", {"rows": 5, "file": "其他.xlsx"}),
        ("prompt_sha256", "0" * 64),
        ("ts", datetime(2025, 6, 30, 8, 0, tzinfo=UTC)),
        ("prev_hash", "1" * 64),
        ("hash", "2" * 64),
    ],
)
def test_an_edited_field_is_reported_at_its_record(store: Store, column: str, value: Any) -> None:
    _fill(store)
    _sql(store, update(T).where(T.c.seq == 5).values({column: value}))
    assert _problems(store) == [(5, "edited")]


def test_an_edit_with_a_recomputed_hash_is_found_through_the_next_record(store: Store) -> None:
    entries = _fill(store)
    fields = entries[4].hashed_fields()
    fields["tokens_in"] = 1
    _sql(store, update(T).where(T.c.seq == 5).values(tokens_in=1, hash=record_hash(fields)))
    assert _problems(store) == [(5, "edited")]


@pytest.mark.parametrize("seq", [1, 5, 9])
def test_a_deleted_record_is_reported_by_number(store: Store, seq: int) -> None:
    _fill(store)
    _sql(store, delete(T).where(T.c.seq == seq))
    result = verify(store)
    assert [(p.seq, p.kind) for p in result.problems] == [(seq, "deleted")]
    assert f"record {seq} is missing" in result.problems[0].message


def test_several_deleted_records_are_one_gap(store: Store) -> None:
    _fill(store)
    _sql(store, delete(T).where(T.c.seq.in_([4, 5, 6])))
    result = verify(store)
    assert [(p.seq, p.kind) for p in result.problems] == [(4, "deleted")]
    assert "records 4 to 6 are missing" in result.problems[0].message


def test_a_deletion_hidden_by_renumbering_is_still_a_deletion(store: Store) -> None:
    _fill(store)
    _sql(store, delete(T).where(T.c.seq == 5))
    _renumber(store, from_seq=6, by=-1)
    result = verify(store)
    assert [(p.seq, p.kind) for p in result.problems] == [(5, "deleted")]
    assert "renumbered" in result.problems[0].message


@pytest.mark.parametrize("a, b", [(3, 7), (4, 5), (1, 10)])
def test_swapped_records_are_both_reported_as_reordered(store: Store, a: int, b: int) -> None:
    _fill(store)
    _swap(store, a, b)
    result = verify(store)
    assert [(p.seq, p.kind) for p in result.problems] == [(a, "reordered"), (b, "reordered")]
    assert f"written as record {b}" in result.problems[0].message


@pytest.mark.parametrize("valid_hash", [True, False])
def test_a_forged_record_inserted_in_the_middle_is_reported(store: Store, valid_hash: bool) -> None:
    entries = _fill(store)
    _renumber(store, from_seq=5, by=1)
    _sql(store, insert(T).values(**_forged(entries, seq=5, after=4, valid_hash=valid_hash)))
    result = verify(store)
    assert [(p.seq, p.kind) for p in result.problems] == [(5, "inserted")]
    assert result.checked == 11


def test_a_forged_record_with_a_bad_hash_at_the_end_is_reported(store: Store) -> None:
    entries = _fill(store)
    _sql(store, insert(T).values(**_forged(entries, seq=11, after=10, valid_hash=False)))
    assert _problems(store) == [(11, "edited")]


def test_anchors_catch_a_cut_or_rewritten_end(store: Store) -> None:
    _fill(store)
    head = verify(store)
    anchor = {head.head_seq: head.head_hash}
    assert head.head_seq is not None and verify(store, anchors=anchor).ok
    _sql(store, delete(T).where(T.c.seq >= 9))
    assert verify(store).ok  # a shorter log is still a valid chain: only an anchor tells
    assert _problems(store, anchors=anchor) == [(10, "deleted")]


def test_several_problems_are_all_reported(store: Store) -> None:
    _fill(store, 20)
    _sql(store, update(T).where(T.c.seq == 3).values(outcome="error"), delete(T).where(T.c.seq == 12))
    _swap(store, 15, 17)
    assert _problems(store) == [(3, "edited"), (12, "deleted"), (15, "reordered"), (17, "reordered")]


def test_problems_are_capped(store: Store) -> None:
    _fill(store, 12)
    _sql(store, update(T).where(T.c.seq <= 6).values(outcome="x"))
    result = verify(store, max_problems=4)
    assert not result.ok and len(result.problems) == 4 and result.omitted == 2


KINDS = ["edit", "rehash", "delete", "swap", "insert", "delete-renumber"]
OPS = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(1, 11), st.integers(1, 12)), min_size=1, max_size=3
)


def _rows(store: Store) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(T.c.seq, T.c.hash, T.c.tokens_in, T.c.prev_hash)))


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=OPS)
def test_no_tampering_in_the_middle_goes_unnoticed(store: Store, ops: list[tuple[str, int, int]]) -> None:
    """Any mix of edits, deletions, swaps and insertions before the last record is reported."""
    _sql(store, delete(T))
    entries = _fill(store, 12)
    before = _rows(store)
    for op, a, b in ops:
        last = max(seq for seq, *_ in _rows(store))
        a = min(a, last - 1)
        if op == "edit":
            _sql(store, update(T).where(T.c.seq == a).values(tokens_in=999))
        elif op == "rehash":
            _sql(store, update(T).where(T.c.seq == a).values(tokens_in=7, hash="d" * 64))
        elif op == "delete":
            _sql(store, delete(T).where(T.c.seq == a))
        elif op == "swap" and a != min(b, last):
            _swap(store, a, min(b, last))
        elif op == "insert":
            _renumber(store, from_seq=a, by=1)
            _sql(store, insert(T).values(**_forged(entries, seq=a, after=max(a - 1, 1), valid_hash=False)))
        elif op == "delete-renumber":
            _sql(store, delete(T).where(T.c.seq == a))
            _renumber(store, from_seq=a + 1, by=-1)
    if _rows(store) != before:
        assert not verify(store).ok
