"""USCC: GB 32100 check character, organisation-code check character and region code."""

from __future__ import annotations

import pytest

from bankmind.guard.recognizers.uscc import check_character, org_check_character

from .spans import assert_spans

# fmt: off
CASES = [
    ("统一社会信用代码：91110000600037341L。", [("USCC", 9, 27, (1.0, 1.0))]),
    ("91110000600037341L", [("USCC", 0, 18, (0.95, 0.95))]),
    ("代码91 110000 600037341L", [("USCC", 2, 22, (0.95, 0.95))]),
    ("营业执照121200004013590816", [("USCC", 4, 22, (1.0, 1.0))]),
    # near misses
    ("信用代码91110000600037341N", []),   # wrong check character
    ("信用代码A1110000600037341L", []),
    ("信用代码9111000060003IOZSV", []),
    ("信用代码91990000600037341X", []),   # no region 990000
    ("91110000600037341l", []),          # lower-case check character
]
# fmt: on


@pytest.mark.parametrize("text, expected", CASES)
def test_uscc(text: str, expected: list) -> None:  # type: ignore[type-arg]
    assert_spans(text, expected, entities=["USCC"])


def test_check_characters() -> None:
    assert org_check_character("60003734") == "1"
    assert check_character("91110000600037341") == "L"
