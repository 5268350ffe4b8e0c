"""`/admin/audit`: the audit log, newest first, filtered and paged, and the "verify chain" button.

Rows show who, what, PII types and counts, tokens, latency, outcome, seq and a short hash; never
the prompt or response (not even the masked text some departments keep). Dates are calendar days
in Beijing time, like `bankmind audit export --from/--to`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from bankmind.api.deps import StoreDep
from bankmind.errors import InputError
from bankmind.guard.audit import AuditEntry, list_entries
from bankmind.guard.audit_verify import VerifyResult, verify
from bankmind.guard.quotas import SHANGHAI
from bankmind.store import Store
from bankmind.web.pages.admin import AdminDep, respond
from bankmind.web.render import is_htmx, render, shell_for

__all__ = ["AuditFilters", "AuditPage", "AuditRow", "VerifyFragment", "router"]

router = APIRouter()

PAGE_SIZE = 50
Text = Annotated[str, Query(max_length=100)]


@dataclass(frozen=True)
class AuditFilters:
    """The filter form's values as typed (empty: not filtered)."""

    since: str = ""
    until: str = ""
    principal: str = ""
    action: str = ""
    outcome: str = ""

    def url(self, page: int = 1) -> str:
        """This filter's address, at `page`."""
        fields = {
            "from": self.since,
            "to": self.until,
            "principal": self.principal,
            "action": self.action,
            "outcome": self.outcome,
        }
        query = {k: v for k, v in fields.items() if v}
        if page > 1:
            query["page"] = str(page)
        return "/admin/audit" + (f"?{urlencode(query)}" if query else "")

    @property
    def active(self) -> bool:
        return any((self.since, self.until, self.principal, self.action, self.outcome))


@dataclass(frozen=True)
class AuditRow:
    """What the viewer shows of one record (nothing of the prompt or the response)."""

    seq: int
    time: str
    principal: str | None
    department: str | None
    action: str
    model: str | None
    pii: tuple[tuple[str, int], ...]
    tokens_in: int | None
    tokens_out: int | None
    latency_ms: int | None
    outcome: str
    hash: str

    @property
    def short_hash(self) -> str:
        return self.hash[:12]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditRow:
        ts = entry.ts if entry.ts.tzinfo is not None else entry.ts.replace(tzinfo=UTC)
        return cls(
            seq=entry.seq,
            time=ts.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
            principal=entry.principal,
            department=entry.department,
            action=entry.action,
            model=entry.model,
            pii=tuple(sorted((entry.pii or {}).items())),
            tokens_in=entry.tokens_in,
            tokens_out=entry.tokens_out,
            latency_ms=entry.latency_ms,
            outcome=entry.outcome,
            hash=entry.hash,
        )


@dataclass(frozen=True)
class AuditPage:
    """Context of `admin/audit.html` and `admin/_audit_entries.html`."""

    filters: AuditFilters
    rows: list[AuditRow]
    page_number: int = 1
    has_next: bool = False
    verify: VerifyResult | None = None


@dataclass(frozen=True)
class VerifyFragment:
    """Context of `admin/_verify.html` alone (htmx)."""

    verify: VerifyResult


def _day(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{field} date '{value[:20]}' is not a date; use YYYY-MM-DD, e.g. 2025-06-30"
        ) from None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, SHANGHAI)


def _audit_page(
    store: Store, filters: AuditFilters, page: int = 1, verified: VerifyResult | None = None
) -> AuditPage:
    first, last = _day(filters.since, "from"), _day(filters.until, "to")
    if first is not None and last is not None and first > last:
        raise InputError(f"the from date {first} is after the to date {last}; swap them")
    entries = list_entries(
        store,
        since=_midnight(first) if first is not None else None,
        until=_midnight(last + timedelta(days=1)) if last is not None else None,
        principal=filters.principal or None,
        action=filters.action or None,
        outcome=filters.outcome or None,
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )
    rows = [AuditRow.of(e) for e in entries[:PAGE_SIZE]]
    return AuditPage(filters, rows, page_number=page, has_next=len(entries) > PAGE_SIZE, verify=verified)


@router.get("/admin/audit")
def audit_page(
    request: Request,
    store: StoreDep,
    admin: AdminDep,
    since: Annotated[str, Query(alias="from", max_length=20)] = "",
    until: Annotated[str, Query(alias="to", max_length=20)] = "",
    principal: Text = "",
    action: Text = "",
    outcome: Text = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    filters = AuditFilters(*(v.strip() for v in (since, until, principal, action, outcome)))
    context = _audit_page(store, filters, page)
    return respond(request, admin, context, full="admin/audit.html", fragment="admin/_audit_entries.html")


@router.post("/admin/audit/verify")
def verify_chain(request: Request, store: StoreDep, admin: AdminDep) -> HTMLResponse:
    result = verify(store)
    if is_htmx(request):
        return render(request, "admin/_verify.html", VerifyFragment(result))
    page = _audit_page(store, AuditFilters(), verified=result)
    return render(request, "admin/audit.html", page, shell=shell_for(request, admin))
