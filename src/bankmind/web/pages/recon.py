"""`/recon`: valuation reconciliation (估值核对): upload a pair or a batch of 估值表, read the stored
runs by product with their severity, drill down to a run's breaks (both sides' figures and source
cells side by side), mark root breaks explained or resolved with a comment, export the workbook.

Uploads run as jobs whose fragment (`jobs/_job.html`, result in `jobs/results/recon.*.html`) polls
until done; the runs table then refreshes itself on the `job-finished` event. A status change swaps
its one row; a refused one (no comment) comes back as the same row with the reason. Everything goes
through the functions of `api/routers/recon.py`, so the page reads exactly what the API would give
the same user (a run of another department is the normal 404). Export links go to
`/api/recon/export`, which accepts the web session for GET.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bankmind.api.deps import GatewayDep, PrincipalDep, RunnerDep, SettingsDep, StoreDep
from bankmind.api.routers.recon import StatusChange, change_status, narrate_run, submit_batch, submit_compare
from bankmind.config import Settings
from bankmind.errors import InputError
from bankmind.recon.runs import (
    MAX_COMMENT_CHARS,
    BreakStatus,
    BreakView,
    RunDetail,
    RunView,
    get_break,
    get_run,
    list_runs,
)
from bankmind.store import Store
from bankmind.types import Principal
from bankmind.web.pages.jobs_start import UploadForm, start_job, upload_mb
from bankmind.web.render import Refusal, is_htmx, render, shell_for

__all__ = ["BreakFragment", "BreakRow", "ReconPage", "Refusal", "RunPage", "figure", "router"]

router = APIRouter()

Figure = float | int | str | Decimal | None
_DIGITS = {"price": 4, "unit_cost": 4, "unit_nav": 4}
"""Decimals shown per field (money: 2), as the 估值表 print them."""
_TOLERANCE = Form(ge=0, le=1_000_000)
_COMMENT_REQUIRED = "recon.comment_required"


def figure(value: Figure, field: str = "", *, signed: bool = False) -> str:
    """A figure as a reader checks it against the table: thousands separators, the field's decimals
    (whole quantities without any), `+`/`-` on differences; blank when the side has none."""
    if value is None or value == "":
        return ""
    number = float(value)
    digits = 0 if field == "quantity" and number.is_integer() else _DIGITS.get(field, 2)
    return f"{number:{'+' if signed else ''},.{digits}f}"


@dataclass(frozen=True)
class ReconPage(UploadForm):
    """Context of `recon/index.html` and `recon/_runs.html`."""

    runs: list[RunView]
    product: str | None
    batch_id: str | None

    @property
    def query(self) -> str:
        """The filter as a query string (for the list refresh and the export)."""
        return urlencode({k: v for k, v in (("product", self.product), ("batch_id", self.batch_id)) if v})

    @property
    def products(self) -> list[str]:
        return sorted({r.product for r in self.runs if r.product})


@dataclass(frozen=True)
class BreakRow:
    """A break as its table row shows it; `error` is a refused status change's reason."""

    b: BreakView
    error: str | None = None
    error_key: str | None = None

    @property
    def manager(self) -> str:
        return figure(self.b.manager, self.b.field)

    @property
    def custodian(self) -> str:
        return figure(self.b.custodian, self.b.field)

    @property
    def difference(self) -> str:
        return figure(self.b.difference, self.b.field, signed=True)


@dataclass(frozen=True)
class RunPage:
    """Context of `recon/run.html`, `recon/_breaks.html` and (as `row`) `recon/_break.html`."""

    run: RunDetail
    rows: list[BreakRow]
    narrated: int | None = None
    note: str | None = None
    max_comment: int = MAX_COMMENT_CHARS

    def fig(self, value: Figure, field: str = "", signed: bool = False) -> str:
        """`figure` for the run's header (unit NAV, NAV and their differences)."""
        return figure(value, field, signed=signed)


@dataclass(frozen=True)
class BreakFragment:
    """Context of `recon/_break.html` alone (the row a status change swaps)."""

    row: BreakRow
    max_comment: int = MAX_COMMENT_CHARS


# --- the summary and the uploads -------------------------------------------------------------------

Product = Annotated[str | None, Query(max_length=300)]
BatchId = Annotated[str | None, Query(max_length=36)]


def _page(
    settings: Settings,
    store: Store,
    principal: Principal,
    product: str | None = None,
    batch_id: str | None = None,
) -> ReconPage:
    runs = list_runs(store, principal, product=product or None, batch_id=batch_id or None)
    return ReconPage(runs, product or None, batch_id or None, max_mb=upload_mb(settings))


@router.get("/recon")
def recon_page(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    principal: PrincipalDep,
    product: Product = None,
    batch_id: BatchId = None,
) -> HTMLResponse:
    return _runs_view(request, settings, store, principal, product, batch_id, "recon/index.html")


@router.get("/recon/summary")
def summary_fragment(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    principal: PrincipalDep,
    product: Product = None,
    batch_id: BatchId = None,
) -> HTMLResponse:
    """The runs table alone (refreshed when an upload's job has finished)."""
    return _runs_view(request, settings, store, principal, product, batch_id, "recon/_runs.html")


def _runs_view(
    request: Request,
    settings: Settings,
    store: Store,
    principal: Principal,
    product: str | None,
    batch_id: str | None,
    template: str,
) -> HTMLResponse:
    page = _page(settings, store, principal, product, batch_id)
    return render(request, template, page, shell=shell_for(request, principal))


def _submitted(
    request: Request, settings: Settings, store: Store, principal: Principal, start: Callable[[], str]
) -> HTMLResponse:
    """Start the job (`jobs_start` says what htmx and a plain form post get back)."""
    page = partial(_page, settings, store, principal)
    return start_job(request, store, principal, start, template="recon/index.html", page=page)


def _chosen(file: UploadFile | None) -> UploadFile | None:
    """The file, unless the form sent an empty file field (nothing chosen)."""
    return file if file is not None and file.filename else None


@router.post("/recon/compare")
def compare_page(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    runner: RunnerDep,
    principal: PrincipalDep,
    manager: Annotated[UploadFile | None, File()] = None,
    custodian: Annotated[UploadFile | None, File()] = None,
    abs_tol: Annotated[float, _TOLERANCE] = 0.01,
) -> HTMLResponse:
    def start() -> str:
        left, right = _chosen(manager), _chosen(custodian)
        if left is None or right is None:
            raise InputError("choose both tables: the manager's 估值表 and the custodian's 估值表")
        return submit_compare(settings, store, runner, principal, left, right, abs_tol=abs_tol, via="web")

    return _submitted(request, settings, store, principal, start)


@router.post("/recon/batch")
def batch_page(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    runner: RunnerDep,
    principal: PrincipalDep,
    files: Annotated[list[UploadFile] | None, File()] = None,
    abs_tol: Annotated[float, _TOLERANCE] = 0.01,
) -> HTMLResponse:
    chosen = [f for f in files or [] if _chosen(f)]
    start = partial(submit_batch, settings, store, runner, principal, chosen, abs_tol=abs_tol, via="web")
    return _submitted(request, settings, store, principal, start)


# --- one run: its breaks, their follow-up, narratives ---------------------------------------------


def _run_page(
    run: RunDetail, *, failed: BreakRow | None = None, narrated: int | None = None, note: str | None = None
) -> RunPage:
    """The run's rows; `failed` replaces its break's row (a refused status change, with the reason)."""
    rows = [failed if failed is not None and failed.b.id == b.id else BreakRow(b) for b in run.breaks_list]
    return RunPage(run, rows, narrated=narrated, note=note)


@router.get("/recon/runs/{run_id}")
def run_page(run_id: str, request: Request, store: StoreDep, principal: PrincipalDep) -> HTMLResponse:
    page = _run_page(get_run(store, run_id, principal))
    return render(request, "recon/run.html", page, shell=shell_for(request, principal))


@router.post("/recon/breaks/{break_id}")
def status_page(
    break_id: int,
    request: Request,
    store: StoreDep,
    principal: PrincipalDep,
    status: Annotated[BreakStatus, Form()],
    comment: Annotated[str, Form(max_length=MAX_COMMENT_CHARS)] = "",
) -> Response:
    """Mark a root break; htmx swaps the row, a plain form post goes back to the run."""
    shell = shell_for(request, principal)
    try:
        view = change_status(
            store, principal, break_id, StatusChange(status=status, comment=comment), via="web"
        )
    except InputError as exc:
        # the backend's rule, phrased for this page when it is the missing comment
        needs_comment = status != "open" and not comment.strip()
        row = BreakRow(
            get_break(store, break_id, principal), exc.message, _COMMENT_REQUIRED if needs_comment else None
        )
        if is_htmx(request):
            return render(request, "recon/_break.html", BreakFragment(row), shell=shell, status_code=422)
        page = _run_page(get_run(store, row.b.run_id, principal), failed=row)
        return render(request, "recon/run.html", page, shell=shell, status_code=422)
    if is_htmx(request):
        return render(request, "recon/_break.html", BreakFragment(BreakRow(view)), shell=shell)
    return RedirectResponse(f"/recon/runs/{view.run_id}#break-{view.id}", status_code=303)


@router.post("/recon/runs/{run_id}/narratives")
def narratives_page(
    run_id: str, request: Request, store: StoreDep, gateway: GatewayDep, principal: PrincipalDep
) -> HTMLResponse:
    """Ask the model for narratives (it never raises for the model's sake); the breaks come back
    with them, or with why none was written."""
    result = narrate_run(store, gateway, principal, run_id)
    page = _run_page(result.run, narrated=result.narrated, note=result.note)
    template = "recon/_breaks.html" if is_htmx(request) else "recon/run.html"
    return render(request, template, page, shell=shell_for(request, principal))
