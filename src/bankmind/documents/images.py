"""Image dimensions read from PNG, JPEG and TIFF headers, without decoding any pixels.

An image bomb is the image twin of a zip bomb: a few kilobytes of PNG that declare 50,000 × 50,000
pixels and take 10 GB to decode. Upload intake reads the declared size here (pure Python,
thread-safe, no global decoder state) and refuses images over `MAX_IMAGE_PIXELS`.
"""

from __future__ import annotations

import struct

__all__ = ["MAX_IMAGE_PIXELS", "image_size"]

MAX_IMAGE_PIXELS = 89_478_485
"""Largest accepted image, in pixels (Pillow's decompression-bomb threshold; ~9,500 × 9,500)."""

_MAX_TIFF_PAGES = 10_000
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_NO_LENGTH = frozenset({0x01, *range(0xD0, 0xD9)})


def image_size(data: bytes, kind: str) -> tuple[int, int] | None:
    """(width, height) from the header of a png, jpeg or tiff; for a multi-page TIFF the largest page.

    None when the header cannot be read (a damaged or truncated image).
    """
    try:
        if kind == "png":
            return _png(data)
        if kind == "jpeg":
            return _jpeg(data)
        if kind == "tiff":
            return _tiff(data)
    except (struct.error, IndexError):
        return None
    return None


def _png(data: bytes) -> tuple[int, int] | None:
    if data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack_from(">II", data, 16)
    return width, height


def _jpeg(data: bytes) -> tuple[int, int] | None:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _JPEG_NO_LENGTH:
            pos += 2
            continue
        if marker == 0xDA:  # start of scan before any frame header
            return None
        (length,) = struct.unpack_from(">H", data, pos + 2)
        if marker in _JPEG_SOF:
            height, width = struct.unpack_from(">HH", data, pos + 5)
            return width, height
        pos += 2 + length
    return None


def _tiff(data: bytes) -> tuple[int, int] | None:
    order = "<" if data[:2] == b"II" else ">"
    (version,) = struct.unpack_from(order + "H", data, 2)
    big = version == 43
    if big:
        (offset,) = struct.unpack_from(order + "Q", data, 8)
    else:
        (offset,) = struct.unpack_from(order + "I", data, 4)
    count_fmt, entry_size, next_fmt = ("Q", 20, "Q") if big else ("H", 12, "I")
    best: tuple[int, int] | None = None
    seen: set[int] = set()
    while offset and offset not in seen and len(seen) < _MAX_TIFF_PAGES:
        seen.add(offset)
        (count,) = struct.unpack_from(order + count_fmt, data, offset)
        start = offset + struct.calcsize(count_fmt)
        if start + count * entry_size > len(data):
            return best
        width = height = 0
        for i in range(count):
            entry = start + i * entry_size
            tag, value_type = struct.unpack_from(order + "HH", data, entry)
            if tag not in (256, 257):
                continue
            value_at = entry + (12 if big else 8)
            value = struct.unpack_from(order + ("H" if value_type == 3 else "I"), data, value_at)[0]
            if tag == 256:
                width = value
            else:
                height = value
        if width and height and (best is None or width * height > best[0] * best[1]):
            best = (width, height)
        (offset,) = struct.unpack_from(order + next_fmt, data, start + count * entry_size)
    return best
