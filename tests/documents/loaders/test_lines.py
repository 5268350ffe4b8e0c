"""Joining lines into paragraphs the Chinese way, statute headings and their levels."""

from __future__ import annotations

import pytest

from bankmind.documents.loaders.lines import (
    ITEM_START,
    Line,
    ends_sentence,
    group_lines,
    heading_levels,
    heading_rank,
    join,
    joined,
    split_text,
)

# fmt: off
JOINS = [
    ("为规范本行员工行", "为，制定本手册。", "为规范本行员工行为，制定本手册。"),
    ("根据《商业银行法》", "Article 5", "根据《商业银行法》Article 5"),
    ("The bank keeps", "data inside.", "The bank keeps data inside."),
    ("使用", "API接口", "使用API接口"),
    ("", "x", "x"),
]
# fmt: on


@pytest.mark.parametrize(("a", "b", "joined_text"), JOINS)
def test_join(a: str, b: str, joined_text: str) -> None:
    assert join(a, b) == joined_text


@pytest.mark.parametrize(
    ("text", "ends", "cjk_ends"),
    [("制定本手册。", True, True), ("他说：“好。”", True, True), ("如下：", True, True),
     ("data centre.", True, False), ("根据法律法规", False, False), ("", False, False)],
)  # fmt: skip
def test_ends_sentence(text: str, ends: bool, cjk_ends: bool) -> None:
    assert ends_sentence(text) is ends
    assert ends_sentence(text, cjk_only=True) is cjk_ends


@pytest.mark.parametrize(
    ("line", "starts"),
    [("第一条 借款金额", True), ("第12条 期限", True), ("（一）本金", True), ("(2) 利息", True),
     ("一、总则", True), ("1. 范围", True), ("2.3、细则", True), ("① 甲方", True), ("- item", True),
     ("• 要点", True), ("1.5%的利率", False), ("2025年1月1日", False), ("第一章 总则", False),
     ("本条所称", False)],
)  # fmt: skip
def test_item_start(line: str, starts: bool) -> None:
    assert (ITEM_START.match(line) is not None) is starts


@pytest.mark.parametrize(
    ("text", "rank"),
    [("第一编 总则", 0), ("第二部分 附录", 0), ("第一章 总则", 1), ("第十二章附则", 1), ("第 3 章 范围", 1),
     ("第一节 贷款发放", 2), ("第一条 借款金额", None), ("第一章规定的借款人应当按期还款。", None),
     ("第一章" + "很长" * 30, None), ("本章第一节", None)],
)  # fmt: skip
def test_heading_rank(text: str, rank: int | None) -> None:
    assert heading_rank(text) == rank


# fmt: off
LEVELS = [
    ([(12, 1), (12, 2), (12, 1)], [1, 2, 1]),                  # 章 above 节, all at body size
    ([(22, None), (16, 1), (12, 1), (12, 2)], [1, 2, 2, 3]),   # a large title above every 章
    ([(18, None), (14, None), (18, None)], [1, 2, 1]),          # sizes only
    ([(16, None), (16, 1), (14, 2)], [1, 1, 2]),                # unnumbered, same size as 第X章
    ([(12, 0), (12, 1), (12, 2)], [1, 2, 3]),                   # 编 > 章 > 节
    ([(30 - i, None) for i in range(8)], [1, 2, 3, 4, 5, 6, 6, 6]),
    ([], []),
]
# fmt: on


@pytest.mark.parametrize(("candidates", "levels"), LEVELS)
def test_heading_levels(candidates: list[tuple[float, int | None]], levels: list[int]) -> None:
    assert heading_levels(candidates) == levels


def _line(text: str, top: float, *, x1: float = 500.0, size: float = 12.0) -> Line:
    return Line(text, 72.0, x1, top, top + size, size)


def test_group_lines_joins_full_lines_and_splits_at_sentences_items_and_gaps() -> None:
    lines = [
        _line("为规范本行员工行为，保障员工合法权益，根据法律法规，结合本行实际", 100),
        _line("情况，制定本手册。", 118, x1=180),
        _line("本手册适用于全体员工，包括劳务派遣人员及实习", 136),
        _line("第一条 员工应当遵守法律法规和本行各项规章制度，恪守职业道德", 154),  # an item
        _line("和诚实守信原则", 172, x1=200),
        _line("签字栏", 190, x1=150),  # the line before is not full width
        _line("远处的一段", 260),  # a big vertical gap
        _line("大号字", 278, size=20),  # another size
    ]
    groups = [joined(group) for group in group_lines(lines)]
    assert groups == [
        "为规范本行员工行为，保障员工合法权益，根据法律法规，结合本行实际情况，制定本手册。",
        "本手册适用于全体员工，包括劳务派遣人员及实习",
        "第一条 员工应当遵守法律法规和本行各项规章制度，恪守职业道德和诚实守信原则",
        "签字栏",
        "远处的一段",
        "大号字",
    ]


def test_group_lines_splits_side_by_side_boxes() -> None:
    lines = [_line("甲方：某某银行", 100, x1=250), Line("乙方：张三", 300.0, 400.0, 100.0, 112.0, 12.0)]
    assert [joined(g) for g in group_lines(lines)] == ["甲方：某某银行", "乙方：张三"]


def test_split_text() -> None:
    lines = ["第一条 甲方。", "第二条 乙方应当", "按期还款。", "", "　　缩进段落", "接续", "　　下一段"]
    assert split_text(lines) == ["第一条 甲方。", "第二条 乙方应当按期还款。", "缩进段落接续", "下一段"]
    assert split_text(["  - item", "  continued"], indents=False) == ["- item continued"]
