"""The annotated report of an inspection: the contract itself, with every finding marked where it was read.

    target = report_target(data, "借款合同.pdf")                      # "pdf"
    report = write_report(data, "借款合同.pdf", inspection, target)   # bytes of 借款合同.checked.pdf

A PDF (text or scanned) or an image gets a PDF: its pages unchanged, a highlight coloured by severity
over each finding's box, an outline around each seal found and a last page 质检结果 listing every
finding (`report_pdf`). A DOCX or a TXT gets a DOCX: a Word comment anchored at exactly the text each
finding quotes, highlighted yellow (`report_docx`). Either way the report is a new file; the bytes
given are not changed. Each mark carries the finding's note, `[severity] code: message`.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Literal

from bankmind.contracts.report_docx import docx_report
from bankmind.contracts.report_pdf import pdf_report
from bankmind.contracts.types import Finding, Inspection
from bankmind.documents.filenames import quoted
from bankmind.documents.sniff import sniff
from bankmind.errors import UnsupportedFormat

__all__ = ["AUTHOR", "ReportTarget", "note", "report_name", "report_target", "write_report"]

AUTHOR = "bankmind"
"""Who the annotations and comments are by (`/T` of a PDF annotation, a Word comment's author)."""

ReportTarget = Literal["pdf", "docx"]
_TARGETS: dict[str, ReportTarget] = {
    "pdf": "pdf",
    "png": "pdf",
    "jpeg": "pdf",
    "tiff": "pdf",
    "docx": "docx",
    "txt": "docx",
    "md": "docx",
}
_KIND_NAMES = {
    "pdf": "a PDF",
    "png": "an image",
    "jpeg": "an image",
    "tiff": "an image",
    "docx": "a Word document",
    "txt": "a text file",
    "md": "a text file",
}
_WHAT = {"pdf": "its pages with the findings highlighted", "docx": "the text with a comment at each finding"}


def report_target(data: bytes, filename: str, wanted: ReportTarget | None = None) -> ReportTarget:
    """Which report a contract gets, by its content: a PDF for PDFs and images, a DOCX for DOCX and text.

    Raises `UnsupportedFormat` when `wanted` is given and is not that one, saying which it is.
    """
    return _TARGETS[_kind(data, filename, wanted)]


def _kind(data: bytes, filename: str, wanted: ReportTarget | None) -> str:
    """The file's kind by content, refused when it has no report or not the `wanted` one."""
    kind = sniff(data, filename).kind
    if kind not in _TARGETS:
        raise UnsupportedFormat(
            f"{quoted(filename)} is not a contract bankmind can inspect; "
            "give a PDF (text or scanned), DOCX, TXT or an image."
        )
    target = _TARGETS[kind]
    if wanted is not None and wanted != target:
        raise UnsupportedFormat(
            f"{quoted(filename)} is {_KIND_NAMES[kind]}: its report is a {target.upper()} "
            f"({_WHAT[target]}), not a {wanted.upper()}; give a report path ending in .{target}."
        )
    return kind


def report_name(filename: str, target: ReportTarget) -> str:
    """Where a report goes beside its contract: `借款合同.pdf` → `借款合同.checked.pdf`."""
    return f"{PurePath(filename).stem}.checked.{target}"


def note(finding: Finding) -> str:
    """The text a finding's mark carries: `[high] amount_mismatch: 金额大小写不一致…`."""
    return f"[{finding.severity}] {finding.code}: {finding.message}"


def write_report(data: bytes, filename: str, inspection: Inspection, target: ReportTarget) -> bytes:
    """The report of `inspection`, made from `data`, the bytes that were inspected (see the module docstring).

    Raises `UnsupportedFormat` when `target` is not the report this kind of file gets (a PDF's
    report is a PDF, a DOCX's a DOCX), saying which one it is.
    """
    kind = _kind(data, filename, target)
    notes = [note(f) for f in inspection.findings]
    if target == "pdf":
        return pdf_report(data, filename, kind, inspection, notes, author=AUTHOR)
    return docx_report(data, filename, kind, inspection, notes, author=AUTHOR)
