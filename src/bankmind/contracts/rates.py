"""Contract interest rates read as an annual percentage, with the unit they were written in.

Contracts state rates per year (年利率4.35%), per month (月利率3‰, 月息5厘) or per day (日利率万分之五),
or as a spread over the LPR (一年期LPR加50个基点). `parse_rate` turns each into percent per year so
`rate_out_of_range` can compare it with 4 × LPR (cli-contract.md, contract convention 5). Penalty
mark-ups (逾期罚息在借款利率基础上加收50%) are not the contract rate: `parse_rate` skips them and
`parse_penalty_markup` reads them. A reading that looks like a unit mix-up (月利率4.35%) is kept and
marked `suspicious`, so a rule can say so instead of silently trusting it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from bankmind.contracts.numerals import parse_number

__all__ = [
    "DAYS_PER_YEAR",
    "DEFAULT_LPR",
    "DEFAULT_LPR_5Y",
    "RATE_CEILING_MULTIPLE",
    "Basis",
    "Rate",
    "parse_penalty_markup",
    "parse_rate",
    "rate_ceiling",
    "rate_out_of_range",
]

Basis = Literal["annual", "monthly", "daily"]

DEFAULT_LPR = Decimal("3.00")
"""One-year loan prime rate in percent (3.00% since 20 May 2025); callers pass the current one."""
DEFAULT_LPR_5Y = Decimal("3.50")
"""Over-five-year loan prime rate in percent (3.50% since 20 May 2025)."""
DAYS_PER_YEAR = 360
"""Day count for 日利率: PBoC rules convert 日利率 = 年利率 ÷ 360 (and 月利率 = 年利率 ÷ 12)."""
MONTHS_PER_YEAR = 12
RATE_CEILING_MULTIPLE = 4
"""Rates above 4 × the one-year LPR are out of range by default (convention 5)."""

_PER_YEAR: dict[Basis, int] = {"annual": 1, "monthly": MONTHS_PER_YEAR, "daily": DAYS_PER_YEAR}
# Folk units: 分 is a tenth of the basis' "whole" (年息1分 = 10%, 月息1分 = 1%, 日息1分 = 0.1%),
# 厘 a tenth of 分.
_FEN_PERCENT: dict[Basis, Decimal] = {"annual": Decimal(10), "monthly": Decimal(1), "daily": Decimal("0.1")}
# Beyond these a stated rate reads like a different unit (24% a year / 36% a year / below 1% a year).
_MONTHLY_LOOKS_ANNUAL = Decimal(2)
_DAILY_LOOKS_ANNUAL = Decimal("0.1")
_ANNUAL_LOOKS_MONTHLY = Decimal(1)

_NUM = r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百点]+"
_BASIS_WORDS: dict[str, Basis] = {
    "年化利率": "annual", "年化": "annual", "年利率": "annual", "年息": "annual", "年率": "annual",
    "月利率": "monthly", "月息": "monthly", "月率": "monthly",
    "日利率": "daily", "日息": "daily", "日率": "daily",
}  # fmt: skip
_VALUE = (
    rf"(?:(?P<num>{_NUM})(?P<sym>%|‰|‱)"
    rf"|(?P<frac>百分之|千分之|万分之)(?P<fnum>{_NUM})"
    rf"|(?P<folk>{_NUM})(?P<fu>分|厘))"
)
_STATED = re.compile(rf"(?P<basis>{'|'.join(_BASIS_WORDS)})[^\d%‰‱，。；]{{0,12}}?{_VALUE}")
_BARE = re.compile(rf"(?:利率[^\d%‰‱，。；]{{0,12}}?)?{_VALUE}")
_LPR = re.compile(r"LPR|贷款市场报价利率", re.IGNORECASE)
_LPR_5Y = re.compile(r"[五5]年期?以上")
_STATED_LPR = re.compile(r"(?:LPR|贷款市场报价利率)[^，,。；;\d]{0,4}?[为是:：]\s*(?P<v>\d+(?:\.\d+)?)\s*%")
"""The LPR the contract itself states (当期LPR为3.50%): what its spread is added to."""
_SPREAD = re.compile(
    rf"(?P<dir>加上|加|\+|减去|减|-|−|上浮|下浮)(?P<num>{_NUM})"
    r"(?P<unit>个?基点|bps?|个?百分点|%)",
    re.IGNORECASE,
)
_DIRECTION = re.compile(r"加|减|\+|-|−|上浮|下浮")
_PENALTY = re.compile(r"罚息|逾期|挪用|复利|违约|加收|(?:借款|贷款|合同|约定|执行)利率的?基础上")
_CLAUSE = re.compile(r"[。；;，,\n]")
_MARKUP = re.compile(rf"(?:加收|上浮|提高)(?:百分之(?P<cn>{_NUM})|(?P<pct>{_NUM})%)")
_TIMES = re.compile(rf"利率的(?:(?P<pct>{_NUM})%|(?P<times>{_NUM})倍)")


@dataclass(frozen=True)
class Rate:
    """A contract rate: percent per year, how it was written, and anything odd about it."""

    annual: Decimal
    """Percent per year (monthly × 12, daily × 360, LPR + spread)."""
    basis: Basis
    raw: str
    stated: Decimal
    """Percent per `basis`, as written (3‰ a month is 0.3)."""
    lpr_spread_bp: Decimal | None = None
    """For LPR-linked rates: the spread in basis points (加50个基点 = 50, 减10BP = -10)."""
    lpr: Decimal | None = None
    """The LPR `annual` was computed with."""
    basis_stated: bool = True
    """False for a bare `利率4.35%` / `4.35%`, read as annual by convention."""
    suspicious: str | None = None
    """Why the figure looks like a unit mix-up (月利率4.35%), in Chinese / English; else None."""


def _tidy(value: Decimal) -> Decimal:
    """Two decimals when that is exact (6.0 → 6.00, 4.3500 → 4.35), else every significant digit."""
    cents = value.quantize(Decimal("0.01"))
    return cents if cents == value else value.normalize()


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _percent(match: re.Match[str], basis: Basis) -> Decimal | None:
    """The stated value of a `_VALUE` match in percent per `basis`."""
    if match.group("sym"):
        number, divisor = match.group("num"), {"%": 1, "‰": 10, "‱": 100}[match.group("sym")]
    elif match.group("frac"):
        number, divisor = match.group("fnum"), {"百分之": 1, "千分之": 10, "万分之": 100}[match.group("frac")]
    else:
        value = parse_number(match.group("folk"))
        fen = _FEN_PERCENT[basis] / (1 if match.group("fu") == "分" else 10)
        return None if value is None else value * fen
    value = parse_number(number)
    return None if value is None else value / divisor


def _contract_text(text: str) -> str:
    """The clauses of `text` that are not about penalties (罚息, 逾期, 加收 …)."""
    return "，".join(c for c in _CLAUSE.split(_normalise(text)) if c and not _PENALTY.search(c))


def _stated_rates(body: str) -> list[tuple[Basis, Decimal]]:
    found: list[tuple[Basis, Decimal]] = []
    for match in _STATED.finditer(body):
        basis = _BASIS_WORDS[match.group("basis")]
        value = _percent(match, basis)
        if value is not None:
            found.append((basis, value))
    return found


def _unit_doubt(basis: Basis, stated: Decimal, annual: Decimal) -> str | None:
    if basis == "monthly" and stated >= _MONTHLY_LOOKS_ANNUAL:
        return (
            f"月利率{stated}%像是年利率（按月计相当于年利率{annual}%） / "
            f"a monthly rate of {stated}% reads like an annual rate ({annual}% a year)"
        )
    if basis == "daily" and stated >= _DAILY_LOOKS_ANNUAL:
        return (
            f"日利率{stated}%像是年利率（按日计相当于年利率{annual}%） / "
            f"a daily rate of {stated}% reads like an annual rate ({annual}% a year)"
        )
    if basis == "annual" and 0 < stated < _ANNUAL_LOOKS_MONTHLY:
        return (
            f"年利率{stated}%低于1%，像是月利率或把%写成了‰ / "
            f"an annual rate of {stated}% reads like a monthly rate or a ‰ written as %"
        )
    return None


def _lpr_rate(body: str, mention: re.Match[str], raw: str, lpr: Decimal, lpr_5y: Decimal) -> Rate | None:
    written = _STATED_LPR.search(body)
    base = Decimal(written["v"]) if written else lpr_5y if _LPR_5Y.search(body) else lpr
    after = body[mention.end() :]
    spread = _SPREAD.search(after)
    doubt = None
    if spread is None:
        if _DIRECTION.search(after.split("，")[0]):
            return None  # 加/减 without a readable figure (LPR加____个基点): nothing to compute
        spread_bp = Decimal(0)
    else:
        number = parse_number(spread.group("num"))
        if number is None:
            return None
        sign = -1 if spread.group("dir") in ("减去", "减", "-", "−", "下浮") else 1
        unit = spread.group("unit").lower()
        if spread.group("dir") in ("上浮", "下浮") and unit == "%":
            # 上浮10% traditionally multiplies the base rate (× 1.10); LPR contracts should say 基点.
            spread_bp = base * number * sign
            doubt = (
                f"“{spread.group()}”按LPR的倍数理解（LPR × {1 + sign * number / 100}），LPR定价应写明基点 / "
                f"'{spread.group()}' read as a multiple of the LPR; LPR pricing should state basis points"
            )
        else:
            spread_bp = number * sign * (1 if unit.endswith(("基点", "bp", "bps")) else 100)
    stated = [v for b, v in _stated_rates(body) if b == "annual"]
    annual = _tidy(stated[0] if stated else base + spread_bp / 100)
    bp = spread_bp.quantize(Decimal(1)) if spread_bp == spread_bp.to_integral() else spread_bp.normalize()
    return Rate(annual, "annual", raw, annual, lpr_spread_bp=bp, lpr=base, suspicious=doubt)


def _fixed_rate(body: str, raw: str) -> Rate | None:
    """A rate stated as a figure: with its basis (年/月/日利率) or, failing that, a bare percentage."""
    stated = _stated_rates(body)
    if not stated:
        bare = _BARE.search(body)
        if bare is None or bare.group("folk"):
            return None  # 利率5厘 without 年/月/日 cannot be computed
        value = _percent(bare, "annual")
        if value is None:
            return None
        value = _tidy(value)
        return Rate(
            value, "annual", raw, value, basis_stated=False, suspicious=_unit_doubt("annual", value, value)
        )
    basis, value = stated[0]
    annual = _tidy(value * _PER_YEAR[basis])
    doubt = _unit_doubt(basis, value, annual)
    # a converted rate is rounded where it is written (年利率3.65%，折合月利率3.042‰): agreement within
    # RATE_ROUNDING percentage points a year is agreement
    others = sorted(
        o for o in {_tidy(v * _PER_YEAR[b]) for b, v in stated[1:]} if abs(o - annual) > RATE_ROUNDING
    )
    if doubt is None and others:
        doubt = (
            f"同一条款中的利率前后不一致（年化{annual}%与{others[0]}%） / "
            f"the clause states rates that disagree ({annual}% vs {others[0]}% a year)"
        )
    return Rate(annual, basis, raw, _tidy(value), suspicious=doubt)


RATE_ROUNDING = Decimal("0.05")
"""Percentage points a year two statements of one rate may differ by through rounding."""


def parse_rate(text: str, *, lpr: Decimal = DEFAULT_LPR, lpr_5y: Decimal = DEFAULT_LPR_5Y) -> Rate | None:
    """Read the contract rate of an interest clause as percent per year; None when there is none.

    Why: the rate is checked against 4 × LPR, which needs one annual figure computed exactly from
    whatever unit the contract used. Penalty clauses are ignored; a stated 年利率 beside an LPR
    formula (即年利率3.5%) is taken as written. `lpr` / `lpr_5y` are the current one-year and
    over-five-year LPR in percent.
    """
    body = _contract_text(text)
    if not body:
        return None
    mention = _LPR.search(body)
    if mention is not None:
        return _lpr_rate(body, mention, text, lpr, lpr_5y)
    return _fixed_rate(body, text)


def parse_penalty_markup(text: str) -> Decimal | None:
    """The penalty mark-up over the contract rate in percent: `加收50%` → 50, `利率的1.5倍` → 50.

    Why: penalty interest (罚息) is a mark-up, not the contract rate; rules check it separately.
    """
    body = _normalise(text)
    markup = _MARKUP.search(body)
    if markup is not None:
        return parse_number(markup.group("cn") or markup.group("pct"))
    times = _TIMES.search(body)
    if times is None:
        return None
    if times.group("pct"):
        value = parse_number(times.group("pct"))
        return None if value is None or value <= 100 else value - 100
    factor = parse_number(times.group("times"))
    return None if factor is None or factor <= 1 else (factor - 1) * 100


def rate_ceiling(lpr: Decimal = DEFAULT_LPR, multiple: int = RATE_CEILING_MULTIPLE) -> Decimal:
    """The highest acceptable annual rate in percent: `multiple` × LPR (12.00 by default)."""
    return (lpr * multiple).quantize(Decimal("0.01"))


def rate_out_of_range(
    annual: Decimal, *, lpr: Decimal = DEFAULT_LPR, multiple: int = RATE_CEILING_MULTIPLE
) -> str | None:
    """Why an annual rate is out of range (at or below 0, or above the ceiling), or None.

    Why: convention 5 of the contract inspection; the message names the ceiling it used.
    """
    if annual <= 0:
        return f"年利率{annual}%不大于0 / the annual rate {annual}% is not above 0"
    ceiling = rate_ceiling(lpr, multiple)
    if annual > ceiling:
        return (
            f"年利率{annual}%高于LPR（{lpr}%）的{multiple}倍即{ceiling}% / "
            f"the annual rate {annual}% is above {multiple} × LPR ({lpr}%) = {ceiling}%"
        )
    return None
