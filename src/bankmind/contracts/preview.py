"""What the workbench shows of an inspected contract: its pages as PNG images, with the size of each
page in the unit of the evidence boxes, so findings and seals can be boxed on the image.

    sizes = page_sizes(data, "借款合同.pdf")         # [(595.3, 841.9), ...] in PDF points
    shot = page_image(data, "借款合同.pdf", 3)       # PageImage(png=b"\\x89PNG…", scale=100/72)
    x0 * shot.scale                                   # an evidence box's left edge in PNG pixels

Evidence boxes are in PDF points for a PDF and in pixels for an image file (`types.Evidence`); a
DOCX or TXT has no page geometry (`page_sizes` is empty, `page_image` None) and is shown as its
lines (`text_lines`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bankmind.contracts.pages import read_pages
from bankmind.documents.filenames import quoted
from bankmind.documents.loaders.pdf import open_pdf
from bankmind.documents.sniff import sniff
from bankmind.errors import NotFound

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = ["PREVIEW_DPI", "PageImage", "Size", "page_image", "page_sizes", "text_lines"]

PREVIEW_DPI = 110
"""PDF pages are shown at 110 dpi: an A4 page is 910 × 1287 pixels, sharp on screen; as PNG a text
page is 50-300 KB, a noisy scan about 1.3 MB (0.5 s to render and encode)."""
MAX_SIDE = 2400
"""An image file's page is scaled down to this many pixels on its longer side."""
_IMAGES = frozenset({"png", "jpeg", "tiff"})
Size = tuple[float, float]


@dataclass(frozen=True)
class PageImage:
    """A page as PNG, and how many of its pixels make one unit of the evidence boxes."""

    png: bytes
    scale: float


def page_sizes(data: bytes, filename: str) -> list[Size]:
    """Each page's width and height in evidence-box units; empty for a file without page geometry."""
    kind = sniff(data, filename).kind
    if kind == "pdf":
        document = open_pdf(data, quoted(filename))
        try:
            return [_rounded(document[i].get_size()) for i in range(len(document))]
        finally:
            document.close()
    if kind in _IMAGES:
        return [_rounded(frame.size) for frame in _frames(data)]
    return []


def page_image(data: bytes, filename: str, page: int, *, dpi: int = PREVIEW_DPI) -> PageImage | None:
    """Page `page` (1-based) as PNG; None for a DOCX or TXT. A page that does not exist is NotFound."""
    kind = sniff(data, filename).kind
    if kind == "pdf":
        document = open_pdf(data, quoted(filename))
        try:
            _check_page(filename, page, len(document))
            scale = dpi / 72
            return PageImage(_png(document[page - 1].render(scale=scale).to_pil()), scale)
        finally:
            document.close()
    if kind in _IMAGES:
        frames = _frames(data)
        _check_page(filename, page, len(frames))
        frame = frames[page - 1]
        scale = min(1.0, MAX_SIDE / max(frame.size))
        if scale < 1:
            frame = frame.resize((round(frame.width * scale), round(frame.height * scale)))
        return PageImage(_png(frame), scale)
    return None


def text_lines(data: bytes, filename: str) -> list[str]:
    """The lines of a file without page geometry (DOCX, TXT) as inspection read them; else empty."""
    if sniff(data, filename).kind in _IMAGES | {"pdf"}:
        return []
    return [line.text for line in read_pages(data, filename).lines]


def _frames(data: bytes) -> list[Image]:
    from PIL import Image, ImageSequence

    with Image.open(io.BytesIO(data)) as opened:
        return [frame.convert("RGB") for frame in ImageSequence.Iterator(opened)]


def _check_page(filename: str, page: int, pages: int) -> None:
    if not 1 <= page <= pages:
        raise NotFound(f"{quoted(filename)} has {pages} page(s); there is no page {page}")


def _png(image: Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=3)  # level 6 is 2.5× slower on scans for 8% less
    return buffer.getvalue()


def _rounded(size: tuple[float, float]) -> Size:
    return (round(float(size[0]), 1), round(float(size[1]), 1))
