"""Contract rates become percent per year, computed from the unit they were written in; penalty
mark-ups are never taken for the contract rate; unit mix-ups are kept and marked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bankmind.contracts.rates import (
    DAYS_PER_YEAR,
    DEFAULT_LPR,
    Rate,
    parse_penalty_markup,
    parse_rate,
    rate_ceiling,
    rate_out_of_range,
)

# fmt: off
FIXED = [  # text, annual %, basis, stated % per basis
    ("年利率4.35%", "4.35", "annual", "4.35"),
    ("年化利率 4.35 %", "4.35", "annual", "4.35"),
    ("借款年利率为4.35%", "4.35", "annual", "4.35"),
    ("年利率（固定利率）：4.35%", "4.35", "annual", "4.35"),
    ("年利率４．３５％", "4.35", "annual", "4.35"),
    ("年利率百分之四点三五", "4.35", "annual", "4.35"),
    ("年息1分", "10", "annual", "10"),
    ("年息6厘", "6", "annual", "6"),
    ("月利率3‰", "3.6", "monthly", "0.3"),
    ("月利率千分之三", "3.6", "monthly", "0.3"),
    ("月利率0.3625%", "4.35", "monthly", "0.3625"),
    ("月息5厘", "6", "monthly", "0.5"),
    ("月息1分", "12", "monthly", "1"),
    ("日利率万分之五", "18", "daily", "0.05"),
    ("日息0.05%", "18", "daily", "0.05"),
    ("日利率0.5‱", "1.8", "daily", "0.005"),
    ("年利率4.35%（月利率3.625‰）", "4.35", "annual", "4.35"),
    ("年利率4.35%，逾期罚息在借款利率基础上加收50%", "4.35", "annual", "4.35"),
]
# fmt: on


@pytest.mark.parametrize(("text", "annual", "basis", "stated"), FIXED)
def test_fixed_rates_become_annual(text: str, annual: str, basis: str, stated: str) -> None:
    rate = parse_rate(text)
    assert rate is not None
    assert (rate.annual, rate.basis, rate.stated) == (Decimal(annual), basis, Decimal(stated))
    assert rate.raw == text
    assert rate.lpr_spread_bp is None and rate.basis_stated
    assert rate.suspicious is None


def test_the_day_count_is_360() -> None:
    assert DAYS_PER_YEAR == 360
    rate = parse_rate("日利率万分之五")
    assert rate is not None and rate.annual == Decimal("0.05") * 360


# fmt: off
LPR = [  # text, annual %, spread in bp, the LPR used
    ("按一年期LPR加50个基点", "3.50", 50, "3.00"),
    ("LPR+0.5%", "3.50", 50, "3.00"),
    ("LPR减10BP", "2.90", -10, "3.00"),
    ("LPR-10bps", "2.90", -10, "3.00"),
    ("一年期贷款市场报价利率（LPR）减二十个基点", "2.80", -20, "3.00"),
    ("在一年期LPR基础上加0.35个百分点", "3.35", 35, "3.00"),
    ("按五年期以上LPR加20个基点", "3.70", 20, "3.50"),
    ("按一年期LPR执行", "3.00", 0, "3.00"),
    ("按一年期LPR加50个基点执行，即年利率3.5%", "3.50", 50, "3.00"),
    ("年期以上贷款市场报价利率（LPR）为定价基础，当期LPR为3.50%，加100个基点", "4.50", 100, "3.50"),
    ("一年期LPR（当前为3.10%）加50个基点", "3.60", 50, "3.10"),
]
# fmt: on


@pytest.mark.parametrize(("text", "annual", "spread", "lpr"), LPR)
def test_lpr_linked_rates_add_the_spread(text: str, annual: str, spread: int, lpr: str) -> None:
    rate = parse_rate(text)
    assert rate is not None
    assert (rate.annual, rate.lpr_spread_bp, rate.lpr) == (Decimal(annual), Decimal(spread), Decimal(lpr))
    assert rate.basis == "annual" and rate.suspicious is None


def test_the_lpr_is_configurable() -> None:
    rate = parse_rate("按一年期LPR加50个基点", lpr=Decimal("3.10"))
    assert rate is not None and rate.annual == Decimal("3.60")
    rate = parse_rate("按五年期以上LPR加20个基点", lpr_5y=Decimal("3.95"))
    assert rate is not None and rate.annual == Decimal("4.15")


def test_a_multiplicative_lpr_markup_is_computed_and_marked() -> None:
    rate = parse_rate("LPR上浮10%")
    assert rate is not None
    assert rate.annual == Decimal("3.30") and rate.lpr_spread_bp == 30
    assert rate.suspicious is not None and "基点" in rate.suspicious


# fmt: off
CONFUSED = [
    ("月利率4.35%", "52.2", "reads like an annual rate"),
    ("日利率4.35%", "1566", "reads like an annual rate"),
    ("年利率4.35‰", "0.435", "‰ written as %"),
    ("年利率0.5%", "0.5", "reads like a monthly rate"),
    ("年利率4.35%（月利率4‰）", "4.35", "disagree"),
]
# fmt: on


@pytest.mark.parametrize(("text", "annual", "why"), CONFUSED)
def test_unit_confusions_are_kept_and_marked(text: str, annual: str, why: str) -> None:
    rate = parse_rate(text)
    assert rate is not None and rate.annual == Decimal(annual)
    assert rate.suspicious is not None and why in rate.suspicious


@pytest.mark.parametrize("text", ["利率4.35%", "4.35%"])
def test_a_bare_percentage_is_read_as_annual_and_says_so(text: str) -> None:
    rate = parse_rate(text)
    assert rate == Rate(Decimal("4.35"), "annual", text, Decimal("4.35"), basis_stated=False)


# fmt: off
NO_RATE = [
    "", "无", "年利率____%", "年利率  %", "利率5厘", "LPR加____个基点", "借款金额100万元",
    "在借款利率基础上加收50%",                      # a penalty mark-up, not the contract rate
    "逾期罚息利率为年利率6.525%",                   # a penalty rate
    "挪用借款的，按借款利率加收100%计收罚息",
    "罚息利率为借款利率上浮50%",
]
# fmt: on


@pytest.mark.parametrize("text", NO_RATE)
def test_no_contract_rate_gives_none(text: str) -> None:
    assert parse_rate(text) is None


# fmt: off
PENALTIES = [
    ("在借款利率基础上加收50%", "50"),
    ("逾期罚息利率为借款利率上浮百分之五十", "50"),
    ("挪用借款的，按借款利率加收100%计收罚息", "100"),
    ("按借款利率的150%计收罚息", "50"),
    ("罚息利率为借款利率的1.5倍", "50"),
    ("年利率4.35%", None),
    ("按借款利率的100%计收", None),
    ("", None),
]
# fmt: on


@pytest.mark.parametrize(("text", "markup"), PENALTIES)
def test_penalty_markups(text: str, markup: str | None) -> None:
    assert parse_penalty_markup(text) == (None if markup is None else Decimal(markup))


def test_the_ceiling_is_four_times_the_lpr() -> None:
    assert Decimal("3.00") == DEFAULT_LPR
    assert rate_ceiling() == Decimal("12.00")
    assert rate_ceiling(Decimal("3.10")) == Decimal("12.40")
    assert rate_ceiling(Decimal("3.00"), multiple=3) == Decimal("9.00")


# fmt: off
RANGE = [
    ("4.35", False), ("12.00", False), ("0.01", False),
    ("12.01", True), ("18", True), ("0", True), ("-1", True),
]
# fmt: on


@pytest.mark.parametrize(("annual", "out"), RANGE)
def test_rate_out_of_range(annual: str, out: bool) -> None:
    reason = rate_out_of_range(Decimal(annual))
    assert (reason is not None) is out
    if reason is not None and Decimal(annual) > 0:
        assert "12.00%" in reason


def test_the_range_follows_the_configured_lpr() -> None:
    assert rate_out_of_range(Decimal("12.20"), lpr=Decimal("3.10")) is None
    assert rate_out_of_range(Decimal("12.20"), lpr=Decimal("3.00")) is not None


def test_a_daily_consumer_rate_is_out_of_range() -> None:
    rate = parse_rate("日利率万分之五")
    assert rate is not None and rate_out_of_range(rate.annual) is not None
