"""The sentence checks behind grounded answers: markers, streamed sentence boundaries, support."""

from __future__ import annotations

import pytest

from bankmind.knowledge.grounding import MIN_SUPPORT, SentenceSplitter, figures, strip_markers, support

PASSAGE = (
    "第三十九条 客户经理应当在贷款发放后三十日内完成首次贷后检查，并形成书面检查报告。"
    "资本充足率不得低于百分之八；注册资本不低于人民币10亿元。"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("不得低于百分之八[1]。", ("不得低于百分之八。", (1,))),
        ("不得低于百分之八[1][2]。", ("不得低于百分之八。", (1, 2))),
        ("不得低于百分之八【1，3】。", ("不得低于百分之八。", (1, 3))),
        ("不得低于百分之八[^2]。", ("不得低于百分之八。", (2,))),
        ("没有引用。", ("没有引用。", ())),
    ],
)
def test_markers(text: str, expected: tuple[str, tuple[int, ...]]) -> None:
    assert strip_markers(text) == expected


def test_sentences_are_released_with_the_markers_that_follow_them_across_chunks() -> None:
    splitter = SentenceSplitter()
    pieces = ["首次检查在三十日内完成", "。[", "1]第二句", "话。", "[2", "]"]
    got = [s for piece in pieces for s in splitter.feed(piece)] + splitter.finish()
    assert [(s.text, s.cites) for s in got] == [("首次检查在三十日内完成。", (1,)), ("第二句话。", (2,))]


@pytest.mark.parametrize(
    ("sentence", "holds"),
    [
        ("客户经理应当在贷款发放后三十日内完成首次贷后检查。", True),
        ("首次贷后检查应当在30日内完成。", True),  # 30 stated, 三十 written
        ("首次贷后检查应当在五日内完成。", False),  # a single-character figure before a unit
        ("首次贷后检查应当在十日内完成。", False),  # 十 is not found inside 三十
        ("资本充足率不得低于百分之十。", False),
        ("资本充足率不得高于百分之八。", False),  # a sense-deciding word the passage lacks
        ("客户经理无需进行首次贷后检查。", False),
        ("注册资本不低于人民币10亿元。", True),
        ("注册资本不低于人民币1亿元。", False),
        ("本行员工每年享有十五天带薪年假。", False),
    ],
)
def test_support(sentence: str, holds: bool) -> None:
    assert (support(sentence, [PASSAGE]) >= MIN_SUPPORT) is holds


def test_figures_ignore_numeral_characters_inside_words() -> None:
    assert figures("一般情况下统一办理") == []
    assert figures("在三十日内，百分之八，五日，10亿元") == ["10", "三十", "百分之八", "五", "亿"]
