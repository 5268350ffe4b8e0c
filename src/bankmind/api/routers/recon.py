"""`/api/recon`: valuation reconciliation (估值表核对) over HTTP: upload a pair or a batch, follow the
job, read the stored runs and their breaks, mark breaks explained or resolved, export a workbook.

    POST  /api/recon/compare              multipart `manager`, `custodian` (+ `abs_tol`): 202, a job
    POST  /api/recon/batch                multipart `files` (repeated; 管理人/托管人 in the names): 202
    GET   /api/recon/runs                 stored runs the caller may see (`product`, `batch_id`, `limit`)
    GET   /api/recon/runs/{id}            one run with its breaks (both sides, source cells, follow-up)
    PATCH /api/recon/breaks/{id}          JSON `{"status": "explained", "comment": "…"}`
    POST  /api/recon/runs/{id}/narratives a verified narrative per root break (needs a chat model)
    GET   /api/recon/export               the runs of `run_id` / `batch_id` / `product` as .xlsx

Files enter through `documents.accept_upload` (size limit, type sniffed: .xlsx, .xls or .csv only,
zip-bomb guard). A pair whose file is refused is refused at once with the reason; in a batch a refused
file is listed as unpaired with its reason and the rest goes on. Each job's result names the stored
runs (`runs`), and for a batch the files left unpaired. Every upload and every status change is
audited (`recon.compare`, `recon.batch`, `recon.break`). The workbench page calls these functions.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from bankmind.api.deps import GatewayDep, PrincipalDep, RunnerDep, SettingsDep, StoreDep
from bankmind.api.job_uploads import accept_file, job_accepted
from bankmind.api.routers.jobs import JobAccepted
from bankmind.config import Settings
from bankmind.documents import sanitize_filename
from bankmind.errors import BankmindError, InputError
from bankmind.guard.audit import audited
from bankmind.guard.gateway import Gateway
from bankmind.recon.batch import reconcile_folder
from bankmind.recon.compare import Tolerances, reconcile
from bankmind.recon.narrative import gateway_chat, narrate
from bankmind.recon.parse import parse_table
from bankmind.recon.runs import (
    MAX_COMMENT_CHARS,
    BreakStatus,
    BreakView,
    RunDetail,
    RunView,
    get_run,
    list_runs,
    save_narratives,
    save_run,
    set_status,
)
from bankmind.recon.workbook import ProductSheet, write_workbook
from bankmind.store import Store
from bankmind.store.blobs import BlobStore, DocumentView
from bankmind.store.jobs import JobRunner, Progress
from bankmind.types import Principal

__all__ = [
    "MAX_BATCH_FILES",
    "NarrativeResult",
    "StatusChange",
    "change_status",
    "export_workbook",
    "narrate_run",
    "router",
    "submit_batch",
    "submit_compare",
]

router = APIRouter(prefix="/api/recon", tags=["recon"])

MAX_BATCH_FILES = 1000
"""Most files in one batch upload (500 pairs); larger daily runs use `bankmind recon batch DIR`."""
TABLE_KINDS = frozenset({"xlsx", "xls", "csv"})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TOLERANCE = Form(ge=0, le=1_000_000, description="Tolerance for money fields, in yuan.")


class StatusChange(BaseModel):
    status: BreakStatus
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS)


class NarrativeResult(BaseModel):
    narrated: int = Field(description="Breaks that received a verified narrative now.")
    note: str | None = Field(None, description="Why no narrative was written, when none was.")
    run: RunDetail


# --- uploads and jobs -----------------------------------------------------------------------------


def submit_compare(
    settings: Settings,
    store: Store,
    runner: JobRunner,
    principal: Principal,
    manager: UploadFile,
    custodian: UploadFile,
    *,
    abs_tol: float,
    via: str,
) -> str:
    """Store both tables (a refused file fails the request) and start a job reconciling them."""
    with audited(store, principal, "recon.compare", via=via) as details:
        sides = [accept_file(settings, store, principal, f, kinds=TABLE_KINDS) for f in (manager, custodian)]
        details.update(documents=[d.id for d in sides], abs_tol=str(abs_tol))

        def work(progress: Progress) -> dict[str, Any]:
            with tempfile.TemporaryDirectory(prefix="bankmind-recon-") as tmp:
                paths = _materialise(settings, sides, Path(tmp))
                progress(0.2, sides[0].filename)
                m_table = parse_table(paths[0])
                progress(0.5, sides[1].filename)
                c_table = parse_table(paths[1])
            result = reconcile(m_table, c_table, tolerances=Tolerances.money(abs_tol))
            run = save_run(
                store, result, manager_file=sides[0].filename, custodian_file=sides[1].filename, by=principal
            )
            progress(1.0, run.product)
            return {"runs": [_run_result(run)], "unpaired": []}

        params = {"manager": sides[0].filename, "custodian": sides[1].filename, "abs_tol": abs_tol}
        details["job_id"] = job_id = runner.submit(
            "recon.compare", work, params=params, owner_id=principal.user_id
        )
    return job_id


def submit_batch(
    settings: Settings,
    store: Store,
    runner: JobRunner,
    principal: Principal,
    files: Sequence[UploadFile],
    *,
    abs_tol: float,
    via: str,
) -> str:
    """Store the tables (a refused one is listed as unpaired) and start a job reconciling every pair."""
    if not files:
        raise InputError("no files in the batch; send the managers' and custodians' tables as `files`")
    if len(files) > MAX_BATCH_FILES:
        raise InputError(
            f"{len(files)} files in one upload; send at most {MAX_BATCH_FILES} "
            "(or run `bankmind recon batch DIR` on the server for a larger folder)"
        )
    batch_id = str(uuid.uuid4())
    with audited(store, principal, "recon.batch", via=via, batch_id=batch_id) as details:
        accepted: list[DocumentView] = []
        refused: list[dict[str, str]] = []
        for file in files:
            try:
                accepted.append(accept_file(settings, store, principal, file, kinds=TABLE_KINDS))
            except BankmindError as exc:
                refused.append(
                    {"file": sanitize_filename(file.filename), "reason": f"refused: {exc.message}"}
                )
        details.update(files=len(files), refused=len(refused), abs_tol=str(abs_tol))

        def work(progress: Progress) -> dict[str, Any]:
            if not accepted:
                return {"batch_id": batch_id, "runs": [], "unpaired": refused}
            with tempfile.TemporaryDirectory(prefix="bankmind-recon-") as tmp:
                _materialise(settings, accepted, Path(tmp))
                pairs, unpaired = reconcile_folder(
                    Path(tmp), workers=2, abs_tol=abs_tol, progress=lambda f, m: progress(0.9 * f, m)
                )
            runs = []
            for done, pair in enumerate(pairs, start=1):
                run = save_run(
                    store, pair.result, manager_file=pair.manager_file, custodian_file=pair.custodian_file,
                    by=principal, batch_id=batch_id,
                )  # fmt: skip
                runs.append(_run_result(run))
                progress(0.9 + 0.1 * done / len(pairs), run.product)
            left = refused + [u.model_dump() for u in unpaired]
            return {"batch_id": batch_id, "runs": runs, "unpaired": sorted(left, key=lambda u: u["file"])}

        params = {"batch_id": batch_id, "files": len(files), "abs_tol": abs_tol}
        details["job_id"] = job_id = runner.submit(
            "recon.batch", work, params=params, owner_id=principal.user_id
        )
    return job_id


def _materialise(settings: Settings, documents: Sequence[DocumentView], folder: Path) -> list[Path]:
    """The stored files under their own names in `folder` (a repeated name gets a `~n` suffix)."""
    blobs, paths = BlobStore(settings.blobs_dir), []
    for n, doc in enumerate(documents):
        path = folder / doc.filename
        if path.exists():
            path = folder / f"{path.stem}~{n}{path.suffix}"
        path.write_bytes(blobs.read(doc.content_hash))
        paths.append(path)
    return paths


def _run_result(run: RunView) -> dict[str, Any]:
    keys = (
        "id",
        "product",
        "valuation_date",
        "severity",
        "breaks",
        "new_breaks",
        "carried_breaks",
        "cleared",
    )
    return run.model_dump(mode="json", include=set(keys))


# --- follow-up, narratives and export ---------------------------------------------------------------


def change_status(
    store: Store, principal: Principal, break_id: int, change: StatusChange, *, via: str
) -> BreakView:
    """Mark a break explained / resolved / open again, with a comment (audited, never the comment text)."""
    with audited(
        store, principal, "recon.break", via=via, break_id=break_id, status=change.status
    ) as details:
        view = set_status(store, break_id, change.status, change.comment, by=principal)
        details.update(run_id=view.run_id, kind=view.kind)
    return view


def narrate_run(store: Store, gateway: Gateway, principal: Principal, run_id: str) -> NarrativeResult:
    """Ask the chat model for a narrative per root break of the run that has none; keep only those
    whose every number is among the break's own facts."""
    run = get_run(store, run_id, principal)
    chat = gateway_chat(gateway, principal)
    if chat is None:
        return NarrativeResult(
            narrated=0, note="no chat model is configured; the explanations stand alone", run=run
        )
    todo = [b for b in run.breaks_list if not b.knock_on and not b.narrative]
    texts = narrate([b.as_break() for b in todo], chat)
    kept = {b.id: text for b, text in zip(todo, texts, strict=True) if text}
    save_narratives(store, kept)
    note = None if kept or not todo else "the model's narratives did not hold up against the figures"
    return NarrativeResult(narrated=len(kept), note=note, run=get_run(store, run_id, principal))


def export_workbook(
    store: Store,
    principal: Principal,
    *,
    run_id: str | None = None,
    batch_id: str | None = None,
    product: str | None = None,
) -> bytes:
    """The chosen runs (one run, a batch or a product's history) as the reconciliation workbook."""
    if run_id:
        runs: list[RunView] = [get_run(store, run_id, principal)]
    elif batch_id or product:
        runs = list_runs(store, principal, batch_id=batch_id, product=product, limit=MAX_BATCH_FILES)
    else:
        raise InputError("say what to export: run_id, batch_id or product")
    if not runs:
        raise InputError("no stored runs match; nothing to export")
    sheets = []
    for run in runs:
        detail = run if isinstance(run, RunDetail) else get_run(store, run.id, principal)
        sheets.append(
            ProductSheet(
                product=detail.product or detail.custodian_file,
                valuation_date=str(detail.valuation_date or ""),
                severity=detail.severity,
                rows_compared=int(detail.summary.get("rows_compared", 0)),
                manager_file=detail.manager_file,
                custodian_file=detail.custodian_file,
                report=detail.id,
                breaks=detail.breaks_list,
            )
        )
    buffer = BytesIO()
    write_workbook(buffer, sheets, follow_up=True)
    return buffer.getvalue()


# --- routes ---------------------------------------------------------------------------------------


@router.post("/compare", status_code=202, response_model=JobAccepted)
def compare(
    settings: SettingsDep,
    store: StoreDep,
    runner: RunnerDep,
    principal: PrincipalDep,
    manager: Annotated[UploadFile, File(description="The fund manager's 估值表 (.xlsx, .xls or .csv).")],
    custodian: Annotated[UploadFile, File(description="The custodian's 估值表 of the same fund and day.")],
    abs_tol: Annotated[float, _TOLERANCE] = 0.01,
) -> JSONResponse:
    """Reconcile one pair in a job; its result names the stored run."""
    job_id = submit_compare(
        settings, store, runner, principal, manager, custodian, abs_tol=abs_tol, via="api"
    )
    return job_accepted(job_id)


@router.post("/batch", status_code=202, response_model=JobAccepted)
def batch(
    settings: SettingsDep,
    store: StoreDep,
    runner: RunnerDep,
    principal: PrincipalDep,
    files: Annotated[
        list[UploadFile], File(description="Managers' and custodians' tables (管理人/托管人 in names).")
    ],
    abs_tol: Annotated[float, _TOLERANCE] = 0.01,
) -> JSONResponse:
    """Pair the tables by product and date and reconcile each pair in a job."""
    job_id = submit_batch(settings, store, runner, principal, files, abs_tol=abs_tol, via="api")
    return job_accepted(job_id)


@router.get("/runs")
def runs(
    store: StoreDep,
    principal: PrincipalDep,
    product: str | None = Query(None, max_length=300),
    batch_id: str | None = Query(None, max_length=36),
    limit: int = Query(200, ge=1, le=MAX_BATCH_FILES),
) -> list[RunView]:
    """Stored runs the caller may see (their own and their department's), newest day first."""
    return list_runs(store, principal, product=product, batch_id=batch_id, limit=limit)


@router.get("/runs/{run_id}")
def run(run_id: str, store: StoreDep, principal: PrincipalDep) -> RunDetail:
    """One run with every break: both sides' figures, source cells, new or carried over, follow-up."""
    return get_run(store, run_id, principal)


@router.patch("/breaks/{break_id}")
def break_status(break_id: int, body: StatusChange, store: StoreDep, principal: PrincipalDep) -> BreakView:
    """Mark a break explained or resolved (a comment is required) or open again."""
    return change_status(store, principal, break_id, body, via="api")


@router.post("/runs/{run_id}/narratives")
def narratives(run_id: str, store: StoreDep, gateway: GatewayDep, principal: PrincipalDep) -> NarrativeResult:
    """A short model narrative per root break, kept only when every number in it is the break's own."""
    return narrate_run(store, gateway, principal, run_id)


@router.get("/export", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def export(
    store: StoreDep,
    principal: PrincipalDep,
    run_id: str | None = Query(None, max_length=36),
    batch_id: str | None = Query(None, max_length=36),
    product: str | None = Query(None, max_length=300),
) -> Response:
    """The runs as the reconciliation workbook, with each break's status and comment."""
    data = export_workbook(store, principal, run_id=run_id, batch_id=batch_id, product=product)
    name = "recon.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
