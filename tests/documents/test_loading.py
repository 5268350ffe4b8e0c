"""`load_document`: the content picks the loader, every refusal names the file, nothing else escapes."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from bankmind.config import Settings
from bankmind.documents import LoadedDocument, load_document
from bankmind.documents.loaders import pdf as pdf_loader
from bankmind.documents.sniff import Sniffed
from bankmind.errors import BankmindError, EmptyFile, UnsupportedFormat, ZipBomb

from . import factories as base
from .loaders import factories as f
from .loaders import office

ROWS: list[list[str | float | int | bool]] = [["科目", "市值"], ["股票", 1.5]]

# fmt: off
DOCUMENTS: list[tuple[str, Callable[[], bytes], str, str]] = [
    # id, data, file name, kind
    ("pdf", lambda: f.handbook_pdf(scanned_page=False), "员工手册.pdf", "pdf"),
    ("docx", office.handbook_docx, "员工手册.docx", "docx"),
    ("xlsx", lambda: office.workbook({"估值表": office.grid(ROWS)}), "估值表.xlsx", "xlsx"),
    ("xls", lambda: office.xls([["科目", "市值"], ["股票", 1.5]]), "估值表.xls", "xls"),
    ("csv", lambda: base.encoded(base.VALUATION_CSV, "gbk"), "估值表.csv", "csv"),
    ("html", lambda: b"<html><body><h1>T</h1><p>x</p></body></html>", "a.html", "html"),
    ("md", lambda: "# 标题\n\n正文。\n".encode(), "a.md", "md"),
    ("txt", lambda: base.encoded(base.CONTRACT_TXT, "gbk"), "合同.txt", "txt"),
]
# fmt: on


@pytest.mark.parametrize(
    ("data", "filename", "kind"), [d[1:] for d in DOCUMENTS], ids=[d[0] for d in DOCUMENTS]
)
def test_each_kind_loads_into_blocks(data: Callable[[], bytes], filename: str, kind: str) -> None:
    doc = load_document(data(), filename)
    assert isinstance(doc, LoadedDocument) and doc.kind == kind
    assert doc.blocks and all(block.text for block in doc.blocks)


def test_the_content_decides_not_the_name() -> None:
    doc = load_document(office.handbook_docx(), "looks-like-a.pdf")
    assert doc.kind == "docx"


def test_the_title_defaults_to_a_leading_heading() -> None:
    assert load_document(base.encoded(base.CONTRACT_TXT, "utf-8"), "合同.txt").title == "借款合同"
    assert load_document("正文。\n".encode(), "a.txt").title is None


def test_zip_limits_come_from_settings_when_given() -> None:
    data = office.workbook({"Sheet1": office.grid([["a", "b"], ["x" * 3000, "y"]])})
    load_document(data, "ok.xlsx")
    tight = Settings(zip_max_uncompressed=2000)
    with pytest.raises(ZipBomb, match=r"^'ok\.xlsx' .*BANKMIND_ZIP_MAX_UNCOMPRESSED"):
        load_document(data, "ok.xlsx", settings=tight)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"^'x\.bin' is empty \(0 bytes\)"),
        (b"   \n\n", r"^'x\.bin' holds no text, only blanks"),
    ],
)
def test_empty_files(data: bytes, message: str) -> None:
    with pytest.raises(EmptyFile, match=message):
        load_document(data, "x.bin")


def test_a_library_failure_becomes_one_line_naming_the_file(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(data: bytes, sniffed: Sniffed, *, who: str, ocr: bool) -> LoadedDocument:
        raise KeyError("客户姓名 张三")  # a parser's internal error, carrying document text

    monkeypatch.setattr(pdf_loader, "load", explode)
    with caplog.at_level(logging.INFO), pytest.raises(UnsupportedFormat) as info:
        load_document(base.text_pdf(), "report.pdf")
    assert info.value.message.startswith("'report.pdf' could not be read as a PDF document (KeyError)")
    assert "张三" not in info.value.message
    assert "张三" not in "".join(r.getMessage() + str(r.__dict__.get("error")) for r in caplog.records)


def test_the_log_line_carries_counts_not_text(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bankmind.documents.loading"):
        load_document(base.encoded(base.CONTRACT_TXT, "utf-8"), "合同.txt")
    [record] = [r for r in caplog.records if r.getMessage() == "documents.load.done"]
    assert record.__dict__["kind"] == "txt" and record.__dict__["blocks"] == 3
    assert "借款" not in str(record.__dict__)


@pytest.mark.parametrize(
    ("data", "filename", "kind"), [d[1:] for d in DOCUMENTS], ids=[d[0] for d in DOCUMENTS]
)
@pytest.mark.parametrize("keep", [0.3, 0.7, 0.97])
def test_a_truncated_file_loads_or_is_refused_by_name(
    data: Callable[[], bytes], filename: str, kind: str, keep: float
) -> None:
    whole = data()
    try:
        load_document(whole[: int(len(whole) * keep)], filename, ocr=False)
    except BankmindError as exc:
        assert exc.message.startswith(f"'{filename}'"), exc.message
