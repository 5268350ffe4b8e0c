"""Cutting text into pieces of at most N characters without rewriting a character.

    units = [Unit("第一段。", starts_block=True), Unit("第二段。", starts_block=True)]
    pack(units, 800)                      # [[both units]]: pieces are lists of units
    join(units)                           # "第一段。\\n第二段。" (blocks joined by "\\n")
    split_long("很长的一段。……", 800)      # sentences (then clauses, then hard cuts) of ≤ 800 chars
    split_table(markdown, 3200)           # row groups, each under the same header row

A block longer than the limit is cut at sentence ends (。！？；…, or `.!?` before a space), a
sentence longer than the limit at clause marks (，、：), and only a clause longer than the limit at a
hard character count. The pieces of one block are joined with "" and blocks with "\\n", so a piece
is always a verbatim slice of the joined text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["Unit", "join", "pack", "split_long", "split_table"]

_CLOSERS = "”’」』）)】》\"'"
_SENTENCE_END = re.compile(rf"(?:[。！？!?；;]+|…+|(?<!\d)\.(?=\s))[{_CLOSERS}]*\s*")
_CLAUSE_END = re.compile(rf"[，,、：:][{_CLOSERS}]*\s*")
_TABLE_RULE = re.compile(r"\|(?:\s*:?-+:?\s*\|)+")


class Unit(NamedTuple):
    """A slice of one block: all of it, or one of its sentences when the block is too long."""

    text: str
    starts_block: bool
    page: int | None = None
    paragraph: int | None = None


def join(units: Sequence[Unit]) -> str:
    """The units' text as in the document: "\\n" before each new block, nothing inside a block."""
    return "".join(("\n" if u.starts_block and i else "") + u.text for i, u in enumerate(units))


def pack(units: Sequence[Unit], limit: int) -> list[list[Unit]]:
    """Units in order, grouped into as few pieces of ≤ `limit` characters as greedy packing gives,
    then balanced: the smallest limit that still needs no more pieces, so the last one is not a stub.
    A unit longer than `limit` (a table row) gets a piece of its own."""
    pieces = _greedy(units, limit)
    if len(pieces) <= 1:
        return pieces
    low, high = 1, limit
    while low < high:
        middle = (low + high) // 2
        if len(_greedy(units, middle)) <= len(pieces):
            high = middle
        else:
            low = middle + 1
    return _greedy(units, low)


def _greedy(units: Sequence[Unit], limit: int) -> list[list[Unit]]:
    pieces: list[list[Unit]] = []
    current: list[Unit] = []
    size = 0
    for unit in units:
        add = len(unit.text) + (1 if unit.starts_block and current else 0)
        if current and size + add > limit:
            pieces.append(current)
            current, size = [], 0
            add = len(unit.text)
        current.append(unit)
        size += add
    if current:
        pieces.append(current)
    return pieces


def split_long(text: str, limit: int) -> list[str]:
    """`text` cut into parts of ≤ `limit` characters: at sentence ends, then clause marks, then hard.

    The parts are as fine as the cut needs (one sentence each); `pack` groups them again.
    """
    return _split(text, limit, (_SENTENCE_END, _CLAUSE_END))


def _split(text: str, limit: int, cuts: tuple[re.Pattern[str], ...]) -> list[str]:
    if len(text) <= limit:
        return [text]
    if not cuts:
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    parts = _cut(text, cuts[0])
    if len(parts) == 1:
        return _split(text, limit, cuts[1:])
    return [piece for part in parts for piece in _split(part, limit, cuts[1:])]


def _cut(text: str, pattern: re.Pattern[str]) -> list[str]:
    parts: list[str] = []
    start = 0
    for match in pattern.finditer(text):
        if match.end() > start:
            parts.append(text[start : match.end()])
            start = match.end()
    if start < len(text):
        parts.append(text[start:])
    return parts


def split_table(markdown: str, limit: int) -> list[str]:
    """A Markdown table whole if ≤ `limit` characters, else groups of whole rows, each group under
    the header row (and its `|---|` rule) again. Rows are never cut."""
    if len(markdown) <= limit:
        return [markdown]
    lines = markdown.split("\n")
    head = 2 if len(lines) > 2 and _TABLE_RULE.fullmatch(lines[1]) else 0
    header, rows = lines[:head], lines[head:]
    budget = max(limit - len("\n".join(header)) - (1 if header else 0), 1)
    pieces = pack([Unit(row, starts_block=True) for row in rows], budget)
    return ["\n".join([*header, *(unit.text for unit in piece)]) for piece in pieces]
