"""ADDRESS: place names from the division table plus a street part; place names alone are not."""

from __future__ import annotations

import pytest

from .spans import assert_spans

# fmt: off
CASES = [
    ("地址：北京市朝阳区建国路88号。", [("ADDRESS", 3, 15, (1.0, 1.0))]),
    ("广东省深圳市南山区科技园路1号2栋301室", [("ADDRESS", 0, 21, (0.85, 0.85))]),
    ("现住址北京市朝阳区建国路88号院3号楼2单元501室，", [("ADDRESS", 3, 26, (1.0, 1.0))]),
    ("他在广东深圳南山区人民南路四段27号工作", [("ADDRESS", 2, 18, (0.85, 0.85))]),
    ("江苏省无锡市锡山区永安镇大河村11组35号", [("ADDRESS", 0, 21, (0.85, 0.85))]),
    ("收件地址：建国路88号", [("ADDRESS", 5, 11, (1.0, 1.0))]),
    ("住址：北京市朝阳区", [("ADDRESS", 3, 9, (0.8, 0.8))]),   # two levels and a context word
    # not addresses
    ("北京市朝阳区", []),                  # a location without a context word
    ("中国工商银行北京市分行营业部", []),
    ("证券市场、城市和社区", []),
    ("杭州分行", []),
    ("北京市朝阳区的客户经理路过此地", []),
]
# fmt: on


@pytest.mark.parametrize("text, expected", CASES)
def test_address(text: str, expected: list) -> None:  # type: ignore[type-arg]
    assert_spans(text, expected, entities=["ADDRESS"])
