"""The findings of an inspection run as one Excel sheet: file, code, its label, severity, message,
page, the evidence text as written and the party it concerns, severity coloured. The workbench's
export button and `GET /api/contracts/runs/{id}/export` give it to operations staff who file the
check.

Contract text is data, never a formula: a cell starting with `=`, `+`, `-` or `@` is written as text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from bankmind.contracts.types import Inspection

__all__ = ["findings_workbook"]

_SEVERITY_FILL = {"high": "FF7C80", "medium": "FFEB9C", "low": "DDEBF7"}
_COLUMNS = ("文件", "代码", "问题", "严重程度", "说明", "页", "依据原文", "当事人")
_WIDTHS = (28, 18, 14, 10, 60, 6, 50, 28)
_FORMULA_START = ("=", "+", "-", "@")


def findings_workbook(inspections: Sequence[Inspection], label: Callable[[str], str]) -> bytes:
    """The .xlsx bytes; `label` names a finding code (`code.<code>`) or severity (`severity.<s>`)
    in the reader's language."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "合同质检"
    sheet.append(list(_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for inspection in inspections:
        for f in inspection.findings:
            evidence = f.evidence
            sheet.append([
                inspection.file, f.code, label(f"code.{f.code}"), label(f"severity.{f.severity}"),
                f.message, evidence.page if evidence else None, evidence.text if evidence else None,
                f.party,
            ])  # fmt: skip
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START):
                    cell.data_type = "s"
            sheet.cell(sheet.max_row, 4).fill = PatternFill("solid", fgColor=_SEVERITY_FILL[f.severity])
    for letter, width in zip("ABCDEFGH", _WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
