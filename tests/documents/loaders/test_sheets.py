"""Spreadsheets: one table per sheet with its cell range, numbers as Excel shows them, big sheets
cut into pieces that repeat the header, CSV in the encoding sniff found."""

from __future__ import annotations

import datetime as dt

import pytest

from bankmind.documents.loaders.sheets import MAX_TABLE_ROWS, cell_text, column_name
from bankmind.documents.loading import load_document
from bankmind.errors import EmptyFile, EncryptedFile, UnsupportedFormat

from .. import factories as base
from . import office

VALUATION = [
    ["科目代码", "科目名称", "数量", "市值"],
    ["1102.01.01", "股票投资", 1000.0, 12345.67],
    ["1103.02.01", "债券投资", 0.1 + 0.2, 1e-7],
    ["", "", "", ""],  # an empty row inside the data is dropped
    ["合计", "", True, 62555.67],
]


def test_a_sheet_is_one_table_with_its_range_and_excel_like_numbers() -> None:
    data = office.workbook({"估值表": office.grid(VALUATION, row=3, col=2)})  # data starts at B3
    doc = load_document(data, "估值表_0630.xlsx")
    [table] = doc.blocks
    assert table.kind == "table" and table.locator == "估值表!B3:E7" and table.page is None
    assert table.rows == [
        ["科目代码", "科目名称", "数量", "市值"],
        ["1102.01.01", "股票投资", "1000", "12345.67"],
        ["1103.02.01", "债券投资", "0.3", "0.0000001"],
        ["合计", "", "TRUE", "62555.67"],
    ]
    assert table.text.startswith("| 科目代码 | 科目名称 | 数量 | 市值 |\n|---|---|---|---|\n")
    assert doc.kind == "xlsx" and doc.encoding is None


def test_each_sheet_in_order_empty_sheets_skipped_names_quoted_in_locators() -> None:
    data = office.workbook(
        {
            "Sheet1": office.grid([["a", "b"], [1, 2]]),
            "空表": {},
            "My Sheet": office.grid([["x", "y"], [3, 4]]),
        }
    )
    doc = load_document(data, "book.xlsx")
    assert [b.locator for b in doc.blocks] == ["Sheet1!A1:B2", "'My Sheet'!A1:B2"]


def test_a_big_sheet_is_cut_into_pieces_that_repeat_the_header() -> None:
    rows: list[list[str | float | int | bool]] = [["日期", "科目", "市值"]]
    rows += [[f"2025-06-{i % 30 + 1:02d}", f"科目{i}", i * 1.5] for i in range(449)]
    doc = load_document(office.workbook({"流水": office.grid(rows)}), "流水.xlsx")
    assert [b.locator for b in doc.blocks] == ["流水!A1:C200", "流水!A201:C399", "流水!A400:C450"]
    assert [len(b.rows or []) for b in doc.blocks] == [MAX_TABLE_ROWS, MAX_TABLE_ROWS, 52]
    assert all((b.rows or [])[0] == ["日期", "科目", "市值"] for b in doc.blocks)
    data_rows = [row for b in doc.blocks for row in (b.rows or [])[1:]]
    assert [row[1] for row in data_rows] == [f"科目{i}" for i in range(449)]


def test_an_xls_workbook_reads_through_calamine() -> None:
    doc = load_document(office.xls([["科目", "市值"], ["股票", 1000.0], ["债券", 3.25]]), "估值表.xls")
    assert [(b.locator, b.rows) for b in doc.blocks] == [
        ("估值表!A1:B3", [["科目", "市值"], ["股票", "1000"], ["债券", "3.25"]])
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "utf-8-sig", "utf-16"])
def test_csv_in_any_encoding_sniff_finds(encoding: str) -> None:
    doc = load_document(base.encoded(base.VALUATION_CSV, encoding), "估值表.csv")
    [table] = doc.blocks
    assert table.locator == "A1:D3"
    assert table.rows == [
        ["日期", "科目代码", "科目名称", "市值"],
        ["2025-06-30", "1102.01.01", "股票投资", "12345.67"],
        ["2025-06-30", "1103.02.01", "债券投资", "50210.00"],  # text stays as written
    ]
    assert doc.kind == "csv" and doc.encoding is not None


def test_a_workbook_without_cells_is_empty() -> None:
    with pytest.raises(EmptyFile, match=r"^'blank\.xlsx' holds no text"):
        load_document(office.workbook({"Sheet1": {}}), "blank.xlsx")


def test_the_sniffers_fake_xls_has_no_cells() -> None:
    with pytest.raises(EmptyFile, match=r"^'old\.xls'"):
        load_document(base.xls(), "old.xls")


def test_password_protected_workbooks_are_refused_by_name() -> None:
    with pytest.raises(EncryptedFile, match=r"^'secret\.xlsx' is password-protected"):
        load_document(base.encrypted_ooxml(), "secret.xlsx")


def test_a_workbook_calamine_cannot_read_is_refused_by_name() -> None:
    parts = base.xlsx_parts()
    parts["xl/workbook.xml"] = "<workbook"  # not XML
    with pytest.raises(UnsupportedFormat, match=r"^'broken\.xlsx' cannot be read as an Excel workbook"):
        load_document(base._write_zip(parts), "broken.xlsx")


# fmt: off
CELLS = [
    (1000.0, "1000"), (12345.67, "12345.67"), (0.1 + 0.2, "0.3"), (-2.5, "-2.5"), (1e-7, "0.0000001"),
    (1e20, "100000000000000000000"), (7, "7"), (True, "TRUE"), (False, "FALSE"), ("  a  b ", "a b"),
    (dt.date(2025, 6, 30), "2025-06-30"), (dt.datetime(2025, 6, 30), "2025-06-30"),
    (dt.datetime(2025, 6, 30, 9, 30), "2025-06-30 09:30:00"), (dt.time(9, 30), "09:30:00"), (None, ""),
]
# fmt: on


@pytest.mark.parametrize(("value", "text"), CELLS)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


@pytest.mark.parametrize(("index", "name"), [(1, "A"), (26, "Z"), (27, "AA"), (52, "AZ"), (703, "AAA")])
def test_column_name(index: int, name: str) -> None:
    assert column_name(index) == name
