"""Upload file names made safe to store and to show in messages.

A file name comes from the user's browser or an API client: it may hold a path, control characters,
bidirectional overrides (`invoice<U+202E>fdp.exe` shows as `invoiceexe.pdf`) or be thousands of
characters long. Only the sanitised name is stored, logged by id, or quoted in an error message.
"""

from __future__ import annotations

import unicodedata

__all__ = ["MAX_FILENAME_CHARS", "quoted", "sanitize_filename"]

MAX_FILENAME_CHARS = 200
"""Longest stored file name, in characters (the extension is kept when a name is shortened)."""

_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
_FALLBACK = "upload"


def sanitize_filename(name: str | None) -> str:
    """The base name only, without control or formatting characters, at most 200 characters.

    Never empty: a name with nothing printable left becomes `upload`.
    """
    if not name:
        return _FALLBACK
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if ch.isspace() else ch for ch in name if unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )
    name = " ".join(name.split())  # collapse runs of spaces, trim both ends
    if name.strip(".") == "":
        return _FALLBACK
    if len(name) > MAX_FILENAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16 and stem:
            name = stem[: MAX_FILENAME_CHARS - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_FILENAME_CHARS].rstrip()
    return name


def quoted(filename: str | None) -> str:
    """How messages name a file: `'name.xlsx'` (sanitised), or `the file` when no name is known."""
    if not filename:
        return "the file"
    return f"'{sanitize_filename(filename)}'"
