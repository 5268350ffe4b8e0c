"""Zip-bomb guard for xlsx and docx (both are zip archives).

`check_zip()` refuses an archive before any loader opens it, in two passes:

1. **Declared sizes** (the central directory only, no decompression): the member count, unsafe
   member paths, encrypted or unusual compression, members that share data, the total declared
   uncompressed size (`BANKMIND_ZIP_MAX_UNCOMPRESSED`) and each member's declared ratio
   (`BANKMIND_ZIP_MAX_RATIO`).
2. **Actual sizes**: every member's deflate stream is inflated from its local header, in bounded
   chunks, without trusting any declared size, against a running byte budget shared by the whole
   archive. It stops the moment a member expands past the size its header declares (a lying
   header), past the ratio limit, or the budget runs out. Nothing is kept except the bytes of an
   embedded Office package, which is checked the same way with the same budget.

Nested archives are refused, except an Office package under `word|xl|ppt/embeddings/` at the first
level (Word embeds an xlsx for every chart); an archive inside that one is refused.
"""

from __future__ import annotations

import io
import logging
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from bankmind.documents.filenames import quoted
from bankmind.documents.sizes import format_size
from bankmind.errors import EncryptedFile, UnsupportedFormat, ZipBomb

__all__ = ["MAX_MEMBERS", "RATIO_GRACE_BYTES", "ZipStats", "check_zip", "open_zip", "read_member"]

log = logging.getLogger(__name__)

MAX_MEMBERS = 10_000
"""Most members an xlsx/docx may hold (Excel and Word write tens to a few hundred)."""

RATIO_GRACE_BYTES = 1024 * 1024
"""Members that expand to at most this many bytes are not held to the ratio limit: small XML parts
(styles, empty sheets) legitimately compress 100-1000 times, and the total limit still applies."""

_MIB = 1024 * 1024
_IN_CHUNK = 64 * 1024
_OUT_CHUNK = _MIB
_STORED, _DEFLATED = 0, 8
_HEAD = 16  # bytes of a part looked at to spot an archive inside it

_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL_HEADER_SIZE = 46
_LOCAL = struct.Struct("<4s2B4HL2L2H")

_ARCHIVE_MAGIC = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"PK\x07\x08",
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"\xfd7zXZ\x00",
    b"\x28\xb5\x2f\xfd",  # zstd
)
_BZIP2 = re.compile(rb"BZh[1-9]1AY&SY")
_ARCHIVE_SUFFIXES = (
    ".zip", ".gz", ".tgz", ".7z", ".rar", ".xz", ".bz2", ".zst", ".tar", ".jar", ".cab",
    ".xlsx", ".xlsm", ".xlsb", ".docx", ".docm", ".pptx", ".pptm",
)  # fmt: skip
_EMBEDDING = re.compile(r"^(word|xl|ppt)/embeddings/[^/]+$", re.IGNORECASE)


@dataclass(frozen=True)
class ZipStats:
    """What the guard measured on an accepted archive."""

    members: int
    uncompressed: int
    embedded_packages: int


def _damaged(who: str, detail: str) -> UnsupportedFormat:
    return UnsupportedFormat(
        f"{who} is damaged ({detail}); open it in Excel or Word, save it again and upload the new copy."
    )


def _encrypted(who: str, where: str) -> EncryptedFile:
    return EncryptedFile(
        f"{who} has password-protected parts ({where}); remove the password, save it again as "
        "a normal .xlsx or .docx and upload it again."
    )


def _member(name: str) -> str:
    shown = "".join(ch for ch in name if ch.isprintable())
    return f"'{shown[:120]}'"


# central directory ----------------------------------------------------------------------
def _central_directory(data: bytes, who: str) -> tuple[int, int]:
    """Start and end offsets of the central directory, from the end-of-central-directory record."""
    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - (_EOCD.size + 65535)))
    if pos < 0 or pos + _EOCD.size > len(data):
        raise _damaged(who, "no zip directory at the end of the file; it may be truncated")
    _, disk, cd_disk, _, n_total, cd_size, cd_offset, _ = _EOCD.unpack_from(data, pos)
    record = pos
    if disk != 0 or cd_disk != 0:
        raise _damaged(who, "it is one part of a split archive")
    if 0xFFFF in (n_total,) or 0xFFFFFFFF in (cd_size, cd_offset):
        locator = pos - _EOCD64_LOCATOR.size
        if locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
            record = locator - _EOCD64.size
            if record < 0 or data[record : record + 4] != b"PK\x06\x06":
                raise _damaged(who, "its zip64 directory record is missing")
            cd_size = _EOCD64.unpack_from(data, record)[8]
    start = record - cd_size
    if start < 0:
        raise _damaged(who, "its zip directory points outside the file")
    return start, record


def _count_members(data: bytes, who: str, max_members: int) -> int:
    """Walk the central directory headers, stopping as soon as there are too many."""
    pos, end = _central_directory(data, who)
    count = 0
    while pos < end:
        if data[pos : pos + 4] != b"PK\x01\x02" or pos + _CENTRAL_HEADER_SIZE > end:
            raise _damaged(who, "its zip directory is corrupt")
        name_len, extra_len, comment_len = struct.unpack_from("<3H", data, pos + 28)
        pos += _CENTRAL_HEADER_SIZE + name_len + extra_len + comment_len
        count += 1
        if count > max_members:
            raise ZipBomb(
                f"{who} holds more than {max_members:,} files; an Excel or Word file never holds that "
                "many, so it is refused as a possible zip bomb. Open it in Excel or Word, save it "
                "again and upload the new copy."
            )
    return count


# NotImplementedError: a damaged header can claim an unsupported zip version ("zip file version 10.5").
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    struct.error,
    NotImplementedError,
)


def open_zip(data: bytes, *, filename: str | None = None, max_members: int = MAX_MEMBERS) -> zipfile.ZipFile:
    """Open an archive held in memory, after checking it has at most `max_members` members.

    Raises `UnsupportedFormat` when it is not a readable zip, `ZipBomb` when it has too many members.
    """
    return _open(data, quoted(filename), max_members)


def _open(data: bytes, who: str, max_members: int) -> zipfile.ZipFile:
    _count_members(data, who, max_members)
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:
        raise _damaged(who, "not a readable zip archive") from exc


def read_member(zf: zipfile.ZipFile, name: str, limit: int, *, filename: str | None = None) -> bytes:
    """At most `limit` bytes of one member; decompression stops there whatever the headers say."""
    if zf.getinfo(name).flag_bits & 0x1:
        raise _encrypted(quoted(filename), _member(name))
    try:
        with zf.open(name) as fh:
            return fh.read(limit)
    except (*_ZIP_ERRORS, RuntimeError, zlib.error) as exc:
        raise _damaged(quoted(filename), f"its part {_member(name)} cannot be read") from exc


# the guard ------------------------------------------------------------------------------
def check_zip(
    data: bytes,
    *,
    max_uncompressed: int,
    max_ratio: float,
    max_members: int = MAX_MEMBERS,
    filename: str | None = None,
) -> ZipStats:
    """Refuse an xlsx/docx that would expand too far; see the module docstring for every check.

    Raises `ZipBomb` (too large, too compressed, lying header, too many members, nested archive),
    `UnsupportedFormat` (damaged or not an Office archive) or `EncryptedFile` (encrypted members).
    """
    guard = _Guard(max_uncompressed, max_ratio, max_members, quoted(filename))
    guard.scan(data, depth=0, inside=None)
    stats = ZipStats(members=guard.members, uncompressed=guard.used, embedded_packages=guard.embedded)
    log.debug(
        "documents.zip.checked",
        extra={
            "members": stats.members,
            "uncompressed": stats.uncompressed,
            "embedded": stats.embedded_packages,
        },
    )
    return stats


class _Guard:
    def __init__(self, max_uncompressed: int, max_ratio: float, max_members: int, who: str) -> None:
        self.max_uncompressed = max_uncompressed
        self.max_ratio = max_ratio
        self.max_members = max_members
        self.who = who
        self.used = 0
        self.members = 0
        self.embedded = 0

    # messages -----------------------------------------------------------------------
    def _where(self, name: str, inside: str | None) -> str:
        return f"{_member(name)} inside {_member(inside)}" if inside else _member(name)

    def _too_large(self, amount: int, declared: bool) -> ZipBomb:
        limit = format_size(self.max_uncompressed)
        what = f"declares at least {format_size(amount)} of content" if declared else f"expands past {limit}"
        return ZipBomb(
            f"{self.who} {what}, over the limit of {limit} (BANKMIND_ZIP_MAX_UNCOMPRESSED), so it is "
            "refused as a possible zip bomb. If the file is genuine, split it into smaller files, or "
            "ask an administrator to raise BANKMIND_ZIP_MAX_UNCOMPRESSED."
        )

    def _too_compressed(self, where: str, ratio: float) -> ZipBomb:
        return ZipBomb(
            f"{self.who}: part {where} expands {ratio:,.0f} times, over the limit of {self.max_ratio:g} "
            "(BANKMIND_ZIP_MAX_RATIO), so it is refused as a possible zip bomb. If the file is "
            "genuine, ask an administrator to raise BANKMIND_ZIP_MAX_RATIO."
        )

    def _nested(self, where: str) -> ZipBomb:
        return ZipBomb(
            f"{self.who} contains another archive ({where}); nested archives are refused as possible "
            "zip bombs. Upload the inner file on its own, or remove it and save the document again."
        )

    # pass 1 and 2 -------------------------------------------------------------------
    def scan(self, data: bytes, *, depth: int, inside: str | None) -> None:
        with _open(data, self.who, self.max_members) as zf:
            infos = zf.infolist()
        self.members += len(infos)
        if self.members > self.max_members:
            raise ZipBomb(
                f"{self.who} holds more than {self.max_members:,} files counting embedded documents; "
                "it is refused as a possible zip bomb."
            )
        offsets: set[int] = set()
        declared = 0
        for info in infos:
            where = self._where(info.filename, inside)
            name = info.filename.replace("\\", "/")
            if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in name.split("/"):
                raise UnsupportedFormat(
                    f"{self.who} contains a part with an unsafe path ({where}); Excel and Word never "
                    "write such a file. Open it in Excel or Word, save it again and upload the new copy."
                )
            if info.flag_bits & 0x1:
                raise _encrypted(self.who, where)
            if info.compress_type not in (_STORED, _DEFLATED):
                raise UnsupportedFormat(
                    f"{self.who} uses a compression method Excel and Word do not write "
                    f"(method {info.compress_type} in {where}); open it in Excel or Word, save it "
                    "again and upload the new copy."
                )
            if info.header_offset in offsets:
                raise ZipBomb(
                    f"{self.who} has several parts sharing the same data ({where}), a zip-bomb "
                    "technique; it is refused."
                )
            offsets.add(info.header_offset)
            declared += info.file_size
            if declared > self.max_uncompressed - self.used:
                raise self._too_large(self.used + declared, declared=True)
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_GRACE_BYTES and ratio > self.max_ratio:
                raise self._too_compressed(where, ratio)
            if name.lower().endswith(_ARCHIVE_SUFFIXES) and not (depth == 0 and _EMBEDDING.match(name)):
                raise self._nested(where)
        for info in infos:
            if not info.is_dir():
                self._inflate(data, info, depth=depth, inside=inside)

    def _inflate(self, data: bytes, info: zipfile.ZipInfo, *, depth: int, inside: str | None) -> None:
        where = self._where(info.filename, inside)
        start = self._data_start(data, info, where)
        # an Office package embedded in a top-level document is kept and checked in turn
        may_embed = depth == 0 and bool(_EMBEDDING.match(info.filename.replace("\\", "/")))
        kept: bytearray | None = bytearray() if may_embed else None
        head = b""
        produced = crc = 0

        def take(out: bytes, consumed: int) -> None:
            nonlocal head, produced, crc, kept
            if len(head) < _HEAD:
                head += out[: _HEAD - len(head)]
                if len(head) >= _HEAD or produced + len(out) >= info.file_size:
                    if self._is_archive(head):
                        if kept is None or not head.startswith(b"PK\x03\x04"):
                            raise self._nested(where)
                    else:
                        kept = None
            produced += len(out)
            crc = zlib.crc32(out, crc)
            self._count(len(out), produced, info, where, consumed=consumed)
            if kept is not None:
                kept += out

        if info.compress_type == _STORED:
            end = start + info.compress_size
            if end > len(data):
                raise _damaged(self.who, f"its part {where} is cut short")
            take(data[start:end], info.compress_size)
        else:
            inflater = zlib.decompressobj(-15)
            pos, pending = start, b""
            try:
                while not inflater.eof:
                    if not pending:
                        if pos >= len(data):
                            raise _damaged(self.who, f"its part {where} is cut short")
                        pending = data[pos : pos + _IN_CHUNK]
                        pos += len(pending)
                    out = inflater.decompress(pending, _OUT_CHUNK)
                    pending = inflater.unconsumed_tail
                    if out:
                        take(out, pos - start - len(pending))
            except zlib.error as exc:
                raise _damaged(self.who, f"its part {where} does not decompress") from exc
        if produced != info.file_size or crc != info.CRC:
            raise _damaged(self.who, f"its part {where} does not match its recorded size or checksum")
        if kept is not None and head.startswith(b"PK\x03\x04"):
            self.embedded += 1
            self.scan(bytes(kept), depth=depth + 1, inside=info.filename)

    def _count(self, amount: int, produced: int, info: zipfile.ZipInfo, where: str, *, consumed: int) -> None:
        """Charge `amount` new bytes (`produced` so far for this part) against every limit."""
        self.used += amount
        if produced > info.file_size:
            raise ZipBomb(
                f"{self.who}: part {where} expands beyond the {info.file_size:,} bytes its header "
                "declares, so it is refused as a possible zip bomb (a file saved by Excel or Word "
                "never does this). Open it in Excel or Word, save it again and upload the new copy."
            )
        if self.used > self.max_uncompressed:
            raise self._too_large(self.used, declared=False)
        ratio = produced / max(consumed, info.compress_size, 1)
        if produced > RATIO_GRACE_BYTES and ratio > self.max_ratio:
            raise self._too_compressed(where, ratio)

    def _data_start(self, data: bytes, info: zipfile.ZipInfo, where: str) -> int:
        offset = info.header_offset
        if offset + _LOCAL.size > len(data) or data[offset : offset + 4] != b"PK\x03\x04":
            raise _damaged(self.who, f"the local header of {where} is missing")
        (method,) = struct.unpack_from("<H", data, offset + 8)
        if method != info.compress_type:  # readers that trust local headers would inflate something else
            raise _damaged(self.who, f"the headers of {where} disagree")
        name_len, extra_len = struct.unpack_from("<2H", data, offset + 26)
        return int(offset + _LOCAL.size + name_len + extra_len)

    @staticmethod
    def _is_archive(head: bytes) -> bool:
        return head.startswith(_ARCHIVE_MAGIC) or bool(_BZIP2.match(head))
