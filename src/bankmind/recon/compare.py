"""Manager vs custodian: every difference between two valuation tables of one fund and day, as breaks.

    result = reconcile(parse_table(manager_path), parse_table(custodian_path), tolerances=Tolerances())
    result.summary.severity   # "ok" | "minor" | "report" | "announce"
    result.breaks[0]          # Break(subject_code="11020101600309", kind="quantity", manager=…, …)

Rows are matched on the normalised subject code (`matching.compare_tables`). Compared per row:
quantity, unit cost, cost, price, market value and appreciation, each with its tolerance (money
0.01 yuan, quantity 0 by default); a blank money or quantity cell equals 0 (some systems blank their
zeros); the percent-of-NAV columns are derived and never a break by themselves (cli-contract.md
conventions 2 and 3). A difference on a leaf is its own break; subtotals and 估值增值 sub-accounts
that differ only because a child differs are reported too, marked as knock-on in the explanation,
so the root cause is always on the leaf. Subjects under 应收利息/应计利息 are `accrual` breaks and
payable fees (管理人报酬, 托管费, 销售服务费 …) `fee` breaks. NAV and unit NAV differences are breaks
of their own (`nav`, `unit_nav`, subject code None). Every break carries its likely cause
(`causes.explain`), read from its own figures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict

from bankmind.recon.causes import BreakFacts, explain, number_text
from bankmind.recon.matching import compare_tables
from bankmind.recon.severity import Severity, severity, unit_nav_error
from bankmind.recon.types import ValuationRow, ValuationTable

__all__ = ["Break", "Reconciliation", "Summary", "Tolerances", "reconcile", "rows_frame"]

BreakKind = Literal[
    "missing_in_manager", "missing_in_custodian", "quantity", "price", "cost", "market_value",
    "appreciation", "accrual", "fee", "nav", "unit_nav",
]  # fmt: skip
FIELDS = ("quantity", "unit_cost", "cost", "price", "market_value", "appreciation")
MONEY_FIELDS = ("unit_cost", "cost", "market_value", "appreciation")
_FIELD_KIND: dict[str, BreakKind] = {
    "quantity": "quantity",
    "unit_cost": "cost",
    "cost": "cost",
    "price": "price",
    "market_value": "market_value",
    "appreciation": "appreciation",
}
_BREAK_KEYS = (
    "subject_code",
    "subject_name",
    "kind",
    "field",
    "manager",
    "custodian",
    "difference",
    "explanation",
)
_HEADER = ("product", "valuation_date", "unit_nav", "nav")
_DERIVED_FROM = {
    "market_value": {"quantity", "price"},
    "appreciation": {"quantity", "price", "market_value", "cost"},
    "cost": {"quantity"},
    "unit_cost": {"quantity", "cost"},
}
"""Fields that follow from others on the same row: not a separate root cause."""
_ACCRUAL = re.compile(r"应收利息|应计利息|应收股利|应收红利")
_FEE = re.compile(r"管理人报酬|管理费|托管费|销售服务费|运营服务费|投资顾问费|业绩报酬|审计费|信息披露费")


@dataclass(frozen=True)
class Tolerances:
    """Absolute tolerance per field (money in yuan); `relative` per field as a fraction."""

    absolute: Mapping[str, float] = field(
        default_factory=lambda: {"quantity": 0.0, "price": 0.0001, **{f: 0.01 for f in MONEY_FIELDS}}
    )
    relative: Mapping[str, float] = field(default_factory=dict)
    nav: float = 0.01
    unit_nav: float = 0.00005
    """Half a unit of the 4th decimal: unit NAVs are published to 4 decimals."""

    @classmethod
    def money(cls, abs_tol: float) -> Tolerances:
        """The defaults with `abs_tol` yuan for every money field (`--abs-tol`)."""
        base = cls()
        return cls({**base.absolute, **{f: abs_tol for f in MONEY_FIELDS}}, nav=abs_tol)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Break(_Frozen):
    """One difference, with both sides' figures and their source cells."""

    subject_code: str | None
    subject_name: str | None
    kind: BreakKind
    field: str
    manager: float | None
    custodian: float | None
    difference: float | None
    explanation: str
    cause: str
    knock_on: bool = False
    manager_cell: str | None = None
    custodian_cell: str | None = None

    def contract_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in _BREAK_KEYS}


class Summary(_Frozen):
    rows_compared: int
    breaks: int
    nav_difference: float | None
    nav_difference_pct: float | None
    unit_nav_difference: float | None
    severity: Severity


class Reconciliation(_Frozen):
    manager: ValuationTable
    custodian: ValuationTable
    summary: Summary
    breaks: list[Break]

    def contract_dict(self) -> dict[str, Any]:
        """What `recon compare --format json` prints (cli-contract.md)."""
        return {
            "manager": _header(self.manager),
            "custodian": _header(self.custodian),
            "summary": self.summary.model_dump(mode="json"),
            "breaks": [b.contract_dict() for b in self.breaks],
        }


def _header(table: ValuationTable) -> dict[str, Any]:
    """A table's header figures as `recon parse` prints them, without dumping its rows."""
    dumped = table.model_dump(mode="json", include=set(_HEADER))
    return {k: dumped[k] for k in _HEADER}


def reconcile(
    manager: ValuationTable, custodian: ValuationTable, *, tolerances: Tolerances | None = None
) -> Reconciliation:
    """Every break between the manager's and the custodian's table (see the module docstring)."""
    tol = tolerances or Tolerances()
    left, right = rows_frame(manager.rows), rows_frame(custodian.rows)
    result = compare_tables(
        left, right, on=["subject_code"], columns=list(FIELDS),
        abs_tol=dict(tol.absolute), rel_tol=dict(tol.relative), blank_equals_zero=set(FIELDS),
    )  # fmt: skip
    m_rows = {r.subject_code: r for r in manager.rows}
    c_rows = {r.subject_code: r for r in custodian.rows}
    differing: dict[str, list[tuple[str, float | None, float | None]]] = {}
    for name, column in result.columns.items():
        if column.unequal:
            pairs = column.pairs
            values = (pairs.get_column(c).to_list() for c in ("subject_code", "left", "right"))
            for code, m_value, c_value in zip(*values, strict=True):
                differing.setdefault(code, []).append((name, m_value, c_value))
    only_custodian = result.only_right.get_column("subject_code").to_list()
    only_manager = result.only_left.get_column("subject_code").to_list()
    everyone = {**c_rows, **m_rows}
    changed = {*differing, *only_custodian, *only_manager}
    roots = _roots(changed, everyone)
    breaks: list[Break] = []
    sides: tuple[tuple[list[str], dict[str, ValuationRow], BreakKind], ...] = (
        (only_custodian, c_rows, "missing_in_manager"),
        (only_manager, m_rows, "missing_in_custodian"),
    )
    for codes, rows, kind in sides:
        for code in codes:
            breaks.append(_missing(rows[code], kind, knock_on=code not in roots))
    for code in sorted(differing, key=lambda c: (c not in roots, c)):
        kind_row = _kind_source(m_rows[code], m_rows)
        breaks.extend(
            _field_breaks(
                m_rows[code], c_rows[code], differing[code], knock_on=code not in roots, label=kind_row
            )
        )
    breaks.extend(_footer_breaks(manager, custodian, tol))
    nav_diff = _diff(manager.nav, custodian.nav)
    summary = Summary(
        rows_compared=result.matched_rows,
        breaks=len(breaks),
        nav_difference=nav_diff,
        nav_difference_pct=(
            round(nav_diff / float(custodian.nav) * 100, 6)
            if nav_diff is not None and custodian.nav
            else None
        ),
        unit_nav_difference=_diff(manager.unit_nav, custodian.unit_nav),
        severity=severity(_float(manager.unit_nav), _float(custodian.unit_nav), breaks=len(breaks)),
    )
    return Reconciliation(manager=manager, custodian=custodian, summary=summary, breaks=breaks)


# rows ---------------------------------------------------------------------------------------------
def rows_frame(rows: list[ValuationRow]) -> pl.DataFrame:
    """The compared fields of a table's rows as a polars frame keyed by subject code (the frame
    `reconcile` compares; the benchmark hands the same one to datacompy).

    The Decimals reach polars as text, all fields in one column parsed at once: `float()` on each
    of ~1,800 figures cost twice as much (the same value to the bit: both round correctly)."""
    n = len(rows)
    text = [None if v is None else str(v) for name in FIELDS for v in map(attrgetter(name), rows)]
    figures = pl.Series(text, dtype=pl.String).cast(pl.Float64)
    codes = pl.Series("subject_code", [r.subject_code for r in rows], dtype=pl.String)
    return pl.DataFrame([codes, *(figures.slice(i * n, n).alias(name) for i, name in enumerate(FIELDS))])


def _roots(changed: set[str], rows: Mapping[str, ValuationRow]) -> set[str]:
    """Codes whose difference is their own (not the sum or mirror of another row's):

    - a parent whose child differs or is on one side only follows that child;
    - an 估值增值 memo row (`…99…`) mirrors its position's appreciation: its own only when no
      other changed row holds the same security;
    - 实收资本 rows explain the unit-NAV break, which is reported from the footer.
    """
    parents = {rows[c].parent_code for c in changed if rows[c].parent_code}
    securities = {_security(c) for c in changed if not rows[c].is_appreciation and _security(c)}
    roots = set()
    for code in changed:
        row = rows[code]
        if code in parents or "实收资本" in (row.subject_name or ""):
            continue
        if row.is_appreciation and _security(code) in securities:
            continue
        roots.add(code)
    return roots


def _security(code: str) -> str:
    """The security part of a position's code (`11020101600309` -> `600309`), '' for subjects."""
    return code[8:] if len(code) > 8 else ""


def _kind_source(row: ValuationRow, rows: Mapping[str, ValuationRow]) -> str:
    """The names of a row and its ancestors: an accrual leaf is often named after the bond."""
    names = []
    current: ValuationRow | None = row
    while current is not None:
        names.append(current.subject_name or "")
        current = rows.get(current.parent_code) if current.parent_code else None
    return " ".join(names)


def _kind(row: ValuationRow, name: str, label: str) -> BreakKind:
    if _FEE.search(label) and name in MONEY_FIELDS:
        return "fee"
    if _ACCRUAL.search(label) and name in MONEY_FIELDS:
        return "accrual"
    if row.is_appreciation and name in MONEY_FIELDS:
        return "appreciation"
    return _FIELD_KIND[name]


def _field_breaks(
    m: ValuationRow,
    c: ValuationRow,
    fields: list[tuple[str, float | None, float | None]],
    *,
    knock_on: bool,
    label: str,
) -> list[Break]:
    """One break per differing field; on a root row, the fields that follow from another differing
    field of the same row (market value from quantity or price, appreciation from market value or
    cost) are reported as knock-on."""
    out = []
    names = {name for name, _, _ in fields}
    for name, m_value, c_value in fields:
        kind = _kind(m, name, label)
        derived = bool(_DERIVED_FROM.get(name, set()) & names)
        row_knock_on = knock_on or derived
        facts = BreakFacts(
            kind=kind, field=name, subject_name=m.subject_name or m.subject_code,
            manager=m_value, custodian=c_value,
            manager_quantity=_float(m.quantity), custodian_quantity=_float(c.quantity),
            manager_price=_float(m.price), custodian_price=_float(c.price),
            status=" ".join(s for s in (m.status, c.status) if s) or None,
        )  # fmt: skip
        cause = explain(facts)
        origin = "下级科目" if knock_on else "同一科目其他字段"
        text = cause.text if not row_knock_on else f"{cause.text}（{origin}差异的结果）"
        out.append(
            Break(
                subject_code=m.subject_code,
                subject_name=m.subject_name,
                kind=kind,
                field=name,
                manager=m_value,
                custodian=c_value,
                difference=_diff(m_value, c_value),
                explanation=text,
                cause=cause.code if not row_knock_on else "knock_on",
                knock_on=row_knock_on,
                manager_cell=m.source.get(name),
                custodian_cell=c.source.get(name),
            )
        )
    return out


def _missing(row: ValuationRow, kind: BreakKind, *, knock_on: bool) -> Break:
    name = row.subject_name or row.subject_code
    cause = explain(
        BreakFacts(kind=kind, field="subject_code", subject_name=name, manager=None, custodian=None)
    )
    value = _float(row.market_value if row.market_value is not None else row.cost)
    return Break(
        subject_code=row.subject_code, subject_name=row.subject_name, kind=kind, field="market_value",
        manager=value if kind == "missing_in_custodian" else None,
        custodian=value if kind == "missing_in_manager" else None,
        difference=None, explanation=cause.text, knock_on=knock_on,
        cause="knock_on" if knock_on else cause.code,
        manager_cell=row.source.get("subject_code") if kind == "missing_in_custodian" else None,
        custodian_cell=row.source.get("subject_code") if kind == "missing_in_manager" else None,
    )  # fmt: skip


def _footer_breaks(manager: ValuationTable, custodian: ValuationTable, tol: Tolerances) -> list[Break]:
    out = []
    for name, kind, label, limit in (
        ("nav", "nav", "基金资产净值", tol.nav),
        ("unit_nav", "unit_nav", "基金单位净值", tol.unit_nav),
    ):
        m, c = _float(getattr(manager, name)), _float(getattr(custodian, name))
        if m is None or c is None or abs(m - c) <= limit + 1e-12:
            continue
        error = unit_nav_error(_float(manager.unit_nav), _float(custodian.unit_nav))
        share = f"，单位净值误差 {error:.4%}" if error is not None and kind == "unit_nav" else ""
        out.append(
            Break(
                subject_code=None,
                subject_name=label,
                kind=kind,
                field=name,
                manager=m,
                custodian=c,
                difference=_diff(m, c),
                explanation=(
                    f"{label}: 管理人 {number_text(m)}，托管人 {number_text(c)}，"
                    f"差额 {number_text(_diff(m, c))}{share}。"
                ),
                cause="footer",
                manager_cell=manager.source.get(name),
                custodian_cell=custodian.source.get(name),
            )
        )
    return out


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _diff(m: Decimal | float | None, c: Decimal | float | None) -> float | None:
    if m is None or c is None:
        return None
    return round(float(m) - float(c), 6)
