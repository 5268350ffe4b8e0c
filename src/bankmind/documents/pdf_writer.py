"""Write PDFs with PDFium (pypdfium2): CJK text, ruled tables and full-page images.

One writer for everything bankmind generates as PDF (test fixtures, evaluation contracts): real
text objects in WenQuanYi Micro Hei (a CJK TrueType font the PDF embeds, with a ToUnicode map, so
pdfplumber reads the text back), ruled tables as path objects, and scanned pages as one image
covering the page. Positions are in points measured from the page's top-left corner, the origin
evidence boxes use (`contracts.types`); `text_box()` gives a line's box as it will be drawn.
"""

from __future__ import annotations

import ctypes
import functools
import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = ["A4", "CJK_FONT", "LEFT", "RIGHT", "PdfBuilder", "text_width", "wrap"]

CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
A4 = (595.0, 842.0)
LEFT, RIGHT = 72.0, 523.0


@functools.cache
def _font_bytes() -> bytes:
    with open(CJK_FONT, "rb") as fh:
        return fh.read()


@functools.cache
def _metrics() -> Any:
    from PIL import ImageFont

    return ImageFont.truetype(CJK_FONT, 1000)


@functools.cache
def _advance(ch: str) -> float:
    return float(_metrics().getlength(ch))


def text_width(text: str, size: float) -> float:
    """Advance width of `text` in points, as PDFium lays it out (same font, glyph by glyph, no kerning)."""
    return sum(_advance(ch) for ch in text) * size / 1000


def wrap(text: str, size: float, width: float = RIGHT - LEFT) -> list[str]:
    """Greedy line breaks at characters (CJK) or spaces (Latin) so each line fits `width`.

    Closing punctuation is kept with the character before it, so it may hang past `width`.
    """
    lines: list[str] = []
    current = ""
    for token in _tokens(text):
        if current and text_width((current + token).rstrip(), size) > width:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current += token
    if current.strip():
        lines.append(current.rstrip())
    return lines


_NO_LINE_START = frozenset("，。、；：？！）》」』”’%‰")
"""Punctuation a Chinese line never starts with (避头点): it stays with the character before it."""


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for ch in text:
        last = tokens[-1][-1:] if tokens else ""
        if last and ch.isascii() and not ch.isspace() and last.isascii() and last != " ":
            tokens[-1] += ch  # keep a Latin word whole
        elif tokens and (ch == " " or ch in _NO_LINE_START):
            tokens[-1] += ch
        else:
            tokens.append(ch)
    return tokens


class PdfBuilder:
    """Pages of text, ruled tables and images; `save()` returns the PDF's bytes."""

    def __init__(self) -> None:
        import pypdfium2 as pdfium  # type: ignore[import-untyped]
        import pypdfium2.raw as raw  # type: ignore[import-untyped]

        self.pdfium: Any = pdfium
        self.raw: Any = raw
        self.doc: Any = pdfium.PdfDocument.new()
        data = _font_bytes()
        self._font_buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        self.font: Any = raw.FPDFText_LoadFont(
            self.doc.raw, self._font_buffer, len(data), raw.FPDF_FONT_TRUETYPE, 1
        )
        self.page: Any = None
        self.height = A4[1]
        self.top = 0.0

    def new_page(self, size: tuple[float, float] = A4) -> PdfBuilder:
        """Start a page; the next line goes 72 pt below its top edge."""
        if self.page is not None:
            self.page.gen_content()
        self.page = self.doc.new_page(*size)
        self.height = size[1]
        self.top = 72.0
        return self

    def text(self, text: str, size: float = 12.0, *, x: float = LEFT, top: float | None = None) -> PdfBuilder:
        """One line of text whose top is `top` points below the page's top edge (default: next line)."""
        raw = self.raw
        top = self.top if top is None else top
        obj = raw.FPDFPageObj_CreateTextObj(self.doc.raw, self.font, size)
        buffer = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
        raw.FPDFText_SetText(obj, ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)))
        raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, self.height - top - size * 0.8)
        raw.FPDFPage_InsertObject(self.page.raw, obj)
        self.top = top + size * 1.5
        return self

    def paragraph(self, text: str, size: float = 12.0, *, gap: float = 6.0) -> PdfBuilder:
        """`text` wrapped to the text width, then `gap` points of space."""
        for line in wrap(text, size):
            self.text(line, size)
        self.top += gap
        return self

    def rule(self, x0: float, top0: float, x1: float, top1: float) -> None:
        """A thin black line between two points (tops measured from the page's top edge)."""
        raw = self.raw
        path = raw.FPDFPageObj_CreateNewPath(x0, self.height - top0)
        raw.FPDFPath_LineTo(path, x1, self.height - top1)
        raw.FPDFPageObj_SetStrokeColor(path, 0, 0, 0, 255)
        raw.FPDFPageObj_SetStrokeWidth(path, 0.8)
        raw.FPDFPath_SetDrawMode(path, raw.FPDF_FILLMODE_NONE, 1)
        raw.FPDFPage_InsertObject(self.page.raw, path)

    def table(
        self, rows: list[list[str]], *, col: float = 140.0, row: float = 22.0, size: float = 10.0
    ) -> PdfBuilder:
        """A ruled grid with one line of text per cell, starting at the current line."""
        top, width = self.top, col * len(rows[0])
        for i in range(len(rows) + 1):
            self.rule(LEFT, top + i * row, LEFT + width, top + i * row)
        for j in range(len(rows[0]) + 1):
            self.rule(LEFT + j * col, top, LEFT + j * col, top + len(rows) * row)
        for i, cells in enumerate(rows):
            for j, cell in enumerate(cells):
                self.text(cell, size, x=LEFT + j * col + 4, top=top + i * row + (row - size) / 2)
        self.top = top + len(rows) * row + 14
        return self

    def image(self, picture: Image, *, jpeg_quality: int | None = None) -> PdfBuilder:
        """A full-page image (a scanned page).

        With `jpeg_quality` the page is embedded as a JPEG (DCTDecode), as scanners write it: an A4
        page at 150 dpi takes ~0.3 MB instead of 6.5 MB of raw pixels.
        """
        pdfium = self.pdfium
        obj = pdfium.PdfImage.new(self.doc)
        if jpeg_quality is None:
            obj.set_bitmap(pdfium.PdfBitmap.from_pil(picture))
        else:
            buffer = io.BytesIO()
            picture.convert("RGB").save(buffer, format="JPEG", quality=jpeg_quality)
            buffer.seek(0)
            obj.load_jpeg(buffer, inline=True)
        width, height = self.page.get_size()
        obj.set_matrix(pdfium.PdfMatrix().scale(width, height))
        self.page.insert_obj(obj)
        return self

    @staticmethod
    def text_box(
        text: str, size: float = 12.0, *, x: float = LEFT, top: float = 72.0
    ) -> tuple[float, float, float, float]:
        """The box (x0, top, x1, bottom) in points that `text(text, size, x=x, top=top)` covers."""
        return (x, top, x + text_width(text, size), top + size)

    def save(self) -> bytes:
        """The finished PDF; the builder cannot be used afterwards."""
        if self.page is not None:
            self.page.gen_content()
        out = io.BytesIO()
        self.doc.save(out)
        self.doc.close()
        return out.getvalue()
