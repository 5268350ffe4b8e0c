"""The one place that accepts files, for every capability.

    doc = accept_upload(settings, store, filename="估值表_0630.xlsx", data=data, owner_id=user.id,
                        allowed_kinds=frozenset({"xlsx", "xls", "csv"}))

Checks, in order, each refusal a `BankmindError` whose message names the file and the fix:
empty (`EmptyFile`), over `BANKMIND_UPLOAD_MAX_BYTES` (`FileTooLarge`), what the content is
(`sniff`: `UnsupportedFormat`, `EncryptedFile`), whether this place takes that kind
(`UnsupportedFormat`), zip bombs in xlsx/docx (`ZipBomb`), and images too large to decode
(`FileTooLarge`). Accepted bytes are stored once by SHA-256 and described by a `documents` row.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol

from bankmind.config import Settings
from bankmind.documents.filenames import quoted, sanitize_filename
from bankmind.documents.images import MAX_IMAGE_PIXELS, image_size
from bankmind.documents.sizes import format_size
from bankmind.documents.sniff import KINDS, Kind, Sniffed, sniff
from bankmind.documents.zipguard import check_zip
from bankmind.errors import BankmindError, EmptyFile, FileTooLarge, UnsupportedFormat
from bankmind.store import Store
from bankmind.store.blobs import BlobStore, DocumentView, record_document

__all__ = ["accept_upload", "accepted_kinds_label", "check_content", "read_limited"]

log = logging.getLogger(__name__)

_MIB = 1024 * 1024
_READ_CHUNK = _MIB
_ZIP_KINDS: frozenset[str] = frozenset({"xlsx", "docx"})
_IMAGE_KINDS: frozenset[str] = frozenset({"png", "jpeg", "tiff"})


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _too_large(who: str, limit: int, size: int | None) -> FileTooLarge:
    actual = f"is {format_size(size)}" if size is not None else "is larger than that"
    return FileTooLarge(
        f"{who} {actual}; the upload limit is {format_size(limit)} (BANKMIND_UPLOAD_MAX_BYTES). "
        "Split the file, or ask an administrator to raise BANKMIND_UPLOAD_MAX_BYTES."
    )


def read_limited(stream: _Readable, limit: int, *, filename: str | None = None) -> bytes:
    """Read a binary stream to its end, but never more than `limit` bytes (+1 to notice).

    For callers (the API) that receive a stream: raises `FileTooLarge` as soon as the stream runs
    past `limit`, without reading the rest.
    """
    parts: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_READ_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        total += len(chunk)
        if total > limit:
            raise _too_large(quoted(filename), limit, None)


def check_content(
    settings: Settings,
    *,
    filename: str,
    data: bytes,
    allowed_kinds: frozenset[str] | None = None,
) -> Sniffed:
    """Every check `accept_upload` makes, without storing anything; returns what the file is."""
    who = quoted(filename)
    if not data:
        raise EmptyFile(f"{who} is empty (0 bytes); check that it was saved completely and upload it again.")
    if len(data) > settings.upload_max_bytes:
        raise _too_large(who, settings.upload_max_bytes, len(data))
    try:
        sniffed = sniff(data, filename)
    except UnsupportedFormat as exc:
        if allowed_kinds is None:
            raise
        # what the file is, then what this place takes (not the general advice of every other place)
        what = exc.message.split(";")[0].rstrip(".")
        accepted = accepted_kinds_label(allowed_kinds) or "no file types"
        raise UnsupportedFormat(f"{what}; this place accepts {accepted}.") from exc
    if allowed_kinds is not None and sniffed.kind not in allowed_kinds:
        raise _wrong_kind(who, sniffed, allowed_kinds)
    if sniffed.kind in _ZIP_KINDS:
        check_zip(
            data,
            max_uncompressed=settings.zip_max_uncompressed,
            max_ratio=settings.zip_max_ratio,
            filename=filename,
        )
    elif sniffed.kind in _IMAGE_KINDS:
        _check_image(data, sniffed.kind, who)
    return sniffed


def accept_upload(
    settings: Settings,
    store: Store,
    *,
    filename: str,
    data: bytes,
    owner_id: int | None,
    acl: list[str] | None = None,
    allowed_kinds: frozenset[str] | None = None,
) -> DocumentView:
    """Check an uploaded file, store its bytes by content hash and record it; see the module doc.

    `allowed_kinds` is what this place takes (e.g. `{"xlsx", "xls", "csv"}` for valuation tables);
    None takes every kind in `sniff.KINDS`. The stored `kind`/`media_type` come from the content.
    """
    started = time.perf_counter()
    name = sanitize_filename(filename)
    try:
        sniffed = check_content(settings, filename=name, data=data, allowed_kinds=allowed_kinds)
    except BankmindError as exc:
        log.info("documents.upload.refused", extra={"code": exc.code, "size": len(data)})
        raise
    content_hash = BlobStore(settings.blobs_dir).put(data)
    doc = record_document(
        store,
        content_hash=content_hash,
        size=len(data),
        media_type=sniffed.media_type,
        kind=sniffed.kind,
        filename=name,
        owner_id=owner_id,
        acl=acl,
    )
    log.info(
        "documents.upload.accepted",
        extra={
            "document_id": doc.id,
            "kind": doc.kind,
            "size": doc.size,
            "name_mismatch": sniffed.name_mismatch,
            "duration_ms": round((time.perf_counter() - started) * 1000),
        },
    )
    return doc


def _wrong_kind(who: str, sniffed: Sniffed, allowed: frozenset[str]) -> UnsupportedFormat:
    accepted = accepted_kinds_label(allowed) or "no file types"
    is_what = f"is {KINDS[sniffed.kind].noun}"
    if sniffed.name_kind is not None and sniffed.name_mismatch:
        is_what += f" (its name says {KINDS[sniffed.name_kind].extensions[0]}, its content does not)"
    return UnsupportedFormat(
        f"{who} {is_what}; this place accepts {accepted}. Save it as one of those and upload it again."
    )


def _check_image(data: bytes, kind: Kind, who: str) -> None:
    """Refuse an image whose header cannot be read or that declares more than MAX_IMAGE_PIXELS."""
    size = image_size(data, kind)
    if size is None or 0 in size:
        raise UnsupportedFormat(
            f"{who} is {KINDS[kind].noun} that cannot be read (damaged or cut short); open it in an "
            "image viewer, save it again as PNG or JPEG and upload the new copy."
        )
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        raise FileTooLarge(
            f"{who} is {width:,} × {height:,} pixels; the limit is {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels, "
            "so it is refused as a possible image bomb. Scan or export it at a lower resolution "
            "(300 dpi is plenty for OCR) and upload it again."
        )


def accepted_kinds_label(allowed: frozenset[str] | None) -> str:
    """The accepted kinds as users read them (e.g. an upload form's hint): `PDF (.pdf), CSV (.csv)`."""
    kinds: list[Kind] = [k for k in KINDS if allowed is None or k in allowed]
    return ", ".join(KINDS[k].label for k in kinds)
