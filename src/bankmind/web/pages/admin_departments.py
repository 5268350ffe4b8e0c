"""`/admin/departments` (departments and their model policy) and `/admin/usage` (tokens per day)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from bankmind.api.deps import StoreDep
from bankmind.errors import InputError
from bankmind.guard.quotas import UsageRow, local_day, usage_report
from bankmind.store import Store
from bankmind.store.departments import (
    DepartmentPolicy,
    create_department,
    list_departments,
    update_department,
)
from bankmind.web.pages.admin import AdminDep, Notice, record, respond
from bankmind.web.render import render, shell_for

__all__ = ["DepartmentsPage", "UsageLine", "UsagePage", "router"]

router = APIRouter()

USAGE_DAYS = 7  # today and the six days before it

Flag = Annotated[bool, Form()]
Quota = Annotated[str, Form(max_length=20)]


@dataclass(frozen=True)
class DepartmentsPage:
    """Context of `admin/departments.html`, `admin/_departments.html` and `admin/_departments_done.html`."""

    departments: list[DepartmentPolicy]
    notice: Notice | None = None


@dataclass(frozen=True)
class UsageLine:
    """One department's tokens on each shown day (oldest first, today last) and today's counts."""

    department: str | None
    tokens_per_day: int | None
    tokens: tuple[int, ...]
    today: UsageRow | None

    @property
    def total(self) -> int:
        return sum(self.tokens)

    @property
    def share_today(self) -> int | None:
        """Per cent of today's quota used (None without a quota; a quota of 0 is all used)."""
        if self.tokens_per_day is None:
            return None
        used = self.today.tokens if self.today is not None else 0
        return round(100 * used / self.tokens_per_day) if self.tokens_per_day else 100


@dataclass(frozen=True)
class UsagePage:
    """Context of `admin/usage.html`: every configured or used department, per day."""

    today: date
    days: tuple[date, ...]
    lines: list[UsageLine]


def _quota(text: str) -> int | None:
    """The form's tokens-per-day field: empty for no limit."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    if not text.isdigit():
        raise InputError(
            f"tokens per day '{text[:20]}' must be a whole number of 0 or more; leave it empty for no limit"
        )
    return int(text)


def _departments_page(store: Store, notice: Notice | None = None) -> DepartmentsPage:
    return DepartmentsPage(list_departments(store), notice)


@router.get("/admin/departments")
def departments_page(request: Request, store: StoreDep, admin: AdminDep) -> HTMLResponse:
    page = _departments_page(store)
    return render(request, "admin/departments.html", page, shell=shell_for(request, admin))


@router.post("/admin/departments")
def add_department(
    request: Request,
    store: StoreDep,
    admin: AdminDep,
    name: Annotated[str, Form(max_length=100)],
    no_external: Flag = False,
    mask_internal: Flag = False,
    keep_masked_text: Flag = False,
    tokens_per_day: Quota = "",
) -> HTMLResponse:
    policy = create_department(
        store,
        name,
        no_external=no_external,
        mask_internal=mask_internal,
        keep_masked_text=keep_masked_text,
        tokens_per_day=_quota(tokens_per_day),
    )
    record(store, admin, "department.add", **policy.model_dump())
    page = _departments_page(store, Notice("admin.departments.added", {"name": policy.name}))
    return respond(
        request,
        admin,
        page,
        full="admin/departments.html",
        fragment="admin/_departments_done.html",
        status_code=201,
    )


@router.post("/admin/departments/policy")
def set_policy(
    request: Request,
    store: StoreDep,
    admin: AdminDep,
    name: Annotated[str, Form(max_length=100)],
    no_external: Flag = False,
    mask_internal: Flag = False,
    keep_masked_text: Flag = False,
    tokens_per_day: Quota = "",
) -> HTMLResponse:
    quota = _quota(tokens_per_day)
    policy = update_department(
        store,
        name,
        no_external=no_external,
        mask_internal=mask_internal,
        keep_masked_text=keep_masked_text,
        tokens_per_day=quota,
        remove_quota=quota is None,
    )
    record(store, admin, "department.update", **policy.model_dump())
    page = _departments_page(store, Notice("admin.departments.saved", {"name": policy.name}))
    return respond(
        request, admin, page, full="admin/departments.html", fragment="admin/_departments_done.html"
    )


def _usage_page(store: Store) -> UsagePage:
    today = local_day()
    days = tuple(today - timedelta(days=n) for n in range(USAGE_DAYS - 1, -1, -1))
    rows = usage_report(store, since=days[0], until=today)
    quotas: dict[str | None, int | None] = {d.name: d.tokens_per_day for d in list_departments(store)}
    for row in rows:
        quotas.setdefault(row.department, row.tokens_per_day)
    by_key = {(row.department, row.day): row for row in rows}
    lines = [
        UsageLine(
            department=name,
            tokens_per_day=quota,
            tokens=tuple(by_key[(name, day)].tokens if (name, day) in by_key else 0 for day in days),
            today=by_key.get((name, today)),
        )
        for name, quota in sorted(quotas.items(), key=lambda item: (item[0] is None, item[0] or ""))
    ]
    return UsagePage(today, days, lines)


@router.get("/admin/usage")
def usage_page(request: Request, store: StoreDep, admin: AdminDep) -> HTMLResponse:
    return render(request, "admin/usage.html", _usage_page(store), shell=shell_for(request, admin))
