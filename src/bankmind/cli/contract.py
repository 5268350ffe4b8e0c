"""`bankmind contract inspect`: a contract's type, fields, findings and seals (cli-contract.md).

Exit codes: 0 when no finding was made, 1 when there are findings (of any severity; "low" ones are
informational), 2 when a file cannot be read (one line on stderr naming it) or a report cannot be
written. `--report` is checked before anything is inspected, so a wrong path costs no OCR time.
`--review` and `--vision` ask the configured chat and vision models through an in-process gateway
(audited as the operating-system user); without such a model, or when it fails, stderr says so and
the inspection goes on without it: the exit codes mean the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.status import Status

from bankmind.cli.audit import operator_name
from bankmind.cli.output import Format, emit_json, err, out
from bankmind.config import load_settings
from bankmind.contracts.inspect import inspect_files
from bankmind.contracts.report import ReportTarget, report_name, report_target, write_report
from bankmind.contracts.review import gateway_chat
from bankmind.contracts.types import Inspection
from bankmind.contracts.vision import gateway_vision
from bankmind.errors import BankmindError, InputError
from bankmind.guard.chat import GatewayChat, Message
from bankmind.guard.gateway import Gateway
from bankmind.llm import ModelRouter
from bankmind.store import Store
from bankmind.types import Principal

app = typer.Typer(
    help="Contract quality inspection (合同质检): fields, findings, seals.", no_args_is_help=True
)

_SEVERITY = {"high": "高", "medium": "中", "low": "低"}
_SHOWN = 80
"""Characters of an English clause's passage shown in the text output."""
_SUFFIXES: dict[str, ReportTarget] = {".pdf": "pdf", ".docx": "docx"}


@app.command()
def inspect(
    files: list[Path] = typer.Argument(
        ..., help="Contracts (.pdf text or scanned, .docx, .txt, images); several files are one transaction."
    ),
    fmt: Format = typer.Option(Format.text, "--format", help="text or json."),
    report: Path | None = typer.Option(
        None,
        "--report",
        help="Also write the contract with its findings marked: a PDF or image gets a PDF (findings "
        "highlighted by severity, a last page listing them all), a DOCX or TXT gets a DOCX (a comment at "
        "each finding). PATH ends in .pdf or .docx as the file requires, or is an existing folder that "
        "gets <stem>.checked.pdf|docx; with several files it must be a folder.",
    ),
    review: bool = typer.Option(
        False,
        "--review",
        help='Also ask the chat model to review the clauses (risky_clause findings, "low": each quotes the '
        "contract verbatim) and to confirm the clauses of an English contract.",
    ),
    vision: bool = typer.Option(
        False,
        "--vision",
        help="Also show doubtful seals and empty-looking signature slots of scanned pages to the vision "
        "model: a seal it reads as the party's name or a slot where it sees handwriting is no finding.",
    ),
) -> None:
    """Check each contract against the rules; related contracts (a loan and its guarantees) are
    checked against each other."""
    planned = _report_paths(files, report) if report is not None else []
    with _models(review=review, vision=vision) as (chat, seer):
        inspections = inspect_files(files, chat=chat, vision=seer)
    for watched in (chat, seer):
        if watched is not None:
            watched.summary()
    documents = [i.contract_dict() for i in inspections]
    if fmt == Format.json:
        named = [{"file": i.file, **d} for i, d in zip(inspections, documents, strict=True)]
        emit_json(documents[0] if len(documents) == 1 else named)
    else:
        for inspection in inspections:
            fields = inspection.fields
            out.print(
                f"{inspection.file}: {inspection.title or '?'} ({inspection.contract_type}), "
                f"{inspection.pages} page(s), {len(inspection.seals)} seal(s)",
                markup=False,
            )
            for name, field in fields.items():
                out.print(f"  {name}: {field.value}", markup=False)
            for party in inspection.parties:
                out.print(f"  {party.role}: {party.name}", markup=False)
            for finding in inspection.findings:
                where = f" (p.{finding.evidence.page})" if finding.evidence else ""
                out.print(
                    f"  [{_SEVERITY[finding.severity]}] {finding.code}: {finding.message}{where}",
                    markup=False,
                )
            if not inspection.findings:
                out.print("  no findings", markup=False)
            for clause in inspection.clauses:
                text = clause.evidence.text
                shown = text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
                out.print(
                    f"  clause {clause.label} ({clause.score:.2f}, p.{clause.evidence.page}): {shown}",
                    markup=False,
                )
    if report is not None:
        for path, inspection, (destination, target) in zip(files, inspections, planned, strict=True):
            _write_report(path, inspection, destination, target)
    found = sum(len(i.findings) for i in inspections)
    if found and fmt != Format.json:
        err.print(f"{found} finding(s): see above", markup=False)
    raise typer.Exit(1 if found else 0)


def _report_paths(files: list[Path], report: Path) -> list[tuple[Path, ReportTarget]]:
    """Where each file's report goes; refused before any inspection when it cannot be written there."""
    folder = report.is_dir()
    if len(files) > 1 and not folder:
        raise InputError(
            f"--report '{report}' is not an existing folder; with several files give a folder "
            "(create it first), which gets <stem>.checked.pdf|docx for each."
        )
    wanted = None if folder else _SUFFIXES.get(report.suffix.lower())
    if not folder and wanted is None:
        raise InputError(
            f"--report '{report}' is neither an existing folder nor a path ending in .pdf or .docx."
        )
    if not report.parent.is_dir():
        raise InputError(
            f"cannot write the report '{report}': folder '{report.parent}' does not exist; create it first."
        )
    contracts = {f.resolve() for f in files}
    planned: list[tuple[Path, ReportTarget]] = []
    for path in files:
        if not path.is_file():  # the inspection refuses it, naming the file
            continue
        target = report_target(path.read_bytes(), path.name, wanted)
        destination = report / report_name(path.name, target) if folder else report
        if destination.resolve() in contracts:
            raise InputError(f"--report '{destination}' would overwrite a contract; choose another path.")
        if destination in (d for d, _ in planned):
            raise InputError(
                f"two files would both be reported as '{destination}'; inspect them one at a time."
            )
        planned.append((destination, target))
    return planned


def _write_report(path: Path, inspection: Inspection, destination: Path, target: ReportTarget) -> None:
    """The report written as a new file (never over the contract), named on stderr."""
    data = write_report(path.read_bytes(), path.name, inspection, target)
    try:
        destination.write_bytes(data)
    except OSError as exc:
        raise InputError(
            f"cannot write the report '{destination}' ({exc.strerror}); choose a folder you can write to."
        ) from exc
    err.print(f"report written: {destination}", markup=False)


# --- models -----------------------------------------------------------------------------------------


class _Watched:
    """A gateway model shown on stderr while it works; the first outside failure is remembered so
    the user learns why its findings are missing (the capability goes on quietly without it)."""

    def __init__(self, chat: GatewayChat, flag: str, status: Status) -> None:
        self.chat = chat
        self.flag = flag
        self.status = status
        self.calls = 0
        self.failure: str | None = None

    def __call__(self, messages: list[Message]) -> str:
        self.calls += 1
        self.status.update(f"{self.flag}: asking {self.chat.model} (request {self.calls})…")
        try:
            return self.chat(messages)
        except (BankmindError, OSError) as exc:
            self.failure = self.failure or (
                exc.message if isinstance(exc, BankmindError) else type(exc).__name__
            )
            raise

    def summary(self) -> None:
        line = f"{self.flag}: {self.calls} request(s) to {self.chat.model}"
        if self.failure:
            line += f"; the model failed ({self.failure}), the rest was inspected without it"
        err.print(line, markup=False)


@contextmanager
def _models(*, review: bool, vision: bool) -> Iterator[tuple[_Watched | None, _Watched | None]]:
    """The chat model (`--review`) and the vision model (`--vision`) through an in-process gateway
    as the operating-system user; None for a flag not given or a model not configured (said on stderr)."""
    if not (review or vision):
        yield None, None
        return
    settings = load_settings()
    store = Store.open(settings)
    router = ModelRouter(settings)
    try:
        gateway = Gateway(settings, store, router)
        principal = Principal(user_id=0, name=f"cli:{operator_name()}"[:100])
        chat = gateway_chat(gateway, principal) if review else None
        if review and chat is None:
            err.print(
                "--review: no chat model is configured (BANKMIND_CHAT__PROVIDER, see `bankmind models`); "
                "inspecting without the model review",
                markup=False,
            )
        seer = gateway_vision(gateway, principal) if vision else None
        if vision and seer is None:
            err.print(
                "--vision: no vision model is configured (BANKMIND_VISION__PROVIDER, see `bankmind models`); "
                "the seal and signature detectors decide alone",
                markup=False,
            )
        if chat is None and seer is None:
            yield None, None
            return
        with err.status("inspecting…") as status:
            yield (
                _Watched(chat, "--review", status) if chat is not None else None,
                _Watched(seer, "--vision", status) if seer is not None else None,
            )
    finally:
        router.close()
        store.close()
