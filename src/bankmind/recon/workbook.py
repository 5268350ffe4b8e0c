"""The reconciliation workbook: a summary sheet (one row per product, severity coloured), a sheet of
breaks per product with both sides' figures and their source cells (root breaks highlighted), and
the files that could not be paired. `recon batch` writes it to a folder; the workbench exports the
stored runs with it, adding each break's follow-up (new or carried over, status, comment).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

__all__ = ["ProductSheet", "write_workbook"]

_SEVERITY_FILL = {"ok": "C6EFCE", "minor": "FFEB9C", "report": "F8CBAD", "announce": "FF7C80"}
_ROOT_FILL = PatternFill("solid", fgColor="FFF2CC")
_SUMMARY = ("产品", "估值日期", "严重程度", "差异数", "比对行数", "管理人文件", "托管人文件", "报告")
_BREAKS = (
    ("科目代码", "subject_code"),
    ("科目名称", "subject_name"),
    ("类型", "kind"),
    ("字段", "field"),
    ("管理人", "manager"),
    ("托管人", "custodian"),
    ("差额", "difference"),
    ("说明", "explanation"),
    ("管理人单元格", "manager_cell"),
    ("托管人单元格", "custodian_cell"),
)
_FOLLOW_UP = (("新增/延续", "carried_over"), ("状态", "status"), ("备注", "comment"), ("处理人", "status_by"))
_STATUS = {"open": "未处理", "explained": "已说明", "resolved": "已解决"}


@dataclass(frozen=True)
class ProductSheet:
    """One reconciled pair: its summary row and its breaks (any objects with the break fields)."""

    product: str
    valuation_date: str
    severity: str
    rows_compared: int
    manager_file: str
    custodian_file: str
    report: str
    breaks: Sequence[Any]


def write_workbook(
    target: Path | IO[bytes],
    sheets: Sequence[ProductSheet],
    unpaired: Sequence[tuple[str, str]] = (),
    *,
    follow_up: bool = False,
) -> None:
    """Write the workbook; `unpaired` is (file, reason); `follow_up` adds the status columns."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "汇总"
    _header(summary, _SUMMARY)
    names: set[str] = {"汇总", "未配对"}
    columns = _BREAKS + (_FOLLOW_UP if follow_up else ())
    for item in sheets:
        summary.append([
            item.product, item.valuation_date, item.severity, len(item.breaks), item.rows_compared,
            item.manager_file, item.custodian_file, item.report,
        ])  # fmt: skip
        fill = _SEVERITY_FILL.get(item.severity)
        if fill:
            summary.cell(summary.max_row, 3).fill = PatternFill("solid", fgColor=fill)
        if not item.breaks:
            continue
        sheet = book.create_sheet(_sheet_name(item.product, names))
        _header(sheet, [title for title, _ in columns])
        for b in item.breaks:
            sheet.append([_cell(b, name) for _, name in columns])
            if not b.knock_on:
                for cell in sheet[sheet.max_row]:
                    cell.fill = _ROOT_FILL
    if unpaired:
        sheet = book.create_sheet("未配对")
        _header(sheet, ("文件", "原因"))
        for file, reason in sorted(unpaired):
            sheet.append([file, reason])
    book.save(target)


def _header(sheet: Any, titles: Sequence[str]) -> None:
    sheet.append(list(titles))
    for cell in sheet[1]:
        cell.font = Font(bold=True)


def _cell(b: Any, name: str) -> Any:
    value = getattr(b, name, None)
    if name == "carried_over":
        return "延续" if value else "新增"
    if name == "status":
        return _STATUS.get(str(value), value)
    return value


def _sheet_name(product: str, taken: set[str]) -> str:
    """A sheet title Excel accepts (≤ 31 characters, none of []:*?/\\), unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", "_", product)[:28] or "产品"
    name, n = base, 2
    while name in taken:
        name, n = f"{base[:26]}~{n}", n + 1
    taken.add(name)
    return name
