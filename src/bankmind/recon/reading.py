"""A valuation-table file as a grid of cells with their A1 addresses.

The content decides the reader (`bankmind.documents.sniff`), never the file name: .xlsx (after the
zip-bomb guard) and .xls through python-calamine, CSV in UTF-8 (with or without BOM), GBK/GB18030 or
whatever charset-normalizer finds. Numbers stay numbers (`float` from a workbook; text from a CSV is
parsed later by `parse.number`). Every refusal is an `InputError` subclass whose message names the
file and the fix.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from dataclasses import dataclass
from pathlib import Path

from bankmind.documents.filenames import quoted
from bankmind.documents.sizes import format_size
from bankmind.documents.sniff import KINDS, sniff
from bankmind.documents.zipguard import check_zip
from bankmind.errors import EmptyFile, EncryptedFile, FileTooLarge, UnsupportedFormat

__all__ = ["MAX_BYTES", "Cell", "Sheet", "address", "read_sheets"]

MAX_BYTES = 50 * 1024 * 1024
"""Largest file read (a daily 估值表 is tens of kilobytes; a year of them fits easily)."""

MAX_ROWS = 100_000
"""Most rows read from one sheet."""

ZIP_MAX_UNCOMPRESSED = 300 * 1024 * 1024
ZIP_MAX_RATIO = 100.0

Cell = str | float
"""A cell's value: text (stripped, possibly empty) or a number read from a workbook."""


@dataclass(frozen=True)
class Sheet:
    """One sheet's cells, row 0 = spreadsheet row 1, column 0 = column A."""

    name: str | None
    rows: list[list[Cell]]


def address(row: int, col: int, sheet: str | None = None) -> str:
    """0-based (row, col) as an A1 address: (11, 7) -> `H12`."""
    return f"{_column_name(col)}{row + 1}"


@functools.lru_cache(maxsize=1024)
def _column_name(col: int) -> str:
    """0 -> `A`, 27 -> `AB` (cached: every parsed value records its cell)."""
    name = ""
    col += 1
    while col > 0:
        col, rest = divmod(col - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


_FIX = "Open it in Excel or WPS, save it again as .xlsx and try again."


def read_sheets(
    path: Path,
    *,
    max_bytes: int = MAX_BYTES,
    zip_max_uncompressed: int = ZIP_MAX_UNCOMPRESSED,
    zip_max_ratio: float = ZIP_MAX_RATIO,
) -> list[Sheet]:
    """Every worksheet of `path` as cell grids; see the module docstring for what is refused."""
    who = quoted(path.name)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FileTooLarge(
                f"{who} is {format_size(size)}, over the limit of {format_size(max_bytes)}; "
                "a valuation table is far smaller, so check that it is the right file."
            )
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise UnsupportedFormat(f"{who} does not exist; check the path.") from exc
    except IsADirectoryError as exc:
        raise UnsupportedFormat(f"{who} is a folder; give one valuation-table file.") from exc
    except PermissionError as exc:
        raise UnsupportedFormat(f"{who} cannot be read (permission denied); check its permissions.") from exc
    sniffed = sniff(data, path.name)
    if sniffed.kind == "xlsx":
        check_zip(data, max_uncompressed=zip_max_uncompressed, max_ratio=zip_max_ratio, filename=path.name)
    if sniffed.kind in ("xlsx", "xls"):
        sheets = _workbook(data, who, KINDS[sniffed.kind].noun)
    elif sniffed.kind in ("csv", "txt"):
        sheets = [_csv(data, sniffed.encoding or "utf-8", sniffed.delimiter or ",", who)]
    else:
        raise UnsupportedFormat(
            f"{who} is {KINDS[sniffed.kind].noun}, not a valuation table; give an .xlsx, .xls or .csv file."
        )
    if not any(any(_filled(c) for c in row) for sheet in sheets for row in sheet.rows):
        raise EmptyFile(f"{who} has no filled cells; check that it is the valuation table you meant.")
    return sheets


def _filled(cell: Cell) -> bool:
    return not isinstance(cell, str) or bool(cell)


def _value(value: object) -> Cell:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _workbook(data: bytes, who: str, noun: str) -> list[Sheet]:
    import python_calamine as calamine

    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for meta in book.sheets_metadata:
            if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            values = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS)
            sheets.append(Sheet(meta.name, [[_value(v) for v in row] for row in values]))
        return sheets
    except calamine.PasswordError as exc:
        raise EncryptedFile(
            f"{who} is password-protected; remove the password in Excel (File → Info → Protect "
            "Workbook), save it and try again."
        ) from exc
    except calamine.CalamineError as exc:
        raise UnsupportedFormat(f"{who} cannot be read as {noun}; it may be damaged. {_FIX}") from exc
    except BaseException as exc:  # calamine's Rust code panics (PanicException) on some broken files
        if type(exc).__name__ != "PanicException":
            raise
        raise UnsupportedFormat(f"{who} cannot be read as {noun}; it may be damaged. {_FIX}") from exc


def _csv(data: bytes, encoding: str, delimiter: str, who: str) -> Sheet:
    text = data.decode(encoding, errors="replace").lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[Cell]] = []
    try:
        for row in reader:
            rows.append([cell.strip() for cell in row])
            if len(rows) >= MAX_ROWS:
                break
    except csv.Error as exc:
        raise UnsupportedFormat(
            f"{who} is not a readable CSV file (line {reader.line_num}); save it again as CSV UTF-8."
        ) from exc
    return Sheet(None, rows)
