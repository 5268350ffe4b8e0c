"""Likely causes of a break, read deterministically from the break's own figures.

    explain(BreakFacts(kind="quantity", field="quantity", manager=866100, custodian=1125930, ...))
    -> Cause(code="corporate_action", text="数量之比 1.3 = 10送3（或转增）: …")

Operations staff chase a break faster when told what it most likely is. Each rule below looks
only at the figures of the break's own row (both sides' quantity, price, status); a rule that
does not clearly apply says nothing, and the generic text then states the difference. Every
figure in the text comes from the facts, never from a model.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

__all__ = ["FIELD_LABELS", "BreakFacts", "Cause", "explain", "number_text"]

DAILY_LIMIT = 0.20
"""Largest one-day price move considered (20 %: the ChiNext/STAR daily limit; main boards 10 %)."""
_BONUS_RATIOS = {Fraction(10 + k, 10): k for k in range(1, 21)}  # 10送k / 10转k: quantity × (10+k)/10


@dataclass(frozen=True)
class BreakFacts:
    """One difference between the manager's and the custodian's row, with that row's context."""

    kind: str
    field: str
    subject_name: str
    manager: float | None
    custodian: float | None
    manager_quantity: float | None = None
    custodian_quantity: float | None = None
    manager_price: float | None = None
    custodian_price: float | None = None
    status: str | None = None
    """停牌信息 / 权益信息 of either side (e.g. "停牌", "送股")."""


@dataclass(frozen=True)
class Cause:
    code: str
    """corporate_action, suspended_valuation, price_date, accrual_days, rounding, unknown."""
    text: str


def explain(facts: BreakFacts) -> Cause:
    """The most likely cause of a break, or the plain difference when no rule clearly applies."""
    for rule in (_missing, _corporate_action, _suspended, _rounding, _price_date, _accrual_days):
        cause = rule(facts)
        if cause is not None:
            return cause
    return Cause("unknown", _difference(facts))


def _missing(f: BreakFacts) -> Cause | None:
    if f.kind == "missing_in_manager":
        return Cause(
            "missing",
            f"{f.subject_name}: 托管人有此科目，管理人估值表中没有（新增持仓未入账或科目映射不同）。",
        )
    if f.kind == "missing_in_custodian":
        return Cause(
            "missing",
            f"{f.subject_name}: 管理人有此科目，托管人估值表中没有（新增持仓未入账或科目映射不同）。",
        )
    return None


def _corporate_action(f: BreakFacts) -> Cause | None:
    if f.kind != "quantity" or not f.manager or not f.custodian:
        return None
    low, high = sorted((abs(f.manager), abs(f.custodian)))
    ratio = Fraction(high / low).limit_denominator(100)
    k = _BONUS_RATIOS.get(ratio)
    if k is None or abs(float(ratio) - high / low) > 1e-6:
        return None
    side = "托管人" if abs(f.custodian) > abs(f.manager) else "管理人"
    return Cause(
        "corporate_action",
        f"{f.subject_name}: 数量 {number_text(f.manager)} 对 {number_text(f.custodian)}，之比为 10:{10 + k}，"
        f"与每10股送（转增）{k}股相符；{side}可能已按权益登记入账送转股，另一方尚未入账。",
    )


def _suspended(f: BreakFacts) -> Cause | None:
    if f.kind not in {"price", "market_value"} or not f.status or "停牌" not in f.status:
        return None
    prices = (
        f" 价格 {number_text(f.manager_price)} 对 {number_text(f.custodian_price)}"
        if f.manager_price is not None and f.custodian_price is not None
        else ""
    )
    return Cause(
        "suspended_valuation",
        f"{f.subject_name} 停牌（{f.status}）：{prices.strip() or '估值不同'}，"
        "双方可能采用了不同的停牌证券估值方法（最近收盘价或指数收益法等），请按估值政策复核。",
    )


def _rounding(f: BreakFacts) -> Cause | None:
    if f.manager is None or f.custodian is None or f.kind in {"quantity", "nav", "unit_nav"}:
        return None
    if abs(f.manager - f.custodian) <= 0.05 and f.kind in {
        "market_value",
        "cost",
        "appreciation",
        "accrual",
        "fee",
    }:
        return Cause(
            "rounding",
            f"{f.subject_name}: {_difference_text(f)}，为分位级差异，可能是计算精度或舍入方式不同。",
        )
    return None


def _price_date(f: BreakFacts) -> Cause | None:
    if f.kind != "price" or not f.manager or not f.custodian:
        return None
    same_quantity = f.manager_quantity is not None and f.manager_quantity == f.custodian_quantity
    move = abs(f.manager - f.custodian) / abs(f.custodian)
    if same_quantity and 0 < move <= DAILY_LIMIT:
        return Cause(
            "price_date",
            f"{f.subject_name}: 数量相同，价格 {number_text(f.manager)} 对 {number_text(f.custodian)}"
            f"（相差 {move:.2%}，在一个交易日涨跌幅之内），可能取用了不同日期或不同来源的行情。",
        )
    return None


def _accrual_days(f: BreakFacts) -> Cause | None:
    """Fees and accruals differ by rate, day count or base; one day's table cannot tell which (a
    constant daily difference across days points to the rate or the day count)."""
    if f.kind not in {"fee", "accrual"} or f.manager is None or f.custodian is None:
        return None
    return Cause(
        "accrual_days",
        f"{f.subject_name}: {_difference_text(f)}；计提类科目的差异多来自费率、计提天数或计息基数不同，"
        "请核对计提参数（若每日差额恒定，多为费率或天数）。",
    )


def _difference(f: BreakFacts) -> str:
    return f"{f.subject_name}: {_difference_text(f)}。"


FIELD_LABELS = {
    "quantity": "数量",
    "unit_cost": "单位成本",
    "cost": "成本",
    "price": "市价",
    "market_value": "市值",
    "appreciation": "估值增值",
    "nav": "基金资产净值",
    "unit_nav": "基金单位净值",
    "subject_code": "科目代码",
}
"""The compared fields as the tables head them (what operations staff read in an explanation)."""


def _difference_text(f: BreakFacts) -> str:
    label = FIELD_LABELS.get(f.field, f.field)
    if f.manager is None or f.custodian is None:
        return f"{label} 管理人 {number_text(f.manager)}，托管人 {number_text(f.custodian)}"
    difference = number_text(f.manager - f.custodian)
    return f"{label} 管理人 {number_text(f.manager)}，托管人 {number_text(f.custodian)}，差额 {difference}"


def number_text(value: float | None) -> str:
    """A figure as the explanations print it: thousands separators, at most 4 decimals, 空 for none."""
    if value is None:
        return "空"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")
