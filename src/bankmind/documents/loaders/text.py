"""Plain text and Markdown, in the encoding `sniff` found (UTF-8, GBK/GB18030, UTF-16, …).

Plain text: paragraphs end at blank lines, before a line that starts an item (`第三条`, `（一）`,
`1.`, `•`), before an indented line (`　　`) and after a line ending `。！？；：`, so a statute with
one article per line gives one paragraph per article while hard-wrapped prose is joined again.
Statute heading lines (`第一章 总则`) are headings; so is a short first line standing alone (the
title, `借款合同`).

Markdown: `#` and underlined headings with their level, pipe tables as table blocks, list items as
paragraphs, fenced code as one paragraph, YAML front matter skipped; inline markup is kept verbatim.
"""

from __future__ import annotations

import re

from bankmind.documents.content import Block, LoadedDocument
from bankmind.documents.loaders import clean, table_block
from bankmind.documents.loaders.lines import (
    ITEM_START,
    ends_sentence,
    heading_levels,
    heading_rank,
    split_text,
)
from bankmind.documents.sniff import Sniffed

__all__ = ["load", "markdown_blocks", "text_blocks"]

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^ {0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_MAX_TITLE_CHARS = 40


def load(data: bytes, sniffed: Sniffed, *, who: str, ocr: bool) -> LoadedDocument:
    """Decode and split; see the module docstring."""
    text = data.decode(sniffed.encoding or "utf-8").lstrip("\ufeff")
    lines = text.splitlines()
    blocks = markdown_blocks(lines) if sniffed.kind == "md" else text_blocks(lines)
    return LoadedDocument(kind=sniffed.kind, blocks=blocks, encoding=sniffed.encoding)


# plain text -------------------------------------------------------------------------------
def text_blocks(lines: list[str]) -> list[Block]:
    """Headings and paragraphs of a plain-text file."""
    blocks: list[Block] = []
    ranks: list[int | None] = []
    run: list[str] = []
    title_at = _title_line(lines)
    for index, raw in enumerate(lines):
        line = clean(raw)
        rank = heading_rank(line)
        if index == title_at or rank is not None:
            blocks.extend(Block(kind="paragraph", text=p) for p in split_text(run))
            run = []
            blocks.append(Block(kind="heading", text=line, level=1))
            ranks.append(rank)
        else:
            run.append(raw)
    blocks.extend(Block(kind="paragraph", text=p) for p in split_text(run))
    # the title (no statute word) sits above every 编/章/节: give it a larger "size"
    levels = iter(heading_levels([(0.0 if rank is not None else 1.0, rank) for rank in ranks]))
    return [b.model_copy(update={"level": next(levels)}) if b.kind == "heading" else b for b in blocks]


def _title_line(lines: list[str]) -> int | None:
    """The index of a short first line followed by a blank line, when more text follows."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if len(filled) < 2:
        return None
    first = filled[0]
    line = clean(lines[first])
    standalone = first + 1 < len(lines) and not lines[first + 1].strip()
    if (
        standalone
        and len(line) <= _MAX_TITLE_CHARS
        and not ends_sentence(line)
        and ITEM_START.match(line) is None
        and heading_rank(line) is None
    ):
        return first
    return None


# Markdown ---------------------------------------------------------------------------------
def markdown_blocks(lines: list[str]) -> list[Block]:
    """Headings, tables and paragraphs of a Markdown file."""
    blocks: list[Block] = []
    run: list[str] = []

    def flush() -> None:
        blocks.extend(Block(kind="paragraph", text=p) for p in split_text(run, indents=False))
        run.clear()

    i = _front_matter_end(lines)
    while i < len(lines):
        line = lines[i]
        following = lines[i + 1] if i + 1 < len(lines) else ""
        atx = _ATX.match(line)
        fence = _FENCE.match(line)
        if atx:
            flush()
            if clean(atx.group(2)):
                blocks.append(Block(kind="heading", text=clean(atx.group(2)), level=len(atx.group(1))))
        elif fence:
            flush()
            end = next(
                (j for j in range(i + 1, len(lines)) if lines[j].strip().startswith(fence.group(1))),
                len(lines),
            )
            code = clean(" ".join(lines[i + 1 : end]))
            if code:
                blocks.append(Block(kind="paragraph", text=code))
            i = end
        elif "|" in line and _TABLE_RULE.match(following) and "-" in following:
            flush()
            rows = [_cells(line)]
            i += 2
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                rows.append(_cells(lines[i]))
                i += 1
            blocks.append(table_block(rows))
            continue
        elif line.strip() and not _in_paragraph(run) and _SETEXT.match(following) and not _RULE.match(line):
            blocks.append(Block(kind="heading", text=clean(line), level=1 if "=" in following else 2))
            i += 1
        elif _RULE.match(line):
            flush()
        else:
            run.append(line)
        i += 1
    flush()
    return blocks


def _in_paragraph(run: list[str]) -> bool:
    """The previous line holds text (so an underline below this line is no setext heading)."""
    return bool(run) and bool(run[-1].strip())


def _front_matter_end(lines: list[str]) -> int:
    if lines and lines[0].strip() == "---":
        for j in range(1, min(len(lines), 200)):
            if lines[j].strip() in ("---", "..."):
                return j + 1
    return 0


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [clean(cell.replace("\\|", "|")) for cell in _CELL_SPLIT.split(inner)]
