"""OCR specks are dropped from scanned lines where nothing is ever written."""

from __future__ import annotations

import pytest

from bankmind.contracts.pages import _SPECK


@pytest.mark.parametrize(
    ("read", "kept"),
    [
        ("合同编号：（.2024）东农商保字第0466号", "合同编号：（2024）东农商保字第0466号"),
        ("抵押人（，乙方）：宁波瑞祥", "抵押人（乙方）：宁波瑞祥"),
        ("年利率3.85%（即LPR+50个基点）", "年利率3.85%（即LPR+50个基点）"),
    ],
)
def test_a_speck_inside_an_opening_bracket_is_dropped(read: str, kept: str) -> None:
    assert _SPECK.sub(r"\1", read) == kept
