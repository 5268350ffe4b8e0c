"""CN_PHONE: landlines with a valid area code and a 7-8 digit subscriber number."""

from __future__ import annotations

import pytest

from .spans import assert_spans

# fmt: off
CASES = [
    ("电话010-62345678", [("CN_PHONE", 2, 14, (1.0, 1.0))]),
    ("010-62345678", [("CN_PHONE", 0, 12, (0.7, 0.7))]),
    ("(021)52345678", [("CN_PHONE", 0, 13, (0.7, 0.7))]),
    ("座机0755-8888 8888。", [("CN_PHONE", 2, 16, (1.0, 1.0))]),
    ("传真 0571 8765432", [("CN_PHONE", 3, 15, (1.0, 1.0))]),
    ("总机020-83456789转8001", [("CN_PHONE", 2, 19, (1.0, 1.0))]),
    ("01062345678", [("CN_PHONE", 0, 11, (0.5, 0.5))]),
    # near misses
    ("010-1234567", []),             # Beijing numbers have 8 digits
    ("010-02345678", []),            # subscriber numbers do not start with 0
    ("0123-4567890", []),            # 012x is not an area code
    ("2025-06-04", []),
    ("编号0755-88888888", []),       # negative context: a reference number
    ("0.75588888888", []),
]
# fmt: on


@pytest.mark.parametrize("text, expected", CASES)
def test_cn_phone(text: str, expected: list) -> None:  # type: ignore[type-arg]
    assert_spans(text, expected, entities=["CN_PHONE"])
