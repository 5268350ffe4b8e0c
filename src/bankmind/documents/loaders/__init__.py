"""One loader per format, each turning a file's bytes into a `LoadedDocument`.

    from bankmind.documents.loading import load_document   # the entry point; it picks the loader

    pdf.py     pdfplumber text, headings and ruled tables; scanned pages through OCR (pypdfium2)
    docx.py    python-docx paragraphs, heading styles and tables in body order
    sheets.py  xlsx / xls via python-calamine, csv via the csv module: one table per sheet
    html.py    lxml.html: headings, paragraphs, tables; scripts, styles and navigation dropped
    text.py    txt and Markdown: headings, pipe tables, paragraphs (Chinese statute lines kept apart)
    image.py   png / jpeg / tiff through OCR, one page per TIFF frame
    lines.py   shared: lines into paragraphs (CJK-aware joining), statute headings and their levels

Every loader has the same signature, `load(data, sniffed, *, who, ocr) -> LoadedDocument`, where
`who` is the quoted file name every error message starts with. Loaders wrap the errors their library
raises on a damaged file as `UnsupportedFormat` / `EncryptedFile`; `load_document` checks zip bombs
before a loader opens an xlsx/docx, and refuses documents that hold no text.
"""

from __future__ import annotations

from typing import Protocol

from bankmind.documents.content import Block, LoadedDocument, table_markdown
from bankmind.documents.sniff import Sniffed
from bankmind.errors import UnsupportedFormat

__all__ = ["Loader", "clean", "damaged", "table_block"]


class Loader(Protocol):
    def __call__(self, data: bytes, sniffed: Sniffed, *, who: str, ocr: bool) -> LoadedDocument: ...


def clean(text: str | None) -> str:
    """Whitespace runs collapsed to one space, ends trimmed (what `Block.text` promises)."""
    return " ".join(text.split()) if text else ""


def table_block(rows: list[list[str]], *, page: int | None = None, locator: str | None = None) -> Block:
    """A table block: cells as given (header row first), text its Markdown rendering."""
    return Block(kind="table", text=table_markdown(rows), rows=rows, page=page, locator=locator)


def damaged(who: str, what: str, fix: str, detail: str | None = None) -> UnsupportedFormat:
    """`'x.pdf' cannot be read as a PDF document (detail); open it in …, save a new copy …`."""
    because = f" ({detail})" if detail else ""
    return UnsupportedFormat(
        f"{who} cannot be read as {what}{because}; it may be damaged or cut short. {fix}"
    )
