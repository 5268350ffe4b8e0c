"""Quotas: tokens per day per department (in the store) and requests per minute per API key.

Daily tokens, exact across threads and server processes:

    reservation = reserve(store, policy)          # QuotaExceeded (429) when today's tokens are used up
    ... call the model ...
    charge(store, reservation, tokens_in=812, tokens_out=240)

`reserve` checks `tokens used today < tokens_per_day` and counts the request in one atomic UPDATE;
`charge` adds the real token counts with `SET tokens_in = tokens_in + :n`. Neither reads a value
into Python and writes it back, so no update is lost, on SQLite or PostgreSQL, however many
threads and processes share the store. Calls admitted before the quota ran out still finish and are
charged, so a day's total can pass the quota by what those calls used. A day is a calendar day in
Asia/Shanghai (UTC+8, no daylight saving); `retry_after` is the number of seconds until the next
midnight there.

Requests per minute per API key: `RateLimiter`, a sliding 60-second window kept in this process
and exact under threads. Each server process enforces its own window, so N servers behind a load
balancer allow up to N times the limit in total.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import BigInteger, Connection, bindparam, select, update

from bankmind.config import Settings
from bankmind.errors import QuotaExceeded
from bankmind.store import Store
from bankmind.store.departments import DepartmentPolicy
from bankmind.store.schema import Department, Usage
from bankmind.store.sql import insert_or_ignore, transaction

__all__ = [
    "SHANGHAI",
    "RateLimiter",
    "Reservation",
    "UsageRow",
    "charge",
    "local_day",
    "reserve",
    "seconds_until_midnight",
    "usage_report",
]

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
_NO_DEPARTMENT = ""  # the usage row of principals without a department (a key column cannot be NULL)


def local_day(now: datetime | None = None) -> date:
    """Today's calendar date in Asia/Shanghai."""
    return (now or datetime.now(UTC)).astimezone(SHANGHAI).date()


def seconds_until_midnight(now: datetime | None = None) -> int:
    """Whole seconds until the next midnight in Asia/Shanghai (at least 1)."""
    local = (now or datetime.now(UTC)).astimezone(SHANGHAI)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), SHANGHAI)
    return max(1, math.ceil((midnight - local).total_seconds()))


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours} h {rest // 60} min" if hours else f"{max(1, math.ceil(rest / 60))} min"


@dataclass(frozen=True)
class Reservation:
    """An admitted request: which department's usage row (and day) its tokens are charged to."""

    department: str | None
    day: date


class UsageRow(BaseModel):
    """One department's usage on one day, with its current quota (for the admin page and the CLI)."""

    model_config = ConfigDict(frozen=True)

    department: str | None
    day: date
    tokens_in: int
    tokens_out: int
    requests: int
    tokens_per_day: int | None

    @property
    def tokens(self) -> int:
        return self.tokens_in + self.tokens_out


def _update_row(conn: Connection, statement: Any, params: Mapping[str, Any]) -> bool:
    """Run an UPDATE of the day's usage row, creating the row first when the day has none yet;
    True when the row was updated (False: the row exists but the UPDATE's condition failed)."""
    if _rowcount(conn.execute(statement, params)) == 1:
        return True
    # No row for the day yet, or the condition (the quota) refused: create it if missing, try again.
    row = {
        "department": params["key"],
        "day": params["on_day"],
        "tokens_in": 0,
        "tokens_out": 0,
        "requests": 0,
    }
    insert_or_ignore(conn, Usage, row, key=("department", "day"))
    return _rowcount(conn.execute(statement, params)) == 1


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


# Prepared once: every gateway call runs them (building a statement costs more than running it).
_THE_ROW = (Usage.department == bindparam("key")) & (Usage.day == bindparam("on_day"))
_COUNT_REQUEST = update(Usage).where(_THE_ROW).values(requests=Usage.requests + 1)
_COUNT_WITHIN_QUOTA = _COUNT_REQUEST.where(Usage.tokens_in + Usage.tokens_out < bindparam("quota"))
_USED = select(Usage.tokens_in + Usage.tokens_out).where(_THE_ROW)
_ADD_TOKENS = (
    update(Usage)
    .where(_THE_ROW)
    .values(
        tokens_in=Usage.tokens_in + bindparam("add_in", type_=BigInteger),
        tokens_out=Usage.tokens_out + bindparam("add_out", type_=BigInteger),
    )
)


def reserve(
    target: Store | Connection, department: DepartmentPolicy | None, *, now: datetime | None = None
) -> Reservation:
    """Admit one request for the department, or raise `QuotaExceeded` when today's tokens are used up.

    `target` is a store, or a connection inside the caller's transaction (the gateway's admission).
    """
    key = department.name if department is not None else _NO_DEPARTMENT
    quota = department.tokens_per_day if department is not None else None
    day = local_day(now)
    params: dict[str, Any] = {"key": key, "on_day": day, "quota": quota}
    count = _COUNT_REQUEST if quota is None else _COUNT_WITHIN_QUOTA
    with transaction(target) as conn:
        if _update_row(conn, count, params):
            return Reservation(department.name if department is not None else None, day)
        used = conn.scalar(_USED, params) or 0
    retry_after = seconds_until_midnight(now)
    assert department is not None and quota is not None
    raise QuotaExceeded(
        f"department '{department.name}' has used its daily quota of {quota:,} tokens "
        f"({used:,} used on {day.isoformat()}, Asia/Shanghai); it renews at midnight Beijing time, "
        f"in {_duration(retry_after)}; an administrator can raise it with "
        f"`bankmind departments set '{department.name}' --tokens-per-day N`",
        retry_after=retry_after,
    )


def charge(target: Store | Connection, reservation: Reservation, *, tokens_in: int, tokens_out: int) -> None:
    """Add a finished call's real token counts to the day it was admitted on (`target` as in `reserve`)."""
    if tokens_in < 0 or tokens_out < 0:
        raise ValueError(f"token counts cannot be negative: in={tokens_in}, out={tokens_out}")
    key = reservation.department if reservation.department is not None else _NO_DEPARTMENT
    params = {"key": key, "on_day": reservation.day, "add_in": tokens_in, "add_out": tokens_out}
    with transaction(target) as conn:
        _update_row(conn, _ADD_TOKENS, params)


def usage_report(
    store: Store,
    *,
    since: date | None = None,
    until: date | None = None,
    department: str | None = None,
) -> list[UsageRow]:
    """Usage per department per day (days inclusive), newest day first, then by department."""
    query = (
        select(Usage, Department.tokens_per_day)
        .outerjoin(Department, Department.name == Usage.department)
        .order_by(Usage.day.desc(), Usage.department)
    )
    if since is not None:
        query = query.where(Usage.day >= since)
    if until is not None:
        query = query.where(Usage.day <= until)
    if department is not None:
        query = query.where(Usage.department == department)
    with store.session() as s:
        return [
            UsageRow(
                department=row.department or None,
                day=row.day,
                tokens_in=row.tokens_in,
                tokens_out=row.tokens_out,
                requests=row.requests,
                tokens_per_day=quota,
            )
            for row, quota in s.execute(query)
        ]


class RateLimiter:
    """At most `per_minute` requests per key in any 60-second window (this process; thread-safe).

    Pass the key's prefix (what `bankmind keys list` shows), never the key itself, as `key_id`.
    """

    def __init__(
        self, per_minute: int, *, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute, self.window, self._clock = per_minute, window, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._calls = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        return cls(settings.gateway_requests_per_minute)

    def hit(self, key_id: str) -> None:
        """Count one request for `key_id`, or raise `QuotaExceeded` (not counted) when over the limit."""
        with self._lock:
            now = self._clock()
            hits = self._hits.setdefault(key_id, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.per_minute:
                retry_after = max(1, math.ceil(hits[0] + self.window - now))
                raise QuotaExceeded(
                    f"API key {key_id} made {len(hits)} requests in the last minute, its limit "
                    f"(BANKMIND_GATEWAY_REQUESTS_PER_MINUTE={self.per_minute}); retry in {retry_after} s",
                    retry_after=retry_after,
                )
            hits.append(now)
            self._calls += 1
            if self._calls % 1024 == 0:
                self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]
        for key in idle:
            del self._hits[key]
