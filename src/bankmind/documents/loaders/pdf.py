"""PDF: text, headings and ruled tables with pdfplumber; scanned pages rendered (pypdfium2) and OCR'd.

Per page, in reading order (top to bottom, one column):

- **tables** are the ruled ones pdfplumber's table finder sees (at least 2 × 2 cells); their
  characters are removed from the page before the text is read, so a table is never also a paragraph;
- **headings** are lines set larger than the body text (the most common font size in the document)
  or statute headings (`第一章 总则`, `第二节 …`); levels come from size, then 编 > 章 > 节;
- **paragraphs** are the remaining lines joined as `lines.group_lines` does (CJK-aware);
- bare page numbers in the top or bottom margin (`- 3 -`, `第 3 页 共 20 页`) are dropped.

A page with fewer than `MIN_TEXT_CHARS` readable characters that shows an image (or many vector
paths), or whose characters are mostly glyphs without a Unicode mapping (`(cid:123)`, private use),
is read like a scan: rendered at `RENDER_SCALE` and read by OCR, or, with `ocr=False`, skipped and
listed in `skipped_pages`. Multi-column layouts are read line by line across the columns.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bankmind.documents.content import Block, LoadedDocument
from bankmind.documents.loaders import clean, damaged, table_block
from bankmind.documents.loaders.image import ocr_paragraphs
from bankmind.documents.loaders.lines import (
    Line,
    ends_sentence,
    group_lines,
    heading_levels,
    heading_rank,
    join,
    joined,
)
from bankmind.documents.sniff import Sniffed
from bankmind.errors import EncryptedFile

if TYPE_CHECKING:
    import pypdfium2  # type: ignore[import-untyped]
    from pdfplumber.page import Page
    from PIL.Image import Image

__all__ = ["MIN_TEXT_CHARS", "RENDER_SCALE", "load", "looks_scanned", "open_pdf"]

log = logging.getLogger(__name__)

MIN_TEXT_CHARS = 20
"""A page with fewer readable characters than this (and an image on it) is treated as scanned."""
RENDER_SCALE = 2.0
"""Scanned pages are rendered at 2 × 72 = 144 dpi for OCR ..."""
MAX_RENDER_PIXELS = 16_000_000
"""... or smaller, so that a huge page never renders past 16 megapixels."""

_WHAT = "a PDF document"
_FIX = "Open it in a PDF reader, print it to a new PDF (Print → Save as PDF) and upload that copy."
_PDFIUM_PASSWORD_ERRORS = (4, 6)  # FPDF_ERR_PASSWORD, FPDF_ERR_SECURITY
_HEADING_RATIO = 1.15
_MARGIN = 0.08
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—\s]*\d{1,4}[-–—\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+"
    r"|(?:page|p\.)\s*\d+(?:\s*(?:of|/)\s*\d+)?)$",
    re.IGNORECASE,
)


@dataclass
class _Heading:
    text: str
    size: float
    rank: int | None
    bottom: float


@dataclass
class _Run:
    """Consecutive body lines, to be split into paragraphs."""

    lines: list[Line]


@dataclass
class _Table:
    rows: list[list[str]]


@dataclass
class _Page:
    number: int
    entries: list[tuple[float, Line | _Table]] = field(default_factory=list)
    """(top, a text line or a table), in reading order."""
    left: float = 0.0
    right: float = 0.0
    scanned: bool = False


def load(data: bytes, sniffed: Sniffed, *, who: str, ocr: bool) -> LoadedDocument:
    """Read every page; see the module docstring."""
    import pypdfium2

    document = open_pdf(data, who)
    try:
        pages = _read_pages(data, who)
        text_pages = [page for page in pages if not page.scanned]
        body = _body_size(text_pages)
        structured = {page.number: _structure(page, body) for page in text_pages}
        headings = [item for items in structured.values() for item in items if isinstance(item, _Heading)]
        levels = iter(heading_levels([(h.size, h.rank) for h in headings]))
        blocks: list[Block] = []
        ocr_pages: list[int] = []
        skipped: list[int] = []
        for page in pages:
            if not page.scanned:
                blocks.extend(_blocks(page, structured[page.number], levels))
            elif ocr:
                ocr_pages.append(page.number)
                image = _render(document, page.number)
                blocks.extend(ocr_paragraphs(image, page=page.number, who=who))
            else:
                skipped.append(page.number)
        title = clean(document.get_metadata_dict().get("Title")) or None
    except pypdfium2.PdfiumError as exc:
        raise damaged(who, _WHAT, _FIX, str(exc).rstrip(".")) from exc
    finally:
        document.close()
    if skipped:
        log.info("documents.pdf.ocr_skipped", extra={"pages": skipped})
    return LoadedDocument(
        kind="pdf", title=title, blocks=blocks, pages=len(pages), ocr_pages=ocr_pages, skipped_pages=skipped
    )


# opening and rendering (pypdfium2) --------------------------------------------------------
def _encrypted(who: str) -> EncryptedFile:
    return EncryptedFile(
        f"{who} is an encrypted or password-protected PDF; open it, save or print an unprotected "
        "copy (e.g. Print → Save as PDF) and upload that copy."
    )


def open_pdf(data: bytes, who: str) -> pypdfium2.PdfDocument:
    """The document opened with pypdfium2; a password or damage is refused with what to do."""
    import pypdfium2

    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if exc.err_code in _PDFIUM_PASSWORD_ERRORS:
            raise _encrypted(who) from exc
        raise damaged(who, _WHAT, _FIX, str(exc).rstrip(".")) from exc


def _render(document: pypdfium2.PdfDocument, number: int) -> Image:
    page = document[number - 1]
    try:
        width, height = page.get_size()
        scale = min(RENDER_SCALE, math.sqrt(MAX_RENDER_PIXELS / max(width * height, 1.0)))
        image: Image = page.render(scale=scale).to_pil()
        return image
    finally:
        page.close()


# reading the text layer (pdfplumber) --------------------------------------------------------
def _read_pages(data: bytes, who: str) -> list[_Page]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    pages: list[_Page] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                pages.append(_read_page(page, number))
                page.close()
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise _encrypted(who) from exc
        raise damaged(who, _WHAT, _FIX, type(cause).__name__) from exc
    except PDFPasswordIncorrect as exc:
        raise _encrypted(who) from exc
    return pages


def _read_page(page: Page, number: int) -> _Page:
    try:
        return _page_content(page, number)
    except Exception as exc:  # pdfminer raises many kinds on a damaged page: read it by OCR instead
        log.warning("documents.pdf.page_unreadable", extra={"page": number, "error": type(exc).__name__})
        return _Page(number, scanned=True)


def looks_scanned(page: Page) -> bool:
    """Whether a page is to be read by OCR: fewer than `MIN_TEXT_CHARS` readable characters and an
    image (or many vector paths) on it, or mostly glyphs without a Unicode mapping."""
    texts = [c["text"] for c in page.chars if c["text"].strip()]
    garbled = sum(1 for t in texts if _garbled(t))
    readable = len(texts) - garbled
    return garbled > readable or (readable < MIN_TEXT_CHARS and bool(page.images or len(page.curves) >= 20))


def _page_content(page: Page, number: int) -> _Page:
    scanned = looks_scanned(page)
    entries: list[tuple[float, Line | _Table]] = []
    boxes = []
    for table in page.find_tables():
        rows = [[_cell(cell) for cell in row] for row in table.extract()]
        rows = [row for row in rows if any(row)]
        if len(rows) >= 2 and max(len(row) for row in rows) >= 2:
            boxes.append(table.bbox)
            entries.append((table.bbox[1], _Table(rows)))
    region = (
        page.filter(lambda obj: obj["object_type"] != "char" or not _inside(obj, boxes)) if boxes else page
    )
    lines: list[Line] = []
    for found in region.extract_text_lines(return_chars=True):
        text = clean(found["text"])
        edge = _MARGIN * float(page.height)
        in_margin = found["top"] < edge or found["bottom"] > float(page.height) - edge
        if not text or (in_margin and _PAGE_NUMBER.match(text)):
            continue
        sizes = sorted(float(c["size"]) for c in found["chars"])
        size = sizes[len(sizes) // 2] if sizes else 0.0
        lines.append(Line(text, found["x0"], found["x1"], found["top"], found["bottom"], size))
    entries.extend((line.top, line) for line in lines)
    entries.sort(key=lambda entry: entry[0])
    left = min((line.x0 for line in lines), default=0.0)
    right = max((line.x1 for line in lines), default=0.0)
    return _Page(number, entries, left, right, scanned)


def _garbled(text: str) -> bool:
    """A glyph without a Unicode mapping: pdfminer's `(cid:123)` or a private-use code point."""
    return text.startswith("(cid:") or any(0xE000 <= ord(ch) <= 0xF8FF for ch in text)


def _inside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _cell(value: str | None) -> str:
    """A cell's lines joined the CJK way (`借记卡` + `年费` → `借记卡年费`)."""
    text = ""
    for part in (value or "").splitlines():
        text = join(text, clean(part))
    return text


# structure ----------------------------------------------------------------------------------
def _body_size(pages: list[_Page]) -> float:
    """The font size most characters are set in."""
    counts: Counter[float] = Counter()
    for page in pages:
        for _, entry in page.entries:
            if isinstance(entry, Line):
                counts[round(entry.size * 2) / 2] += len(entry.text)
    return counts.most_common(1)[0][0] if counts else 0.0


def _structure(page: _Page, body: float) -> list[_Heading | _Run | _Table]:
    """The page as headings, runs of body lines and tables."""
    items: list[_Heading | _Run | _Table] = []
    for _, entry in page.entries:
        if isinstance(entry, _Table):
            items.append(entry)
            continue
        rank = heading_rank(entry.text)
        large = (
            body > 0
            and entry.size >= body * _HEADING_RATIO
            and entry.size - body >= 1
            and len(entry.text) <= 80
            and not ends_sentence(entry.text, cjk_only=True)
        )
        last = items[-1] if items else None
        if not (large or rank is not None):
            if isinstance(last, _Run):
                last.lines.append(entry)
            else:
                items.append(_Run([entry]))
        elif (
            isinstance(last, _Heading)
            and rank is None
            and abs(last.size - entry.size) <= 0.5
            and entry.top - last.bottom < entry.size
        ):
            last.text, last.bottom = join(last.text, entry.text), entry.bottom  # a heading on two lines
        else:
            items.append(_Heading(entry.text, entry.size, rank, entry.bottom))
    return items


def _blocks(page: _Page, items: list[_Heading | _Run | _Table], levels: Iterator[int]) -> list[Block]:
    blocks: list[Block] = []
    for item in items:
        if isinstance(item, _Heading):
            blocks.append(Block(kind="heading", text=item.text, level=next(levels), page=page.number))
        elif isinstance(item, _Run):
            runs = group_lines(item.lines, left=page.left, right=page.right)
            blocks.extend(Block(kind="paragraph", text=joined(run), page=page.number) for run in runs)
        else:
            blocks.append(table_block(item.rows, page=page.number))
    return blocks
