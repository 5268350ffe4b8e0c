"""Checking the audit chain: which record was edited, deleted, reordered or inserted.

    result = verify(store)            # VerifyResult(ok, checked, problems=[AuditProblem(seq, kind, message)])
    verify(store, anchors={result.head_seq: result.head_hash})     # later: also a cut or rewritten end

`verify` reads the records in `seq` order once (memory does not grow with the log) and queries the
database only around a problem. Because each record's hash covers its own `seq`, its content tells
which number it was written under, and so the kinds of tampering apart:

* `deleted`: a gap in the numbers; or an intact record chained to a record that is no longer
  there; or a run of records renumbered downwards whose predecessor is gone (the gap hidden).
* `edited`: the hash matches the record's content under no number (changed after it was written);
  or the record is intact but the next record was chained to another hash (changed and re-hashed,
  or replaced).
* `reordered`: the hash matches under another number, tried after the record it is chained to
  and within 32 of its own (for example two records swapped).
* `inserted`: a second record under a number; a record other than the first claiming the start of
  the chain; or, when a run was renumbered upwards, the records between a moved record and the
  one it is chained to, if no record is chained to any of them.

A renumbered run is reported once, where it starts. A chain with no secret cannot, on its own,
tell records cut from the end, or an end rewritten with recomputed hashes, from a valid log:
`anchors` (seq → hash written down from an earlier run's `head_seq`/`head_hash`) can.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, select

from bankmind.guard.audit import _COLUMNS, _TABLE, GENESIS, AuditEntry, _entry, record_hash
from bankmind.store import Store

__all__ = ["AuditProblem", "ProblemKind", "VerifyResult", "verify"]

_WINDOW = 32  # how far from its number a moved record is looked for
_MAX_BETWEEN = 1000  # records examined to tell an insertion from a move

ProblemKind = Literal["edited", "deleted", "reordered", "inserted"]


class AuditProblem(BaseModel):
    """One finding of `verify`: which record (by seq) and what happened to it."""

    model_config = ConfigDict(frozen=True)

    seq: int
    kind: ProblemKind
    message: str


class VerifyResult(BaseModel):
    """The outcome of `verify`; `head_seq`/`head_hash` are what to write down as an anchor."""

    model_config = ConfigDict(frozen=True)

    ok: bool
    checked: int
    problems: list[AuditProblem]
    omitted: int = 0
    head_seq: int | None = None
    head_hash: str | None = None


class _Lookups:
    """Indexed queries `verify` makes only around a problem."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def seq_of_hash(self, digest: str) -> int | None:
        query = select(_TABLE.c.seq).where(_TABLE.c.hash == digest).order_by(_TABLE.c.seq).limit(1)
        return self.conn.execute(query).scalar()

    def has_successor(self, digest: str) -> bool:
        query = select(_TABLE.c.seq).where(_TABLE.c.prev_hash == digest).limit(1)
        return self.conn.execute(query).first() is not None

    def between(self, low: int, high: int) -> list[tuple[int, str]]:
        query = select(_TABLE.c.seq, _TABLE.c.hash).where(_TABLE.c.seq > low, _TABLE.c.seq < high)
        return [(s, h) for s, h in self.conn.execute(query.order_by(_TABLE.c.seq))]

    def hash_at(self, seq: int) -> str | None:
        return self.conn.execute(select(_TABLE.c.hash).where(_TABLE.c.seq == seq)).scalar()


@dataclass
class _Seen:
    seq: int
    hash: str
    orig: int | None  # the number it was written under, None when its content matches no number
    shift: int | None  # seq minus orig of the run it belongs to (kept across a changed record)


@dataclass
class _Walk:
    """Walks the records in seq order once, asking the database only around problems."""

    look: _Lookups
    limit: int
    problems: dict[tuple[int, str], AuditProblem] = field(default_factory=dict)
    omitted: int = 0
    checked: int = 0
    first_break: int | None = None
    prev: _Seen | None = None

    def add(self, seq: int, kind: ProblemKind, message: str) -> None:
        if (seq, kind) in self.problems:
            return
        if len(self.problems) >= self.limit:
            self.omitted += 1
            return
        self.problems[(seq, kind)] = AuditProblem(seq=seq, kind=kind, message=message)

    def feed(self, entry: AuditEntry) -> None:
        self.checked += 1
        q, s = self.prev, entry.seq
        expected = q.seq + 1 if q is not None else 1
        gap = s > expected
        if gap:
            missing = f"record {expected} is" if s - 1 == expected else f"records {expected} to {s - 1} are"
            self.add(expected, "deleted", f"{missing} missing: deleted from the log")
        if q is not None and s <= q.seq:
            self.add(s, "inserted", f"two records are numbered {s}: one was added afterwards")
        if entry.prev_hash != (q.hash if q is not None else GENESIS) and self.first_break is None:
            self.first_break = s
        orig = self._original_seq(entry, q)
        if orig is None:
            # An insertion is recognised (and this re-labelled) when the records after it are renumbered.
            self.add(s, "edited", f"record {s} does not match its hash: it was changed after it was written")
        elif orig == s:
            self._check_link(entry, q, gap)
        else:
            self._moved(entry, q, orig)
        shift = s - orig if orig is not None else (q.shift if q is not None else None)
        self.prev = _Seen(s, entry.hash, orig, shift)

    def _original_seq(self, entry: AuditEntry, q: _Seen | None) -> int | None:
        fields = entry.hashed_fields()
        if record_hash(fields) == entry.hash:
            return entry.seq
        candidates: list[int] = []
        if q is not None and q.orig is not None and entry.prev_hash == q.hash:
            candidates.append(q.orig + 1)
        if entry.prev_hash == GENESIS:
            candidates.append(1)
        else:
            pred = self.look.seq_of_hash(entry.prev_hash)
            if pred is not None:
                candidates.append(pred + 1)
        for d in range(1, _WINDOW + 1):
            candidates += [entry.seq + d, entry.seq - d]
        for seq in dict.fromkeys(candidates):
            if seq >= 1 and seq != entry.seq and record_hash({**fields, "seq": seq}) == entry.hash:
                return seq
        return None

    def _check_link(self, entry: AuditEntry, q: _Seen | None, gap: bool) -> None:
        """A record intact at its own number: is it chained to the record before it?"""
        s = entry.seq
        if q is None and s == 1 and entry.prev_hash == GENESIS:
            return
        if q is not None and q.orig == s - 1 and entry.prev_hash == q.hash:
            return
        if entry.prev_hash == GENESIS or s == 1:
            self.add(s, "inserted", f"record {s} claims a place at the start of the chain: it was added")
            return
        if self.look.seq_of_hash(entry.prev_hash) is not None:
            return  # its predecessor exists elsewhere: moved, and reported where it is now
        if gap or q is None or q.orig is None:
            return  # explained by the missing or changed record(s) already reported
        if q.orig == s - 1:
            self.add(
                q.seq,
                "edited",
                f"record {q.seq} is not the record that record {s} was chained to: it was changed and "
                "its hash recomputed, or replaced",
            )
        else:
            self.add(s - 1, "deleted", f"record {s - 1} is missing (record {s} was chained to it)")

    def _moved(self, entry: AuditEntry, q: _Seen | None, orig: int) -> None:
        """An intact record that now sits under another number than the one it was written as."""
        s = entry.seq
        if (
            q is not None
            and s - orig == q.shift
            and ((entry.prev_hash == q.hash and q.orig is not None and orig == q.orig + 1) or q.orig is None)
        ):
            return  # continues a renumbered run (reported where it starts), perhaps after a changed record
        pred = 0 if entry.prev_hash == GENESIS else self.look.seq_of_hash(entry.prev_hash)
        if s > orig and pred is not None and s - pred - 1 <= _MAX_BETWEEN:
            between = self.look.between(pred, s)
            if between and not any(self.look.has_successor(h) for _, h in between):
                for seq, _ in between:
                    self.problems.pop((seq, "edited"), None)
                    self.add(
                        seq,
                        "inserted",
                        f"record {seq} is not part of the chain: record {orig} (now numbered {s}) is "
                        f"chained directly to record {pred}; records were added and the rest renumbered",
                    )
                return
        if s < orig and pred is None:
            first = (q.orig if q is not None and q.orig is not None else q.seq if q is not None else 0) + 1
            self.add(
                first,
                "deleted",
                f"records {first} to {orig - 1} are missing: deleted, and the records after them "
                f"renumbered (record {orig} is now numbered {s})",
            )
            return
        self.add(s, "reordered", f"the record numbered {s} was written as record {orig}: records were moved")


def verify(
    store: Store, *, anchors: Mapping[int, str] | None = None, max_problems: int = 1000
) -> VerifyResult:
    """Recompute the whole chain and report every edited, deleted, reordered or inserted record.

    Reads the records in order once (memory does not grow with the log) and queries the database
    only around a problem. `anchors` maps seq to a hash written down earlier (`head_seq`,
    `head_hash` of a previous run): without them, records deleted from the *end* of the log, or a
    log rewritten from some record on with recomputed hashes, cannot be told from a valid log.
    """
    with store.engine.connect() as conn, store.engine.connect() as other:
        if store.backend == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        walk = _Walk(_Lookups(other), max_problems)
        rows = conn.execution_options(yield_per=1000).execute(select(*_COLUMNS).order_by(_TABLE.c.seq))
        for row in rows:
            walk.feed(_entry(row))
        if walk.first_break is not None and not walk.problems and not walk.omitted:
            walk.add(walk.first_break, "edited", f"the chain is broken before record {walk.first_break}")
        for seq, digest in sorted((anchors or {}).items()):
            found = walk.look.hash_at(seq)
            if found is None:
                walk.add(seq, "deleted", f"record {seq} is missing but was anchored: the log was cut short")
            elif found != digest.lower():
                walk.add(
                    seq,
                    "edited",
                    f"record {seq} differs from its anchor {digest[:12]}…: the log was rewritten up to here",
                )
    problems = sorted(walk.problems.values(), key=lambda p: (p.seq, p.kind))
    head = walk.prev
    return VerifyResult(
        ok=not problems and not walk.omitted,
        checked=walk.checked,
        problems=problems,
        omitted=walk.omitted,
        head_seq=head.seq if head is not None else None,
        head_hash=head.hash if head is not None else None,
    )
