"""A folder of valuation tables reconciled pair by pair: the custodian's daily run.

    report = run_batch(Path("估值表/20250327"), Path("核对结果"), workers=2, progress=tick)
    report.pairs[0]      # PairResult(product="稳健一号", valuation_date=…, severity="minor", breaks=3, …)
    report.unpaired      # files that found no partner, each with the reason

1. Every file is parsed (in parallel); a file that cannot be read is listed with its error.
2. Files pair up by product and valuation date from their title blocks. Which side is the
   manager's and which the custodian's comes from the file name (管理人/manager/基金公司 vs
   托管人/custodian/托管行); a product-day with other than one file of each side is listed as
   unpaired with the reason, never guessed.
3. Each pair is reconciled; the results go to `REPORT_DIR/<product>_<date>.json` (the
   `recon compare` JSON) and one workbook `REPORT_DIR/核对汇总.xlsx`: a summary sheet (one row per
   product, severity coloured) and a sheet of breaks per product with both sides' figures and
   their source cells, root breaks highlighted.
"""

from __future__ import annotations

import json
import multiprocessing
import re
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from pydantic import BaseModel, ConfigDict

from bankmind.errors import BankmindError, InputError
from bankmind.recon.compare import Reconciliation, Tolerances, reconcile
from bankmind.recon.parse import parse_table
from bankmind.recon.types import ValuationTable

__all__ = ["BatchReport", "PairResult", "Unpaired", "run_batch"]

SUFFIXES = frozenset({".xls", ".xlsx", ".csv"})
WORKBOOK = "核对汇总.xlsx"
_MANAGER = re.compile(r"管理人|基金公司|manager", re.IGNORECASE)
_CUSTODIAN = re.compile(r"托管人|托管行|托管|custodian", re.IGNORECASE)
_SEVERITY_FILL = {"ok": "C6EFCE", "minor": "FFEB9C", "report": "F8CBAD", "announce": "FF7C80"}
_ROOT_FILL = PatternFill("solid", fgColor="FFF2CC")
Progress = Callable[[float, str], None]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class PairResult(_Frozen):
    product: str
    valuation_date: str
    manager_file: str
    custodian_file: str
    rows_compared: int
    breaks: int
    severity: str
    report: str


class Unpaired(_Frozen):
    file: str
    reason: str


class BatchReport(_Frozen):
    pairs: list[PairResult]
    unpaired: list[Unpaired]
    workbook: str | None


def run_batch(
    folder: Path, out: Path, *, workers: int = 2, abs_tol: float = 0.01, progress: Progress | None = None
) -> BatchReport:
    """Reconcile every manager/custodian pair in `folder` into `out` (see the module docstring)."""
    if not folder.is_dir():
        raise InputError(f"'{folder}' is not a folder of valuation tables")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not files:
        raise InputError(f"no .xls, .xlsx or .csv files in '{folder}'")
    out.mkdir(parents=True, exist_ok=True)
    tables, unpaired = _parse_all(files, workers, progress)
    pairs, more = _pair(tables, folder)
    unpaired += more
    results: list[tuple[PairResult, Reconciliation]] = []
    tolerances = Tolerances.money(abs_tol)
    for done, (manager, custodian) in enumerate(pairs, start=1):
        m_path, m_table = manager
        c_path, c_table = custodian
        result = reconcile(m_table, c_table, tolerances=tolerances)
        product = c_table.product or m_table.product or c_path.stem
        day = str(c_table.valuation_date or m_table.valuation_date or "")
        report_path = out / f"{_safe(product)}_{day}.json"
        report_path.write_text(
            json.dumps(result.contract_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        pair_result = PairResult(
            product=product, valuation_date=day,
            manager_file=str(m_path.relative_to(folder)), custodian_file=str(c_path.relative_to(folder)),
            rows_compared=result.summary.rows_compared, breaks=result.summary.breaks,
            severity=result.summary.severity, report=report_path.name,
        )  # fmt: skip
        results.append((pair_result, result))
        if progress is not None:
            progress(0.5 + 0.5 * done / len(pairs), product)
    workbook = _write_workbook(out / WORKBOOK, results, unpaired) if results or unpaired else None
    return BatchReport(
        pairs=[r for r, _ in results], unpaired=sorted(unpaired, key=lambda u: u.file), workbook=workbook
    )


# parsing and pairing ------------------------------------------------------------------------------
def _parse_one(path: Path) -> ValuationTable | str:
    try:
        return parse_table(path)
    except BankmindError as exc:
        return exc.message


def _parse_all(
    files: list[Path], workers: int, progress: Progress | None
) -> tuple[list[tuple[Path, ValuationTable]], list[Unpaired]]:
    tables: list[tuple[Path, ValuationTable]] = []
    unpaired: list[Unpaired] = []
    # spawn: polars' thread pool does not survive fork
    with ProcessPoolExecutor(max(1, workers), mp_context=multiprocessing.get_context("spawn")) as pool:
        parsed_all = pool.map(_parse_one, files, chunksize=8)
        for done, (path, parsed) in enumerate(zip(files, parsed_all, strict=True), start=1):
            if isinstance(parsed, str):
                unpaired.append(Unpaired(file=path.name, reason=f"not read: {parsed}"))
            else:
                tables.append((path, parsed))
            if progress is not None:
                progress(0.5 * done / len(files), path.name)
    return tables, unpaired


Side = tuple[Path, ValuationTable]


def _pair(tables: list[Side], folder: Path) -> tuple[list[tuple[Side, Side]], list[Unpaired]]:
    groups: dict[tuple[str, str], list[Side]] = defaultdict(list)
    unpaired: list[Unpaired] = []
    for path, table in tables:
        if not table.product or not table.valuation_date:
            unpaired.append(
                Unpaired(file=path.name, reason="no product or valuation date in its title block")
            )
            continue
        groups[table.product, str(table.valuation_date)].append((path, table))
    pairs = []
    for (product, day), sides in sorted(groups.items()):
        managers = [s for s in sides if _MANAGER.search(s[0].name)]
        custodians = [s for s in sides if _CUSTODIAN.search(s[0].name) and s not in managers]
        if len(managers) == 1 and len(custodians) == 1 and len(sides) == 2:
            pairs.append((managers[0], custodians[0]))
            continue
        reason = (
            f"{product} {day}: {len(sides)} file(s), {len(managers)} named as the manager's and "
            f"{len(custodians)} as the custodian's; a pair needs one of each "
            "(管理人/manager and 托管人/custodian in the file names)"
        )
        unpaired += [Unpaired(file=str(p.relative_to(folder)), reason=reason) for p, _ in sides]
    return pairs, unpaired


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name)[:80] or "product"


# the workbook -------------------------------------------------------------------------------------
_SUMMARY = ("产品", "估值日期", "严重程度", "差异数", "比对行数", "管理人文件", "托管人文件", "报告")
_BREAKS = (
    "科目代码",
    "科目名称",
    "类型",
    "字段",
    "管理人",
    "托管人",
    "差额",
    "说明",
    "管理人单元格",
    "托管人单元格",
)


def _write_workbook(
    path: Path, results: list[tuple[PairResult, Reconciliation]], unpaired: list[Unpaired]
) -> str:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "汇总"
    summary.append(list(_SUMMARY))
    for cell in summary[1]:
        cell.font = Font(bold=True)
    names: set[str] = {"汇总", "未配对"}
    for pair, result in results:
        summary.append([
            pair.product, pair.valuation_date, pair.severity, pair.breaks, pair.rows_compared,
            pair.manager_file, pair.custodian_file, pair.report,
        ])  # fmt: skip
        summary.cell(summary.max_row, 3).fill = PatternFill("solid", fgColor=_SEVERITY_FILL[pair.severity])
        if result.breaks:
            sheet = book.create_sheet(_sheet_name(pair.product, names))
            sheet.append(list(_BREAKS))
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for b in result.breaks:
                sheet.append([
                    b.subject_code, b.subject_name, b.kind, b.field, b.manager, b.custodian, b.difference,
                    b.explanation, b.manager_cell, b.custodian_cell,
                ])  # fmt: skip
                if not b.knock_on:
                    for cell in sheet[sheet.max_row]:
                        cell.fill = _ROOT_FILL
    if unpaired:
        sheet = book.create_sheet("未配对")
        sheet.append(["文件", "原因"])
        for u in sorted(unpaired, key=lambda u: u.file):
            sheet.append([u.file, u.reason])
    book.save(path)
    return path.name


def _sheet_name(product: str, taken: set[str]) -> str:
    """A sheet title Excel accepts (≤ 31 characters, none of []:*?/\\), unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", "_", product)[:28] or "产品"
    name, n = base, 2
    while name in taken:
        name, n = f"{base[:26]}~{n}", n + 1
    taken.add(name)
    return name
