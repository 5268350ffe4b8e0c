"""Stored reconciliation runs: every compared pair is kept with its breaks, and each break's
follow-up (explained or resolved, a comment, who and when) carries over to the next day's run.

    run = save_run(store, result, manager_file="管理人.xlsx", custodian_file="托管人.xls", by=principal)
    run.new_breaks, run.carried_breaks, run.cleared
    set_status(store, break_id, "explained", "停牌股按指数收益法估值，已与管理人确认", by=principal)

A break is the same break on another day when its subject code, kind and field are the same
(`break_key`). A saved run's predecessor is the product's latest earlier run (an earlier valuation
day, or the same day saved before: a re-run after a correction). A break whose key was in the
predecessor is carried over: it keeps the day it was first seen and, when it had been explained,
its status and comment. A resolved break that comes back is open again (resolving it said it would
not). The predecessor's breaks that are gone are counted as cleared.

Who sees a run: its owner, the owner's department, and administrators (`store.visibility`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, or_, select

from bankmind.errors import InputError, NotFound
from bankmind.recon.compare import Break, Reconciliation
from bankmind.store import Store
from bankmind.store.schema import ReconBreak, ReconRun
from bankmind.store.visibility import visible_to
from bankmind.types import Principal

__all__ = [
    "MAX_COMMENT_CHARS",
    "STATUSES",
    "BreakStatus",
    "BreakView",
    "RunDetail",
    "RunView",
    "break_key",
    "get_break",
    "get_run",
    "list_runs",
    "save_narratives",
    "save_run",
    "set_status",
]

BreakStatus = Literal["open", "explained", "resolved"]
STATUSES: tuple[BreakStatus, ...] = ("open", "explained", "resolved")
MAX_COMMENT_CHARS = 2000
_HEADER_KEYS = ("product", "valuation_date", "unit_nav", "nav")


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class RunView(_View):
    """A stored run as lists show it: which pair, its severity and how its breaks stand."""

    id: str
    batch_id: str | None
    product: str | None
    valuation_date: date | None
    manager_file: str
    custodian_file: str
    severity: str
    breaks: int
    new_breaks: int
    carried_breaks: int
    cleared: int
    open_breaks: int = 0
    """Root breaks still open (knock-on breaks follow their root and are not counted)."""
    header: dict[str, Any]
    summary: dict[str, Any]
    previous_run_id: str | None
    owner_name: str
    created_at: datetime


class BreakView(Break):
    """A stored break: `reconcile`'s break with its id, whether it is new, and its follow-up."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    run_id: str
    ordinal: int
    carried_over: bool
    first_seen: date | None
    narrative: str | None
    status: str
    comment: str | None
    status_by: str | None
    status_at: datetime | None

    def as_break(self) -> Break:
        """The break as `reconcile` made it (what narratives are written from)."""
        return Break.model_validate(self.model_dump(include=set(Break.model_fields)))


class RunDetail(RunView):
    """A run with all its breaks, roots first."""

    breaks_list: list[BreakView]


def break_key(b: Break | ReconBreak) -> str:
    """What makes a break the same break on another day: subject, kind and field."""
    return f"{b.subject_code or b.subject_name or ''}|{b.kind}|{b.field}"


def save_run(
    store: Store,
    result: Reconciliation,
    *,
    manager_file: str,
    custodian_file: str,
    by: Principal | None = None,
    batch_id: str | None = None,
) -> RunView:
    """Store `result` as a run of `by` (None: the command line) and classify its breaks as new or
    carried over against the product's previous run."""
    product = result.custodian.product or result.manager.product
    day = result.custodian.valuation_date or result.manager.valuation_date
    run_id = str(uuid.uuid4())
    with store.session() as s:
        previous = _previous(s, product, day) if product else None
        before = {break_key(b): b for b in previous_breaks(s, previous)} if previous else {}
        rows = [_break_row(run_id, i, b, before.get(break_key(b)), day) for i, b in enumerate(result.breaks)]
        carried = sum(r.carried_over for r in rows)
        keys = {r.key for r in rows}
        run = ReconRun(
            id=run_id, batch_id=batch_id, product=product, valuation_date=day,
            manager_file=manager_file[:500], custodian_file=custodian_file[:500],
            severity=result.summary.severity, breaks=len(rows),
            new_breaks=len(rows) - carried, carried_breaks=carried,
            cleared=sum(k not in keys for k in before),
            header={side: _header(getattr(result, side)) for side in ("manager", "custodian")},
            summary=result.summary.model_dump(mode="json"),
            previous_run_id=previous.id if previous else None,
            owner_id=by.user_id if by and by.user_id else None,
            owner_name=(by.name if by else "cli")[:100],
            department=by.department if by else None,
            created_at=datetime.now(UTC),
        )  # fmt: skip
        s.add(run)
        s.flush()
        s.add_all(rows)
    return get_run(store, run_id)


def list_runs(
    store: Store,
    viewer: Principal | None,
    *,
    product: str | None = None,
    batch_id: str | None = None,
    limit: int = 200,
) -> list[RunView]:
    """Runs `viewer` may see (None: everything, for the command line), newest day first."""
    query = select(ReconRun).order_by(
        ReconRun.valuation_date.desc(), ReconRun.created_at.desc(), ReconRun.product
    )
    if product:
        query = query.where(ReconRun.product == product)
    if batch_id:
        query = query.where(ReconRun.batch_id == batch_id)
    query = visible_to(query, ReconRun, viewer).limit(limit)
    with store.session() as s:
        runs = list(s.scalars(query))
        opened = _open_counts(s, [r.id for r in runs])
        return [
            RunView.model_validate(r).model_copy(update={"open_breaks": opened.get(r.id, 0)}) for r in runs
        ]


def get_run(store: Store, run_id: str, viewer: Principal | None = None) -> RunDetail:
    """One run with its breaks; a run `viewer` may not see is reported as not found."""
    with store.session() as s:
        run = s.scalars(visible_to(select(ReconRun).where(ReconRun.id == run_id), ReconRun, viewer)).first()
        if run is None:
            raise NotFound(f"no reconciliation run with id '{run_id[:40]}'")
        breaks = [BreakView.model_validate(b) for b in previous_breaks(s, run)]
        opened = sum(b.status == "open" and not b.knock_on for b in breaks)
        return RunDetail.model_validate(
            {**RunView.model_validate(run).model_dump(), "open_breaks": opened, "breaks_list": breaks}
        )


def get_break(store: Store, break_id: int, viewer: Principal | None = None) -> BreakView:
    """One break, if `viewer` may see its run."""
    with store.session() as s:
        row = s.get(ReconBreak, break_id)
        if (
            row is None
            or s.scalars(
                visible_to(select(ReconRun.id).where(ReconRun.id == row.run_id), ReconRun, viewer)
            ).first()
            is None
        ):
            raise NotFound(f"no reconciliation break with id {break_id}")
        return BreakView.model_validate(row)


def set_status(
    store: Store, break_id: int, status: str, comment: str | None, *, by: Principal | None
) -> BreakView:
    """Mark a break open, explained or resolved with a comment; who and when are kept on it.

    Explaining or resolving needs a comment: the next person reading the break must see why.
    """
    if status not in STATUSES:
        raise InputError(f"status '{status[:40]}' is not one of {', '.join(STATUSES)}")
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT_CHARS:
        raise InputError(f"the comment has {len(text)} characters; at most {MAX_COMMENT_CHARS} are kept")
    if status != "open" and not text:
        raise InputError(f"marking a break {status} needs a comment saying why")
    get_break(store, break_id, by)  # visibility
    with store.session() as s:
        row = s.get(ReconBreak, break_id)
        assert row is not None
        row.status, row.comment = status, text or None
        row.status_by, row.status_at = (by.name if by else "cli")[:100], datetime.now(UTC)
        s.flush()
        return BreakView.model_validate(row)


def save_narratives(store: Store, texts: dict[int, str]) -> None:
    """Keep verified narratives on their breaks (break id -> text)."""
    with store.session() as s:
        for break_id, text in texts.items():
            row = s.get(ReconBreak, break_id)
            if row is not None:
                row.narrative = text


def previous_breaks(s: Any, run: ReconRun) -> Sequence[ReconBreak]:
    """A run's breaks in their stored order (roots first, as `reconcile` lists them)."""
    return list(s.scalars(select(ReconBreak).where(ReconBreak.run_id == run.id).order_by(ReconBreak.ordinal)))


def _previous(s: Any, product: str, day: date | None) -> ReconRun | None:
    query = select(ReconRun).where(ReconRun.product == product)
    if day is not None:
        query = query.where(or_(ReconRun.valuation_date <= day, ReconRun.valuation_date.is_(None)))
    query = query.order_by(ReconRun.valuation_date.desc(), ReconRun.created_at.desc())
    return s.scalars(query.limit(1)).first()  # type: ignore[no-any-return]


def _break_row(
    run_id: str, ordinal: int, b: Break, before: ReconBreak | None, day: date | None
) -> ReconBreak:
    keeps = before is not None and before.status == "explained"
    return ReconBreak(
        run_id=run_id, ordinal=ordinal, key=break_key(b)[:400],
        subject_code=b.subject_code, subject_name=(b.subject_name or "")[:300] or None,
        kind=b.kind, field=b.field, manager=b.manager, custodian=b.custodian, difference=b.difference,
        explanation=b.explanation, cause=b.cause, knock_on=b.knock_on,
        manager_cell=b.manager_cell, custodian_cell=b.custodian_cell,
        carried_over=before is not None,
        first_seen=(before.first_seen if before is not None else None) or day,
        status="explained" if keeps else "open",
        comment=before.comment if keeps and before else None,
        status_by=before.status_by if keeps and before else None,
        status_at=before.status_at if keeps and before else None,
    )  # fmt: skip


def _header(table: Any) -> dict[str, Any]:
    dumped = table.contract_dict()
    return {k: dumped[k] for k in _HEADER_KEYS}


def _open_counts(s: Any, run_ids: list[str]) -> dict[str, int]:
    if not run_ids:
        return {}
    query = (
        select(ReconBreak.run_id, func.count())
        .where(ReconBreak.run_id.in_(run_ids), ReconBreak.status == "open", ReconBreak.knock_on.is_(False))
        .group_by(ReconBreak.run_id)
    )
    return {run_id: int(n) for run_id, n in s.execute(query)}
