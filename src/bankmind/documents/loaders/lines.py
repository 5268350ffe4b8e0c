"""Lines of text into paragraphs, and statute headings (`第一章 总则`) with their levels.

Chinese text has no spaces between words, so wrapped lines are joined without one when either side
is a CJK character (`…管理办` + `法。` → `…管理办法。`) and with one between Latin words. A line
ends its paragraph when it ends a sentence (`。！？；：`, or `.!?;:` in a PDF), when it is not
full width (a wrapped line always is), when the next line starts an item (`第三条`, `（一）`, `1.`,
`•`) or when the vertical gap or font size changes. Positions come from PDF characters or OCR boxes;
text files (`split_text`) have no positions, so blank lines and the same markers decide there.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

__all__ = [
    "HEADING",
    "ITEM_START",
    "Line",
    "ends_sentence",
    "group_lines",
    "heading_levels",
    "heading_rank",
    "is_cjk",
    "join",
    "joined",
    "split_text",
]

_NUM = "一二三四五六七八九十百千零〇两"
ITEM_START = re.compile(
    rf"^(?:第[{_NUM}\d]+[条款项]|[（(][{_NUM}\d]+[）)]|[{_NUM}]+[、．.]|\d+(?:\.\d+)*[.、．)](?!\d)"
    r"|[①-⑳]|[•·●○■□◆◇▪►*+\-–—]\s)"
)
"""A line that starts an article, a numbered item or a bullet: always a new paragraph."""

HEADING = re.compile(rf"^第\s*[{_NUM}\d]+\s*(编|篇|部分|章|节)(?![{_NUM}\d])")
"""`第一编` / `第二章` / `第三节`: part, chapter and section headings of Chinese statutes and policies."""

_RANKS = {"编": 0, "篇": 0, "部分": 0, "章": 1, "节": 2}
_CJK_RANGES = ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF))
_ENDS = frozenset("。！？；：…!?;:.")
_CJK_ENDS = frozenset("。！？；：…")
_CLOSERS = "”’」』）)】》\"'"
_MAX_HEADING_CHARS = 40


@dataclass(frozen=True)
class Line:
    """One line of text and its box on the page (PDF points or image pixels; y grows downward)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    """Font size (PDF) or box height (OCR)."""


def is_cjk(ch: str) -> bool:
    """A CJK ideograph, CJK or full-width punctuation: written without spaces around it."""
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def join(a: str, b: str) -> str:
    """Two wrapped pieces of one paragraph: no space next to CJK, one space between Latin words."""
    if not a or not b:
        return a or b
    if is_cjk(a[-1]) or is_cjk(b[0]):
        return a + b
    return f"{a} {b}"


def ends_sentence(text: str, *, cjk_only: bool = False) -> bool:
    """The text ends with sentence punctuation (closing quotes and brackets looked through)."""
    stripped = text.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in (_CJK_ENDS if cjk_only else _ENDS)


def heading_rank(text: str) -> int | None:
    """0 for 编/篇/部分, 1 for 章, 2 for 节, when `text` is a short statute heading line; else None."""
    match = HEADING.match(text)
    if match is None or len(text) > _MAX_HEADING_CHARS or ends_sentence(text, cjk_only=True):
        return None
    return _RANKS[match.group(1)]


def heading_levels(candidates: Sequence[tuple[float, int | None]]) -> list[int]:
    """Levels (1 = top, at most 6) for headings given as (font size, `heading_rank` or None).

    Statute headings take their level from their word (编 above 章 above 节), whatever their size,
    so every `第X章` gets one level. A heading without such a word is placed by its size: as high
    as a statute heading of the same size, above those set smaller, and larger sizes higher.
    """
    top_size: dict[int, float] = {}
    for size, rank in candidates:
        if rank is not None:
            top_size[rank] = max(size, top_size.get(rank, size))
    tiers = {rank: 2 * i + 1 for i, rank in enumerate(sorted(top_size))}
    keys: list[tuple[int, float]] = []
    for size, rank in candidates:
        if rank is None:
            same = [r for r, s in top_size.items() if abs(s - size) <= 0.5]
            if same:
                rank = min(same)
        if rank is not None:
            keys.append((tiers[rank], 0.0))
        else:
            keys.append((2 * sum(1 for s in top_size.values() if s > size), -size))
    order = {key: level for level, key in enumerate(sorted(set(keys)), start=1)}
    return [min(order[key], 6) for key in keys]


def group_lines(
    lines: Sequence[Line], *, left: float | None = None, right: float | None = None
) -> list[list[Line]]:
    """Consecutive lines (in reading order) gathered into paragraphs; see the module docstring.

    `left`/`right` are the text column's edges (default: those of `lines`); pass the page's when
    `lines` are only part of it, so a short run between two headings is measured correctly.
    """
    if not lines:
        return []
    left = min(line.x0 for line in lines) if left is None else left
    right = max(line.x1 for line in lines) if right is None else right
    pitches = [b.top - a.top for a, b in pairwise(lines) if b.top > a.top]
    pitch = statistics.median(pitches) if pitches else 0.0
    groups: list[list[Line]] = [[lines[0]]]
    for prev, line in pairwise(lines):
        size = max(prev.size, line.size, 1.0)
        full = prev.x1 >= right - max(3 * size, 0.12 * (right - left))
        step = line.top - prev.top
        new = (
            ends_sentence(prev.text)
            or ITEM_START.match(line.text) is not None
            or not full
            or step <= 0  # the next line is not below this one: another column or a new region
            or step > max(1.6 * pitch, 2.2 * size) + 0.5
            or abs(line.size - prev.size) > 0.2 * size
        )
        if new:
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


def joined(lines: Iterable[Line]) -> str:
    """The text of a paragraph's lines, joined as `join` does."""
    text = ""
    for line in lines:
        text = join(text, line.text)
    return text


def split_text(raw_lines: Iterable[str], *, indents: bool = True) -> list[str]:
    """Lines of a text file into paragraphs: blank lines, item markers, an indented first line
    (`indents`; full-width `　　` or two spaces) and a line ending `。！？；：` each start a new one."""
    paragraphs: list[str] = []
    current: str | None = None
    for raw in raw_lines:
        line = " ".join(raw.split())
        if not line:
            current = None
            continue
        indented = indents and raw.startswith(("\u3000", "  ", "\t"))
        if current is None or indented or ITEM_START.match(line) or ends_sentence(current, cjk_only=True):
            paragraphs.append(line)
        else:
            paragraphs[-1] = join(paragraphs[-1], line)
        current = paragraphs[-1]
    return paragraphs
