"""Load any accepted file into blocks in reading order: `load_document(data, filename) -> LoadedDocument`.

    doc = load_document(data, "员工手册.pdf")
    [b.kind for b in doc.blocks]     # ['heading', 'paragraph', 'table', ...]
    doc.ocr_pages                    # [2]: page 2 was a scan, read by OCR

The content decides the loader (`sniff`), never the file name: pdf, docx, xlsx / xls / csv, html,
md / txt, png / jpeg / tiff (see `loaders/`). An xlsx or docx passes the zip-bomb guard before it is
opened. Every refusal is a `BankmindError` whose message names the file: `UnsupportedFormat`
(damaged or not a document), `EncryptedFile`, `ZipBomb`, `FileTooLarge` (an image bomb) and
`EmptyFile` when nothing readable is left, not even by OCR.
"""

from __future__ import annotations

import logging
import time

from bankmind.config import Settings
from bankmind.documents.content import LoadedDocument
from bankmind.documents.filenames import quoted
from bankmind.documents.loaders import Loader
from bankmind.documents.sniff import KINDS, Kind, sniff
from bankmind.documents.zipguard import check_zip
from bankmind.errors import BankmindError, EmptyFile, UnsupportedFormat

__all__ = ["load_document"]

log = logging.getLogger(__name__)

_ZIP_KINDS: frozenset[str] = frozenset({"xlsx", "docx"})
_IMAGE_KINDS: frozenset[str] = frozenset({"png", "jpeg", "tiff"})


def load_document(
    data: bytes, filename: str, *, ocr: bool = True, settings: Settings | None = None
) -> LoadedDocument:
    """The document's blocks (headings, paragraphs, tables) in reading order; see the module docstring.

    `ocr=False` skips scanned PDF pages (listed in `skipped_pages`) and reads no image at all.
    `settings` supplies the zip-bomb limits (`BANKMIND_ZIP_MAX_*`); their defaults when omitted.
    """
    started = time.perf_counter()
    who = quoted(filename)
    sniffed = sniff(data, filename)
    if sniffed.kind in _ZIP_KINDS:
        max_uncompressed, max_ratio = _zip_limits(settings)
        check_zip(data, max_uncompressed=max_uncompressed, max_ratio=max_ratio, filename=filename)
    loader = _loader(sniffed.kind)
    try:
        doc = loader(data, sniffed, who=who, ocr=ocr)
    except BankmindError:
        raise
    except Exception as exc:  # a parser tripping over a malformed file: say so, never a traceback
        log.warning("documents.load.failed", extra={"kind": sniffed.kind, "error": type(exc).__name__})
        log.debug("documents.load.failed.detail", exc_info=True)
        raise UnsupportedFormat(
            f"{who} could not be read as {KINDS[sniffed.kind].noun} ({type(exc).__name__}); it may be "
            "damaged. Open it in the program that made it, save a new copy and upload that."
        ) from exc
    if not any(block.text.strip() for block in doc.blocks):
        raise _empty(who, sniffed.kind, doc)
    if doc.title is None and doc.blocks[0].kind == "heading":
        doc = doc.model_copy(update={"title": doc.blocks[0].text})
    log.info(
        "documents.load.done",
        extra={
            "kind": doc.kind,
            "pages": doc.pages,
            "blocks": len(doc.blocks),
            "ocr_pages": len(doc.ocr_pages),
            "skipped_pages": len(doc.skipped_pages),
            "duration_ms": round((time.perf_counter() - started) * 1000),
        },
    )
    return doc


def _zip_limits(settings: Settings | None) -> tuple[int, float]:
    if settings is not None:
        return settings.zip_max_uncompressed, settings.zip_max_ratio
    fields = Settings.model_fields
    return int(fields["zip_max_uncompressed"].default), float(fields["zip_max_ratio"].default)


def _empty(who: str, kind: str, doc: LoadedDocument) -> EmptyFile:
    if doc.skipped_pages and kind in _IMAGE_KINDS:
        return EmptyFile(f"{who} is an image and OCR is off, so no text was read; turn OCR on to read it.")
    if doc.skipped_pages:
        return EmptyFile(
            f"{who} has no text layer (its pages are scanned images) and OCR is off; turn OCR on to read it."
        )
    if doc.ocr_pages:
        return EmptyFile(
            f"{who} holds no text that OCR could read; check that the scan is legible (300 dpi, "
            "upright) and upload it again."
        )
    return EmptyFile(f"{who} holds no text; check that it is the document you meant and upload it again.")


def _loader(kind: Kind) -> Loader:
    """The loader for `kind`, imported on first use (pdfplumber and lxml are slow to import)."""
    if kind == "pdf":
        from bankmind.documents.loaders import pdf

        return pdf.load
    if kind == "docx":
        from bankmind.documents.loaders import docx

        return docx.load
    if kind in ("xlsx", "xls", "csv"):
        from bankmind.documents.loaders import sheets

        return sheets.load
    if kind == "html":
        from bankmind.documents.loaders import html

        return html.load
    if kind in ("md", "txt"):
        from bankmind.documents.loaders import text

        return text.load
    from bankmind.documents.loaders import image

    return image.load
