"""Upload intake on both stores: what is accepted and stored, and every refusal with its code and fix."""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bankmind.config import Settings, load_settings
from bankmind.documents import accept_upload, accepted_kinds_label, read_limited, sanitize_filename
from bankmind.errors import BankmindError, EmptyFile, EncryptedFile, FileTooLarge, UnsupportedFormat, ZipBomb
from bankmind.store import Store
from bankmind.store.blobs import BlobStore, get_document
from bankmind.store.schema import Document

from . import factories as f

MB = 1024 * 1024
VALUATION_PLACE = frozenset({"xlsx", "xls", "csv"})


def _settings(home: Path, **overrides: Any) -> Settings:
    return load_settings(home=home, chat={"provider": "none"}, **overrides)


def _count_documents(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(Document)) or 0)


def _blob_files(settings: Settings) -> list[Path]:
    return [p for p in settings.blobs_dir.rglob("*") if p.is_file()] if settings.blobs_dir.exists() else []


# accepted -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, filename, kind",
    [
        pytest.param(f.xlsx, "估值表_0630.xlsx", "xlsx", id="xlsx"),
        pytest.param(f.docx_with_chart, "尽调报告.docx", "docx", id="docx"),
        pytest.param(f.text_pdf, "合同.pdf", "pdf", id="pdf"),
        pytest.param(f.xls, "估值表.xls", "xls", id="xls"),
        pytest.param(lambda: f.encoded(f.VALUATION_CSV, "gbk"), "估值表.csv", "csv", id="csv-gbk"),
        pytest.param(lambda: f.encoded(f.CONTRACT_TXT, "utf-16"), "合同.txt", "txt", id="txt-utf16"),
        pytest.param(lambda: b"<html><body><p>x</p></body></html>", "page.html", "html", id="html"),
        pytest.param(lambda: "# 制度\n\n- 第一条\n- 第二条\n".encode(), "制度.md", "md", id="md"),
        pytest.param(lambda: f.image("png"), "印章.png", "png", id="png"),
        pytest.param(lambda: f.image("jpeg"), "扫描件.jpg", "jpeg", id="jpeg"),
        pytest.param(lambda: f.image("tiff"), "传真.tif", "tiff", id="tiff"),
    ],
)
def test_accepts_and_stores_by_content_hash(
    store: Store, settings: Settings, make: Callable[[], bytes], filename: str, kind: str
) -> None:
    data = make()
    doc = accept_upload(settings, store, filename=filename, data=data, owner_id=None, acl=["custody"])
    assert (doc.kind, doc.filename, doc.size, doc.acl) == (kind, filename, len(data), ["custody"])
    assert doc.content_hash == hashlib.sha256(data).hexdigest()
    assert BlobStore(settings.blobs_dir).read(doc.content_hash) == data
    stored = get_document(store, doc.id)
    assert stored.model_dump(exclude={"created_at"}) == doc.model_dump(exclude={"created_at"})


def test_the_same_upload_twice_is_one_blob_and_one_row(store: Store, settings: Settings) -> None:
    first = accept_upload(settings, store, filename="a.xlsx", data=f.xlsx(), owner_id=None)
    again = accept_upload(settings, store, filename="a.xlsx", data=f.xlsx(), owner_id=None)
    assert first.id == again.id
    assert len(_blob_files(settings)) == 1


def test_the_content_decides_the_stored_kind(store: Store, settings: Settings) -> None:
    doc = accept_upload(settings, store, filename="估值表.xlsx", data=f.text_pdf(), owner_id=None)
    assert (doc.kind, doc.media_type, doc.filename) == ("pdf", "application/pdf", "估值表.xlsx")


@pytest.mark.parametrize(
    "given, stored",
    [
        ("C:\\Users\\张三\\Desktop\\估值表.xlsx", "估值表.xlsx"),
        ("../../etc/passwd.xlsx", "passwd.xlsx"),
        ("估值表\u202egpj.xlsx", "估值表gpj.xlsx"),
        ("a\r\nb\x00c.xlsx", "abc.xlsx"),
        ("   ", "upload"),
        ("..", "upload"),
        ("长" * 300 + ".xlsx", "长" * 195 + ".xlsx"),
    ],
)
def test_filenames_are_sanitised(store: Store, settings: Settings, given: str, stored: str) -> None:
    assert sanitize_filename(given) == stored
    doc = accept_upload(settings, store, filename=given, data=f.xlsx(), owner_id=None)
    assert doc.filename == stored


# refused --------------------------------------------------------------------------------
# fmt: off
REFUSED: list[tuple[str, Callable[[], bytes], str, dict[str, Any], frozenset[str] | None,
                    type[BankmindError], list[str]]] = [
    # id, data, filename, settings, allowed kinds, error, phrases naming the limit / the fix
    ("empty", lambda: b"", "估值表.xlsx", {}, None, EmptyFile, ["empty", "upload it again"]),
    ("oversize", lambda: f.encoded(f.VALUATION_CSV, "gbk") * 200, "估值表.csv",
     {"upload_max_bytes": 10_000}, None, FileTooLarge,
     ["is 21 KB; the upload limit is 9.8 KB", "BANKMIND_UPLOAD_MAX_BYTES", "Split the file"]),
    ("oversize-mb", lambda: b"a,b\n" * (MB // 2 + 1), "big.csv", {"upload_max_bytes": 2 * MB}, None,
     FileTooLarge, ["is 2.0 MB", "limit is 2 MB (BANKMIND_UPLOAD_MAX_BYTES)"]),
    ("wrong-type", f.text_pdf, "合同.pdf", {}, VALUATION_PLACE, UnsupportedFormat,
     ["is a PDF document", "accepts Excel workbook (.xlsx), Excel 97-2003 workbook (.xls), CSV (.csv)",
      "Save it as one of those"]),
    ("wrong-type-name-lies", f.text_pdf, "估值表.xlsx", {}, VALUATION_PLACE, UnsupportedFormat,
     ["is a PDF document (its name says .xlsx, its content does not)"]),
    ("binary", f.binary_garbage, "notes.txt", {}, None, UnsupportedFormat, ["binary data", "Upload a PDF"]),
    ("binary-here", f.binary_garbage, "估值表.xls", {}, VALUATION_PLACE, UnsupportedFormat,
     ["binary data", "this place accepts Excel workbook (.xlsx)"]),
    ("zip-bomb", lambda: f.xlsx_bomb(20 * MB), "估值表.xlsx", {"zip_max_uncompressed": 10 * MB}, None,
     ZipBomb, ["over the limit of 10 MB", "BANKMIND_ZIP_MAX_UNCOMPRESSED"]),
    ("zip-bomb-ratio", lambda: f.xlsx_bomb(5 * MB), "估值表.xlsx", {}, None, ZipBomb,
     ["BANKMIND_ZIP_MAX_RATIO"]),
    ("zip-bomb-lying-header", lambda: f.xlsx_lying_bomb(20 * MB), "估值表.xlsx", {}, None, ZipBomb,
     ["its header declares", "save it again"]),
    ("nested-zip", f.nested_zip_docx, "报告.docx", {}, None, ZipBomb, ["nested archives"]),
    ("encrypted-xlsx", f.encrypted_ooxml, "估值表.xlsx", {}, None, EncryptedFile, ["remove the password"]),
    ("encrypted-pdf", f.encrypted_pdf, "对账单.pdf", {}, None, EncryptedFile, ["unprotected copy"]),
    ("encrypted-xls", lambda: f.xls(encrypted=True), "估值表.xls", {}, None, EncryptedFile,
     ["remove the password"]),
    ("damaged-zip", f.truncated_zip, "估值表.xlsx", {}, None, UnsupportedFormat,
     ["damaged", "save it again"]),
    ("image-bomb", f.png_bomb, "扫描件.png", {}, None, FileTooLarge,
     ["50,000 × 50,000 pixels", "89 megapixels", "lower resolution"]),
    ("damaged-image", lambda: f.image("jpeg")[:10], "扫描件.jpg", {}, None, UnsupportedFormat,
     ["cannot be read", "save it again"]),
]
# fmt: on


@pytest.mark.parametrize(
    "make, filename, overrides, allowed, error, phrases", [pytest.param(*c[1:], id=c[0]) for c in REFUSED]
)
def test_refusals_say_what_failed_which_file_and_the_fix(
    store: Store,
    _isolated_home: Path,
    make: Callable[[], bytes],
    filename: str,
    overrides: dict[str, Any],
    allowed: frozenset[str] | None,
    error: type[BankmindError],
    phrases: list[str],
) -> None:
    settings = _settings(_isolated_home, **overrides)
    with pytest.raises(error) as caught:
        accept_upload(settings, store, filename=filename, data=make(), owner_id=None, allowed_kinds=allowed)
    exc = caught.value
    assert type(exc) is error and exc.code == error.code
    assert f"'{filename}'" in exc.message
    for phrase in phrases:
        assert phrase in exc.message
    assert _count_documents(store) == 0
    assert _blob_files(settings) == []


def test_refusals_and_acceptances_never_log_names_or_content(
    store: Store, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    secret_id = "110101199003074578"
    caplog.set_level(logging.DEBUG)
    with pytest.raises(UnsupportedFormat) as caught:
        accept_upload(settings, store, filename="张三.txt", data=b"\x00" + secret_id.encode(), owner_id=None)
    assert secret_id not in caught.value.message
    accept_upload(
        settings, store, filename="张三.csv", data=f"name,id\n张三,{secret_id}\n".encode(), owner_id=None
    )
    assert secret_id not in caplog.text and "张三" not in caplog.text
    events = [r.getMessage() for r in caplog.records]
    assert "documents.upload.refused" in events and "documents.upload.accepted" in events


def test_accepted_kinds_label_lists_kinds_in_a_stable_order() -> None:
    assert accepted_kinds_label(frozenset({"csv", "xlsx"})) == "Excel workbook (.xlsx), CSV (.csv)"
    assert accepted_kinds_label(None).startswith("PDF (.pdf), Word document (.docx)")


# read_limited ---------------------------------------------------------------------------
class _CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.served = 0

    def read(self, size: int | None = -1, /) -> bytes:
        chunk = super().read(size)
        self.served += len(chunk)
        return chunk


@pytest.mark.parametrize("size", [0, 1, 999, 1000])
def test_read_limited_returns_everything_up_to_the_limit(size: int) -> None:
    assert read_limited(io.BytesIO(b"x" * size), 1000) == b"x" * size


def test_read_limited_stops_just_past_the_limit() -> None:
    stream = _CountingStream(b"x" * (10 * MB))
    with pytest.raises(FileTooLarge) as caught:
        read_limited(stream, MB, filename="大文件.csv")
    assert stream.served == MB + 1
    assert "'大文件.csv'" in caught.value.message and "BANKMIND_UPLOAD_MAX_BYTES" in caught.value.message
