"""A folder of valuation tables reconciled pair by pair: the custodian's daily run.

    report = run_batch(Path("估值表/20250327"), Path("核对结果"), workers=2, progress=tick)
    report.pairs[0]      # PairResult(product="稳健一号", valuation_date=…, severity="minor", breaks=3, …)
    report.unpaired      # files that found no partner, each with the reason

1. Every file is parsed (in parallel); a file that cannot be read is listed with its error.
2. Files pair up by product and valuation date from their title blocks (from the file name when
   the title has none: `稳健一号_20250327_管理人.csv`). Which side is the
   manager's and which the custodian's comes from the file name (管理人/manager/基金公司 vs
   托管人/custodian/托管行); a product-day with other than one file of each side is listed as
   unpaired with the reason, never guessed.
3. Each pair is reconciled; the results go to `REPORT_DIR/<product>_<date>.json` (the
   `recon compare` JSON) and one workbook `REPORT_DIR/核对汇总.xlsx`: a summary sheet (one row per
   product, severity coloured) and a sheet of breaks per product with both sides' figures and
   their source cells, root breaks highlighted.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from bankmind.errors import BankmindError, InputError
from bankmind.recon.compare import Reconciliation, Tolerances, reconcile
from bankmind.recon.parse import parse_table
from bankmind.recon.runs import save_run
from bankmind.recon.types import ValuationTable
from bankmind.recon.workbook import ProductSheet, write_workbook
from bankmind.store import Store

__all__ = ["BatchReport", "PairResult", "Paired", "Unpaired", "reconcile_folder", "run_batch"]

SUFFIXES = frozenset({".xls", ".xlsx", ".csv"})
WORKBOOK = "核对汇总.xlsx"
IN_PROCESS_FILES = 8
"""Up to this many files are parsed in this process: a worker pool takes longer to start."""
_MANAGER = re.compile(r"管理人|基金公司|manager", re.IGNORECASE)
_NAME_DATE = re.compile(r"(20\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")
_CUSTODIAN = re.compile(r"托管人|托管行|托管|custodian", re.IGNORECASE)
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
    run_id: str | None = None
    """With `store`: the stored run, and how many of its breaks are new or carried over."""
    new_breaks: int | None = None
    carried_breaks: int | None = None


class Unpaired(_Frozen):
    file: str
    reason: str


class BatchReport(_Frozen):
    pairs: list[PairResult]
    unpaired: list[Unpaired]
    workbook: str | None


class Paired(_Frozen):
    """A reconciled pair: the two files (relative to the folder) and the result."""

    manager_file: str
    custodian_file: str
    result: Reconciliation


def reconcile_folder(
    folder: Path, *, workers: int = 2, abs_tol: float = 0.01, progress: Progress | None = None
) -> tuple[list[Paired], list[Unpaired]]:
    """Parse, pair and reconcile every table in `folder` (steps 1 and 2 of the module docstring)."""
    if not folder.is_dir():
        raise InputError(f"'{folder}' is not a folder of valuation tables")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not files:
        raise InputError(f"no .xls, .xlsx or .csv files in '{folder}'")
    tables, unpaired = _parse_all(files, workers, progress)
    pairs, more = _pair(tables, folder)
    tolerances = Tolerances.money(abs_tol)
    results = []
    for done, ((m_path, m_table), (c_path, c_table)) in enumerate(pairs, start=1):
        result = reconcile(m_table, c_table, tolerances=tolerances)
        rel = (str(m_path.relative_to(folder)), str(c_path.relative_to(folder)))
        results.append(Paired(manager_file=rel[0], custodian_file=rel[1], result=result))
        if progress is not None:
            progress(0.5 + 0.5 * done / len(pairs), c_table.product or c_path.name)
    return results, sorted(unpaired + more, key=lambda u: u.file)


def run_batch(
    folder: Path,
    out: Path,
    *,
    workers: int = 2,
    abs_tol: float = 0.01,
    progress: Progress | None = None,
    store: Store | None = None,
) -> BatchReport:
    """Reconcile every manager/custodian pair in `folder` into `out` (see the module docstring);
    with `store`, each pair is also kept as a run of one batch (`runs.save_run`)."""
    pairs, unpaired = reconcile_folder(folder, workers=workers, abs_tol=abs_tol, progress=progress)
    batch_id = str(uuid.uuid4())
    out.mkdir(parents=True, exist_ok=True)
    results: list[PairResult] = []
    sheets: list[ProductSheet] = []
    for pair in pairs:
        result = pair.result
        product = result.custodian.product or result.manager.product or Path(pair.custodian_file).stem
        day = str(result.custodian.valuation_date or result.manager.valuation_date or "")
        report_path = out / f"{_safe(product)}_{day}.json"
        report_path.write_text(
            json.dumps(result.contract_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        stored = None
        if store is not None:
            stored = save_run(
                store, result, manager_file=pair.manager_file, custodian_file=pair.custodian_file,
                batch_id=batch_id,
            )  # fmt: skip
        results.append(
            PairResult(
                product=product,
                valuation_date=day,
                manager_file=pair.manager_file,
                custodian_file=pair.custodian_file,
                rows_compared=result.summary.rows_compared,
                breaks=result.summary.breaks,
                severity=result.summary.severity,
                report=report_path.name,
                run_id=stored.id if stored else None,
                new_breaks=stored.new_breaks if stored else None,
                carried_breaks=stored.carried_breaks if stored else None,
            )
        )
        sheets.append(
            ProductSheet(
                product=product,
                valuation_date=day,
                severity=result.summary.severity,
                rows_compared=result.summary.rows_compared,
                manager_file=pair.manager_file,
                custodian_file=pair.custodian_file,
                report=report_path.name,
                breaks=result.breaks,
            )
        )
    workbook = None
    if results or unpaired:
        write_workbook(out / WORKBOOK, sheets, [(u.file, u.reason) for u in unpaired])
        workbook = WORKBOOK
    return BatchReport(pairs=results, unpaired=unpaired, workbook=workbook)


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
    with ExitStack() as stack:
        if workers <= 1 or len(files) <= IN_PROCESS_FILES:
            parsed_all: Iterator[ValuationTable | str] = map(_parse_one, files)
        else:  # spawn: polars' thread pool does not survive fork
            pool = stack.enter_context(
                ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
            )
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
        product = table.product or _name_product(path)
        day = str(table.valuation_date or _name_date(path) or "")
        if not product or not day:
            reason = "no product or valuation date in its title block or its file name"
            unpaired.append(Unpaired(file=path.name, reason=reason))
            continue
        if not table.product or not table.valuation_date:  # the file name stands in for the title
            table = table.model_copy(
                update={"product": product, "valuation_date": dt.date.fromisoformat(day)}
            )
        groups[product, day].append((path, table))
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


def _name_date(path: Path) -> dt.date | None:
    """A valuation date written in the file name (`20250327`, `2025-03-27`), when the title has none."""
    for match in _NAME_DATE.finditer(path.stem):
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
    return None


def _name_product(path: Path) -> str:
    """The file name without its date and side words, when the title names no product: the two
    sides' files of one product then share it (`稳健一号_20250327_管理人.xls`)."""
    rest = _CUSTODIAN.sub("", _MANAGER.sub("", _NAME_DATE.sub("", path.stem)))
    return rest.strip(" _-.()（）")


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name)[:80] or "product"
