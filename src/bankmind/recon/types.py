"""Parsed valuation tables: rows, header figures and self-checks (the `recon parse` result).

Money is `Decimal` inside and a JSON number outside (cli-contract.md). Every figure keeps the cell
it came from in `source` (`"H12"`, or `"Sheet1!H12"`), so a break can point at the cell.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

__all__ = ["Check", "Money", "ShareClass", "ValuationRow", "ValuationTable"]

Money = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]

ROW_KEYS = (
    "subject_code",
    "subject_name",
    "level",
    "is_leaf",
    "quantity",
    "unit_cost",
    "cost",
    "cost_pct_nav",
    "price",
    "market_value",
    "mv_pct_nav",
    "appreciation",
    "status",
)
"""The row keys the CLI contract prints, in its order."""


class Check(BaseModel):
    """One self-consistency check of a table; `ok=False` names the subject and both figures."""

    model_config = ConfigDict(frozen=True)

    code: str
    ok: bool
    message: str
    subject_code: str | None = None


class ValuationRow(BaseModel):
    """One subject (科目) row of the body, with the 本币 figures where a table has both."""

    model_config = ConfigDict(frozen=True)

    subject_code: str
    """Normalised: no dots, spaces or exchange suffix (`1102.01.01.600309 SH` -> `11020101600309`)."""
    raw_code: str
    subject_name: str | None = None
    level: int
    is_leaf: bool = True
    parent_code: str | None = None
    is_appreciation: bool = False
    """An 估值增值 sub-account (`…99…`), which repeats its position's appreciation as a balance."""
    quantity: Money | None = None
    unit_cost: Money | None = None
    cost: Money | None = None
    cost_pct_nav: Money | None = None
    price: Money | None = None
    market_value: Money | None = None
    mv_pct_nav: Money | None = None
    appreciation: Money | None = None
    status: str | None = None
    currency: str | None = None
    fx_rate: Money | None = None
    source: dict[str, str] = Field(default_factory=dict)
    """Field name -> source cell (`H12`)."""

    def contract_dict(self) -> dict[str, Any]:
        """The row as cli-contract.md prints it (numbers as JSON numbers, nothing internal)."""
        dumped = self.model_dump(mode="json")
        return {key: dumped[key] for key in ROW_KEYS}


class ShareClass(BaseModel):
    """A share class's footer figures (A类, B类 …) where the table lists them."""

    model_config = ConfigDict(frozen=True)

    name: str
    paid_in_capital: Money | None = None
    nav: Money | None = None
    unit_nav: Money | None = None
    cumulative_unit_nav: Money | None = None


class ValuationTable(BaseModel):
    """A whole 估值表: title block, body rows, footer figures and the checks run on them."""

    model_config = ConfigDict(frozen=True)

    product: str | None = None
    manager: str | None = None
    valuation_date: dt.date | None = None
    unit_nav: Money | None = None
    nav: Money | None = None
    cumulative_unit_nav: Money | None = None
    paid_in_capital: Money | None = None
    assets_total: Money | None = None
    liabilities_total: Money | None = None
    share_classes: list[ShareClass] = Field(default_factory=list)
    pct_scale: int = 100
    """100 when the 占净值 columns are percentages as printed; 1 when the source printed fractions
    (0.0698 for 6.98%) and they were multiplied by 100 to match."""
    rows: list[ValuationRow] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    sheet: str | None = None
    header_cell: str | None = None
    source: dict[str, str] = Field(default_factory=dict)
    """Header field -> source cell."""

    def contract_dict(self) -> dict[str, Any]:
        """The JSON document `recon parse --format json` prints (cli-contract.md)."""
        dumped = self.model_dump(mode="json", include={"product", "valuation_date", "unit_nav", "nav"})
        return {
            "product": dumped["product"],
            "valuation_date": dumped["valuation_date"],
            "unit_nav": dumped["unit_nav"],
            "nav": dumped["nav"],
            "rows": [row.contract_dict() for row in self.rows],
            "checks": [{"code": c.code, "ok": c.ok, "message": c.message} for c in self.checks],
        }
