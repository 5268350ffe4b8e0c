"""Self-checks of one parsed table: do its own figures add up?

A custodian's table is internally consistent; a failing check usually means the parser read a
column wrongly (or the file was edited by hand), so the checks guard the parse before any comparison.
Blank money cells count as 0 (cli-contract.md, convention 2). Each failing check names the subject
and both figures; a check with no failure is reported once, `ok=True`, with the count it covered.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from bankmind.recon.types import Check, ValuationRow, ValuationTable

__all__ = ["MONEY_TOLERANCE", "run_checks"]

MONEY_TOLERANCE = Decimal("0.01")
PCT_TOLERANCE = Decimal("0.0002")
UNIT_NAV_TOLERANCE = Decimal("0.0001")
MAX_FAILURES_PER_CHECK = 50

_ZERO = Decimal(0)


def _z(value: Decimal | None) -> Decimal:
    return _ZERO if value is None else value


def _name(row: ValuationRow) -> str:
    return f"{row.subject_code} {row.subject_name or ''}".strip()


def _summarise(code: str, failures: list[Check], covered: int, what: str) -> list[Check]:
    if not failures:
        return [Check(code=code, ok=True, message=f"{what}: {covered} checked, all agree")]
    shown = failures[:MAX_FAILURES_PER_CHECK]
    if len(failures) > len(shown):
        shown.append(Check(code=code, ok=False, message=f"{what}: {len(failures) - len(shown)} more differ"))
    return shown


def _appreciation(rows: list[ValuationRow]) -> list[Check]:
    failures, covered = [], 0
    for row in rows:
        if not row.is_leaf or row.is_appreciation or row.appreciation is None:
            continue
        covered += 1
        expected = _z(row.market_value) - _z(row.cost)
        if abs(expected - row.appreciation) > MONEY_TOLERANCE:
            failures.append(
                Check(
                    code="appreciation",
                    ok=False,
                    subject_code=row.subject_code,
                    message=(
                        f"{_name(row)}: 市值 − 成本 = {expected:,.2f} but 估值增值 is {row.appreciation:,.2f}"
                    ),
                )
            )
    return _summarise("appreciation", failures, covered, "市值 − 成本 = 估值增值 on each position")


def _subtotals(rows: list[ValuationRow]) -> list[Check]:
    children: dict[str, list[ValuationRow]] = defaultdict(list)
    for row in rows:
        if row.parent_code is not None:
            children[row.parent_code].append(row)
    failures, covered = [], 0
    for parent in rows:
        kids = [
            k
            for k in children.get(parent.subject_code, [])
            if not k.is_appreciation or parent.is_appreciation
        ]
        if not kids:
            continue
        for field, label in (("cost", "成本"), ("market_value", "市值")):
            own = getattr(parent, field)
            if own is None:
                continue
            covered += 1
            total = sum((_z(getattr(k, field)) for k in kids), _ZERO)
            if abs(total - own) > MONEY_TOLERANCE * max(1, len(kids)):
                failures.append(
                    Check(
                        code="subtotal",
                        ok=False,
                        subject_code=parent.subject_code,
                        message=(
                            f"{_name(parent)}: {label} is {own:,.2f} "
                            f"but its sub-accounts add up to {total:,.2f}"
                        ),
                    )
                )
    return _summarise("subtotal", failures, covered, "each account equals the sum of its sub-accounts")


def _pct(table: ValuationTable) -> list[Check]:
    if not table.nav:
        return [
            Check(
                code="mv_pct_nav", ok=False, message="基金资产净值 not found, so 市值占净值% was not checked"
            )
        ]
    failures, covered = [], 0
    for row in table.rows:
        if row.market_value is None or row.mv_pct_nav is None:
            continue
        covered += 1
        expected = row.market_value / table.nav * 100
        if abs(expected - row.mv_pct_nav) > PCT_TOLERANCE:
            failures.append(
                Check(
                    code="mv_pct_nav",
                    ok=False,
                    subject_code=row.subject_code,
                    message=(
                        f"{_name(row)}: 市值 / 基金资产净值 = {expected:.4f}% "
                        f"but 市值占净值% is {row.mv_pct_nav}"
                    ),
                )
            )
    return _summarise("mv_pct_nav", failures, covered, "市值占净值% = 市值 / 基金资产净值 × 100")


def _totals(table: ValuationTable) -> list[Check]:
    checks = []
    if table.assets_total is not None and table.liabilities_total is not None and table.nav is not None:
        net = table.assets_total - table.liabilities_total
        ok = abs(net - table.nav) <= MONEY_TOLERANCE
        checks.append(
            Check(
                code="nav_total",
                ok=ok,
                message=f"资产类合计 − 负债类合计 = {net:,.2f}; 基金资产净值 is {table.nav:,.2f}",
            )
        )
    if table.nav is not None and table.paid_in_capital and table.unit_nav is not None:
        computed = (table.nav / table.paid_in_capital).quantize(Decimal("0.0001"))
        ok = abs(computed - table.unit_nav) <= UNIT_NAV_TOLERANCE
        checks.append(
            Check(
                code="unit_nav",
                ok=ok,
                message=f"基金资产净值 / 实收资本 = {computed}; 单位净值 is {table.unit_nav}",
            )
        )
    return checks


def _suspended(rows: list[ValuationRow]) -> list[Check]:
    return [
        Check(
            code="suspended",
            ok=False,
            subject_code=row.subject_code,
            message=(
                f"{_name(row)} is suspended ({row.status}); "
                f"its price {row.price} is a valuation price, review it"
            ),
        )
        for row in rows
        if row.status and "停牌" in row.status
    ]


def run_checks(table: ValuationTable) -> list[Check]:
    """Every check on `table`, in a stable order (see the module docstring)."""
    rows = table.rows
    return [*_appreciation(rows), *_subtotals(rows), *_pct(table), *_totals(table), *_suspended(rows)]
