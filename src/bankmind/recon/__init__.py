"""Valuation reconciliation (估值表核对): parse any custodian's 估值表 into checked rows."""

from bankmind.recon.parse import NoHeaderFound, parse_table
from bankmind.recon.types import Check, ShareClass, ValuationRow, ValuationTable

__all__ = ["Check", "NoHeaderFound", "ShareClass", "ValuationRow", "ValuationTable", "parse_table"]
