"""Severity from the unit-NAV error: the fund-contract thresholds, at and around their edges."""

from __future__ import annotations

import pytest

from bankmind.recon.severity import severity, unit_nav_error


@pytest.mark.parametrize(
    ("manager", "custodian", "breaks", "expected"),
    [
        (1.0000, 1.0000, 0, "ok"),
        (1.0000, 1.0000, 3, "minor"),
        (1.0024, 1.0000, 1, "minor"),  # 0.24 %
        (1.0025, 1.0000, 1, "report"),  # exactly 0.25 %
        (0.9975, 1.0000, 1, "report"),  # below the correct value counts the same
        (1.0049, 1.0000, 1, "report"),
        (1.0050, 1.0000, 1, "announce"),  # exactly 0.5 %
        (1.2000, 1.0000, 0, "announce"),  # a unit-NAV break is a break even if no row differs
        (None, 1.0000, 2, "minor"),
        (1.0000, None, 0, "ok"),
    ],
)
def test_thresholds(manager: float | None, custodian: float | None, breaks: int, expected: str) -> None:
    assert severity(manager, custodian, breaks=breaks) == expected


def test_error_is_relative_to_the_custodians_unit_nav() -> None:
    assert unit_nav_error(2.0100, 2.0000) == pytest.approx(0.005)
    assert unit_nav_error(1.0, 0.0) is None
