"""Article numbers and 编/章/节 titles of Chinese statutes and internal regulations.

    parse_article_number("商业银行法第三十九条")        # 39 (the first article reference in the text)
    parse_article_number("第12条")                      # 12
    match_article("第三条 商业银行可以经营下列…")       # ArticleStart(label="第三条", number=3, strong=True)
    match_article("第三十九条规定的贷款…")              # None: a reference, not an article
    division_order("第二节  保证责任")                  # 3 (编/部分 0, 分编 1, 章 2, 节 3)
    is_item_title("（二）不动产抵押")                   # True: may title a group of articles

An article starts a block with `第X条` in Chinese numerals (一…十百千, 零/〇, 两) or digits (ASCII
or full-width), spaces allowed around the number (`第 12 条`, kept in the label as written),
optionally `之一` (articles inserted by an amendment, `第一百二十条之一`). It is *strong* when a
space, a colon or an opening bracket follows (`第一条 为了…`, `第一条　为了…`, `第一条【目的】…`,
`第1条：…`); text glued to the number (`第一条为了…`, common in PDFs) is a *weak* start, which the
chunker accepts only where the numbering expects it, because a paragraph may also open with a
cross-reference (`第三十九条规定的…`, which is never a start).
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["ITEM_TITLE_ORDER", "ArticleStart", "chinese_number", "chinese_numeral", "division_order",
           "is_item_title", "match_article", "parse_article_number"]  # fmt: skip

_CN_DIGITS = {"零": 0, "〇": 0, "两": 2, **{ch: n for n, ch in enumerate("〇一二三四五六七八九") if n}}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "零〇一二两三四五六七八九十百千"
_NUMBER = rf"[ \u3000]*(?:(?P<cn>[{_CN}]+)|(?P<ar>[0-9０-９]+))[ \u3000]*"

_ARTICLE = re.compile(rf"第{_NUMBER}条(?P<sub>之[一二三四五六七八九十]+)?")
_DIVISION = re.compile(rf"第{_NUMBER}(?P<marker>分编|编|部分|章|节)")
_DIVISION_ORDER = {"编": 0, "部分": 0, "分编": 1, "章": 2, "节": 3}

_STRONG_AFTER = "：:【（(〔[<《"
# What follows `第X条` / `第X章` when a paragraph cites it rather than starts it.
_REFERENCE_AFTER = (
    "规定", "的", "所", "第", "至", "到", "和", "与", "及", "或", "、", "，", ",", "。", "；", ";",
    "中", "之", "款", "项", "以", "有关", "明确", "也", "并", "同", "即", "在", "列", "已", "另",
)  # fmt: skip
_DIVISION_MAX_CHARS = 40
_ITEM_TITLE = re.compile(r"（[一二三四五六七八九十]+）[^。；;，,：:、！？!?]{1,30}")
ITEM_TITLE_ORDER = 4


class ArticleStart(NamedTuple):
    """The `第X条` a block opens with: the label as written, its number, and how sure we are."""

    label: str
    number: int
    strong: bool


def parse_article_number(text: str) -> int | None:
    """The number of the first `第X条` in `text` (`第三十九条` → 39, `第12条` → 12), or None.

    Works on a locator and on a question alike (`商业银行法第三十九条规定了什么` → 39), so retrieval
    can boost the chunk whose locator carries the same number. `之一` is ignored (`第一百二十条之一`
    → 120).
    """
    for match in _ARTICLE.finditer(text):
        number = _number(match)
        if number is not None:
            return number
    return None


def match_article(text: str) -> ArticleStart | None:
    """The article that `text` starts, or None when it does not start with `第X条` (or only cites it)."""
    match = _ARTICLE.match(text)
    if match is None:
        return None
    number = _number(match)
    if number is None:
        return None
    rest = text[match.end() :]
    strong = not rest or rest[0].isspace() or rest[0] in _STRONG_AFTER
    if not strong and rest.startswith(_REFERENCE_AFTER):
        return None
    return ArticleStart(match.group(0), number, strong)


def division_order(text: str) -> int | None:
    """How high a `第X编/分编/部分/章/节` title line ranks (0 highest … 3 for 节), or None for other text.

    A title is short and has no sentence punctuation: `第二章 设立、变更和终止` is a title,
    `第二章规定的程序，…` is not.
    """
    match = _DIVISION.match(text)
    if match is None or _number(match) is None or len(text) > _DIVISION_MAX_CHARS:
        return None
    rest = text[match.end() :]
    if re.search(r"[。；;，,]", rest) or (rest[:1].strip() and rest.startswith(_REFERENCE_AFTER)):
        return None
    return _DIVISION_ORDER[match.group("marker")]


def is_item_title(text: str) -> bool:
    """Whether `text` looks like a `（二）不动产抵押` title line: a numbered item without punctuation.

    Judicial interpretations group articles under such lines; inside an article the same shape is
    an item (`（二）标的；` has punctuation, but `（二）利息` may not), so the chunker treats it as a
    title only where no item list can be running: right after a title or after a finished sentence.
    """
    return _ITEM_TITLE.fullmatch(text) is not None


def _number(match: re.Match[str]) -> int | None:
    if match.group("ar") is not None:
        return int(match.group("ar"))  # int() reads full-width digits too
    return chinese_number(match.group("cn"))


def chinese_number(text: str) -> int | None:
    """`三十九` → 39, `一百零五` → 105, `十` → 10, `一〇五` → 105 (digit by digit); None if malformed."""
    if not any(ch in _CN_UNITS for ch in text):
        value = 0
        for ch in text:
            value = value * 10 + _CN_DIGITS[ch]
        return value
    total, digit, last_unit = 0, None, 10_000
    for ch in text:
        if ch in _CN_DIGITS:
            if digit not in (None, 0) and _CN_DIGITS[ch] != 0:
                return None  # 三四十: two digits without a unit between them
            digit = _CN_DIGITS[ch]
        else:
            unit = _CN_UNITS[ch]
            if unit >= last_unit:
                return None  # 十百, 百百
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    return total + (digit or 0)


def chinese_numeral(n: int) -> str:
    """39 -> 三十九, 10 -> 十, 105 -> 一百零五, as statutes number their articles (n < 10000)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[max(n, 0)]
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d == 0:
            zero = bool(out)
            continue
        out += ("零" if zero else "") + digits[d] + unit
        zero = False
    return out[1:] if out.startswith("一十") else out
