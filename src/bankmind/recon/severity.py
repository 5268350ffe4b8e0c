"""How serious a reconciliation's result is, from the unit-NAV error (fund-contract thresholds).

    severity(manager_unit_nav=1.0234, custodian_unit_nav=1.0210, breaks=3) -> "minor"

A fund's valuation error is judged by how far the published unit NAV is from the correct one
(the custodian's recomputation): from 0.25 % the manager must report it to the regulator, from
0.5 % announce it publicly (the thresholds fund contracts adopt from the CSRC's valuation rules).
Below that, any break is "minor" and none is "ok".
"""

from __future__ import annotations

from typing import Literal

__all__ = ["ANNOUNCE_AT", "REPORT_AT", "Severity", "severity", "unit_nav_error"]

Severity = Literal["ok", "minor", "report", "announce"]

REPORT_AT = 0.0025
"""Unit-NAV error (a fraction of the correct unit NAV) from which the regulator is told."""
ANNOUNCE_AT = 0.005
"""Unit-NAV error from which the error is announced."""


def unit_nav_error(manager_unit_nav: float | None, custodian_unit_nav: float | None) -> float | None:
    """|manager − custodian| / custodian, or None when either is missing or the custodian's is 0."""
    if manager_unit_nav is None or custodian_unit_nav is None or custodian_unit_nav == 0:
        return None
    return abs(manager_unit_nav - custodian_unit_nav) / abs(custodian_unit_nav)


def severity(manager_unit_nav: float | None, custodian_unit_nav: float | None, *, breaks: int) -> Severity:
    """ "announce", "report", "minor" or "ok" (see the module docstring); an unknown unit NAV counts
    as no error, so the breaks alone decide between "minor" and "ok"."""
    error = unit_nav_error(manager_unit_nav, custodian_unit_nav)
    # rounded to 10 decimals so that 0.25 % computed from 4-decimal unit NAVs lands on the threshold
    if error is not None and round(error, 10) >= ANNOUNCE_AT:
        return "announce"
    if error is not None and round(error, 10) >= REPORT_AT:
        return "report"
    return "minor" if breaks else "ok"
