"""`/contracts`: contract quality inspection (合同质检): upload contracts (several files are one
transaction), follow the job, list earlier inspections, and read one: per file the findings with a
severity filter beside the document (the model review's `risky_clause` findings among them), the
clause categories of an English contract, each finding and each seal boxed on the page image (PDF,
scan, image) or, for a DOCX or TXT, its lines with the lines of findings marked.

The form offers the model review (`review`) and the vision check (`vision`) as the API does; an
option whose model is not configured stays on the form, disabled, with a note saying so. An upload
runs as a job whose fragment (`jobs/_job.html`) polls until done, then links to the run and shows
the job's notes (a model asked for but not configured); the inspections list refreshes itself on
the `job-finished` event. Boxes are placed in percent of the page (`data-box`, set by
`static/contracts.js`: the Content-Security-Policy forbids inline styles), so they stay on their
text at any display width. Everything goes through the functions of `api/routers/contracts.py`:
the page shows exactly what the API gives the same user.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from bankmind.api.deps import GatewayDep, PrincipalDep, RunnerDep, SettingsDep, StoreDep
from bankmind.api.routers.contracts import file_bytes, inspection_models, model_names, submit_inspect
from bankmind.config import Settings
from bankmind.contracts.preview import Size, page_sizes, text_lines
from bankmind.contracts.runs import RunDetail, RunView, StoredFile, get_run, list_runs
from bankmind.contracts.types import BBox, Evidence, Finding, Inspection, Party, Seal
from bankmind.guard.gateway import Gateway
from bankmind.store import Store
from bankmind.types import Principal
from bankmind.web.pages.jobs_start import UploadForm, start_job, upload_mb
from bankmind.web.render import render, shell_for

__all__ = [
    "CODE_LABELS",
    "SEVERITY_LABELS",
    "ContractsPage",
    "FileView",
    "FindingView",
    "PageView",
    "RunPage",
    "router",
]

router = APIRouter()

SEVERITY_LABELS = {
    "high": "contracts.severity.high",
    "medium": "contracts.severity.medium",
    "low": "contracts.severity.low",
}
CODE_LABELS = {
    "amount_mismatch": "contracts.code.amount_mismatch",
    "missing_clause": "contracts.code.missing_clause",
    "blank_field": "contracts.code.blank_field",
    "date_inconsistent": "contracts.code.date_inconsistent",
    "rate_out_of_range": "contracts.code.rate_out_of_range",
    "invalid_id": "contracts.code.invalid_id",
    "invalid_uscc": "contracts.code.invalid_uscc",
    "party_mismatch": "contracts.code.party_mismatch",
    "missing_seal": "contracts.code.missing_seal",
    "missing_signature": "contracts.code.missing_signature",
    "seal_name_mismatch": "contracts.code.seal_name_mismatch",
    "risky_clause": "contracts.code.risky_clause",
}
"""The message id of each finding code's Chinese / English label."""
FIELD_LABELS = {
    "contract_number": "contracts.field.contract_number",
    "main_contract_number": "contracts.field.main_contract_number",
    "amount": "contracts.field.amount",
    "amount_in_words": "contracts.field.amount_in_words",
    "currency": "contracts.field.currency",
    "purpose": "contracts.field.purpose",
    "interest_rate": "contracts.field.interest_rate",
    "term": "contracts.field.term",
    "start_date": "contracts.field.start_date",
    "end_date": "contracts.field.end_date",
    "repayment": "contracts.field.repayment",
    "guarantee_type": "contracts.field.guarantee_type",
    "default_interest": "contracts.field.default_interest",
    "dispute_resolution": "contracts.field.dispute_resolution",
    "signing_date": "contracts.field.signing_date",
    "signing_place": "contracts.field.signing_place",
}
"""The message id of each extracted field's label, in the order the fields table lists them."""
TYPE_LABELS = {
    "loan": "contracts.type.loan",
    "guarantee": "contracts.type.guarantee",
    "mortgage": "contracts.type.mortgage",
    "pledge": "contracts.type.pledge",
    "other": "contracts.type.other",
}


@dataclass(frozen=True)
class ContractsPage(UploadForm):
    """Context of `contracts/index.html` and `contracts/_runs.html`."""

    runs: list[RunView]
    review_model: str | None
    """The chat model the review asks; None: not configured (the option is shown disabled)."""
    vision_model: str | None
    """The vision model the seal and signature check asks; None: not configured."""


@dataclass(frozen=True)
class FindingView:
    """A finding as the list and the viewer show it; `target` is the id of its box or line."""

    id: str
    finding: Finding
    page: int | None
    box: str | None
    """`left top width height` in percent of the page, for `contracts.js`; None without a box."""
    target: str | None


@dataclass(frozen=True)
class EvidenceRow:
    """A party, a field or an English clause as its table shows it; clicking it shows `target`
    (its box on the page image, or its line of a DOCX or TXT) as a finding's click does."""

    id: str
    label: str
    """A message id (a field's label), or text as written (a party's role, a clause's category)."""
    value: str
    details: list[tuple[str, str]]
    """(message id, text) lines under the value: a party's ID number and legal representative."""
    page: int
    box: str | None
    target: str | None


@dataclass(frozen=True)
class PageView:
    """One page of a paged file: its image URL, the boxes of its findings, of the parties, fields
    and clauses read on it (`evidence`, shown when their row is clicked) and of its seals."""

    number: int
    image: str
    size: Size
    """Width and height in evidence-box units (the sheet's aspect ratio)."""
    findings: list[FindingView]
    seals: list[tuple[Seal, str]]
    evidence: list[EvidenceRow]


@dataclass(frozen=True)
class FileView:
    """One inspected file: its findings, and its pages (PDF, image) or its lines (DOCX, TXT)."""

    n: int
    stored: StoredFile
    inspection: Inspection
    findings: list[FindingView]
    pages: list[PageView]
    lines: list[tuple[str, bool]]
    """(text, holds a finding's evidence) per line of a DOCX or TXT."""
    fields: list[EvidenceRow]
    """The parties, then each field read (`FIELD_LABELS` order)."""
    clauses: list[EvidenceRow]
    """An English contract's clause categories, as `inspection.clauses` orders them."""

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(f.finding.severity == s for f in self.findings) for s in SEVERITY_LABELS}


@dataclass(frozen=True)
class RunPage:
    """Context of `contracts/run.html`."""

    run: RunDetail
    files: list[FileView]

    @staticmethod
    def code_label(code: str) -> str:
        """The message id of a finding code's label."""
        return CODE_LABELS.get(code, code)

    @staticmethod
    def severity_label(severity: str) -> str:
        return SEVERITY_LABELS[severity]

    @staticmethod
    def type_label(kind: str) -> str:
        return TYPE_LABELS[kind]


def _box(bbox: BBox | None, size: Size) -> str | None:
    if bbox is None or size[0] <= 0 or size[1] <= 0:
        return None
    x0, y0, x1, y1 = bbox
    width, height = size
    values = (x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height)
    return " ".join(f"{100 * v:.3f}" for v in values)


def _file_view(run: RunDetail, n: int, data: bytes) -> FileView:
    stored, inspection = run.file(n)
    sizes = page_sizes(data, stored.filename)
    lines = [] if sizes else text_lines(data, stored.filename)

    def place(evidence: Evidence | None, box_id: str) -> tuple[int | None, str | None, str | None]:
        """The evidence's page, its box on that page's image and the id a click scrolls to."""
        page = evidence.page if evidence else None
        box = _box(evidence.bbox, sizes[page - 1]) if evidence and page and page <= len(sizes) else None
        target = box_id if box else None
        if not sizes and evidence and evidence.text:
            line = next((k for k, text in enumerate(lines) if _holds(text, evidence.text)), None)
            target = f"line-{n}-{line}" if line is not None else None
        return page, box, target

    findings = [
        FindingView(f"finding-{n}-{i}", f, *place(f.evidence, f"box-{n}-{i}"))
        for i, f in enumerate(inspection.findings)
    ]

    def row(
        key: str, label: str, value: str, details: list[tuple[str, str]], evidence: Evidence
    ) -> EvidenceRow:
        _, box, target = place(evidence, f"mark-{n}-{key}")
        return EvidenceRow(f"row-{n}-{key}", label, value, details, evidence.page, box, target)

    order = {name: i for i, name in enumerate(FIELD_LABELS)}
    read = sorted(inspection.fields.values(), key=lambda f: order.get(f.name, len(order)))
    fields = [row(f"party-{k}", *_party_row(p)) for k, p in enumerate(inspection.parties)] + [
        row(f"field-{f.name}", FIELD_LABELS.get(f.name, f.name), _shown(f.value), [], f.evidence)
        for f in read
        if f.value is not None
    ]
    clauses = [
        row(f"clause-{k}", c.label, c.evidence.text, [], c.evidence) for k, c in enumerate(inspection.clauses)
    ]
    pages = [
        PageView(
            number,
            f"/api/contracts/runs/{run.id}/files/{n}/pages/{number}.png",
            size,
            [f for f in findings if f.page == number and f.box],
            [(s, box) for s in inspection.seals if s.page == number and (box := _box(s.bbox, size))],
            [row for row in (*fields, *clauses) if row.page == number and row.box],
        )
        for number, size in enumerate(sizes, start=1)
    ]
    targets = {f.target for f in findings}
    marked = [(text, f"line-{n}-{k}" in targets) for k, text in enumerate(lines)]
    return FileView(n, stored, inspection, findings, pages, marked, fields, clauses)


def _party_row(party: Party) -> tuple[str, str, list[tuple[str, str]], Evidence]:
    details = [("contracts.party_id", party.id_number), ("contracts.party_rep", party.legal_representative)]
    return party.role, party.name, [(key, text) for key, text in details if text], party.evidence


def _shown(value: str | float) -> str:
    """A field's value on the page: an amount with thousands separators."""
    return f"{value:,.2f}" if isinstance(value, float) else str(value)


def _holds(line: str, evidence: str) -> bool:
    """Whether a line is where the evidence was read (evidence may be a part of it, or span it)."""
    return bool(line) and (evidence in line or line in evidence)


def _page(settings: Settings, store: Store, gateway: Gateway, principal: Principal) -> ContractsPage:
    review_model, vision_model = model_names(gateway)
    return ContractsPage(list_runs(store, principal), review_model, vision_model, max_mb=upload_mb(settings))


def _runs_view(
    request: Request, settings: Settings, store: Store, gateway: Gateway, principal: Principal, template: str
) -> HTMLResponse:
    context = _page(settings, store, gateway, principal)
    return render(request, template, context, shell=shell_for(request, principal))


@router.get("/contracts")
def contracts_page(
    request: Request, settings: SettingsDep, store: StoreDep, gateway: GatewayDep, principal: PrincipalDep
) -> HTMLResponse:
    return _runs_view(request, settings, store, gateway, principal, "contracts/index.html")


@router.get("/contracts/list")
def runs_fragment(
    request: Request, settings: SettingsDep, store: StoreDep, gateway: GatewayDep, principal: PrincipalDep
) -> HTMLResponse:
    """The inspections table alone (refreshed when an upload's job has finished)."""
    return _runs_view(request, settings, store, gateway, principal, "contracts/_runs.html")


@router.post("/contracts/inspect")
def inspect_page(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    runner: RunnerDep,
    gateway: GatewayDep,
    principal: PrincipalDep,
    files: Annotated[list[UploadFile] | None, File()] = None,
    review: Annotated[bool, Form()] = False,
    vision: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    """Start the inspection, with the models asked for (`jobs_start` says what htmx and a plain
    form post get back)."""
    chosen = [f for f in files or [] if f.filename]
    rid = getattr(request.state, "request_id", None)
    models = inspection_models(gateway, principal, review=review, vision=vision, request_id=rid)
    start = partial(submit_inspect, settings, store, runner, principal, chosen, via="web", models=models)
    page = partial(_page, settings, store, gateway, principal)
    return start_job(request, store, principal, start, template="contracts/index.html", page=page)


@router.get("/contracts/runs/{run_id}")
def run_page(
    run_id: str, request: Request, settings: SettingsDep, store: StoreDep, principal: PrincipalDep
) -> HTMLResponse:
    run = get_run(store, run_id, principal)
    files = [_file_view(run, n, file_bytes(settings, run, n)[1]) for n in range(1, len(run.files) + 1)]
    return render(request, "contracts/run.html", RunPage(run, files), shell=shell_for(request, principal))
