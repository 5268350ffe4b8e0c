"""What a file really is, from its bytes: `sniff(data, filename) -> Sniffed`.

The content decides, never the name:

- magic bytes for PDF, PNG, JPEG and TIFF;
- a zip archive is an xlsx or a docx according to its `[Content_Types].xml` (or, lacking that, its
  part names); any other zip is refused;
- an OLE2 compound file is an Excel 97-2003 workbook (.xls) if it holds a `Workbook`/`Book`
  stream; if it holds `EncryptionInfo` + `EncryptedPackage` it is a password-protected xlsx/docx;
- a PDF with an `/Encrypt` entry in its trailer is encrypted;
- anything else must decode as text (UTF-8, UTF-16/32 with a BOM, GB18030/GBK, or what
  charset-normalizer finds) and is then told apart as HTML, Markdown, CSV or plain text by content.

The file name's extension only breaks ties among the text kinds (a one-line file named `.csv` is CSV);
it never makes a binary file acceptable. When the name and the content disagree (`report.xlsx` holding
a PDF), `Sniffed.name_kind` records what the name claimed and the caller decides.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

from bankmind.documents.cfb import CFB_SIGNATURE, CfbError, CompoundFile
from bankmind.documents.filenames import quoted
from bankmind.documents.zipguard import open_zip, read_member
from bankmind.errors import EmptyFile, EncryptedFile, UnsupportedFormat

__all__ = ["KINDS", "TEXT_KINDS", "Kind", "KindInfo", "Sniffed", "kind_from_name", "sniff"]

Kind = Literal["pdf", "docx", "xlsx", "xls", "csv", "txt", "html", "md", "png", "jpeg", "tiff"]


@dataclass(frozen=True)
class KindInfo:
    """How a kind is named to users, its media type and the extensions that usually carry it."""

    media_type: str
    label: str
    """Short name in lists of accepted kinds: `Excel workbook (.xlsx)`."""
    noun: str
    """The name with its article, for sentences: `an Excel workbook (.xlsx)`."""
    extensions: tuple[str, ...]


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KINDS: dict[Kind, KindInfo] = {
    "pdf": KindInfo("application/pdf", "PDF (.pdf)", "a PDF document", (".pdf",)),
    "docx": KindInfo(_DOCX, "Word document (.docx)", "a Word document (.docx)", (".docx",)),
    "xlsx": KindInfo(_XLSX, "Excel workbook (.xlsx)", "an Excel workbook (.xlsx)", (".xlsx",)),
    "xls": KindInfo(
        "application/vnd.ms-excel",
        "Excel 97-2003 workbook (.xls)",
        "an Excel 97-2003 workbook (.xls)",
        (".xls",),
    ),
    "csv": KindInfo("text/csv", "CSV (.csv)", "a CSV file", (".csv", ".tsv")),
    "txt": KindInfo("text/plain", "plain text (.txt)", "a plain-text file", (".txt", ".text")),
    "html": KindInfo("text/html", "HTML (.html)", "an HTML page", (".html", ".htm")),
    "md": KindInfo("text/markdown", "Markdown (.md)", "a Markdown file", (".md", ".markdown")),
    "png": KindInfo("image/png", "PNG image (.png)", "a PNG image", (".png",)),
    "jpeg": KindInfo("image/jpeg", "JPEG image (.jpg)", "a JPEG image", (".jpg", ".jpeg")),
    "tiff": KindInfo("image/tiff", "TIFF image (.tif)", "a TIFF image", (".tif", ".tiff")),
}
assert set(KINDS) == set(get_args(Kind))

TEXT_KINDS: frozenset[Kind] = frozenset({"csv", "txt", "html", "md"})


class Sniffed(BaseModel):
    """The kind of a file as its content shows it."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    media_type: str
    encoding: str | None = None
    """Python codec that decodes a text file exactly (`utf-8`, `utf-8-sig`, `utf-16`, `gb18030`, ...)."""
    delimiter: str | None = None
    """Field separator of a CSV file: `,`, a tab, `;` or `|`."""
    name_kind: Kind | None = None
    """The kind the file name's extension suggests, if any; differs from `kind` when the name lies."""

    @property
    def name_mismatch(self) -> bool:
        """True when the file name suggests another kind than the content (e.g. a PDF named .xlsx)."""
        return self.name_kind is not None and self.name_kind != self.kind


def kind_from_name(filename: str | None) -> Kind | None:
    """The kind a file name's extension usually means, or None."""
    if not filename or "." not in filename:
        return None
    ext = "." + filename.rsplit(".", 1)[1].strip().lower()
    for kind, info in KINDS.items():
        if ext in info.extensions:
            return kind
    return None


def _make(
    kind: Kind, name_kind: Kind | None, *, encoding: str | None = None, delimiter: str | None = None
) -> Sniffed:
    return Sniffed(
        kind=kind,
        media_type=KINDS[kind].media_type,
        encoding=encoding,
        delimiter=delimiter,
        name_kind=name_kind,
    )


def sniff(data: bytes, filename: str | None = None) -> Sniffed:
    """Identify `data` by content. Raises `EmptyFile`, `UnsupportedFormat` or `EncryptedFile`.

    A zip archive's member count is checked on the way (`ZipBomb` past 10,000 members); the full
    zip-bomb guard is `zipguard.check_zip`, which `accept_upload` runs on every xlsx and docx.
    """
    who = quoted(filename)
    name_kind = kind_from_name(filename)
    if not data:
        raise EmptyFile(f"{who} is empty (0 bytes); check that it was saved completely and upload it again.")
    if _is_pdf(data):
        if _PDF_ENCRYPT.search(data):
            raise EncryptedFile(
                f"{who} is an encrypted or password-protected PDF; open it, save or print an "
                "unprotected copy (e.g. Print → Save as PDF) and upload that copy."
            )
        return _make("pdf", name_kind)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _make("png", name_kind)
    if data.startswith(b"\xff\xd8\xff"):
        return _make("jpeg", name_kind)
    if data.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return _make("tiff", name_kind)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _make(_zip_kind(data, filename, who), name_kind)
    if data.startswith(CFB_SIGNATURE):
        return _make(_cfb_kind(data, who), name_kind)
    binary = b"\x00" in data[:4096]
    for magic, needs_binary, what, fix in _KNOWN_BINARY:
        if data.startswith(magic) and (binary or not needs_binary):
            fix = fix[0].lower() + fix[1:].rstrip(".")
            raise UnsupportedFormat(f"{who} is {what}, which bankmind does not read; {fix}.")
    text, encoding = _decode(data, who)
    kind, delimiter = _text_kind(text, name_kind, who)
    return _make(kind, name_kind, encoding=encoding, delimiter=delimiter)


_ACCEPTED_HINT = (
    "Upload a PDF, Word (.docx), Excel (.xlsx/.xls), CSV, text, HTML, Markdown or PNG/JPEG/TIFF image."
)

_KNOWN_BINARY: tuple[tuple[bytes, bool, str, str], ...] = (
    # signature, whether it also needs a NUL byte nearby (short ASCII signatures start plain text
    # too), what it is, what to do
    (b"GIF8", True, "a GIF image", "save it as PNG or JPEG and upload that"),
    (b"BM", True, "a BMP image", "save it as PNG or JPEG and upload that"),
    (b"RIFF", True, "a RIFF file (WebP image, audio or video)", "save images as PNG or JPEG"),
    (b"MZ", True, "a Windows program", _ACCEPTED_HINT),
    (b"\x7fELF", False, "a Linux program", _ACCEPTED_HINT),
    (b"\x1f\x8b", False, "a gzip archive", "unpack it and upload the files inside"),
    (b"7z\xbc\xaf\x27\x1c", False, "a 7-Zip archive", "unpack it and upload the files inside"),
    (b"Rar!\x1a\x07", False, "a RAR archive", "unpack it and upload the files inside"),
    (b"{\\rtf1", False, "an RTF document", "save it as .docx or PDF and upload that"),
)


# PDF ------------------------------------------------------------------------------------
_PDF_ENCRYPT = re.compile(rb"/Encrypt\s*(?:\d+\s+\d+\s+R|<<)")


def _is_pdf(data: bytes) -> bool:
    """`%PDF-` at the start, or in the first 1,024 bytes if `%%EOF` ends the file (readers allow junk)."""
    if data.startswith(b"%PDF-"):
        return True
    return data.find(b"%PDF-", 0, 1024) >= 0 and b"%%EOF" in data[-2048:]


# zip: xlsx or docx ----------------------------------------------------------------------
_CT_XLSX = b"spreadsheetml.sheet.main+xml"
_CT_DOCX = b"wordprocessingml.document.main+xml"
_ZIP_LOOKALIKES: tuple[tuple[bytes, str], ...] = (
    (b"application/vnd.ms-excel.sheet.macroenabled.main+xml",
     "a macro-enabled Excel workbook (.xlsm); save it as an Excel Workbook (.xlsx) and upload that"),
    (b"application/vnd.ms-excel.sheet.binary.macroenabled.main",
     "a binary Excel workbook (.xlsb); save it as an Excel Workbook (.xlsx) and upload that"),
    (b"spreadsheetml.template.main+xml",
     "an Excel template (.xltx); save it as an Excel Workbook (.xlsx) and upload that"),
    (b"application/vnd.ms-word.document.macroenabled.main+xml",
     "a macro-enabled Word document (.docm); save it as a Word Document (.docx) and upload that"),
    (b"wordprocessingml.template.main+xml",
     "a Word template (.dotx); save it as a Word Document (.docx) and upload that"),
    (b"presentationml",
     "a PowerPoint presentation; export it as PDF and upload that"),
)  # fmt: skip


def _zip_kind(data: bytes, filename: str | None, who: str) -> Kind:
    with open_zip(data, filename=filename) as zf:
        names = {n.lower() for n in zf.namelist()}
        types = b""
        for name in zf.namelist():
            if name.lower() == "[content_types].xml":
                types = read_member(zf, name, 1024 * 1024, filename=filename).lower()
                break
        mimetype = read_member(zf, "mimetype", 200, filename=filename) if "mimetype" in names else b""
    if _CT_XLSX in types:
        return "xlsx"
    if _CT_DOCX in types:
        return "docx"
    for marker, what in _ZIP_LOOKALIKES:
        if marker in types:
            raise UnsupportedFormat(f"{who} is {what}.")
    if not types and "xl/workbook.xml" in names:
        return "xlsx"
    if not types and "word/document.xml" in names:
        return "docx"
    if "ofd.xml" in names:
        raise UnsupportedFormat(f"{who} is an OFD document; export it as PDF and upload that.")
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise UnsupportedFormat(
            f"{who} is an OpenDocument file (WPS/LibreOffice); save it as .xlsx or .docx and upload that."
        )
    raise UnsupportedFormat(
        f"{who} is a zip archive, not an Excel or Word file; unpack it and upload the files inside "
        "one by one."
    )


# OLE2 / CFB: xls, or an encrypted xlsx/docx ---------------------------------------------
_BIFF_FILEPASS = 0x002F
_BIFF_STOP = {0x000A, 0x0085}  # EOF, BOUNDSHEET: FILEPASS always comes before them


def _cfb_kind(data: bytes, who: str) -> Kind:
    try:
        cfb = CompoundFile(data)
        names = cfb.names()
        if {"encryptioninfo", "encryptedpackage"} <= names:
            raise EncryptedFile(
                f"{who} is password-protected; remove the password in Excel or Word "
                "(File → Info → Protect → Encrypt with Password, clear it), save, and upload it again."
            )
        for stream in ("workbook", "book"):
            if stream in names:
                if _biff_has_filepass(cfb.read(stream, 64 * 1024)):
                    raise EncryptedFile(
                        f"{who} is a password-protected Excel 97-2003 workbook; remove the password in "
                        "Excel (File → Info → Protect Workbook), save it as .xlsx and upload it again."
                    )
                return "xls"
    except CfbError as exc:
        raise UnsupportedFormat(
            f"{who} is a damaged Office 97-2003 file ({exc}); open it in Excel or Word, save it as "
            ".xlsx or .docx and upload that."
        ) from exc
    if "worddocument" in names:
        raise UnsupportedFormat(
            f"{who} is a Word 97-2003 document (.doc); open it in Word, save it as .docx and upload that."
        )
    if "powerpoint document" in names:
        raise UnsupportedFormat(
            f"{who} is a PowerPoint 97-2003 presentation; export it as PDF and upload that."
        )
    raise UnsupportedFormat(
        f"{who} is an Office 97-2003 container that is not an Excel workbook; save it as .xlsx, "
        ".docx or PDF and upload that."
    )


def _biff_has_filepass(stream: bytes) -> bool:
    """True when the workbook globals start with a FILEPASS record (the workbook is encrypted)."""
    pos = 0
    for _ in range(64):
        if pos + 4 > len(stream):
            return False
        record, length = (
            int.from_bytes(stream[pos : pos + 2], "little"),
            int.from_bytes(stream[pos + 2 : pos + 4], "little"),
        )
        if record == _BIFF_FILEPASS:
            return True
        if record in _BIFF_STOP:
            return False
        pos += 4 + length
    return False


# text -----------------------------------------------------------------------------------
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BAD_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x19\x1c-\x1f\x7f]")
_CHECK_CHARS = 1024 * 1024


def _not_text(who: str) -> UnsupportedFormat:
    return UnsupportedFormat(f"{who} is not a document bankmind can read (binary data). {_ACCEPTED_HINT}")


def _decode(data: bytes, who: str) -> tuple[str, str]:
    """Decode the whole file exactly; return the text and the codec that did it."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text, encoding = _strict(data, codec, who), codec
            break
    else:
        if b"\x00" in data:
            raise _not_text(who)  # UTF-16 without a byte-order mark is not accepted either
        text, encoding = _guess(data, who)
    sample = text[:_CHECK_CHARS]
    if len(_BAD_CONTROLS.findall(sample)) > len(sample) // 1000:
        raise _not_text(who)
    if not text.strip():
        raise EmptyFile(
            f"{who} holds no text, only blanks; check that it was saved completely and upload it again."
        )
    return text, encoding


def _guess(data: bytes, who: str) -> tuple[str, str]:
    """UTF-8 if it decodes; else GB18030 if it reads as Chinese; else charset-normalizer's best guess."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")  # a superset of GBK and GB2312, as Chinese Excel and WPS write CSV
        if _mostly_chinese(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 256 * 1024]).best()
    if best is None:
        raise _not_text(who)
    return _strict(data, str(best.encoding), who), str(best.encoding)


def _strict(data: bytes, encoding: str, who: str) -> str:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnsupportedFormat(
            f"{who} mixes text encodings or holds binary data after the start; save it as UTF-8 "
            "text (in Excel: Save As → CSV UTF-8) and upload it again."
        ) from exc


def _mostly_chinese(text: str) -> bool:
    """Most non-ASCII characters are CJK ideographs, CJK or full-width punctuation, or GB symbols."""
    wide = [ord(ch) for ch in text[:_CHECK_CHARS] if ord(ch) > 0x7F]
    if not wide:
        return True
    cjk = sum(
        1
        for c in wide
        if 0x4E00 <= c <= 0x9FFF
        or 0x3400 <= c <= 0x4DBF
        or 0x3000 <= c <= 0x30FF
        or 0xFF00 <= c <= 0xFFEF
        or 0x2000 <= c <= 0x26FF
        or c in (0x00B7, 0x00D7, 0x00F7, 0x00A4, 0x00A7, 0x00A8, 0x00B0, 0x00B1)
        or 0x0391 <= c <= 0x0451
    )
    return cjk >= 0.9 * len(wide)


_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$", re.MULTILINE)
_FENCE = re.compile(r"^(```|~~~)", re.MULTILINE)
_MD_SIGNALS = {
    "heading": re.compile(r"^#{1,6}\s+\S", re.MULTILINE),
    "list": re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+\S", re.MULTILINE),
    "link": re.compile(r"\[[^\]\n]+\]\([^)\s]+\)"),
    "emphasis": re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__"),
    "quote": re.compile(r"^>\s", re.MULTILINE),
}
_HTML_START = re.compile(r"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.DOTALL)
_HTML_TAG = re.compile(r"<(?:html|head|body|table|tr|td|div|p|meta|title|br)\b[^>]*>", re.IGNORECASE)
_DELIMITERS = (",", "\t", ";", "|")


def _text_kind(text: str, name_kind: Kind | None, who: str) -> tuple[Kind, str | None]:
    sample = text[:65536]
    complete = len(text) <= len(sample)
    head = sample.lstrip("\ufeff \t\r\n")[:4096].lower()
    if head.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in head:
        raise UnsupportedFormat(
            f"{who} is an Excel 2003 XML spreadsheet; open it in Excel, save it as .xlsx and upload that."
        )
    if head.startswith("mime-version:") and "multipart/related" in head:
        raise UnsupportedFormat(
            f"{who} is a web archive (MHTML, e.g. Excel 'Single File Web Page'); open it in Excel, "
            "save it as .xlsx and upload that."
        )
    if _HTML_START.match(head) or (head.startswith("<") and len(_HTML_TAG.findall(head)) >= 2):
        return "html", None
    signals = {name for name, rx in _MD_SIGNALS.items() if rx.search(sample)}
    if _TABLE_RULE.search(sample) or _FENCE.search(sample) or len(signals) >= 2:
        return "md", None
    delimiter, rows = _csv_shape(sample if complete else sample[: sample.rfind("\n") + 1])
    if delimiter is not None and rows >= 2:
        return "csv", delimiter
    # no strong evidence: the name breaks the tie among the text kinds
    if name_kind == "csv":
        return "csv", delimiter or ","
    if name_kind in ("txt", "md"):
        return name_kind, None
    if name_kind == "html" and _HTML_TAG.search(sample):
        return "html", None
    if signals:
        return "md", None
    return "txt", None


def _csv_shape(sample: str) -> tuple[str | None, int]:
    """The delimiter that splits most of the first 50 rows into the same number (>= 2) of fields.

    Returns the delimiter (None if there is none) and how many non-blank rows were looked at.
    """
    best: tuple[float, int, int] | None = None
    chosen: tuple[str | None, int] = (None, 0)
    for order, delimiter in enumerate(_DELIMITERS):
        if delimiter not in sample:
            continue
        reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
        try:
            widths = [len(row) for row in itertools.islice(_non_blank(reader), 50)]
        except csv.Error:
            continue
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        share = count / len(widths)
        score = (share, width, -order)
        if width >= 2 and share >= 0.8 and (best is None or score > best):
            best, chosen = score, (delimiter, len(widths))
    return chosen


def _non_blank(rows: Iterable[list[str]]) -> Iterator[list[str]]:
    return (row for row in rows if any(field.strip() for field in row))
