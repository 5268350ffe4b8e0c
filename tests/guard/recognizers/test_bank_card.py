"""BANK_CARD: Luhn decides; a known BIN or a context word raises the score."""

from __future__ import annotations

import pytest

from bankmind.guard.pii import Analyzer, PiiConfig
from bankmind.guard.recognizers.bank_card import luhn_check_digit, luhn_valid

from .spans import assert_spans

# fmt: off
CASES = [
    # known BINs (ICBC 622202, CCB 436742, ABC 622848), plain and grouped
    ("卡号6222020200112233446。", [("BANK_CARD", 2, 21, (1.0, 1.0))]),
    ("6222020200112233446", [("BANK_CARD", 0, 19, (0.9, 0.9))]),
    ("信用卡4367 4212 3456 7896到期", [("BANK_CARD", 3, 22, (1.0, 1.0))]),
    ("尾号 6228-4812-3456-7890-128", [("BANK_CARD", 3, 26, (0.9, 0.9))]),
    ("还款卡：6228 4812 3456 7890 128", [("BANK_CARD", 4, 27, (1.0, 1.0))]),
    # unknown BINs: a card-like first digit and 16 or 19 digits
    ("4111111111111111", [("BANK_CARD", 0, 16, (0.6, 0.6))]),
    ("card 5555555555554444", [("BANK_CARD", 5, 21, (0.95, 0.95))]),
    ("4012888888881881 4012-8888-8888-1881",
     [("BANK_CARD", 0, 16, (0.6, 0.6)), ("BANK_CARD", 17, 36, (0.6, 0.6))]),
    ("American Express 371449635398431", [("BANK_CARD", 17, 32, (0.6, 0.6))]),
    # near misses: Luhn failures, long reference numbers, ID numbers, amounts, mixed separators
    ("合同编号6222020200112233447", []),
    ("订单号4012-8888-8888-1882", []),
    ("账号6217 0012 3456 7890 123", []),
    ("身份证号440308199901101512", []),
    ("流水号20250604123456789012", []),
    ("金额6222020200112233446.00元", []),
    ("0000000000000000", []),
    ("7000000000000008", []),           # Luhn-valid, but no card starts with 7
    ("4012 8888-8888 1881", []),        # mixed separators are not one card number
]
# fmt: on


@pytest.mark.parametrize("text, expected", CASES)
def test_bank_card(text: str, expected: list) -> None:  # type: ignore[type-arg]
    assert_spans(text, expected, entities=["BANK_CARD"])


def test_luhn() -> None:
    assert luhn_valid("490154203237518") and not luhn_valid("4992739871")
    assert luhn_check_digit("4992739871") == "6"


def test_an_extra_bin_list_raises_the_score(tmp_path) -> None:  # type: ignore[no-untyped-def]
    number = "9999991234567890" + luhn_check_digit("9999991234567890")[:0]
    number = number[:-1] + luhn_check_digit(number[:-1])
    plain = Analyzer(PiiConfig(recognizers=("bank_card",)))
    assert plain.scan(number) == []  # a 9 prefix is a card only with a known BIN
    bins = tmp_path / "bins.json"
    bins.write_text('[{"bin": "999999", "bank": "某农商银行", "card_name": "借记卡"}]', encoding="utf-8")
    known = Analyzer(PiiConfig(recognizers=("bank_card",), bank_card_bins=(bins,)))
    assert [(s.type, s.score) for s in known.scan(number)] == [("BANK_CARD", 0.9)]
