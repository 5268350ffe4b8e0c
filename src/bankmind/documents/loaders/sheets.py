"""Spreadsheets: xlsx / xls (python-calamine) and csv (the csv module), one table per sheet.

Each sheet's used range becomes a table block, header row first, with `locator="估值表!A1:F20"`
(a CSV has no sheet: `A1:F20`). Empty rows and columns around the data and fully empty rows inside
it are dropped. Numbers read as Excel shows them by default (`1000`, not `1000.0`; at most 15
significant digits), dates as ISO 8601. A sheet of more than `MAX_TABLE_ROWS` rows is cut into
pieces of at most that many rows, each starting with the header row again, each with its own
locator (the header's row is in the first piece's range only). Callers run the zip-bomb guard on
an xlsx first (`load_document` does).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from decimal import Decimal
from typing import Any

from bankmind.documents.content import Block, LoadedDocument
from bankmind.documents.loaders import clean, damaged, table_block
from bankmind.documents.sniff import KINDS, Sniffed
from bankmind.errors import EncryptedFile

__all__ = ["MAX_TABLE_ROWS", "cell_text", "column_name", "load"]

MAX_TABLE_ROWS = 200
"""Most rows (header included) in one table block."""

_FIX = "Open it in Excel or WPS, save it again as .xlsx and upload the new copy."
_CSV_FIX = "Open it in Excel or WPS, save it again as CSV UTF-8 and upload the new copy."

Rows = list[tuple[int, list[str]]]
"""(1-based row number, cell texts)."""


def load(data: bytes, sniffed: Sniffed, *, who: str, ocr: bool) -> LoadedDocument:
    """Every non-empty sheet as table blocks; see the module docstring."""
    sheets: list[tuple[str | None, int, Rows]]
    if sniffed.kind == "csv":
        sheets = [(None, 1, _csv_rows(data, sniffed, who))]
    else:
        sheets = _workbook(data, sniffed, who)
    blocks: list[Block] = []
    for name, first_col, rows in sheets:
        blocks.extend(_tables(name, first_col, rows))
    encoding = sniffed.encoding if sniffed.kind == "csv" else None
    return LoadedDocument(kind=sniffed.kind, blocks=blocks, encoding=encoding)


def _workbook(data: bytes, sniffed: Sniffed, who: str) -> list[tuple[str | None, int, Rows]]:
    import python_calamine as calamine

    noun = KINDS[sniffed.kind].noun
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets: list[tuple[str | None, int, Rows]] = []
        for meta in book.sheets_metadata:
            if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                continue  # chart and dialog sheets hold no cells
            sheet = book.get_sheet_by_name(meta.name)
            values = sheet.to_python(skip_empty_area=True)
            row0, col0 = sheet.start or (0, 0)
            rows = [(row0 + i + 1, [cell_text(v) for v in row]) for i, row in enumerate(values)]
            sheets.append((meta.name, col0 + 1, rows))
        return sheets
    except calamine.PasswordError as exc:
        raise EncryptedFile(
            f"{who} is password-protected; remove the password in Excel (File → Info → Protect "
            "Workbook), save it and upload it again."
        ) from exc
    except calamine.CalamineError as exc:
        raise damaged(who, noun, _FIX, str(exc)[:80]) from exc
    except BaseException as exc:  # calamine's Rust code panics (PanicException) on some broken files
        if type(exc).__name__ != "PanicException":
            raise
        raise damaged(who, noun, _FIX) from exc


def _csv_rows(data: bytes, sniffed: Sniffed, who: str) -> Rows:
    text = data.decode(sniffed.encoding or "utf-8").lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniffed.delimiter or ",")
    try:
        return [(number, [clean(cell) for cell in row]) for number, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise damaged(who, "a CSV file", _CSV_FIX, f"line {reader.line_num}") from exc


def cell_text(value: Any) -> str:
    """A cell as Excel shows it by default: `1000`, `0.3`, `12345.67`, `TRUE`, `2025-06-30`."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        text = format(value, ".15g")
        return format(Decimal(text), "f") if "e" in text else text
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return clean(str(value)) if value is not None else ""


def column_name(index: int) -> str:
    """1 → A, 26 → Z, 27 → AA."""
    name = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _trim(rows: Rows, first_col: int) -> tuple[Rows, int]:
    """Drop empty rows and the empty columns on both sides; pad rows to one width."""
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows:
        return [], first_col
    start = min(next(i for i, cell in enumerate(cells) if cell) for _, cells in rows)
    end = max(max(i for i, cell in enumerate(cells) if cell) for _, cells in rows) + 1
    trimmed = [(number, (cells + [""] * (end - len(cells)))[start:end]) for number, cells in rows]
    return trimmed, first_col + start


def _tables(name: str | None, first_col: int, rows: Rows) -> list[Block]:
    rows, first_col = _trim(rows, first_col)
    if not rows:
        return []
    last_col = first_col + len(rows[0][1]) - 1
    prefix = f"{_sheet_ref(name)}!" if name is not None else ""

    def locator(first: int, last: int) -> str:
        return f"{prefix}{column_name(first_col)}{first}:{column_name(last_col)}{last}"

    header, body = rows[0], rows[1:]
    if len(rows) <= MAX_TABLE_ROWS:
        return [table_block([cells for _, cells in rows], locator=locator(header[0], rows[-1][0]))]
    blocks = []
    step = MAX_TABLE_ROWS - 1
    for start in range(0, len(body), step):
        piece = body[start : start + step]
        first = header[0] if start == 0 else piece[0][0]
        cells = [header[1], *(row for _, row in piece)]
        blocks.append(table_block(cells, locator=locator(first, piece[-1][0])))
    return blocks


def _sheet_ref(name: str) -> str:
    """A sheet name as a formula writes it: quoted unless it is letters, digits and `_` only."""
    if name and all(ch.isalnum() or ch == "_" for ch in name):
        return name
    return "'" + name.replace("'", "''") + "'"
