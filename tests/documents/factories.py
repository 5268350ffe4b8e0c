"""Files built in code, with what they are known by construction: no binary blobs in the repository.

Office files are written part by part with `zipfile` (the OOXML a minimal Excel/Word file needs);
the OLE2 containers (.xls, password-protected xlsx) with a small CFB writer below; PDFs by hand with
a correct cross-reference table; images with Pillow; zip bombs by compressing long runs of XML and,
for the lying kind, by patching the declared sizes in the zip headers afterwards.

What the fakes are, honestly:
- `xls()` is a real CFB container whose `Workbook` stream holds BOF / BOUNDSHEET / EOF BIFF8
  records: enough for sniffing (and to find FILEPASS), not a workbook Excel would open.
- `encrypted_ooxml()` is a real CFB container with `EncryptionInfo` and `EncryptedPackage` streams
  whose contents are placeholders (what the sniffer reads is the directory).
- `encrypted_pdf()` is a valid PDF whose trailer points at a Standard security handler dictionary;
  its page content is not actually encrypted (the sniffer reads the trailer).
"""

from __future__ import annotations

import io
import math
import struct
import zipfile
import zlib
from xml.sax.saxutils import escape

# OOXML ----------------------------------------------------------------------------------
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_SHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

VALUATION_ROWS: list[list[str | float]] = [
    ["科目代码", "科目名称", "数量", "市值"],
    ["1102.01.01", "股票投资", 1000, 12345.67],
    ["1103.02.01", "债券投资", 500, 50210.0],
]


def _content_types(main_part: str, main_type: str, extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/>{extra}</Types>'
    )


def _root_rels(main_part: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_RELS_NS}">'
        f'<Relationship Id="rId1" Type="{_DOC_REL}" Target="{main_part}"/></Relationships>'
    )


def sheet_xml(rows: list[list[str | float]], padding: int = 0) -> bytes:
    """A worksheet with inline strings; `padding` spaces inside <sheetData> inflate it (for bombs)."""
    out = [
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_MAIN_NS}"><sheetData>'
    ]
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{chr(ord('A') + c)}{r}"
            if isinstance(value, str):
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    head = "".join(out).encode()
    return head + b" " * padding + b"</sheetData></worksheet>"


def _write_zip(parts: dict[str, bytes | str], *, compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compress, compresslevel=9) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return buf.getvalue()


def xlsx_parts(rows: list[list[str | float]] | None = None, *, padding: int = 0) -> dict[str, bytes | str]:
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    return {
        "[Content_Types].xml": _content_types(
            "xl/workbook.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{sheet_type}"/>',
        ),
        "_rels/.rels": _root_rels("xl/workbook.xml"),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_MAIN_NS}" '
            f'xmlns:r="{_R_NS}"><sheets><sheet name="估值表" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_RELS_NS}">'
            f'<Relationship Id="rId1" Type="{_SHEET_REL}" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet_xml(rows if rows is not None else VALUATION_ROWS, padding),
    }


def xlsx(rows: list[list[str | float]] | None = None, *, padding: int = 0) -> bytes:
    """A minimal valid xlsx (one sheet '估值表' of inline strings and numbers)."""
    return _write_zip(xlsx_parts(rows, padding=padding))


def docx_parts(paragraphs: list[str] | None = None) -> dict[str, bytes | str]:
    body = "".join(
        f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>"
        for p in (paragraphs or ["借款合同", "甲方：某某银行"])
    )
    return {
        "[Content_Types].xml": _content_types(
            "word/document.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        ),
        "_rels/.rels": _root_rels("word/document.xml"),
        "word/document.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W_NS}">'
            f"<w:body>{body}</w:body></w:document>"
        ),
    }


def docx(paragraphs: list[str] | None = None, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal valid docx; `extra` adds parts (e.g. an embedded chart workbook)."""
    parts = docx_parts(paragraphs)
    parts.update(extra or {})
    return _write_zip(parts)


def docx_with_chart() -> bytes:
    """A docx with the workbook Word embeds behind every chart (a legitimate nested xlsx)."""
    return docx(extra={"word/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx()})


def nested_zip_docx() -> bytes:
    """A docx carrying a zip archive outside the embeddings folder."""
    inner = _write_zip({"payload.txt": b"x" * 1000})
    return docx(extra={"word/media/image1.png": inner})


def docx_embedding_with_archive() -> bytes:
    """A docx whose embedded workbook itself carries a zip (archive inside an archive inside an archive)."""
    inner_parts = xlsx_parts()
    inner_parts["xl/media/data.zip"] = _write_zip({"a.txt": b"a"})
    return docx(extra={"word/embeddings/Microsoft_Excel_Worksheet.xlsx": _write_zip(inner_parts)})


def macro_workbook() -> bytes:
    parts = xlsx_parts()
    parts["[Content_Types].xml"] = _content_types(
        "xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    )
    return _write_zip(parts)


def plain_zip() -> bytes:
    return _write_zip({"报表/估值表.csv": "a,b\n1,2\n", "readme.txt": "hello"})


def xlsx_bomb(expanded: int) -> bytes:
    """An xlsx whose sheet expands to about `expanded` bytes of whitespace (ratio ~1000:1); headers honest."""
    return xlsx(padding=expanded)


def xlsx_lying_bomb(expanded: int, declared: int = 1024) -> bytes:
    """An xlsx whose sheet expands to `expanded` bytes while both its headers declare only `declared`."""
    data = bytearray(xlsx(padding=expanded))
    return bytes(_patch_sizes(data, "xl/worksheets/sheet1.xml", uncompressed=declared))


def xlsx_with_members(count: int) -> bytes:
    parts = xlsx_parts()
    parts.update({f"xl/customXml/item{i}.xml": b"<a/>" for i in range(count)})
    return _write_zip(parts, compress=zipfile.ZIP_STORED)


def xlsx_with_member(name: str) -> bytes:
    parts = xlsx_parts()
    parts[name] = b"<x/>"
    return _write_zip(parts)


def xlsx_shared_data() -> bytes:
    """Two central-directory entries pointing at the same local data (the overlapping-file bomb)."""
    data = bytearray(xlsx())
    eocd = data.rfind(b"PK\x05\x06")
    n_entries, cd_size, cd_offset = struct.unpack_from("<HLL", data, eocd + 10)
    first_len = 46 + sum(struct.unpack_from("<3H", data, cd_offset + 28))
    entry = bytearray(data[cd_offset : cd_offset + first_len])
    # same data, another name of the same length
    name_len = struct.unpack_from("<H", entry, 28)[0]
    entry[46 : 46 + name_len] = b"X" * name_len
    out = data[: cd_offset + cd_size] + entry + data[cd_offset + cd_size :]
    struct.pack_into(
        "<HHLL", out, eocd + len(entry) + 8, n_entries + 1, n_entries + 1, cd_size + len(entry), cd_offset
    )
    return bytes(out)


def xlsx_encrypted_member() -> bytes:
    """An xlsx whose sheet part has the zip 'encrypted' flag set (a zip-level password)."""
    data = bytearray(xlsx())
    name = b"xl/worksheets/sheet1.xml"
    for header, flag_at, name_len_at, name_at in ((b"PK\x03\x04", 6, 26, 30), (b"PK\x01\x02", 8, 28, 46)):
        pos = data.find(header)
        while pos >= 0:
            n = struct.unpack_from("<H", data, pos + name_len_at)[0]
            if data[pos + name_at : pos + name_at + n] == name:
                flags = struct.unpack_from("<H", data, pos + flag_at)[0]
                struct.pack_into("<H", data, pos + flag_at, flags | 0x1)
            pos = data.find(header, pos + 4)
    return bytes(data)


def xlsx_headers_disagree() -> bytes:
    """The sheet's local header says 'stored' while the central directory says 'deflated'."""
    data = bytearray(xlsx())
    name = b"xl/worksheets/sheet1.xml"
    pos = data.find(b"PK\x03\x04")
    while pos >= 0:
        n = struct.unpack_from("<H", data, pos + 26)[0]
        if data[pos + 30 : pos + 30 + n] == name:
            struct.pack_into("<H", data, pos + 8, zipfile.ZIP_STORED)
            return bytes(data)
        pos = data.find(b"PK\x03\x04", pos + 4)
    raise AssertionError("sheet not found")


def truncated_zip() -> bytes:
    data = xlsx()
    return data[: len(data) // 2]


def corrupt_central_directory() -> bytes:
    data = bytearray(xlsx())
    cd = data.find(b"PK\x01\x02")
    data[cd : cd + 4] = b"XXXX"
    return bytes(data)


def corrupt_member() -> bytes:
    """Intact directory, but the sheet's compressed bytes are overwritten (checksum fails)."""
    data = bytearray(xlsx())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 2, start + min(info.compress_size, 40)):
        data[i] ^= 0x5A
    return bytes(data)


def _patch_sizes(data: bytearray, member: str, *, uncompressed: int) -> bytearray:
    name = member.encode()
    local = data.find(b"PK\x03\x04")
    while local >= 0:
        n = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + n] == name:
            struct.pack_into("<L", data, local + 22, uncompressed)
            break
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        n = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + n] == name:
            struct.pack_into("<L", data, central + 24, uncompressed)
            return data
        central = data.find(b"PK\x01\x02", central + 4)
    raise AssertionError(f"{member} not found")


# CFB (OLE2) -----------------------------------------------------------------------------
_END, _FREE, _FATSECT, _NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def cfb(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file (512-byte sectors) holding `streams` in its root storage.

    Streams under 4,096 bytes go to the mini stream, as Office writes them.
    """
    sector = 512
    mini_data = bytearray()
    minifat: list[int] = []
    placed: list[tuple[str, int, int, bool]] = []  # name, start, size, in mini stream
    big: list[tuple[str, bytes]] = []
    for name, body in streams.items():
        if len(body) < 4096:
            n = math.ceil(len(body) / 64)
            start = len(mini_data) // 64 if n else _END
            minifat += [len(minifat) + i + 1 for i in range(n - 1)] + ([_END] if n else [])
            mini_data += body.ljust(n * 64, b"\0")
            placed.append((name, start, len(body), True))
        else:
            big.append((name, body))

    chunks: list[tuple[str, bytes]] = []  # (what, payload) laid out after the FAT sectors
    dir_entries = 1 + len(streams)
    chunks.append(("dir", b"\0" * (math.ceil(dir_entries / 4) * sector)))
    minifat_raw = b"".join(struct.pack("<I", v) for v in minifat)
    if minifat_raw:
        chunks.append(("minifat", minifat_raw.ljust(math.ceil(len(minifat_raw) / sector) * sector, b"\xff")))
    if mini_data:
        chunks.append(
            ("ministream", bytes(mini_data).ljust(math.ceil(len(mini_data) / sector) * sector, b"\0"))
        )
    for name, body in big:
        chunks.append((name, body.ljust(math.ceil(len(body) / sector) * sector, b"\0")))

    payload_sectors = sum(len(c) // sector for _, c in chunks)
    n_fat = 1
    while n_fat * (sector // 4) < n_fat + payload_sectors:
        n_fat += 1
    assert n_fat <= 109, "too large for a header-only DIFAT"
    fat = [_FATSECT] * n_fat
    starts: dict[str, int] = {}
    for what, body in chunks:
        n = len(body) // sector
        starts[what] = len(fat)
        fat += [len(fat) + i + 1 for i in range(n - 1)] + [_END]
    fat += [_FREE] * (n_fat * (sector // 4) - len(fat))

    def entry(
        name: str, kind: int, start: int, size: int, child: int = _NOSTREAM, right: int = _NOSTREAM
    ) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        raw = bytearray(128)
        raw[: len(encoded)] = encoded
        struct.pack_into("<HBB3I", raw, 64, len(encoded), kind, 1, _NOSTREAM, right, child)
        struct.pack_into("<IQ", raw, 116, start, size)
        return bytes(raw)

    names = list(streams)
    big_names = {n for n, _ in big}
    mini_index = {n: (s, size) for n, s, size, _ in placed}
    entries = [
        entry(
            "Root Entry",
            5,
            starts.get("ministream", _END),
            len(mini_data),
            child=1 if names else _NOSTREAM,
        )
    ]
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else _NOSTREAM
        if name in big_names:
            entries.append(entry(name, 2, starts[name], len(streams[name]), right=right))
        else:
            start, size = mini_index[name]
            entries.append(entry(name, 2, start, size, right=right))
    directory = b"".join(entries)
    directory += b"".join(entry("", 0, 0, 0) for _ in range((-len(entries)) % 4))  # unused entries

    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into(
        "<IIIIIIIII",
        header,
        40,
        0,
        n_fat,
        starts["dir"],
        0,
        4096,
        starts.get("minifat", _END),
        len(minifat_raw) // sector + (1 if len(minifat_raw) % sector else 0),
        _END,
        0,
    )
    difat = list(range(n_fat)) + [_FREE] * (109 - n_fat)
    struct.pack_into("<109I", header, 76, *difat)

    fat_raw = b"".join(struct.pack("<I", v) for v in fat)
    sectors = bytearray()
    for what, payload in chunks:
        sectors += directory.ljust(len(payload), b"\0") if what == "dir" else payload
    return bytes(header) + fat_raw + bytes(sectors)


def _biff(record: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HH", record, len(payload)) + payload


def xls(*, encrypted: bool = False, stream: str = "Workbook", pad_to: int = 0) -> bytes:
    """An OLE2 container with a BIFF8 workbook-globals stream (BOF, [FILEPASS], BOUNDSHEET, EOF)."""
    records = _biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x1F2B, 1997, 0, 0x0006))
    if encrypted:
        records += _biff(0x002F, struct.pack("<HHH", 1, 1, 1) + b"\x11" * 48)  # RC4 FILEPASS
    sheet = "估值表".encode("utf-16-le")
    records += _biff(0x0085, struct.pack("<IBBBB", 0, 0, 0, 3, 1) + sheet)
    records += _biff(0x000A)
    return cfb({stream: records.ljust(pad_to, b"\0")})


def encrypted_ooxml() -> bytes:
    """What Excel/Word write for a password-protected xlsx/docx: a CFB with the encrypted package."""
    return cfb(
        {
            "EncryptionInfo": struct.pack("<HHI", 4, 4, 0x40) + b"<encryption/>",
            "EncryptedPackage": struct.pack("<Q", 4096) + b"\x8e" * 5000,
            "\x06DataSpaces": b"\0" * 64,
        }
    )


def word97() -> bytes:
    return cfb({"WordDocument": b"\xec\xa5" + b"\0" * 600, "1Table": b"\0" * 100})


# PDF ------------------------------------------------------------------------------------
def _pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R ".encode() + trailer_extra + b">>\n"
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _page_objects(text: str) -> list[bytes]:
    content = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def text_pdf(text: str = "Valuation report 2025-06-30") -> bytes:
    """A one-page PDF with one line of Helvetica text and a correct xref table."""
    return _pdf(_page_objects(text))


def encrypted_pdf() -> bytes:
    """A PDF whose trailer names a Standard security handler (as a password-protected PDF does)."""
    objects = _page_objects("secret")
    objects.append(
        b"<< /Filter /Standard /V 2 /R 3 /Length 128 /P -3904 /O <"
        + b"00" * 32
        + b"> /U <"
        + b"00" * 32
        + b"> >>"
    )
    return _pdf(
        objects,
        trailer_extra=b"/Encrypt 6 0 R /ID [<" + b"0f" * 16 + b"> <" + b"0f" * 16 + b">] ",
    )


def pdf_mentioning_encrypt() -> bytes:
    """A PDF whose text says '/Encrypt' in a literal string (not an encryption dictionary)."""
    return text_pdf("see the /Encrypt key in the spec")


# text -----------------------------------------------------------------------------------
VALUATION_CSV = (
    "日期,科目代码,科目名称,市值\n"
    "2025-06-30,1102.01.01,股票投资,12345.67\n"
    "2025-06-30,1103.02.01,债券投资,50210.00\n"
)
CONTRACT_TXT = (
    "借款合同\n\n第一条 借款金额：人民币壹佰万元整。\n第二条 借款期限自2025年1月1日起至2026年1月1日止。\n"
)


def encoded(text: str, encoding: str) -> bytes:
    """`text` in `encoding`; 'utf-16' adds a BOM (as Excel's Unicode Text does), 'utf-8-sig' too."""
    return text.encode(encoding)


def binary_garbage(size: int = 4096, seed: int = 7) -> bytes:
    """Deterministic bytes that are no known format and not text."""
    out = bytearray()
    state = seed
    while len(out) < size:
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        out += state.to_bytes(8, "little")
    out[0:4] = b"\x00\x13\x37\x00"
    return bytes(out[:size])


# images ---------------------------------------------------------------------------------
def image(kind: str, size: tuple[int, int] = (64, 32)) -> bytes:
    """A small image in `kind` ('png', 'jpeg' or 'tiff'), drawn with Pillow."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, "white")
    ImageDraw.Draw(img).rectangle((4, 4, size[0] - 5, size[1] - 5), outline="black")
    buf = io.BytesIO()
    img.save(buf, format={"png": "PNG", "jpeg": "JPEG", "tiff": "TIFF"}[kind])
    return buf.getvalue()


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny PNG whose header declares a huge canvas (an image bomb); only the header is valid."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
        + b"\0\0\0\0IEND\xaeB`\x82"
    )
