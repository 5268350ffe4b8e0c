"""The audit log: one hash-chained record per model call and per capability action.

    entry = append(store, principal=p, action="gateway.chat", model="deepseek-v3", tokens_in=812,
                   tokens_out=240, latency_ms=930, pii={"CN_ID": 1}, masked_prompt=masked, outcome="ok")

Records are numbered `seq` = 1, 2, 3, … without gaps. Each record's `hash` is the SHA-256 of the
UTF-8 bytes of its canonical JSON: every field below except `hash`, keys sorted, no spaces,
non-ASCII characters as themselves, `ts` as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, always six
digits), integers as integers, missing values as null. `prev_hash` is the previous record's `hash`;
the first record's is 64 zeros (`GENESIS`). docs/audit.md has a 20-line script that re-verifies
an export with nothing but Python's standard library.

Appends are serialized so the chain stays one chain with many writers: SQLite takes the write lock
first (`BEGIN IMMEDIATE`), PostgreSQL locks the table against other writers (`LOCK TABLE …
IN EXCLUSIVE MODE`; readers are not blocked). Call `append` outside your own transactions.

Only SHA-256 digests of the (masked) prompt and response are kept, unless the department's policy
has `keep_masked_text`; then the masked text is kept too. Raw text is never accepted.

A capability records its actions with `audited` (the outcome is the error's code when it fails):

    with audited(store, principal, "document.upload") as details:
        document = accept_upload(...)
        details.update(document_id=document.id, sha256=document.content_hash)

Checking the chain (which record was edited, deleted, moved or inserted) is `audit_verify.verify`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, TextIO, cast

from pydantic import BaseModel, ConfigDict, field_serializer
from sqlalchemy import Connection, Row, Table, insert, select

from bankmind.errors import BankmindError
from bankmind.guard.quotas import SHANGHAI
from bankmind.store import Store
from bankmind.store.departments import DepartmentPolicy, get_department
from bankmind.store.schema import AuditRecord
from bankmind.types import Principal

__all__ = [
    "EXPORT_FIELDS",
    "GENESIS",
    "AuditEntry",
    "ExportSummary",
    "append",
    "canonical_json",
    "export",
    "format_ts",
    "iter_entries",
    "list_entries",
    "parse_csv_row",
    "record_hash",
    "sha256_text",
]

GENESIS = "0" * 64
EXPORT_FIELDS = (
    "seq", "ts", "principal", "department", "action", "model", "tokens_in", "tokens_out", "latency_ms",
    "pii", "prompt_sha256", "response_sha256", "masked_prompt", "masked_response", "outcome", "details",
    "prev_hash", "hash",
)  # fmt: skip
_INT_FIELDS = ("seq", "tokens_in", "tokens_out", "latency_ms")
_JSON_FIELDS = ("pii", "details")
_ACTION = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
_OUTCOME = re.compile(r"[A-Za-z0-9_.:-]{1,50}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_TABLE = cast(Table, AuditRecord.__table__)


# --- canonical form ------------------------------------------------------------------------------


def format_ts(ts: datetime) -> str:
    """A timestamp as the chain hashes it: UTC, microseconds, `Z`."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(fields: Mapping[str, Any]) -> bytes:
    """The bytes a record's hash is computed over (keys sorted, compact, UTF-8)."""
    return json.dumps(
        fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def record_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of a record's fields without `hash`, `ts` already formatted by `format_ts`."""
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def sha256_text(text: str) -> str:
    """SHA-256 (hex) of a text's UTF-8 bytes, as stored in `prompt_sha256` and `response_sha256`."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AuditEntry(BaseModel):
    """One audit record as stored, exported and verified (`ts` serializes in the hashed form)."""

    model_config = ConfigDict(frozen=True)

    seq: int
    ts: datetime
    principal: str | None
    department: str | None
    action: str
    model: str | None
    tokens_in: int | None
    tokens_out: int | None
    latency_ms: int | None
    pii: dict[str, int] | None
    prompt_sha256: str | None
    response_sha256: str | None
    masked_prompt: str | None
    masked_response: str | None
    outcome: str
    details: dict[str, Any] | None
    prev_hash: str
    hash: str

    @field_serializer("ts")
    def _ts(self, value: datetime) -> str:
        return format_ts(value)

    def hashed_fields(self, seq: int | None = None) -> dict[str, Any]:
        """The fields the hash covers (optionally as if the record were numbered `seq`)."""
        fields = self.model_dump(mode="json", exclude={"hash"})
        if seq is not None:
            fields["seq"] = seq
        return fields

    def computed_hash(self, seq: int | None = None) -> str:
        return record_hash(self.hashed_fields(seq))


# --- append ---------------------------------------------------------------------------------------


def _plain(value: Any, where: str) -> Any:
    """A JSON value with a single canonical form: str, int, bool, None, lists and string-keyed dicts."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"audit details keys must be strings; {where} has key {key!r}")
            out[key] = _plain(item, f"{where}.{key}")
        return out
    if isinstance(value, list | tuple):
        return [_plain(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise TypeError(
        f"audit details may hold str, int, bool, None, lists and dicts; {where} is a "
        f"{type(value).__name__} (store floats as integers, e.g. milliseconds, or as strings)"
    )


def _count(value: int | None, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"audit {name} must be a non-negative integer or None, not {value!r}")
    return value


def _digest(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    value = value.lower()
    if not _SHA256.fullmatch(value):
        raise ValueError(f"audit {name} must be 64 hex digits (a SHA-256), not a text")
    return value


def _short(value: str | None, name: str, limit: int) -> str | None:
    if value is None or value == "":
        return None
    if len(value) > limit:
        raise ValueError(f"audit {name} is longer than {limit} characters")
    return value


# Prepared once (building a statement costs more than running it); every gateway call runs both.
_LAST = select(_TABLE.c.seq, _TABLE.c.hash).order_by(_TABLE.c.seq.desc()).limit(1)
_INSERT = insert(_TABLE)


@contextmanager
def _chain_lock(store: Store) -> Iterator[Connection]:
    """A transaction that holds the audit chain's write lock until it commits."""
    with store.engine.connect() as conn:
        if store.backend == "sqlite":
            # pysqlite would begin a deferred transaction only at the INSERT; take the lock first.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("LOCK TABLE audit_records IN EXCLUSIVE MODE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def append(
    store: Store,
    *,
    principal: Principal | None,
    action: str,
    model: str | None = None,
    tokens_in: int | None = None,
    tokens_out: int | None = None,
    latency_ms: int | None = None,
    pii: Mapping[str, int] | None = None,
    prompt_sha256: str | None = None,
    response_sha256: str | None = None,
    outcome: str = "ok",
    details: Mapping[str, Any] | None = None,
    masked_prompt: str | None = None,
    masked_response: str | None = None,
    policy: DepartmentPolicy | None = None,
    together: Callable[[Connection], None] | None = None,
) -> AuditEntry:
    """Append one record to the chain and return it.

    `pii` maps entity types to counts (`{"CN_ID": 1, "BANK_CARD": 2}`). `masked_prompt` and
    `masked_response` are the texts the model saw and answered (placeholders, never originals): their
    SHA-256 is recorded when no digest is given, and the text itself only when the principal's
    department keeps masked text (`policy`, looked up when not given). `details` must not hold text
    from documents or prompts. `together` runs in the record's transaction, so what it writes
    commits with the record or not at all (the gateway charges a call's tokens there: one
    transaction instead of two per call).
    """
    if not _ACTION.fullmatch(action):
        raise ValueError(f"audit action {action[:40]!r} must be 1-100 of A-Z a-z 0-9 _ . : -")
    if not _OUTCOME.fullmatch(outcome):
        raise ValueError(f"audit outcome {outcome[:40]!r} must be 1-50 of A-Z a-z 0-9 _ . : -")
    counts: dict[str, int] | None = None
    if pii is not None:
        counts = {}
        for entity, n in sorted(pii.items()):
            if not isinstance(entity, str) or not entity or len(entity) > 50:
                raise ValueError(f"audit pii keys must be entity type names, not {entity!r}")
            counts[entity] = _count(n, f"pii[{entity}]") or 0
    if masked_prompt is not None and prompt_sha256 is None:
        prompt_sha256 = sha256_text(masked_prompt)
    if masked_response is not None and response_sha256 is None:
        response_sha256 = sha256_text(masked_response)
    department = principal.department if principal is not None else None
    keep_text = False
    if (masked_prompt or masked_response) and department is not None:
        if policy is None or policy.name != department:
            policy = get_department(store, department)
        keep_text = policy is not None and policy.keep_masked_text
    values: dict[str, Any] = {
        "principal": _short(principal.name if principal is not None else None, "principal", 100),
        "department": _short(department, "department", 100),
        "action": action,
        "model": _short(model, "model", 200),
        "tokens_in": _count(tokens_in, "tokens_in"),
        "tokens_out": _count(tokens_out, "tokens_out"),
        "latency_ms": _count(latency_ms, "latency_ms"),
        "pii": counts,
        "prompt_sha256": _digest(prompt_sha256, "prompt_sha256"),
        "response_sha256": _digest(response_sha256, "response_sha256"),
        "masked_prompt": (masked_prompt or None) if keep_text else None,
        "masked_response": (masked_response or None) if keep_text else None,
        "outcome": outcome,
        "details": _plain(dict(details), "details") if details is not None else None,
    }
    with _chain_lock(store) as conn:
        if together is not None:
            together(conn)
        last = conn.execute(_LAST).first()
        values["seq"] = last.seq + 1 if last is not None else 1
        values["prev_hash"] = last.hash if last is not None else GENESIS
        values["ts"] = datetime.now(UTC)
        values["hash"] = record_hash({**values, "ts": format_ts(values["ts"])})
        conn.execute(_INSERT, values)
    return AuditEntry(**values)


@contextmanager
def audited(
    store: Store, principal: Principal | None, action: str, **details: Any
) -> Iterator[dict[str, Any]]:
    """Append one record for a capability action when the block ends: outcome `ok`, or the
    error's code (`file_too_large`, `permission_denied`, … `internal_error`) when it raises.

    Yields the record's `details` for the block to fill in (ids, hashes, counts; never text from
    documents or prompts). The error still propagates after the record is written.
    """
    recorded: dict[str, Any] = dict(details)
    outcome = "ok"
    try:
        yield recorded
    except BankmindError as exc:
        outcome = exc.code
        raise
    except Exception:
        outcome = "internal_error"
        raise
    finally:
        append(store, principal=principal, action=action, outcome=outcome, details=recorded)


# --- read -----------------------------------------------------------------------------------------

_COLUMNS = [_TABLE.c[name] for name in EXPORT_FIELDS]


def _entry(row: Row[Any]) -> AuditEntry:
    data = dict(row._mapping)
    data["prev_hash"] = data["prev_hash"] or ""
    return AuditEntry(**data)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, SHANGHAI)


def iter_entries(
    store: Store, *, since: datetime | None = None, until: datetime | None = None, batch: int = 1000
) -> Iterator[AuditEntry]:
    """Records with `since <= ts < until` in chain order, fetched `batch` rows at a time."""
    query = select(*_COLUMNS).order_by(_TABLE.c.seq)
    if since is not None:
        query = query.where(_TABLE.c.ts >= since)
    if until is not None:
        query = query.where(_TABLE.c.ts < until)
    with store.engine.connect() as conn:
        for row in conn.execution_options(yield_per=batch).execute(query):
            yield _entry(row)


def list_entries(
    store: Store,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    principal: str | None = None,
    action: str | None = None,
    outcome: str | None = None,
    department: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[AuditEntry]:
    """Newest first, for the audit viewer; `until` is exclusive, the others match exactly (≤1000 rows)."""
    query = select(*_COLUMNS).order_by(_TABLE.c.seq.desc()).limit(max(0, min(limit, 1000))).offset(offset)
    filters = {"principal": principal, "action": action, "outcome": outcome, "department": department}
    for column, value in filters.items():
        if value is not None:
            query = query.where(_TABLE.c[column] == value)
    if since is not None:
        query = query.where(_TABLE.c.ts >= since)
    if until is not None:
        query = query.where(_TABLE.c.ts < until)
    with store.engine.connect() as conn:
        return [_entry(row) for row in conn.execute(query)]


# --- export ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportSummary:
    count: int
    first_seq: int | None
    last_seq: int | None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return canonical_json(value).decode("utf-8")
    return str(value)


def export(
    store: Store,
    out: TextIO,
    *,
    since: date | None = None,
    until: date | None = None,
    format: Literal["csv", "jsonl"] = "jsonl",
) -> ExportSummary:
    """Write records of the days `since`..`until` (inclusive, Asia/Shanghai) to `out`, streaming.

    JSONL: one record per line, exactly the fields and values the hash covers plus `hash`.
    CSV: the same columns (`EXPORT_FIELDS`); `pii` and `details` as JSON, empty cells for null.
    """
    start = _local_midnight(since) if since is not None else None
    end = _local_midnight(until + timedelta(days=1)) if until is not None else None
    writer = csv.writer(out, lineterminator="\n") if format == "csv" else None
    if writer is not None:
        writer.writerow(EXPORT_FIELDS)
    count, first, last = 0, None, None
    for entry in iter_entries(store, since=start, until=end):
        record = entry.model_dump(mode="json")
        if writer is not None:
            writer.writerow([_cell(record[name]) for name in EXPORT_FIELDS])
        else:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count, first, last = count + 1, first or entry.seq, entry.seq
    return ExportSummary(count, first, last)


def parse_csv_row(row: Mapping[str, str]) -> dict[str, Any]:
    """A CSV export row back as the record's fields (what `record_hash` takes, plus `hash`)."""
    record: dict[str, Any] = {}
    for name in EXPORT_FIELDS:
        cell = row[name]
        if cell == "":
            record[name] = None
        elif name in _INT_FIELDS:
            record[name] = int(cell)
        elif name in _JSON_FIELDS:
            record[name] = json.loads(cell)
        else:
            record[name] = cell
    return record
