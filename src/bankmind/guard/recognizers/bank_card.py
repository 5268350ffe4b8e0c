"""BANK_CARD: payment card numbers, validated with the Luhn check digit.

16-19 digits (Chinese UnionPay debit and credit cards), plain or grouped by spaces or dashes
(`6222 0202 0011 2233 445`). A number whose BIN (first 6 or 8 digits) is in the BIN list scores
0.9; an unknown BIN needs 16 or 19 digits and a card-like first digit (3, 4, 5, 6, or the 2221-2720
Mastercard range) and scores 0.6 (an 18-digit ID number passes Luhn one time in ten).
13-15-digit international cards are accepted for Visa (13), Diners (14) and American Express (15)
prefixes. Order and contract numbers that fail Luhn are never flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bankmind.guard.recognizers import Candidate, Recognizer

_PATTERN = re.compile(  # the leading (?=...) lets `re` skip quickly to possible first characters
    r"(?=\d)(?<![0-9A-Za-z])(?<!\d[.,])"
    r"(?:\d{4}(?P<s>[ -])\d{4}(?P=s)\d{4}(?P=s)\d{1,4}(?:(?P=s)\d{1,3})?"
    r"|\d{4}(?P<a>[ -])\d{6}(?P=a)\d{4,5}"
    r"|\d{6}(?P<b>[ -])\d{10,13}"
    r"|\d{13,19})"
    r"(?![0-9A-Za-z])(?!\.\d)"
)


_DOUBLED = str.maketrans("0123456789", "0246813579")  # 2d, minus 9 when that is two digits


def _luhn_sum(digits: str) -> int:
    backwards = digits[::-1]
    return sum(map(int, backwards[0::2])) + sum(map(int, backwards[1::2].translate(_DOUBLED)))


def luhn_valid(digits: str) -> bool:
    """True when the digit string passes the Luhn (mod 10) check."""
    return _luhn_sum(digits) % 10 == 0


def luhn_check_digit(payload: str) -> str:
    """The digit to append to `payload` so that the whole number passes Luhn."""
    return str((10 - _luhn_sum(payload + "0") % 10) % 10)


def _international(digits: str) -> bool:
    n = len(digits)
    if n == 13:
        return digits[0] == "4"
    if n == 14:
        return digits[:2] in ("36", "38") or "300" <= digits[:3] <= "305"
    if n == 15:
        return digits[:2] in ("34", "37")
    return False


class BankCardRecognizer(Recognizer):
    name = "bank_card"
    entity = "BANK_CARD"

    def analyze(self, text: str) -> Iterator[Candidate]:
        for m in _PATTERN.finditer(text):
            digits = m.group().replace(" ", "").replace("-", "")
            if not luhn_valid(digits) or digits.count(digits[0]) == len(digits):
                continue
            if len(digits) >= 16:
                if self.resources.bank_of(digits) is not None:
                    yield Candidate(m.start(), m.end(), 0.9, validated=True)
                elif len(digits) in (16, 19) and (digits[0] in "3456" or "2221" <= digits[:4] <= "2720"):
                    yield Candidate(m.start(), m.end(), 0.6, validated=True)
            elif _international(digits):
                yield Candidate(m.start(), m.end(), 0.6, validated=True)
