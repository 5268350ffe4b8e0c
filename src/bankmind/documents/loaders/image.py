"""Images (png, jpeg, tiff) read by OCR: paragraph blocks per page, one page per TIFF frame.

`ocr_paragraphs` is also how the PDF loader reads a scanned page it has rendered.
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING

from bankmind.documents.content import Block, LoadedDocument
from bankmind.documents.images import MAX_IMAGE_PIXELS, image_size
from bankmind.documents.loaders import clean, damaged
from bankmind.documents.loaders.lines import Line, group_lines, joined
from bankmind.documents.ocr import ocr_image
from bankmind.documents.sniff import KINDS, Sniffed
from bankmind.errors import FileTooLarge, InputError

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = ["load", "ocr_paragraphs"]

log = logging.getLogger(__name__)

_FIX = "Open it in an image viewer, save it again as PNG or JPEG and upload the new copy."


def ocr_paragraphs(image: Image, *, page: int, who: str) -> list[Block]:
    """OCR one page image into paragraph blocks (`ocr=True`); errors name the file and page."""
    try:
        found = ocr_image(image)
    except InputError as exc:
        raise type(exc)(f"{who}, page {page}: {exc.message}") from exc
    lines = []
    for item in found:
        text = clean(item.text)
        if not text:
            continue
        xs = [x for x, _ in item.bbox]
        ys = [y for _, y in item.bbox]
        lines.append(Line(text, min(xs), max(xs), min(ys), max(ys), max(ys) - min(ys)))
    return [Block(kind="paragraph", text=joined(group), page=page, ocr=True) for group in group_lines(lines)]


def load(data: bytes, sniffed: Sniffed, *, who: str, ocr: bool) -> LoadedDocument:
    """Every page of the image through OCR; with `ocr=False` nothing is read (all pages skipped)."""
    from PIL import Image as PILImage
    from PIL import ImageOps, UnidentifiedImageError

    noun = KINDS[sniffed.kind].noun
    size = image_size(data, sniffed.kind)
    if size is None or 0 in size:
        raise damaged(who, noun, _FIX)
    if size[0] * size[1] > MAX_IMAGE_PIXELS:
        raise FileTooLarge(
            f"{who} is {size[0]:,} × {size[1]:,} pixels, over {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels; "
            "scan or export it at a lower resolution (300 dpi is plenty for OCR) and upload it again."
        )
    try:
        image = PILImage.open(io.BytesIO(data))
        frames = int(getattr(image, "n_frames", 1))
        if not ocr:
            return LoadedDocument(
                kind=sniffed.kind, blocks=[], pages=frames, skipped_pages=list(range(1, frames + 1))
            )
        blocks: list[Block] = []
        for index in range(frames):
            image.seek(index)
            frame = ImageOps.exif_transpose(image).convert("RGB")
            blocks.extend(ocr_paragraphs(frame, page=index + 1, who=who))
    except (UnidentifiedImageError, OSError, ValueError, EOFError, SyntaxError) as exc:
        raise damaged(who, noun, _FIX, type(exc).__name__) from exc
    log.debug("documents.image.read", extra={"pages": frames, "blocks": len(blocks)})
    return LoadedDocument(
        kind=sniffed.kind, blocks=blocks, pages=frames, ocr_pages=list(range(1, frames + 1))
    )
