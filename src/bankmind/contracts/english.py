"""English contracts in an inspection: which clause categories they hold, with the page and box of each.

    if mostly_latin(text):                       # a Chinese contract is checked by the rules instead
        clauses = english_clauses(pages)         # [Clause(category="governing_law", …)], best first

The rules of `contracts/rules/*.toml` are written for Chinese bank contracts; an English commercial
contract gets its `contract_type` "other" and, instead, the CUAD clause categories that
`clauses_en.detect_clauses` finds (rules only, or confirmed by a chat model when one is given).
That works on plain text with offsets, so the contract's lines are joined into one text
(`contract_text`: a blank line where a paragraph ends, so passages stay paragraphs) and each hit's
offsets are mapped back to the lines it came from for its evidence.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence

from bankmind.contracts.clauses_en import ClauseHit, detect_clauses
from bankmind.contracts.pages import ContractPages, TextLine
from bankmind.contracts.types import BBox, Clause, Evidence
from bankmind.guard.chat import Chat, ChatUnavailable, Message

__all__ = ["LATIN_SHARE", "contract_text", "english_clauses", "mostly_latin"]

LATIN_SHARE = 0.8
"""A text is English (Latin script) when at least this share of its letters are Latin: a Chinese
contract with English names, or a bilingual one, stays below it."""
PARAGRAPH_GAP = 0.6
"""Lines further apart than this share of a line's height belong to different paragraphs."""
_SENTENCE_END = re.compile(r"[.;:!?。；：！？]['\"’”)]?$")


def mostly_latin(text: str) -> bool:
    """Whether most of `text`'s letters are Latin script (see `LATIN_SHARE`); False without letters."""
    latin = other = 0
    for ch in text:
        if not ch.isalpha():
            continue
        if ch.isascii() or unicodedata.name(ch, "").startswith("LATIN"):
            latin += 1
        else:
            other += 1
    return latin > 0 and latin >= LATIN_SHARE * (latin + other)


def contract_text(lines: Sequence[TextLine]) -> tuple[str, list[int]]:
    """The lines as one text and where each line starts in it. Lines are joined by a line break, and
    by a blank line where a paragraph ends: on a new page, after a wide gap (boxes known), or after
    a line ending a sentence (no boxes: a TXT or DOCX line is a paragraph or a wrapped part of one)."""
    parts: list[str] = []
    starts: list[int] = []
    size = 0
    for i, line in enumerate(lines):
        if i:
            sep = "\n\n" if _paragraph_ends(lines[i - 1], line) else "\n"
            parts.append(sep)
            size += len(sep)
        starts.append(size)
        parts.append(line.text)
        size += len(line.text)
    return "".join(parts), starts


def _paragraph_ends(before: TextLine, line: TextLine) -> bool:
    if before.page != line.page:
        return True
    if before.bbox is not None and line.bbox is not None:
        height = before.bbox[3] - before.bbox[1]
        return line.bbox[1] - before.bbox[3] > PARAGRAPH_GAP * height
    return bool(_SENTENCE_END.search(before.text.rstrip()))


def english_clauses(pages: ContractPages, *, chat: Chat | None = None) -> list[Clause]:
    """The clause categories found in an English contract, best first, each with its passage as
    evidence; with `chat`, the best candidates are put to the model (an answer it refuses or cuts
    off counts as no answer)."""
    text, starts = contract_text(pages.lines)
    asked = _unclear_when_unavailable(chat) if chat is not None else None
    return [_clause(hit, pages.lines, starts) for hit in detect_clauses(text, chat=asked)]


def _unclear_when_unavailable(chat: Chat) -> Chat:
    """`detect_clauses` takes an answer it cannot read as no answer; a refused or cut-off one is that too."""

    def ask(messages: list[Message]) -> str:
        try:
            return chat(messages)
        except ChatUnavailable:
            return ""

    return ask


def _clause(hit: ClauseHit, lines: Sequence[TextLine], starts: list[int]) -> Clause:
    first = bisect.bisect_right(starts, hit.start) - 1
    last = bisect.bisect_left(starts, hit.end) - 1
    page = lines[first].page
    boxes = [line.bbox for line in lines[first : last + 1] if line.page == page and line.bbox is not None]
    evidence = Evidence(page=page, text=" ".join(hit.text.split()), bbox=_union(boxes))
    label = hit.category
    category = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return Clause(category=category, label=label, score=hit.score, evidence=evidence, confirmed=hit.confirmed)


def _union(boxes: Sequence[BBox]) -> BBox | None:
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
