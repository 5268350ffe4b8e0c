"""Dates and terms are read as written or not at all; a term allows exactly two end dates."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankmind.contracts.dates import (
    DATE_PATTERN,
    Term,
    add_months,
    parse_date,
    parse_term,
    term_end,
    term_matches,
)

# fmt: off
DATES = [
    ("2025年6月4日", date(2025, 6, 4)),
    ("2025年06月04日", date(2025, 6, 4)),
    ("2025 年 6 月 4 日", date(2025, 6, 4)),
    ("２０２５年６月４日", date(2025, 6, 4)),
    ("2025年6月4号", date(2025, 6, 4)),
    ("二〇二五年六月四日", date(2025, 6, 4)),
    ("二〇二五年六月十四日", date(2025, 6, 14)),
    ("二〇二五年十二月三十一日", date(2025, 12, 31)),
    ("二〇二五年十月二十日", date(2025, 10, 20)),
    ("二零二五年〇六月〇四日", date(2025, 6, 4)),
    ("二○二五年六月四日", date(2025, 6, 4)),      # ○ (a circle) written for 〇
    ("二〇二四年二月廿九日", date(2024, 2, 29)),
    ("2025-06-04", date(2025, 6, 4)),
    ("2025/6/4", date(2025, 6, 4)),
    ("2025.06.04", date(2025, 6, 4)),
    ("  2025-06-04 ", date(2025, 6, 4)),
]
NOT_DATES = [
    "", "____年__月__日", "    年  月  日", "【】年【】月【】日", "2025年  月  日", "年月日",
    "2025年2月30日",            # no such day
    "二〇二五年二月二十九日",     # not a leap year
    "2025年13月1日",
    "2025-06/04",               # mixed separators
    "2025-6",
    "20250604",
    "25年6月4日",
    "2025年6月4日起",            # one date, nothing else: extraction finds spans with DATE_PATTERN
]
# fmt: on


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_dates_are_read(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", NOT_DATES)
def test_blank_or_impossible_dates_give_none(text: str) -> None:
    assert parse_date(text) is None


def test_date_pattern_finds_dates_in_running_text() -> None:
    text = "借款期限自2025年6月4日起至二〇二八年六月三日止，签订日期：2025/06/01；编号12025-06-04X。"
    found = [parse_date(m.group()) for m in DATE_PATTERN.finditer(text)]
    assert found == [date(2025, 6, 4), date(2028, 6, 3), date(2025, 6, 1)]


# fmt: off
TERMS = [
    ("36个月", Term(months=36)),
    ("叁拾陆个月", Term(months=36)),
    ("三十六个月", Term(months=36)),
    ("叁拾陆（36）个月", Term(months=36)),
    ("36（叁拾陆）个月", Term(months=36)),
    ("三年", Term(months=36)),
    ("壹年", Term(months=12)),
    ("两年", Term(months=24)),
    ("1年", Term(months=12)),
    ("1.5年", Term(months=18)),
    ("12个月", Term(months=12)),
    ("12 个月", Term(months=12)),
    ("1年零6个月", Term(months=18)),
    ("180天", Term(days=180)),
    ("180日", Term(days=180)),
    ("3个月零10天", Term(months=3, days=10)),
]
NOT_TERMS = [
    "", "个月", "36", "____个月", "0个月", "叁拾陆（35）个月", "1.5个月", "期限36个月", "三十六个月以内",
    "10000年",
]
# fmt: on


@pytest.mark.parametrize(("text", "expected"), TERMS)
def test_terms_are_read(text: str, expected: Term) -> None:
    assert parse_term(text) == expected


@pytest.mark.parametrize("text", NOT_TERMS)
def test_unreadable_terms_give_none(text: str) -> None:
    assert parse_term(text) is None


@pytest.mark.parametrize(
    ("term", "text"), [(Term(36), "36个月"), (Term(days=180), "180天"), (Term(3, 10), "3个月10天")]
)
def test_a_term_prints_as_contracts_write_it(term: Term, text: str) -> None:
    assert str(term) == text


# fmt: off
ENDS = [
    (date(2025, 6, 4), Term(36), (date(2028, 6, 4), date(2028, 6, 3))),
    (date(2025, 1, 1), Term(1), (date(2025, 2, 1), date(2025, 1, 31))),
    (date(2025, 1, 31), Term(1), (date(2025, 2, 28), date(2025, 2, 27))),    # clamped to the month's end
    (date(2024, 1, 31), Term(1), (date(2024, 2, 29), date(2024, 2, 28))),    # leap year
    (date(2024, 2, 29), Term(12), (date(2025, 2, 28), date(2025, 2, 27))),
    (date(2025, 11, 15), Term(3), (date(2026, 2, 15), date(2026, 2, 14))),   # over the year end
    (date(2025, 3, 31), Term(6), (date(2025, 9, 30), date(2025, 9, 29))),
    (date(2025, 6, 4), Term(days=180), (date(2025, 12, 1), date(2025, 11, 30))),
    (date(2025, 6, 4), Term(1, 1), (date(2025, 7, 5), date(2025, 7, 4))),
]
# fmt: on


@pytest.mark.parametrize(("start", "term", "ends"), ENDS)
def test_term_end_gives_both_accepted_end_dates(start: date, term: Term, ends: tuple[date, date]) -> None:
    assert term_end(start, term) == ends
    assert all(term_matches(start, end, term) for end in ends)
    assert not term_matches(start, ends[0] + (ends[0] - ends[1]), term)


def test_a_parsed_term_checks_a_contracts_end_date() -> None:
    start, term = parse_date("二〇二五年六月四日"), parse_term("叁拾陆（36）个月")
    assert start is not None and term is not None
    assert term_matches(start, date(2028, 6, 3), term)
    assert term_matches(start, date(2028, 6, 4), term)
    assert not term_matches(start, date(2028, 6, 5), term)
    assert not term_matches(start, date(2027, 6, 3), term)


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)), st.integers(0, 360))
def test_add_months_keeps_the_day_or_clamps_it(start: date, months: int) -> None:
    end = add_months(start, months)
    assert (end.year - start.year) * 12 + end.month - start.month == months
    assert end.day == min(start.day, calendar.monthrange(end.year, end.month)[1])


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_every_date_reads_back_in_every_form(day: date) -> None:
    digits = "〇一二三四五六七八九"
    small = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]

    def cn(n: int) -> str:
        tens, ones = divmod(n, 10)
        return (small[tens] if tens > 1 else "") + ("十" if tens else "") + (small[ones] if ones else "")

    year = "".join(digits[int(c)] for c in f"{day.year}")
    forms = [
        f"{day:%Y年%m月%d日}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day:%Y-%m-%d}",
        f"{day.year}/{day.month}/{day.day}",
        f"{day:%Y.%m.%d}",
        f"{year}年{cn(day.month)}月{cn(day.day)}日",
    ]
    for text in forms:
        assert parse_date(text) == day, text
