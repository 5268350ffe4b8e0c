"""What a file is, from its content: every kind, near misses, and each refusal with its fix."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic import ValidationError

from bankmind.documents import KINDS, Sniffed, kind_from_name, sniff
from bankmind.documents.cfb import CfbError, CompoundFile
from bankmind.errors import BankmindError, EmptyFile, EncryptedFile, UnsupportedFormat, ZipBomb

from . import factories as f

# fmt: off
ACCEPTED: list[tuple[str, Callable[[], bytes], str | None, str, str | None, str | None]] = [
    # id, data, filename, kind, encoding, delimiter
    ("xlsx", f.xlsx, "估值表_0630.xlsx", "xlsx", None, None),
    ("xlsx-no-name", f.xlsx, None, "xlsx", None, None),
    ("docx", f.docx, "借款合同.docx", "docx", None, None),
    ("docx-with-chart", f.docx_with_chart, "报告.docx", "docx", None, None),
    ("pdf", f.text_pdf, "report.pdf", "pdf", None, None),
    ("pdf-mentions-encrypt", f.pdf_mentioning_encrypt, "spec.pdf", "pdf", None, None),
    ("xls", f.xls, "估值表.xls", "xls", None, None),
    ("xls-big-stream", lambda: f.xls(pad_to=6000), "估值表.xls", "xls", None, None),
    ("xls-biff5-book", lambda: f.xls(stream="Book"), "old.xls", "xls", None, None),
    ("png", lambda: f.image("png"), "seal.png", "png", None, None),
    ("jpeg", lambda: f.image("jpeg"), "scan.jpg", "jpeg", None, None),
    ("tiff", lambda: f.image("tiff"), "fax.tif", "tiff", None, None),
    ("csv-gbk", lambda: f.encoded(f.VALUATION_CSV, "gbk"), "估值表.csv", "csv", "gb18030", ","),
    ("csv-gbk-no-name", lambda: f.encoded(f.VALUATION_CSV, "gbk"), None, "csv", "gb18030", ","),
    ("csv-utf8", lambda: f.encoded(f.VALUATION_CSV, "utf-8"), "a.csv", "csv", "utf-8", ","),
    ("csv-utf8-bom", lambda: f.encoded(f.VALUATION_CSV, "utf-8-sig"), "a.csv", "csv", "utf-8-sig", ","),
    ("csv-utf16-bom", lambda: f.encoded(f.VALUATION_CSV, "utf-16"), "a.csv", "csv", "utf-16", ","),
    ("tsv-named-txt", lambda: f.encoded(f.VALUATION_CSV.replace(",", "\t"), "gbk"), "export.txt", "csv",
     "gb18030", "\t"),
    ("csv-semicolon", lambda: b"a;b;c\n1;2;3\n4;5;6\n", None, "csv", "utf-8", ";"),
    ("txt-gbk", lambda: f.encoded(f.CONTRACT_TXT, "gbk"), "合同.txt", "txt", "gb18030", None),
    ("txt-utf16", lambda: f.encoded(f.CONTRACT_TXT, "utf-16"), "合同.txt", "txt", "utf-16", None),
    ("txt-utf8", lambda: f.encoded(f.CONTRACT_TXT, "utf-8"), None, "txt", "utf-8", None),
    ("html", lambda: b"<!DOCTYPE html><html><body><p>hi</p></body></html>", "a.html", "html", "utf-8", None),
    ("html-excel-export-named-xls", lambda: b'<html xmlns:x="urn:schemas-microsoft-com:office:excel">'
     b"<body><table><tr><td>1</td></tr></table></body></html>", "report.xls", "html", "utf-8", None),
    ("md-list-and-heading", lambda: "# 标题\n\n- 一\n- 二\n".encode(), None, "md", "utf-8", None),
    ("md-table", lambda: b"| a | b |\n|---|---|\n| 1 | 2 |\n", None, "md", "utf-8", None),
    ("md-weak-named-txt", lambda: b"# Title only\n", "x.txt", "txt", "utf-8", None),
    ("md-weak-no-name", lambda: b"# Title only\n", None, "md", "utf-8", None),
    ("one-column-named-csv", lambda: b"account\n6222020200001234567\n", "ids.csv", "csv", "utf-8", ","),
    ("one-column-no-name", lambda: b"account\n6222020200001234567\n", None, "txt", "utf-8", None),
    ("csv-starting-with-BM", lambda: b"BM,100\nCN,200\n", None, "csv", "utf-8", ","),
]
# fmt: on


@pytest.mark.parametrize(
    "make, filename, kind, encoding, delimiter",
    [pytest.param(*case[1:], id=case[0]) for case in ACCEPTED],
)
def test_sniff_identifies_the_content(
    make: Callable[[], bytes], filename: str | None, kind: str, encoding: str | None, delimiter: str | None
) -> None:
    found = sniff(make(), filename)
    assert (found.kind, found.encoding, found.delimiter) == (kind, encoding, delimiter)
    assert found.media_type == KINDS[found.kind].media_type
    if encoding is not None:
        make().decode(encoding)  # the reported codec decodes the whole file


# fmt: off
NEAR_MISSES: list[tuple[str, Callable[[], bytes], str, str, str]] = [
    # id, data, filename, content kind, what the name said
    ("pdf-named-xlsx", f.text_pdf, "估值表.xlsx", "pdf", "xlsx"),
    ("xlsx-named-pdf", f.xlsx, "合同.pdf", "xlsx", "pdf"),
    ("png-named-jpg", lambda: f.image("png"), "photo.jpg", "png", "jpeg"),
    ("html-named-xls", lambda: b"<html><body><table></table></body></html>", "x.xls", "html", "xls"),
    ("csv-named-txt", lambda: f.encoded(f.VALUATION_CSV, "gbk"), "估值表.txt", "csv", "txt"),
]
# fmt: on


@pytest.mark.parametrize(
    "make, filename, kind, name_kind", [pytest.param(*c[1:], id=c[0]) for c in NEAR_MISSES]
)
def test_the_content_wins_and_the_mismatch_is_reported(
    make: Callable[[], bytes], filename: str, kind: str, name_kind: str
) -> None:
    found = sniff(make(), filename)
    assert found.kind == kind
    assert found.name_kind == name_kind
    assert found.name_mismatch


def test_a_matching_name_is_no_mismatch() -> None:
    found = sniff(f.xlsx(), "估值表.XLSX")
    assert found.name_kind == "xlsx" and not found.name_mismatch


# fmt: off
REFUSED: list[tuple[str, Callable[[], bytes], str, type[BankmindError], str]] = [
    # id, data, filename, error, the fix the message must give
    ("empty", lambda: b"", "估值表.xlsx", EmptyFile, "upload it again"),
    ("only-a-bom", lambda: b"\xef\xbb\xbf \r\n", "估值表.csv", EmptyFile, "saved completely"),
    ("binary-named-txt", f.binary_garbage, "notes.txt", UnsupportedFormat, "Upload a PDF"),
    ("binary-named-xlsx", f.binary_garbage, "估值表.xlsx", UnsupportedFormat, "Upload a PDF"),
    ("utf16-without-bom", lambda: f.CONTRACT_TXT.encode("utf-16-le"), "合同.txt", UnsupportedFormat,
     "Upload a PDF"),
    ("encrypted-pdf", f.encrypted_pdf, "statement.pdf", EncryptedFile, "unprotected copy"),
    ("encrypted-ooxml", f.encrypted_ooxml, "估值表.xlsx", EncryptedFile, "remove the password"),
    ("encrypted-xls", lambda: f.xls(encrypted=True), "估值表.xls", EncryptedFile, "remove the password"),
    ("encrypted-xls-big", lambda: f.xls(encrypted=True, pad_to=6000), "估值表.xls", EncryptedFile,
     "remove the password"),
    ("word-97", f.word97, "合同.doc", UnsupportedFormat, "save it as .docx"),
    ("macro-workbook", f.macro_workbook, "估值表.xlsm", UnsupportedFormat, "save it as an Excel Workbook"),
    ("plain-zip", f.plain_zip, "报表.zip", UnsupportedFormat, "unpack it"),
    ("truncated-zip", f.truncated_zip, "估值表.xlsx", UnsupportedFormat, "save it again"),
    ("corrupt-zip-directory", f.corrupt_central_directory, "估值表.xlsx", UnsupportedFormat, "save it again"),
    ("too-many-members", lambda: f.xlsx_with_members(10_001), "估值表.xlsx", ZipBomb, "save it again"),
    ("damaged-cfb", lambda: f.xls()[:600], "估值表.xls", UnsupportedFormat, "save it as"),
    ("excel-2003-xml", lambda: b'<?xml version="1.0"?><Workbook '
     b'xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>', "a.xls", UnsupportedFormat,
     "save it as .xlsx"),
    ("mhtml", lambda: b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="x"\r\n\r\n', "a.xls",
     UnsupportedFormat, "save it as .xlsx"),
    ("gif", lambda: b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "seal.gif", UnsupportedFormat, "PNG or JPEG"),
    ("gzip", lambda: b"\x1f\x8b\x08\x00" + bytes(20), "data.csv.gz", UnsupportedFormat, "unpack it"),
    ("rtf", lambda: b"{\\rtf1\\ansi hello}", "memo.rtf", UnsupportedFormat, ".docx or PDF"),
]
# fmt: on


@pytest.mark.parametrize("make, filename, error, fix", [pytest.param(*c[1:], id=c[0]) for c in REFUSED])
def test_sniff_refuses_with_a_fix(
    make: Callable[[], bytes], filename: str, error: type[BankmindError], fix: str
) -> None:
    with pytest.raises(error) as caught:
        sniff(make(), filename)
    assert type(caught.value) is error
    assert caught.value.code == error.code
    assert f"'{filename}'" in caught.value.message
    assert fix in caught.value.message


def test_messages_never_echo_content() -> None:
    secret = "身份证 110101199003074578"
    data = b"\x00\x01" + secret.encode()
    with pytest.raises(UnsupportedFormat) as caught:
        sniff(data, "客户.txt")
    assert "110101199003074578" not in caught.value.message


def test_without_a_name_messages_say_the_file() -> None:
    with pytest.raises(EmptyFile, match=r"^the file is empty"):
        sniff(b"")


def test_sniffed_is_frozen() -> None:
    found = sniff(f.text_pdf())
    with pytest.raises(ValidationError):
        found.kind = "xlsx"  # type: ignore[misc]
    assert isinstance(found, Sniffed)


@pytest.mark.parametrize(
    "name, kind",
    [("a.XLSX", "xlsx"), ("估值表.csv", "csv"), ("a.tsv", "csv"), ("scan.JPEG", "jpeg"), ("x.tif", "tiff"),
     ("readme", None), ("a.xlsm", None), (None, None), ("archive.tar.gz", None)],
)  # fmt: skip
def test_kind_from_name(name: str | None, kind: str | None) -> None:
    assert kind_from_name(name) == kind


def test_every_kind_has_a_media_type_label_and_extension() -> None:
    for info in KINDS.values():
        assert "/" in info.media_type and info.label and info.noun and info.extensions


# the CFB reader ---------------------------------------------------------------------------
def test_cfb_reads_mini_and_regular_streams() -> None:
    small, large = b"s" * 100, bytes(range(256)) * 20
    cfb = CompoundFile(f.cfb({"Small": small, "Large": large}))
    assert cfb.names() == {"small", "large"}
    assert cfb.read("small", 10_000) == small
    assert cfb.read("LARGE", 10_000) == large
    assert cfb.read("Large", 7) == large[:7]


def test_cfb_refuses_a_sector_loop() -> None:
    data = bytearray(f.cfb({"Workbook": b"x" * 5000}))
    fat_offset = 512  # the first FAT sector follows the header
    first_dir = int.from_bytes(data[48:52], "little")
    data[fat_offset + 4 * first_dir : fat_offset + 4 * first_dir + 4] = first_dir.to_bytes(4, "little")
    with pytest.raises(CfbError):
        CompoundFile(bytes(data))
