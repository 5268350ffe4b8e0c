"""Documents: upload intake, type sniffing, zip-bomb guard and OCR, shared by every capability.

    from bankmind.documents import accept_upload, sniff, check_zip, ocr_image, check_ocr

Loaders for each kind (pdf, docx, xlsx, html, text, images), tables and seals build on these.
Importing this package is cheap: RapidOCR, ONNX Runtime, OpenCV and Pillow load on first OCR use.
"""

from __future__ import annotations

from bankmind.documents.content import Block, LoadedDocument
from bankmind.documents.filenames import sanitize_filename
from bankmind.documents.images import MAX_IMAGE_PIXELS, image_size
from bankmind.documents.loading import load_document
from bankmind.documents.ocr import OcrHealth, OcrLine, check_ocr, ocr_image
from bankmind.documents.sniff import KINDS, Kind, KindInfo, Sniffed, kind_from_name, sniff
from bankmind.documents.uploads import accept_upload, accepted_kinds_label, check_content, read_limited
from bankmind.documents.zipguard import MAX_MEMBERS, ZipStats, check_zip

__all__ = [
    "KINDS",
    "MAX_IMAGE_PIXELS",
    "MAX_MEMBERS",
    "Block",
    "Kind",
    "KindInfo",
    "LoadedDocument",
    "OcrHealth",
    "OcrLine",
    "Sniffed",
    "ZipStats",
    "accept_upload",
    "accepted_kinds_label",
    "check_content",
    "check_ocr",
    "check_zip",
    "image_size",
    "kind_from_name",
    "load_document",
    "ocr_image",
    "read_limited",
    "sanitize_filename",
    "sniff",
]
