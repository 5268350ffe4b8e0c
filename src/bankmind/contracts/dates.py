"""Dates and loan terms as contracts write them, and the end dates a term allows.

`2025年6月4日`, `二〇二五年六月四日`, `2025-06-04` all become `date(2025, 6, 4)`; a blank slot
(`____年__月__日`) or an impossible day (2月30日) is None, so the caller reports a blank or wrong field
rather than a made-up date. A term of N months may end on start + N months or the day before
(cli-contract.md, contract convention 4); both are computed here.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from bankmind.contracts.numerals import parse_number

__all__ = ["DATE_PATTERN", "Term", "add_months", "parse_date", "parse_term", "term_end", "term_matches"]

_CN_DIGIT = "〇○零一二三四五六七八九"
_CN_SMALL = _CN_DIGIT + "十廿卅"
_MAX_MONTHS = 1200  # a term beyond 100 years is not a loan term but a misreading
_DIGIT_VALUE = dict.fromkeys("〇○零", 0) | {c: i for i, c in enumerate("一二三四五六七八九", 1)}
DATE_PATTERN = re.compile(
    rf"(?<!\d)(?P<y>\d{{4}}|[{_CN_DIGIT}]{{4}})\s*年\s*(?P<m>\d{{1,2}}|[{_CN_SMALL}]{{1,3}})\s*月"
    rf"\s*(?P<d>\d{{1,2}}|[{_CN_SMALL}]{{1,3}})\s*[日号]"
    r"|(?<!\d)(?P<y2>\d{4})(?P<sep>[-/.])(?P<m2>\d{1,2})(?P=sep)(?P<d2>\d{1,2})(?!\d)"
)
"""Finds a written date in running text; `parse_date(match.group())` reads it."""

_TERM_PART = re.compile(
    r"(?P<n>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百壹贰叁肆伍陆柒捌玖拾佰]+)(?P<unit>个月|月|年|天|日)"
)
# 叁拾陆（36）个月 / 36（叁拾陆）个月: the same number written twice; they must agree.
_DOUBLE = re.compile(r"(?P<a>[^()]+)\((?P<b>[^()]+)\)(?P<unit>个月|月|年|天|日)")


@dataclass(frozen=True)
class Term:
    """A loan term in whole months and days (a year is 12 months)."""

    months: int = 0
    days: int = 0

    def __str__(self) -> str:
        parts = [f"{self.months}个月"] if self.months else []
        return "".join([*parts, f"{self.days}天"] if self.days else parts)


def _year(text: str) -> int:
    """`2025` or `二〇二五` (always written digit by digit)."""
    return int(text) if text.isdigit() else int("".join(str(_DIGIT_VALUE[c]) for c in text))


def _month_or_day(text: str) -> int | None:
    """`6`, `06`, `六`, `十四`, `二十一`, `廿一`, `〇六`."""
    if text.isdigit():
        return int(text)
    if len(text) == 2 and text[0] in "〇○零" and text[1] in _DIGIT_VALUE:
        return _DIGIT_VALUE[text[1]]
    number = parse_number(text.replace("廿", "二十").replace("卅", "三十"))
    return int(number) if number is not None and number == int(number) else None


def parse_date(text: str) -> date | None:
    """Read one date written in figures or Chinese numerals; None for blanks or impossible dates.

    Why: signing, start and end dates are compared with each other and with the term, so they must
    be real calendar dates, never a best guess.
    """
    body = unicodedata.normalize("NFKC", text).strip()
    match = DATE_PATTERN.fullmatch(body)
    if match is None:
        return None
    if match.group("y") is not None:
        year = _year(match.group("y"))
        month, day = _month_or_day(match.group("m")), _month_or_day(match.group("d"))
    else:
        year, month, day = (int(match.group(g)) for g in ("y2", "m2", "d2"))
    if month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_term(text: str) -> Term | None:
    """Read a loan term: `36个月`, `叁拾陆个月`, `三年`, `1年`, `180天`, `1年零6个月`, `叁拾陆（36）个月`.

    Why: the end date is checked against start + term; an unreadable or zero term is None.
    """
    body = unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "")
    double = _DOUBLE.fullmatch(body)
    if double is not None:
        first = parse_term(double.group("a") + double.group("unit"))
        second = parse_term(double.group("b") + double.group("unit"))
        return first if first is not None and first == second else None
    months = days = 0
    position = 0
    for part in _TERM_PART.finditer(body):
        gap = body[position : part.start()]
        if gap not in ("", "零", "又"):
            return None
        number = parse_number(part.group("n"))
        unit = part.group("unit")
        count = None if number is None else number * 12 if unit == "年" else number
        if count is None or count != int(count):
            return None  # 1.5年 is 18 months; 1.5个月 is not a term
        if unit in ("年", "个月", "月"):
            months += int(count)
        else:
            days += int(count)
        position = part.end()
    if position == 0 or position != len(body) or months + days == 0 or months + days // 31 > _MAX_MONTHS:
        return None
    return Term(months, days)


def add_months(start: date, months: int) -> date:
    """The same day N months later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def term_end(start: date, term: Term) -> tuple[date, date]:
    """The two accepted end dates: start + term, and the day before (cli-contract convention 4).

    Why: contracts count a term either way ("至2028年6月4日" or "至2028年6月3日"); both are right.
    """
    end = add_months(start, term.months) + timedelta(days=term.days)
    return end, end - timedelta(days=1)


def term_matches(start: date, end: date, term: Term) -> bool:
    """Whether an end date is one of the two that start + term allows."""
    return end in term_end(start, term)
