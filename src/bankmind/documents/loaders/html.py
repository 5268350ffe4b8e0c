"""HTML pages (lxml.html): h1–h6 headings, paragraphs, tables; scripts, styles and navigation dropped.

Block elements (`p`, `div`, `li`, `section`, `blockquote`, …) and `<br>` end a paragraph; inline
elements (`span`, `a`, `b`, …) flow into it. A `<table>` of at least two rows and two columns is a
table block (header row first, a cell spanning columns keeps its text in its first column); a
smaller one is a layout table and its cells are read as paragraphs. The title is `<title>`.
"""

from __future__ import annotations

import re
from typing import Any

from bankmind.documents.content import Block, LoadedDocument
from bankmind.documents.loaders import clean, damaged, table_block
from bankmind.documents.sniff import Sniffed

__all__ = ["load"]

_DROP = frozenset(
    {"script", "style", "nav", "noscript", "template", "svg", "iframe", "object", "head", "button", "select"}
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = frozenset(
    {
        "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "section", "article", "main", "aside", "header",
        "footer", "blockquote", "pre", "address", "figure", "figcaption", "form", "fieldset", "hr",
        "caption", "center", "body", "td", "th", "tr", "thead", "tbody", "tfoot", "details", "summary",
    }
)  # fmt: skip
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_MAX_SPAN = 50
_FIX = "Save the page again as HTML (UTF-8) and upload it."


def load(data: bytes, sniffed: Sniffed, *, who: str, ocr: bool) -> LoadedDocument:
    """Walk the body in document order; see the module docstring."""
    import lxml.html  # type: ignore[import-untyped]
    from lxml import etree

    text = data.decode(sniffed.encoding or "utf-8").lstrip("\ufeff")
    text = _XML_DECLARATION.sub("", text, count=1)  # lxml refuses str input that declares an encoding
    try:
        root = lxml.html.document_fromstring(text)
    except etree.ParserError:  # nothing but comments or blanks: no blocks, reported as empty
        return LoadedDocument(kind="html", blocks=[], encoding=sniffed.encoding)
    except (etree.LxmlError, ValueError) as exc:
        raise damaged(who, "an HTML page", _FIX, type(exc).__name__) from exc
    title = clean(root.findtext(".//title")) or None
    walker = _Walker()
    body = root.find("body")
    walker.visit(body if body is not None else root)
    walker.flush()
    return LoadedDocument(kind="html", title=title, blocks=walker.blocks, encoding=sniffed.encoding)


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.pending = ""
        self.space = False

    def add(self, text: str | None) -> None:
        """Inline text: whitespace in the source (also across tags) becomes one space, none is added."""
        if not text:
            return
        piece = clean(text)
        if not piece:
            self.space = self.space or bool(self.pending)
            return
        if self.pending and (self.space or text[:1].isspace()):
            self.pending += " "
        self.pending += piece
        self.space = text[-1:].isspace()

    def flush(self) -> None:
        text = clean(self.pending)
        if text:
            self.blocks.append(Block(kind="paragraph", text=text))
        self.pending = ""
        self.space = False

    def visit(self, element: Any) -> None:
        tag = element.tag.lower() if isinstance(element.tag, str) else None
        if tag is None or tag in _DROP:
            return  # comments, processing instructions, dropped elements (their tail is the parent's)
        if tag in _HEADINGS:
            self.flush()
            text = clean(element.text_content())
            if text:
                self.blocks.append(Block(kind="heading", text=text, level=_HEADINGS[tag]))
            return
        if tag == "br":
            self.flush()
            return
        rows = _table_rows(element) if tag == "table" else None
        if rows is not None:
            self.flush()
            self.blocks.append(table_block(rows))
            return
        block = tag in _BLOCKS or tag == "table"
        if block:
            self.flush()
        self.add(element.text)
        for child in element:
            self.visit(child)
            self.add(child.tail)
        if block:
            self.flush()


def _table_rows(table: Any) -> list[list[str]] | None:
    """A data table's rows, or None for a layout table (fewer than 2 rows or 2 columns)."""
    rows: list[list[str]] = []
    for tr in table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr"):
        cells: list[str] = []
        for cell in tr.xpath("./th | ./td"):
            cells.append(clean(cell.text_content()))
            span = cell.get("colspan", "1")
            cells.extend([""] * (min(int(span), _MAX_SPAN) - 1 if span.isdigit() and int(span) > 1 else 0))
        if any(cells):
            rows.append(cells)
    if len(rows) < 2 or max(len(row) for row in rows) < 2:
        return None
    return rows
