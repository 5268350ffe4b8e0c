"""A contract's text as lines with their page and box, and the images of its scanned pages.

    pages = read_pages(data, "借款合同.pdf")
    pages.lines[0]        # TextLine(page=1, text="流动资金借款合同", bbox=(205.1, 72.0, 390.4, 94.2))
    pages.images[3]       # the rendered scan of page 3 (seals and signatures are looked for there)

Text PDF pages are read line by line with pdfplumber (boxes in PDF points, origin top-left).
Scanned pages (`documents.loaders.pdf.looks_scanned`) and image files are rendered at `SCAN_DPI`,
their red ink is removed (`seals.remove_red`: a seal stamped over a date or an amount must not hide
it) and they are read by OCR; PDF boxes are converted back to points so that every box of a PDF
is in the same unit as its annotations. A DOCX goes through `documents.load_document` (zip-bomb
guard), a TXT is decoded as sniffing found it (UTF-8, GBK, UTF-16); both have one logical page and
no boxes. Every refusal names the file.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bankmind.contracts.seals import remove_red
from bankmind.contracts.types import BBox
from bankmind.documents.filenames import quoted
from bankmind.documents.loaders import clean, damaged
from bankmind.documents.loaders.pdf import looks_scanned, open_pdf
from bankmind.documents.loading import load_document
from bankmind.documents.ocr import OcrLine, ocr_image
from bankmind.documents.sniff import sniff
from bankmind.errors import EmptyFile, UnsupportedFormat

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = ["SCAN_DPI", "ContractPages", "TextLine", "read_pages"]

SCAN_DPI = 150
"""Scanned pages are rendered at 150 dpi: enough for OCR and seal rings, fast enough for 2 s a page."""
_SCALE = SCAN_DPI / 72
_IMAGES = frozenset({"png", "jpeg", "tiff"})
_TEXT_KINDS = frozenset({"docx"})
_SPECK = re.compile(r"([（(【〔])[.·,，。、]+")
"""A speck OCR reads as a dot or comma just inside an opening bracket (`（.2024）`): never written."""


@dataclass(frozen=True)
class TextLine:
    page: int
    text: str
    bbox: BBox | None = None


@dataclass
class ContractPages:
    """What `read_pages` gives: the kind read, every line, and the images of scanned pages."""

    kind: str
    pages: int
    lines: list[TextLine] = field(default_factory=list)
    scanned: list[int] = field(default_factory=list)
    images: dict[int, Image] = field(default_factory=dict)
    ocr: dict[int, list[OcrLine]] = field(default_factory=dict)
    """The OCR lines of each scanned page, in image pixels (what signature detection needs)."""
    pixels_per_unit: dict[int, float] = field(default_factory=dict)
    """Image pixels per box unit of each scanned page (150/72 for a PDF, 1 for an image file)."""

    def page_lines(self, page: int) -> list[TextLine]:
        return [line for line in self.lines if line.page == page]


def read_pages(data: bytes, filename: str) -> ContractPages:
    """Every line of the contract with its page and box; see the module docstring."""
    who = quoted(filename)
    sniffed = sniff(data, filename)
    kind = sniffed.kind
    if kind in ("txt", "md"):  # line by line as written (the text loader joins lines into paragraphs)
        text = data.decode(sniffed.encoding or "utf-8").lstrip("\ufeff")
        pages = ContractPages(
            kind=kind, pages=1, lines=[TextLine(1, t) for raw in text.splitlines() if (t := clean(raw))]
        )
    elif kind == "pdf":
        pages = _read_pdf(data, who)
    elif kind in _IMAGES:
        pages = _read_image(data, who, kind)
    elif kind in _TEXT_KINDS:
        document = load_document(data, filename, ocr=False)
        lines = [
            TextLine(1, text)
            for block in document.blocks
            for raw in _block_lines(block.text, block.rows)
            if (text := clean(raw))
        ]
        pages = ContractPages(kind=kind, pages=1, lines=lines)
    else:
        raise UnsupportedFormat(
            f"{who} is not a contract bankmind can inspect; "
            "give a PDF (text or scanned), DOCX, TXT or an image."
        )
    if not pages.lines:
        raise EmptyFile(
            f"{who} has no readable text, not even by OCR; check that it is the contract you meant."
        )
    return pages


def _block_lines(text: str, rows: list[list[str]] | None) -> list[str]:
    """A table's rows as lines (cells joined by a wide space), other blocks line by line."""
    if rows:
        return ["　".join(cell for cell in row if cell) for row in rows]
    return text.splitlines()


def _read_pdf(data: bytes, who: str) -> ContractPages:
    import pdfplumber

    document = open_pdf(data, who)
    try:
        result = ContractPages(kind="pdf", pages=len(document))
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                if looks_scanned(page):
                    image = document[number - 1].render(scale=_SCALE).to_pil().convert("RGB")
                    _read_scan(result, number, image, _SCALE)
                    continue
                for found in page.extract_text_lines():
                    text = clean(found["text"])
                    if text:
                        box = _box(found["x0"], found["top"], found["x1"], found["bottom"])
                        result.lines.append(TextLine(number, text, box))
                page.close()
    except Exception as exc:  # pdfminer raises many kinds on damaged files: name the file, no traceback
        if isinstance(exc, (UnsupportedFormat, EmptyFile)):
            raise
        raise damaged(
            who, "a PDF document", "Print it to a new PDF and inspect that copy.", type(exc).__name__
        ) from exc
    finally:
        document.close()
    return result


def _read_image(data: bytes, who: str, kind: str) -> ContractPages:
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        opened = Image.open(io.BytesIO(data))
        frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(opened)]
    except (UnidentifiedImageError, OSError) as exc:
        raise UnsupportedFormat(
            f"{who} is an image that cannot be read; save it again as PNG or JPEG."
        ) from exc
    result = ContractPages(kind=kind, pages=len(frames))
    for number, frame in enumerate(frames, start=1):
        _read_scan(result, number, frame, 1.0)
    return result


def _read_scan(result: ContractPages, number: int, image: Image, scale: float) -> None:
    """OCR of a page image with its red ink removed; boxes divided by `scale` into the page's unit."""
    result.scanned.append(number)
    result.images[number] = image
    result.pixels_per_unit[number] = scale
    found = ocr_image(remove_red(image))
    result.ocr[number] = found
    for line in found:
        text = _SPECK.sub(r"\1", clean(line.text))
        if not text:
            continue
        xs = [x for x, _ in line.bbox]
        ys = [y for _, y in line.bbox]
        box = _box(min(xs) / scale, min(ys) / scale, max(xs) / scale, max(ys) / scale)
        result.lines.append(TextLine(number, text, box))


def _box(x0: float, y0: float, x1: float, y1: float) -> BBox:
    return (round(float(x0), 1), round(float(y0), 1), round(float(x1), 1), round(float(y1), 1))
