"""The zip-bomb guard: declared sizes, actual sizes, lying headers, nesting, member counts, damage."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest

from bankmind.documents import check_zip
from bankmind.documents.zipguard import RATIO_GRACE_BYTES, open_zip
from bankmind.errors import BankmindError, EncryptedFile, UnsupportedFormat, ZipBomb

from . import factories as f

MB = 1024 * 1024
LIMIT = 10 * MB  # the uncompressed limit these tests use (production default: 300 MB)


def _check(data: bytes, limits: dict[str, float]) -> object:
    """check_zip on '估值表.xlsx' with the test limits, some overridden."""
    merged: dict[str, float] = {"max_uncompressed": LIMIT, "max_ratio": 100.0} | limits
    return check_zip(
        data,
        max_uncompressed=int(merged["max_uncompressed"]),
        max_ratio=merged["max_ratio"],
        filename="估值表.xlsx",
    )


@pytest.mark.parametrize(
    "make, members, embedded",
    [
        pytest.param(f.xlsx, 5, 0, id="xlsx"),
        pytest.param(f.docx, 3, 0, id="docx"),
        pytest.param(f.docx_with_chart, 9, 1, id="docx-embedding-a-chart-workbook"),
        pytest.param(lambda: f.xlsx_with_members(50), 55, 0, id="stored-members"),
        pytest.param(lambda: f.xlsx_bomb(RATIO_GRACE_BYTES // 2), 5, 0, id="small-part-over-ratio-in-grace"),
    ],
)
def test_genuine_archives_pass(make: Callable[[], bytes], members: int, embedded: int) -> None:
    data = make()
    stats = check_zip(data, max_uncompressed=LIMIT, max_ratio=100.0)
    assert (stats.members, stats.embedded_packages) == (members, embedded)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert stats.uncompressed >= sum(i.file_size for i in zf.infolist())


# fmt: off
REFUSED: list[tuple[str, Callable[[], bytes], dict[str, float], type[BankmindError], list[str]]] = [
    # id, data, limits, error, phrases the message must hold
    ("declared-total-over-limit", lambda: f.xlsx_bomb(20 * MB), {}, ZipBomb,
     ["10 MB", "BANKMIND_ZIP_MAX_UNCOMPRESSED", "raise BANKMIND_ZIP_MAX_UNCOMPRESSED"]),
    ("ratio-over-limit", lambda: f.xlsx_bomb(5 * MB), {}, ZipBomb,
     ["'xl/worksheets/sheet1.xml'", "over the limit of 100", "BANKMIND_ZIP_MAX_RATIO"]),
    ("lying-header", lambda: f.xlsx_lying_bomb(50 * MB), {}, ZipBomb,
     ["'xl/worksheets/sheet1.xml'", "1,024 bytes its header declares", "save it again"]),
    ("lying-header-small-claim", lambda: f.xlsx_lying_bomb(2 * MB, declared=100), {"max_ratio": 10_000},
     ZipBomb, ["100 bytes its header declares"]),
    ("nested-archive", f.nested_zip_docx, {}, ZipBomb, ["'word/media/image1.png'", "nested archives"]),
    ("archive-inside-embedding", f.docx_embedding_with_archive, {}, ZipBomb,
     ["'xl/media/data.zip' inside 'word/embeddings/Microsoft_Excel_Worksheet.xlsx'"]),
    ("bomb-inside-embedding", lambda: f.docx(extra={"word/embeddings/x.xlsx": f.xlsx_bomb(20 * MB)}), {},
     ZipBomb, ["BANKMIND_ZIP_MAX_UNCOMPRESSED"]),
    ("too-many-members", lambda: f.xlsx_with_members(10_001), {}, ZipBomb, ["more than 10,000 files"]),
    ("shared-data", f.xlsx_shared_data, {}, ZipBomb, ["sharing the same data"]),
    ("path-traversal", lambda: f.xlsx_with_member("../../etc/cron.d/x.xml"), {}, UnsupportedFormat,
     ["unsafe path", "'../../etc/cron.d/x.xml'", "save it again"]),
    ("absolute-path", lambda: f.xlsx_with_member("/etc/passwd"), {}, UnsupportedFormat, ["unsafe path"]),
    ("windows-path", lambda: f.xlsx_with_member("C:\\Windows\\x.xml"), {}, UnsupportedFormat,
     ["unsafe path"]),
    ("encrypted-member", f.xlsx_encrypted_member, {}, EncryptedFile, ["remove the password"]),
    ("truncated", f.truncated_zip, {}, UnsupportedFormat, ["damaged", "save it again"]),
    ("corrupt-directory", f.corrupt_central_directory, {}, UnsupportedFormat, ["damaged"]),
    ("corrupt-member-data", f.corrupt_member, {}, UnsupportedFormat, ["damaged", "sheet1.xml"]),
    ("headers-disagree", f.xlsx_headers_disagree, {}, UnsupportedFormat, ["headers of", "disagree"]),
    ("not-a-zip", f.text_pdf, {}, UnsupportedFormat, ["damaged"]),
]
# fmt: on


@pytest.mark.parametrize("make, limits, error, phrases", [pytest.param(*c[1:], id=c[0]) for c in REFUSED])
def test_refusals_name_the_file_the_limit_and_the_fix(
    make: Callable[[], bytes], limits: dict[str, float], error: type[BankmindError], phrases: list[str]
) -> None:
    with pytest.raises(error) as caught:
        _check(make(), limits)
    assert type(caught.value) is error and caught.value.code == error.code
    assert "'估值表.xlsx'" in caught.value.message
    for phrase in phrases:
        assert phrase in caught.value.message


def test_the_member_limit_is_a_parameter() -> None:
    with pytest.raises(ZipBomb, match="more than 3 files"):
        check_zip(f.xlsx(), max_uncompressed=LIMIT, max_ratio=100.0, max_members=3)


def test_a_higher_ratio_limit_lets_a_genuine_sparse_sheet_through() -> None:
    stats = check_zip(f.xlsx_bomb(5 * MB), max_uncompressed=LIMIT, max_ratio=5000.0)
    assert stats.uncompressed > 5 * MB


def test_open_zip_counts_members_before_parsing() -> None:
    with pytest.raises(ZipBomb):
        open_zip(f.xlsx_with_members(20), max_members=10)
    with open_zip(f.xlsx()) as zf:
        assert "xl/workbook.xml" in zf.namelist()


def test_an_archive_claiming_an_unknown_zip_version_is_called_damaged() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    data = bytearray(buffer.getvalue())
    data[data.find(b"PK\x01\x02") + 6] = 105  # "version needed to extract": 10.5
    with pytest.raises(UnsupportedFormat, match=r"'合同\.docx' is damaged"):
        check_zip(bytes(data), filename="合同.docx", max_uncompressed=10**8, max_ratio=100)
