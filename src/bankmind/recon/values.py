"""Cell values as custodian systems print them: numbers and dates in their many spellings.

A number may be a workbook float, or text with thousands separators (`1,234.50`), a sign or
accounting parentheses (`(1,234.50)`), a `%` sign (`6.98%`, read as 6.98), full-width digits, or a
blank written `-` / `--` / `—`. A date may be `20250327`, `2025-03-27`, `2025/3/27`, `2025年03月27日`
or a date cell (read as ISO text by `reading`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from bankmind.recon.reading import Cell

__all__ = ["DATE", "number", "parse_date"]

_BLANKS = {"", "-", "--", "---", "—", "——", "***", "null", "none", "n/a"}


def number(cell: Cell) -> Decimal | None:
    """`"1,234.50"` -> 1234.50, `"(12)"` -> -12, `"0.05%"` -> 0.05, blanks and `-` -> None."""
    if isinstance(cell, float):
        return Decimal(format(cell, ".15g"))
    if not cell:
        return None
    text = cell if cell.isascii() else unicodedata.normalize("NFKC", cell).replace("−", "-")
    text = text.replace(",", "").replace(" ", "").strip()
    if text.lower() in _BLANKS:
        return None
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    try:
        value = Decimal(text.rstrip("%"))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return -value if negative else value


DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})|(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")


def parse_date(text: str) -> dt.date | None:
    """`20250327`, `2025-03-27`, `2025/3/27`, `2025年3月27日` -> date; None when there is none."""
    for match in DATE.finditer(unicodedata.normalize("NFKC", text)):
        parts = match.groups()
        y, m, d = (parts[0], parts[1], parts[2]) if parts[0] else (parts[3], parts[4], parts[5])
        try:
            return dt.date(int(y), int(m), int(d))
        except ValueError:
            continue
    return None
