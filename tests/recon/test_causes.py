"""Likely causes read from a break's own figures; every figure in the text is one of the facts."""

from __future__ import annotations

import re

import pytest

from bankmind.recon.causes import BreakFacts, explain


def facts(**kw: object) -> BreakFacts:
    base: dict[str, object] = {"kind": "quantity", "field": "quantity", "subject_name": "万华化学"}
    return BreakFacts(**(base | kw))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "code"),
    [
        (facts(manager=866100.0, custodian=1125930.0), "corporate_action"),  # 10送3
        (facts(manager=100000.0, custodian=120000.0), "corporate_action"),  # 10转2
        (facts(manager=100000.0, custodian=100700.0), "unknown"),  # no bonus ratio
        (facts(kind="price", field="price", manager=68.53, custodian=70.10, manager_quantity=100.0,
               custodian_quantity=100.0), "price_date"),
        (facts(kind="price", field="price", manager=68.53, custodian=40.0, manager_quantity=100.0,
               custodian_quantity=100.0), "unknown"),  # beyond a day's move
        (facts(kind="price", field="price", manager=10.0, custodian=9.2, status="停牌", manager_price=10.0,
               custodian_price=9.2), "suspended_valuation"),
        (facts(kind="market_value", field="market_value", manager=1000.01, custodian=1000.0), "rounding"),
        (facts(kind="fee", field="market_value", subject_name="应付管理人报酬", manager=5400.0,
               custodian=5600.0), "accrual_days"),
        (facts(kind="missing_in_manager", field="subject_code", manager=None, custodian=None), "missing"),
    ],
)  # fmt: skip
def test_causes(given: BreakFacts, code: str) -> None:
    cause = explain(given)
    assert cause.code == code, cause.text
    assert given.subject_name in cause.text


def test_every_figure_in_the_text_comes_from_the_facts() -> None:
    given = facts(manager=866100.0, custodian=1125930.0)
    text = explain(given).text
    stated = {n.replace(",", "") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}
    allowed = {"866100", "1125930", "10", "13", "3"}
    assert stated <= allowed, stated - allowed
