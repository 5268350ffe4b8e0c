"""Amounts in figures (小写) and capital numerals (大写) are read exactly, to the fen, or not at all.

The last tests run over cn2an's own test tables in /work/shared/data/contracts/cn2an_vectors when the
folder is present: every money ("rmb") form cn2an writes must read back as its number.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import cn2an  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankmind.contracts.numerals import (
    FEN,
    amount_in_words,
    amounts_agree,
    parse_amount_figures,
    parse_amount_words,
    parse_number,
)

VECTORS = Path("/work/shared/data/contracts/cn2an_vectors/cn2an_vectors.json")
ABSENT = f"cn2an test vectors are absent ({VECTORS.parent} is local evaluation data)"

# fmt: off
WORDS = [
    ("人民币壹佰万元整", "1000000"),
    ("壹佰万圆整", "1000000"),
    ("玖仟陆佰陆拾伍圆壹角捌分", "9665.18"),
    ("壹拾万零伍佰元正", "100500"),
    ("（大写）人民币叁拾万元整", "300000"),
    ("人民币（大写）：叁拾万元整", "300000"),
    ("大写人民币 壹仟零伍拾万元整", "10500000"),
    ("一百万元", "1000000"),
    ("两百万元整", "2000000"),
    ("壹拾万零叁仟元整", "103000"),      # a 零 banks write although the standard omits it
    ("壹佰万元零伍分", "1000000.05"),
    ("壹元零壹分", "1.01"),
    ("壹拾贰元伍角整", "12.5"),
    ("肆角叁分", "0.43"),
    ("壹分", "0.01"),
    ("零元整", "0"),
    ("负壹角", "-0.1"),
    ("壹佰萬圓整", "1000000"),           # traditional characters
    ("壹拾万亿元整", "10000000000000"),
    ("拾万元整", "100000"),
    ("壹佰万", "1000000"),               # a numeral without 元 is still one number
]
NOT_WORDS = [
    "", "元整", "人民币", "整",
    "人民币100万元",                      # figures are parse_amount_figures' job
    "壹佰万贰元",                         # spoken "一百万二": 1,020,000 or 1,000,002?
    "一二三元",                           # a digit string, not an amount
    "壹佰伍角",                           # 角 without 元 before it
    "叁拾万元整元",
    "壹佰万元整（小写：￥1,000,000.00）",
    "人民币____元整",
    "壹点伍元",
]
FIGURES = [
    ("1,000,000.00", "1000000"),
    ("￥1,000,000.00元", "1000000"),
    ("¥1,000,000.00", "1000000"),
    ("人民币100万元", "1000000"),
    ("1000000元", "1000000"),
    ("100.5万元", "1005000"),
    ("RMB 1,000,000", "1000000"),
    ("CNY1000000.00", "1000000"),
    ("（小写）￥1,000,000.00元整", "1000000"),
    ("１，０００，０００．００元", "1000000"),  # full-width
    ("3亿元", "300000000"),
    ("1.5万亿元", "1500000000000"),
    ("0.01元", "0.01"),
    ("-5元", "-5"),
    ("7860000:00元", "7860000"),  # OCR read the decimal point as a colon
]
NOT_FIGURES = ["", "元", "____元", "壹佰万元整", "1,00,000", "1,000,00", "1.2.3", "100万元整元", "约100万元"]
# fmt: on


@pytest.mark.parametrize(("text", "expected"), WORDS)
def test_words_are_read_to_the_fen(text: str, expected: str) -> None:
    assert parse_amount_words(text) == Decimal(expected)


@pytest.mark.parametrize("text", NOT_WORDS)
def test_words_that_are_not_an_amount_give_none(text: str) -> None:
    assert parse_amount_words(text) is None


@pytest.mark.parametrize(("text", "expected"), FIGURES)
def test_figures_are_read_with_their_multiplier(text: str, expected: str) -> None:
    assert parse_amount_figures(text) == Decimal(expected)


@pytest.mark.parametrize("text", NOT_FIGURES)
def test_figures_that_are_not_an_amount_give_none(text: str) -> None:
    assert parse_amount_figures(text) is None


# fmt: off
AGREEMENT = [
    ("1,000,000.00", "壹佰万元整", True),
    ("100,000.00", "壹佰万元整", False),
    ("人民币100万元", "人民币壹佰万元整", True),
    ("1,000,000.05", "壹佰万元零伍分", True),
    ("1,000,000.50", "壹佰万元零伍分", False),
    ("9,665.18", "玖仟陆佰陆拾伍圆壹角捌分", True),
    ("9,665.81", "玖仟陆佰陆拾伍圆壹角捌分", False),
    ("1,000,000.001", "壹佰万元整", False),   # words cannot say a sub-fen part
]
# fmt: on


@pytest.mark.parametrize(("figures", "words", "agree"), AGREEMENT)
def test_figures_and_words_agree_exactly(figures: str, words: str, agree: bool) -> None:
    f, w = parse_amount_figures(figures), parse_amount_words(words)
    assert f is not None and w is not None
    assert amounts_agree(f, w) is agree


# fmt: off
CANONICAL = [
    ("1000000", "壹佰万元整"),
    ("1000000.00", "壹佰万元整"),
    ("1000000.05", "壹佰万元零伍分"),
    ("10.5", "壹拾元伍角"),
    ("9665.18", "玖仟陆佰陆拾伍元壹角捌分"),
    ("100500", "壹拾万零伍佰元整"),
    ("100000500", "壹亿零伍佰元整"),
    ("100001000", "壹亿零壹仟元整"),      # cn2an writes 壹亿壹仟元整, which reads as 110,000,000
    ("1000000001000", "壹万亿零壹仟元整"),
    ("110000000", "壹亿壹仟万元整"),
    ("9876543298765432", "玖仟捌佰柒拾陆万伍仟肆佰叁拾贰亿玖仟捌佰柒拾陆万伍仟肆佰叁拾贰元整"),
    ("0.1", "壹角"),
    ("1.005", "壹元零壹分"),    # rounded half-up to the fen (cn2an alone would truncate)
    ("-0.001", "零元整"),       # no 负零
]
# fmt: on


@pytest.mark.parametrize(("value", "words"), CANONICAL)
def test_amount_in_words_is_the_canonical_capital_form(value: str, words: str) -> None:
    assert amount_in_words(Decimal(value)) == words


def test_cn2ans_ambiguous_form_is_not_read() -> None:
    assert cn2an.an2cn("100001000", "rmb") == "壹亿壹仟元整"
    assert parse_amount_words("壹亿壹仟元整") is None
    assert parse_amount_words("壹亿零壹仟元整") == Decimal(100001000)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**17 - 1))
def test_the_capital_form_is_cn2ans_wherever_cn2an_is_unambiguous(fen: int) -> None:
    value = Decimal(fen) / 100
    theirs = cn2an.an2cn(f"{value:.2f}", "rmb")
    if parse_amount_words(theirs) == value:
        assert amount_in_words(value) == theirs


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1E+20", "1E+16"])
def test_amount_in_words_refuses_what_cannot_be_written(value: str) -> None:
    with pytest.raises(ValueError):
        amount_in_words(Decimal(value))


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**17 - 1))
def test_every_amount_in_fen_reads_back_from_its_words(fen: int) -> None:
    value = Decimal(fen) / 100
    assert parse_amount_words(amount_in_words(value)) == value
    assert parse_amount_figures(f"{value:,.2f}") == value


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet="零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整正负人民币一二两十百千0123456789,.¥ ", max_size=20
    )
)
def test_ordinary_bad_input_never_raises(text: str) -> None:
    parse_amount_words(text)
    parse_amount_figures(text)
    parse_number(text)


# fmt: off
PLAIN = [
    ("4.35", "4.35"), ("36", "36"), ("四点三五", "4.35"), ("叁拾陆", "36"), ("五", "5"),
    ("十四", "14"), ("零点零五", "0.05"), ("３６", "36"),
    ("", None), ("点五", None), ("一二", None), ("三万五", None), ("壹拾壹元", None), ("负一", None),
    ("4,35", None),
]
# fmt: on


@pytest.mark.parametrize(("text", "expected"), PLAIN)
def test_plain_numbers(text: str, expected: str | None) -> None:
    assert parse_number(text) == (None if expected is None else Decimal(expected))


# --- cn2an's own tables (local evaluation data) ---------------------------------------------------


def _vectors() -> dict[str, Any]:
    with VECTORS.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def _money_cases() -> list[Any]:
    """an2cn_test.input_data: number -> [low, up, rmb, direct]; every rmb form, by its number."""
    if not VECTORS.is_file():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=ABSENT), id="absent")]
    return [pytest.param(str(n), forms[2], id=str(n)) for n, forms in _vectors()["an2cn_test.input_data"]]


@pytest.mark.parametrize(("number", "rmb"), _money_cases())
def test_cn2an_money_vectors_read_back_to_the_fen(number: str, rmb: str) -> None:
    expected = Decimal(number).quantize(FEN, rounding=ROUND_HALF_UP)
    assert parse_amount_words(rmb) == expected
    assert amount_in_words(Decimal(number)) == rmb


def test_cn2an_money_vectors_are_all_there() -> None:
    if not VECTORS.is_file():
        pytest.skip(ABSENT)
    assert len(_vectors()["an2cn_test.input_data"]) == 25


def test_cn2an_strict_money_entries_read_as_amounts() -> None:
    """cn2an_test.strict_data_dict's 元/圆/角/分 entries, e.g. 玖仟陆佰陆拾伍圆壹角捌分 -> 9665.18."""
    if not VECTORS.is_file():
        pytest.skip(ABSENT)
    money = [(k, v) for k, v in _vectors()["cn2an_test.strict_data_dict"] if any(c in k for c in "元圆角分")]
    assert len(money) >= 8
    for text, value in money:
        assert parse_amount_words(text) == Decimal(str(value)), text


def test_cn2an_strict_numbers_read_as_numbers() -> None:
    """Every plain non-negative numeral of cn2an_test.strict_data_dict (not amounts, signs or 廿)."""
    if not VECTORS.is_file():
        pytest.skip(ABSENT)
    plain = [
        (k, v)
        for k, v in _vectors()["cn2an_test.strict_data_dict"]
        if not any(c in k for c in "元圆角分整正负廿")
    ]
    assert len(plain) > 60
    for text, value in plain:
        assert parse_number(text) == Decimal(str(value)), text
