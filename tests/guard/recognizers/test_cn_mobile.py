"""CN_MOBILE: an allocated number segment, +86/0086, separators; never inside a longer number."""

from __future__ import annotations

import pytest

from .spans import assert_spans

# fmt: off
CASES = [
    ("手机13812345678", [("CN_MOBILE", 2, 13, (1.0, 1.0))]),
    ("13812345678", [("CN_MOBILE", 0, 11, (0.75, 0.75))]),
    ("My CN number is 13812345678", [("CN_MOBILE", 16, 27, (0.75, 0.75))]),
    ("联系电话：138-1234-5678。", [("CN_MOBILE", 5, 18, (1.0, 1.0))]),
    ("电话 138 1234 5678", [("CN_MOBILE", 3, 16, (1.0, 1.0))]),
    ("+86 13812345678", [("CN_MOBILE", 0, 15, (0.75, 0.75))]),
    ("请回拨+86-199-1234-5678", [("CN_MOBILE", 3, 20, (1.0, 1.0))]),
    ("0086 17712345678", [("CN_MOBILE", 0, 16, (0.75, 0.75))]),
    ("(+86)15012345678", [("CN_MOBILE", 0, 16, (0.75, 0.75))]),
    ("１３８１２３４５６７８", [("CN_MOBILE", 0, 11, (0.75, 0.75))]),
    ("13812345678、13912345678", [("CN_MOBILE", 0, 11, (0.75, 0.75)), ("CN_MOBILE", 12, 23, (0.75, 0.75))]),
    # near misses
    ("订单号13812345678", []),                    # an order number (negative context)
    ("流水号2025060413812345678", []),            # inside a longer number
    ("金额13812345678.00元", []),                 # an amount
    ("12345678901", []),                           # segment 123 does not exist
    ("10612345678", []),
    ("14012345678", []),                           # segment 140 is not allocated to phones
    ("138123456789", []),                          # 12 digits
]
# fmt: on


@pytest.mark.parametrize("text, expected", CASES)
def test_cn_mobile(text: str, expected: list) -> None:  # type: ignore[type-arg]
    assert_spans(text, expected, entities=["CN_MOBILE"])
