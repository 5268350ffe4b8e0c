"""Word (.docx): paragraphs, headings and tables in the order of the document body (python-docx).

A paragraph is a heading when its style (or a style it is based on) is `Heading N` / `标题 N`
(level N), `Title` / `标题` (level 1, and the document's title), or sets an outline level. Documents
that use no heading style at all get statute headings (`第一章 总则`) found by pattern instead. List
items are paragraphs (Word's numbering is not part of the text). Content controls are looked
through; headers, footers, footnotes and text boxes are not read. Callers run the zip-bomb guard
first (`load_document` does).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from bankmind.documents.content import Block, LoadedDocument
from bankmind.documents.loaders import clean, damaged, table_block
from bankmind.documents.loaders.lines import heading_levels, heading_rank
from bankmind.documents.sniff import Sniffed

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

__all__ = ["load"]

_WHAT = "a Word document (.docx)"
_FIX = "Open it in Word, save it again as .docx and upload the new copy."
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_TITLE_STYLES = frozenset({"title", "标题"})


def load(data: bytes, sniffed: Sniffed, *, who: str, ocr: bool) -> LoadedDocument:
    """Read the body in order; see the module docstring."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree  # type: ignore[import-untyped]

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, etree.LxmlError) as exc:
        raise damaged(who, _WHAT, _FIX, type(exc).__name__) from exc
    items = list(_body_items(document))
    styled = any(isinstance(level, int) and level > 0 for level, _ in items)
    blocks: list[Block] = []
    pattern_headings: list[int] = []
    title = clean(document.core_properties.title) or None
    for level, content in items:
        if isinstance(content, list):
            blocks.append(table_block(content))
        elif level:
            blocks.append(Block(kind="heading", text=content, level=level))
        elif not styled and (rank := heading_rank(content)) is not None:
            pattern_headings.append(rank)
            blocks.append(Block(kind="heading", text=content, level=0))
        else:
            blocks.append(Block(kind="paragraph", text=content))
    if pattern_headings:
        blocks = _pattern_levels(blocks, pattern_headings)
    return LoadedDocument(kind="docx", title=title, blocks=blocks)


def _body_items(document: Document) -> Iterator[tuple[int, str | list[list[str]]]]:
    """(heading level or 0, paragraph text) and (0, table rows), in body order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for element in _children(document.element.body):
        if element.tag == f"{_W}p":
            paragraph = Paragraph(element, document)
            text = clean(paragraph.text)
            if text:
                yield _heading_level(paragraph), text
        elif element.tag == f"{_W}tbl":
            rows = _rows(Table(element, document))
            if rows:
                yield 0, rows


def _children(parent: Any) -> Iterator[Any]:
    """Body-level paragraphs and tables, looking through content controls (`w:sdt`)."""
    for child in parent.iterchildren():
        if child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _children(content)
        else:
            yield child


def _heading_level(paragraph: Paragraph) -> int:
    style: Any = paragraph.style
    outline = _outline_level(paragraph._p.pPr)
    seen = 0
    while style is not None and seen < 10:  # base-style chains are short; a loop is a broken file
        name = (style.name or "").strip()
        match = _HEADING_STYLE.match(name)
        if match:
            return int(match.group(1))
        if name.lower() in _TITLE_STYLES:
            return 1
        outline = outline if outline is not None else _outline_level(style.element.pPr)
        style, seen = style.base_style, seen + 1
    return outline + 1 if outline is not None and outline < 9 else 0


def _outline_level(ppr: Any) -> int | None:
    found = ppr.find(f"{_W}outlineLvl") if ppr is not None else None
    value = found.get(f"{_W}val") if found is not None else None
    return int(value) if value is not None and value.isdigit() else None


def _rows(table: Table) -> list[list[str]]:
    """Cell texts row by row; a cell merged across columns keeps its text in its first column only."""
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            cells.append("" if cell._tc is previous else clean(cell.text))
            previous = cell._tc
        if any(cells):
            rows.append(cells)
    return rows


def _pattern_levels(blocks: list[Block], ranks: list[int]) -> list[Block]:
    levels = iter(heading_levels([(0.0, rank) for rank in ranks]))
    return [
        block.model_copy(update={"level": next(levels)}) if block.kind == "heading" else block
        for block in blocks
    ]
