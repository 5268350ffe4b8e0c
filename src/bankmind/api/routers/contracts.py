"""`/api/contracts`: contract quality inspection (合同质检) over HTTP: upload one contract or a
transaction of several, follow the job, read the stored runs with their findings, fetch a page
image to draw the evidence on, export the findings.

    POST /api/contracts/inspect                          multipart `files` (repeated), optional
                                                         `review`, `vision` (true|false): 202, a job
    GET  /api/contracts/runs                             stored runs the caller may see (`limit`)
    GET  /api/contracts/runs/{id}                        one run: each file's inspection
    GET  /api/contracts/runs/{id}/files/{n}/pages/{p}.png  page p of file n (PDF, image) as PNG
    GET  /api/contracts/runs/{id}/files/{n}/report       file n annotated (PDF highlights, DOCX comments)
    GET  /api/contracts/runs/{id}/export                 the findings as .xlsx

Files enter through `documents.accept_upload` (size limit, type sniffed: PDF, DOCX, TXT or an
image, zip-bomb guard); the files of one upload are one transaction, so a refused file refuses the
request with its reason. The job's result names the stored run (`run_id`) and holds each file's
inspection as `bankmind contract inspect --format json` prints it (with its `file`). Uploads are
audited (`contracts.inspect`: document ids, never names). The workbench page calls these functions.

`review=true` asks the chat model to review the clauses and `vision=true` shows doubtful seals and
signature slots to the vision model (`contracts.inspect`), both through the gateway as the caller
(policy, quotas, audit). A model that is not configured is no error: the job's `notes` say so and
the inspection runs without it, as `bankmind contract inspect --review/--vision` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from bankmind.api.deps import GatewayDep, PrincipalDep, RunnerDep, SettingsDep, StoreDep
from bankmind.api.job_uploads import accept_file, job_accepted
from bankmind.api.routers.jobs import JobAccepted
from bankmind.config import Settings
from bankmind.contracts.inspect import CONTRACT_KINDS, cross_check, inspect_bytes
from bankmind.contracts.preview import PageImage, page_image
from bankmind.contracts.report import report_name, report_target, write_report
from bankmind.contracts.review import gateway_chat
from bankmind.contracts.rules import load_rules
from bankmind.contracts.runs import RunDetail, RunView, StoredFile, get_run, list_runs, save_run
from bankmind.contracts.vision import gateway_vision
from bankmind.contracts.workbook import findings_workbook
from bankmind.documents.filenames import quoted
from bankmind.errors import InputError, NotFound
from bankmind.guard.audit import audited
from bankmind.guard.chat import Chat, model_for_role
from bankmind.guard.gateway import Gateway
from bankmind.store import Store
from bankmind.store.blobs import BlobStore
from bankmind.store.jobs import JobRunner, Progress
from bankmind.types import Principal
from bankmind.web.i18n import Translator

__all__ = [
    "MAX_FILES",
    "XLSX",
    "InspectionModels",
    "export_findings",
    "file_bytes",
    "inspection_models",
    "model_names",
    "page_png",
    "report_file",
    "router",
    "submit_inspect",
]

router = APIRouter(prefix="/api/contracts", tags=["contracts"])

MAX_FILES = 20
"""Most files in one upload: a loan contract with the contracts securing it, with room to spare."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PNG = "image/png"
_REPORT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


# --- uploads and jobs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class InspectionModels:
    """The models an inspection asks (None: not asked, or not configured) and why one is missing."""

    chat: Chat | None = None
    vision: Chat | None = None
    notes: tuple[str, ...] = ()


def inspection_models(
    gateway: Gateway, principal: Principal, *, review: bool, vision: bool, request_id: str | None = None
) -> InspectionModels:
    """The chat model for `review` and the vision model for `vision`, through the gateway as
    `principal`; a note for each asked for but not configured."""
    chat = gateway_chat(gateway, principal, request_id=request_id) if review else None
    seer = gateway_vision(gateway, principal, request_id=request_id) if vision else None
    notes = []
    if review and chat is None:
        notes.append("review: no chat model is configured; the contracts were inspected without the review")
    if vision and seer is None:
        notes.append("vision: no vision model is configured; the seal and signature detectors decided alone")
    return InspectionModels(chat, seer, tuple(notes))


def model_names(gateway: Gateway) -> tuple[str | None, str | None]:
    """The served names of the chat model `review` asks and of the vision model `vision` asks
    (None: not configured), so a form can say what it offers."""
    return model_for_role(gateway, "chat"), model_for_role(gateway, "vision")


def submit_inspect(
    settings: Settings,
    store: Store,
    runner: JobRunner,
    principal: Principal,
    files: Sequence[UploadFile],
    *,
    via: str,
    models: InspectionModels | None = None,
) -> str:
    """Store the files (one refused file refuses the upload) and start a job inspecting them as one
    transaction, with `models` when given; its result names the stored run."""
    models = models or InspectionModels()
    with audited(store, principal, "contracts.inspect", via=via) as details:
        if not files:
            raise InputError("no contract in the upload; send the files as `files`")
        if len(files) > MAX_FILES:
            raise InputError(
                f"{len(files)} files in one upload; send at most {MAX_FILES} "
                "(a loan contract with the contracts securing it), or run `bankmind contract inspect`"
            )
        documents = [accept_file(settings, store, principal, f, kinds=CONTRACT_KINDS) for f in files]
        details.update(documents=[d.id for d in documents])
        details.update(review=models.chat is not None, vision=models.vision is not None)

        def work(progress: Progress) -> dict[str, Any]:
            blobs, rules = BlobStore(settings.blobs_dir), load_rules()
            results = []
            for n, doc in enumerate(documents):
                progress(0.95 * n / len(documents), doc.filename)
                data = blobs.read(doc.content_hash)
                results.append(
                    inspect_bytes(
                        data,
                        doc.filename,
                        rules=rules,
                        settings=settings,
                        chat=models.chat,
                        vision=models.vision,
                    )
                )
            inspections = cross_check(results)
            keep = {"filename", "kind", "size", "content_hash"}
            stored = [StoredFile(**d.model_dump(include=keep), document_id=d.id) for d in documents]
            run = save_run(store, stored, inspections, by=principal)
            progress(1.0, f"{run.findings} finding(s)")
            return {
                "run_id": run.id,
                "findings": run.findings,
                "inspections": [{"file": i.file, **i.contract_dict()} for i in inspections],
                "notes": list(models.notes),
            }

        params = {"files": [d.filename for d in documents]}
        details["job_id"] = job_id = runner.submit(
            "contracts.inspect", work, params=params, owner_id=principal.user_id
        )
    return job_id


# --- pages and export -----------------------------------------------------------------------------


def file_bytes(settings: Settings, run: RunDetail, n: int) -> tuple[StoredFile, bytes]:
    """The run's `n`th file (1-based) and its original bytes."""
    stored, _ = run.file(n)
    return stored, BlobStore(settings.blobs_dir).read(stored.content_hash)


def page_png(
    settings: Settings, store: Store, principal: Principal, run_id: str, n: int, page: int
) -> PageImage:
    """Page `page` of the run's file `n` as PNG; a DOCX or TXT has none (NotFound says so)."""
    stored, data = file_bytes(settings, get_run(store, run_id, principal), n)
    image = page_image(data, stored.filename, page)
    if image is None:
        raise NotFound(f"{quoted(stored.filename)} is a {stored.kind.upper()} file without page images")
    return image


def report_file(
    settings: Settings, store: Store, principal: Principal, run_id: str, n: int
) -> tuple[str, str, bytes]:
    """The run's file `n` with its findings marked: (file name, media type, bytes) of the report."""
    run = get_run(store, run_id, principal)
    stored, data = file_bytes(settings, run, n)
    target = report_target(data, stored.filename)
    report = write_report(data, stored.filename, run.file(n)[1], target)
    return report_name(stored.filename, target), _REPORT_TYPES[target], report


def export_findings(store: Store, principal: Principal, run_id: str) -> bytes:
    """The run's findings workbook, if `principal` may see the run."""
    t = Translator("zh")
    return findings_workbook(get_run(store, run_id, principal).inspections, lambda key: t(f"contracts.{key}"))


# --- routes ---------------------------------------------------------------------------------------


@router.post("/inspect", status_code=202, response_model=JobAccepted)
def inspect(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    runner: RunnerDep,
    gateway: GatewayDep,
    principal: PrincipalDep,
    files: Annotated[
        list[UploadFile],
        File(description="The contracts (PDF, DOCX, TXT or images); several files are one transaction."),
    ],
    review: Annotated[
        bool,
        Form(
            description='Also ask the chat model to review the clauses (`risky_clause` findings, "low", '
            "each quoting the contract) and to confirm an English contract's clauses."
        ),
    ] = False,
    vision: Annotated[
        bool,
        Form(
            description="Also show doubtful seals and empty-looking signature slots of scanned pages to "
            "the vision model."
        ),
    ] = False,
) -> JSONResponse:
    """Inspect the contracts in a job; its result names the stored run and holds the findings."""
    rid = getattr(request.state, "request_id", None)
    models = inspection_models(gateway, principal, review=review, vision=vision, request_id=rid)
    return job_accepted(submit_inspect(settings, store, runner, principal, files, via="api", models=models))


@router.get("/runs")
def runs(store: StoreDep, principal: PrincipalDep, limit: int = Query(200, ge=1, le=1000)) -> list[RunView]:
    """Stored inspections the caller may see (their own and their department's), newest first."""
    return list_runs(store, principal, limit=limit)


@router.get("/runs/{run_id}")
def run(run_id: str, store: StoreDep, principal: PrincipalDep) -> RunDetail:
    """One inspection: each file's type, fields, findings with evidence, and seals."""
    return get_run(store, run_id, principal)


@router.get(
    "/runs/{run_id}/files/{n}/pages/{page}.png",
    response_class=Response,
    responses={200: {"content": {_PNG: {}}}},
)
def page(
    run_id: str,
    settings: SettingsDep,
    store: StoreDep,
    principal: PrincipalDep,
    n: Annotated[int, Path(ge=1, le=MAX_FILES)],
    page: Annotated[int, Path(ge=1, le=10_000)],
) -> Response:
    """A page of a PDF or image as PNG; `X-Box-Scale` is PNG pixels per evidence-box unit."""
    image = page_png(settings, store, principal, run_id, n, page)
    headers = {"Cache-Control": "private, max-age=3600", "X-Box-Scale": f"{image.scale:.6f}"}
    return Response(image.png, media_type=_PNG, headers=headers)


@router.get(
    "/runs/{run_id}/files/{n}/report",
    response_class=Response,
    responses={200: {"content": {media: {} for media in _REPORT_TYPES.values()}}},
)
def report(
    run_id: str,
    settings: SettingsDep,
    store: StoreDep,
    principal: PrincipalDep,
    n: Annotated[int, Path(ge=1, le=MAX_FILES)],
) -> Response:
    """File `n` annotated: a PDF (or image) as PDF with highlights, a DOCX (or TXT) as DOCX with comments."""
    name, media_type, data = report_file(settings, store, principal, run_id, n)
    disposition = f"attachment; filename=\"report.{name.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


@router.get("/runs/{run_id}/export", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def export(run_id: str, store: StoreDep, principal: PrincipalDep) -> Response:
    """The run's findings as an Excel workbook."""
    data = export_findings(store, principal, run_id)
    name = f"contracts-{run_id[:8]}.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
