"""`bankmind recon parse`: a valuation table (估值表) as checked rows (cli-contract.md).

Exit codes: 0 when the file was parsed (failed self-checks are listed in `checks`, not an error),
2 when it cannot be read or holds no valuation table (one line on stderr).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from bankmind.cli.output import Format, emit_json, emit_table, err, out, progress_bar
from bankmind.config import load_settings
from bankmind.recon import parse_table
from bankmind.recon.batch import run_batch
from bankmind.recon.compare import Tolerances, reconcile
from bankmind.recon.runs import save_run
from bankmind.store import Store

_SAVE = typer.Option(
    False, "--save", help="Keep the result as a run (workbench 估值核对): breaks new vs carried over."
)


@contextmanager
def _store(wanted: bool = True) -> Iterator[Store | None]:
    """The store of BANKMIND_HOME when `wanted` (it is created and migrated if new), else None."""
    if not wanted:
        yield None
        return
    store = Store.open(load_settings())
    try:
        yield store
    finally:
        store.close()


app = typer.Typer(
    help="Valuation reconciliation (估值表核对): parse valuation tables, compare manager and custodian.",
    no_args_is_help=True,
)


@app.command()
def parse(
    file: Path = typer.Argument(..., help="A valuation table: .xlsx, .xls or .csv (UTF-8 or GBK)."),
    fmt: Format = typer.Option(Format.text, "--format", help="text or json."),
) -> None:
    """Read one 估值表: header figures, every subject row and the table's self-checks."""
    table = parse_table(file)
    if fmt == Format.json:
        emit_json(table.contract_dict())
        return
    out.print(
        f"{table.product or '?'}  估值日期 {table.valuation_date or '?'}  单位净值 {table.unit_nav}  "
        f"基金资产净值 {table.nav}  ({len(table.rows)} rows, sheet {table.sheet or '-'})",
        markup=False,
    )
    emit_table(
        [row.contract_dict() for row in table.rows],
        [
            "subject_code",
            "subject_name",
            "quantity",
            "cost",
            "price",
            "market_value",
            "appreciation",
            "status",
        ],
    )
    for check in table.checks:
        out.print(f"{'ok  ' if check.ok else 'FAIL'} {check.code}: {check.message}", markup=False)


@app.command()
def compare(
    manager: Path = typer.Argument(..., help="The fund manager's valuation table."),
    custodian: Path = typer.Argument(..., help="The custodian's valuation table of the same fund and day."),
    abs_tol: float = typer.Option(0.01, "--abs-tol", min=0, help="Tolerance for money fields, in yuan."),
    save: bool = _SAVE,
    fmt: Format = typer.Option(Format.text, "--format", help="text or json."),
) -> None:
    """Every break between the two tables, with its likely cause, and the severity."""
    result = reconcile(parse_table(manager), parse_table(custodian), tolerances=Tolerances.money(abs_tol))
    if save:
        with _store() as store:
            assert store is not None
            run = save_run(store, result, manager_file=manager.name, custodian_file=custodian.name)
        err.print(
            f"saved as run {run.id}: {run.new_breaks} new, {run.carried_breaks} carried over, "
            f"{run.cleared} cleared since the previous run",
            markup=False,
        )
    if fmt == Format.json:
        emit_json(result.contract_dict())
        return
    s = result.summary
    out.print(
        f"{result.custodian.product or '?'} {result.custodian.valuation_date or '?'}: {s.rows_compared} rows "
        f"compared, {s.breaks} breaks, NAV difference {s.nav_difference}, severity {s.severity}",
        markup=False,
    )
    for b in result.breaks:
        out.print(f"[{b.kind}] {b.subject_code or '-'} {b.explanation}", markup=False)


@app.command()
def batch(
    folder: Path = typer.Argument(..., help="A folder of managers' and custodians' valuation tables."),
    report_dir: Path = typer.Option(..., "--out", help="Where the workbook and one JSON per pair go."),
    workers: int = typer.Option(2, "--workers", min=1, max=64, help="Processes reading files in parallel."),
    abs_tol: float = typer.Option(0.01, "--abs-tol", min=0, help="Tolerance for money fields, in yuan."),
    save: bool = _SAVE,
    fmt: Format = typer.Option(Format.text, "--format", help="text or json."),
) -> None:
    """Reconcile every manager/custodian pair in a folder (paired by product and date; the file
    names say which side is which: 管理人/manager, 托管人/custodian). Exit 1 when a file was left
    unpaired or unread (listed with the reason)."""
    with progress_bar("recon batch") as update, _store(save) as store:
        report = run_batch(folder, report_dir, workers=workers, abs_tol=abs_tol, progress=update, store=store)
    if fmt == Format.json:
        emit_json(report)
    else:
        emit_table(
            [p.model_dump() for p in report.pairs],
            ["product", "valuation_date", "severity", "breaks"]
            + (["new_breaks", "carried_breaks"] if save else ["rows_compared", "report"]),
            title=f"{len(report.pairs)} pairs -> {report_dir / (report.workbook or '')}",
        )
        for u in report.unpaired:
            err.print(f"unpaired {u.file}: {u.reason}", markup=False)
    raise typer.Exit(1 if report.unpaired else 0)
