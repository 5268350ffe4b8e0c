"""A minimal, read-only reader of OLE2 Compound File Binary (CFB) containers.

Excel 97-2003 workbooks (.xls), Word 97-2003 documents (.doc) and password-protected Office 2007+
files (an encrypted xlsx/docx is a CFB holding `EncryptionInfo` and `EncryptedPackage` streams) all
start with the CFB signature `D0 CF 11 E0 A1 B1 1A E1`. Telling them apart needs the stream names in
the CFB directory, and spotting a password-protected .xls needs the first records of its `Workbook`
stream. This module reads exactly that much ([MS-CFB] sections 2.2-2.6) and nothing else; every
sector chain is bounded, so a hostile file cannot make it loop or read outside the data.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["CFB_SIGNATURE", "CfbEntry", "CfbError", "CompoundFile"]

CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_ENDOFCHAIN = 0xFFFFFFFE
_FREESECT = 0xFFFFFFFF
_MAXREGSECT = 0xFFFFFFFA
_HEADER = struct.Struct("<8s16sHHHHH6sIIIIIIIII")
_DIFAT_IN_HEADER = 109
_ENTRY_SIZE = 128
_STREAM, _STORAGE, _ROOT = 2, 1, 5


class CfbError(ValueError):
    """The data is not a readable compound file (truncated, damaged or crafted)."""


@dataclass(frozen=True)
class CfbEntry:
    """One directory entry: a stream (type 2), a storage (1) or the root (5)."""

    name: str
    type: int
    start: int
    size: int

    @property
    def is_stream(self) -> bool:
        return self.type == _STREAM


class CompoundFile:
    """The directory of a CFB container, and bounded reads of its streams."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512 or not data.startswith(CFB_SIGNATURE):
            raise CfbError("no compound file header")
        fields = _HEADER.unpack_from(data, 0)
        major, byte_order, sector_shift, mini_shift = fields[3], fields[4], fields[5], fields[6]
        if byte_order != 0xFFFE or (major, sector_shift) not in ((3, 9), (4, 12)) or mini_shift != 6:
            raise CfbError("unsupported compound file header")
        self._data = data
        self._sector_size = 1 << sector_shift
        self._n_sectors = len(data) // self._sector_size
        n_fat, first_dir = fields[9], fields[10]
        self._mini_cutoff, first_minifat, n_minifat = fields[12], fields[13], fields[14]
        first_difat, n_difat = fields[15], fields[16]

        fat_sectors = list(struct.unpack_from(f"<{_DIFAT_IN_HEADER}I", data, 76))
        per_difat = self._sector_size // 4 - 1
        sector = first_difat
        for _ in range(min(n_difat, self._n_sectors)):
            if sector > _MAXREGSECT:
                break
            block = self._sector(sector)
            fat_sectors.extend(struct.unpack_from(f"<{per_difat}I", block, 0))
            sector = struct.unpack_from("<I", block, per_difat * 4)[0]
        fat_sectors = [s for s in fat_sectors[:n_fat] if s <= _MAXREGSECT]
        if not fat_sectors:
            raise CfbError("no allocation table")
        per_sector = self._sector_size // 4
        self._fat: list[int] = []
        for s in fat_sectors:
            self._fat.extend(struct.unpack_from(f"<{per_sector}I", self._sector(s), 0))

        directory = self._read_chain(first_dir, self._fat, self._sector_size, self._sector)
        self.entries: list[CfbEntry] = []
        for offset in range(0, len(directory) - _ENTRY_SIZE + 1, _ENTRY_SIZE):
            entry = _parse_entry(directory[offset : offset + _ENTRY_SIZE], major)
            if entry is not None:
                self.entries.append(entry)
        if not self.entries or self.entries[0].type != _ROOT:
            raise CfbError("no root directory entry")

        self._minifat: list[int] = []
        if n_minifat and first_minifat <= _MAXREGSECT:
            raw = self._read_chain(first_minifat, self._fat, self._sector_size, self._sector)
            self._minifat = list(struct.unpack_from(f"<{len(raw) // 4}I", raw, 0))
        self._mini_stream: bytes | None = None

    # public -------------------------------------------------------------------------
    def names(self) -> set[str]:
        """The names of all streams and storages, case-folded (CFB names compare case-insensitively)."""
        return {e.name.casefold() for e in self.entries[1:]}

    def read(self, name: str, limit: int) -> bytes:
        """Up to `limit` bytes of the first stream called `name` (case-insensitive)."""
        wanted = name.casefold()
        for entry in self.entries[1:]:
            if entry.is_stream and entry.name.casefold() == wanted:
                size = min(entry.size, limit)
                if entry.size < self._mini_cutoff:
                    if self._mini_stream is None:
                        root = self.entries[0]
                        self._mini_stream = self._read_chain(
                            root.start, self._fat, self._sector_size, self._sector
                        )[: root.size]
                    return self._read_chain(entry.start, self._minifat, 64, self._mini_sector, size)
                return self._read_chain(entry.start, self._fat, self._sector_size, self._sector, size)
        raise CfbError(f"no stream named {name!r}")

    # sectors ------------------------------------------------------------------------
    def _sector(self, number: int) -> bytes:
        start = (number + 1) * self._sector_size
        if number > _MAXREGSECT or start >= len(self._data):
            raise CfbError(f"sector {number} is outside the file")
        # the last sector of a file may be short; pad it rather than refuse the file
        return self._data[start : start + self._sector_size].ljust(self._sector_size, b"\0")

    def _mini_sector(self, number: int) -> bytes:
        assert self._mini_stream is not None
        start = number * 64
        if start + 64 > len(self._mini_stream):
            raise CfbError(f"mini sector {number} is outside the mini stream")
        return self._mini_stream[start : start + 64]

    def _read_chain(
        self,
        first: int,
        table: list[int],
        size: int,
        fetch: Callable[[int], bytes],
        limit: int | None = None,
    ) -> bytes:
        """Follow a sector chain; stop at ENDOFCHAIN, at `limit` bytes, or refuse a loop."""
        out = bytearray()
        sector, seen = first, set()
        while sector != _ENDOFCHAIN and (limit is None or len(out) < limit):
            if sector > _MAXREGSECT or sector >= len(table) or sector in seen:
                if sector == _FREESECT and not out:
                    break
                raise CfbError("broken sector chain")
            seen.add(sector)
            out += fetch(sector)
            sector = table[sector]
        return bytes(out if limit is None else out[:limit])


def _parse_entry(raw: bytes, major: int) -> CfbEntry | None:
    name_len = struct.unpack_from("<H", raw, 64)[0]
    entry_type = raw[66]
    if entry_type not in (_STREAM, _STORAGE, _ROOT) or not 2 <= name_len <= 64:
        return None
    name = raw[: name_len - 2].decode("utf-16-le", errors="replace")
    start = struct.unpack_from("<I", raw, 116)[0]
    size = struct.unpack_from("<Q", raw, 120)[0]
    if major == 3:
        size &= 0xFFFFFFFF  # version 3 files may leave garbage in the high half
    return CfbEntry(name=name, type=entry_type, start=start, size=size)
