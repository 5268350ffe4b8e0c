"""PASSPORT: E/G + 8 digits, E + letter + 7 digits, D/S/P; reported only near a context word."""

from __future__ import annotations

import pytest

from .spans import assert_spans

# fmt: off
CASES = [
    ("护照号码：E12345678", [("PASSPORT", 5, 14, (0.75, 0.75))]),
    ("passport EA1234567", [("PASSPORT", 9, 18, (0.75, 0.75))]),
    ("证件类型：护照，证件号码：G12345678。", [("PASSPORT", 13, 22, (0.75, 0.75))]),
    ("持外交护照DE1234567入境", [("PASSPORT", 5, 14, (0.75, 0.75))]),
    # without context, or near misses
    ("E12345678", []),
    ("产品编号E12345678", []),
    ("护照号E1234567", []),            # 7 digits after E is no passport number
    ("护照号E123456789", []),
    ("护照号EI1234567", []),           # no I or O after E
]
# fmt: on


@pytest.mark.parametrize("text, expected", CASES)
def test_passport(text: str, expected: list) -> None:  # type: ignore[type-arg]
    assert_spans(text, expected, entities=["PASSPORT"])
