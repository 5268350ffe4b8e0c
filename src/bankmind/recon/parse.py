"""`parse_table(path) -> ValuationTable`: any custodian's 估值表 as rows, header figures and checks.

Steps: read the cells (`reading`), pick the sheet whose header (`layout`) scores best, read the
title block (`title`: above the header, or on a cover sheet), the body rows (those whose code cell
holds a subject code, joined with a 证券代码 column where the code holds only the account) and the
footer rows below (资产类合计, 负债类合计, 基金资产净值, 实收资本, 单位净值, 累计单位净值 — per
share class where listed — labelled in any column), then link the hierarchy and run `checks`.
Numbers and dates in their many spellings are read by `values`.
"""

from __future__ import annotations

import statistics
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

from bankmind.documents.filenames import quoted
from bankmind.errors import InputError
from bankmind.recon.checks import run_checks
from bankmind.recon.hierarchy import (
    code_level,
    is_appreciation_account,
    is_subject_code,
    join_security,
    normalise_code,
    parents,
)
from bankmind.recon.layout import Header, find_header, text_of
from bankmind.recon.reading import Cell, Sheet, address, read_sheets
from bankmind.recon.title import read_title
from bankmind.recon.types import ShareClass, ValuationRow, ValuationTable
from bankmind.recon.values import number, parse_date

__all__ = ["NoHeaderFound", "number", "parse_date", "parse_table"]


class NoHeaderFound(InputError):
    """No sheet has a row of column titles (科目代码, 科目名称, 成本, 市值 …)."""

    code = "recon_no_header"


_NUMERIC_FIELDS = (
    "quantity",
    "unit_cost",
    "cost",
    "cost_pct_nav",
    "price",
    "market_value",
    "mv_pct_nav",
    "appreciation",
    "fx_rate",
)
_PCT_FIELDS = ("cost_pct_nav", "mv_pct_nav")


def parse_table(path: Path) -> ValuationTable:
    """Parse the valuation table in `path`; see the module docstring.

    Raises an `InputError` subclass for a file that cannot be read or holds no valuation table.
    """
    sheets = read_sheets(path)
    found: list[tuple[Sheet, Header]] = []
    for sheet in sheets:
        header = find_header(sheet.rows)
        if header is not None:
            found.append((sheet, header))
    if not found:
        raise NoHeaderFound(
            f"{quoted(path.name)} has no row of column titles such as 科目代码, 科目名称, 成本, 市值 in "
            "its first rows; check that it is a valuation table (估值表)."
        )
    sheet, header = max(found, key=lambda item: item[1].score)
    return _parse_sheet(sheet, header, [other for other in sheets if other is not sheet])


# footer ------------------------------------------------------------------------------------
_FOOTER_KEYS: tuple[tuple[str, str], ...] = (
    ("基金资产净值", "nav"),
    ("资产净值", "nav"),
    ("资产类合计", "assets_total"),
    ("资产合计", "assets_total"),
    ("负债类合计", "liabilities_total"),
    ("负债合计", "liabilities_total"),
    ("实收资本", "paid_in_capital"),
    ("累计单位净值", "cumulative_unit_nav"),
    ("基金单位净值", "unit_nav"),
    ("今日单位净值", "unit_nav"),
    ("单位净值", "unit_nav"),
)


def _footer_label(text: str) -> tuple[str, str | None] | None:
    label = unicodedata.normalize("NFKC", text).strip().lstrip("-—－ ").rstrip(":： ")
    for key, name in _FOOTER_KEYS:
        if label.startswith(key):
            rest = label[len(key) :]
            if rest.startswith("金额"):
                rest = rest[2:]
            rest = rest.strip(":： ").removeprefix("其中").strip()
            rest = rest.replace("][", " ").strip("[] ")
            return name, (rest or None)
    return None


def _footer_value(row: list[Cell], label_col: int, header: Header) -> tuple[Decimal, int] | None:
    mv_col = header.columns.get("market_value")
    if mv_col is not None and mv_col < len(row) and mv_col != label_col:
        value = number(row[mv_col])
        if value is not None:
            return value, mv_col
    for col in range(label_col + 1, len(row)):
        value = number(row[col])
        if value is not None:
            return value, col
    return None


# body --------------------------------------------------------------------------------------
def _parse_sheet(sheet: Sheet, header: Header, others: list[Sheet]) -> ValuationTable:
    rows = sheet.rows
    out, source = read_title(rows, header.first_row, others)
    code_col = header.columns.get("subject_code", 0)
    name_col = header.columns.get("subject_name")
    security_col = header.columns.get("security_code")
    label_cols = (code_col,) if name_col in (None, code_col) else (code_col, name_col)
    fields = _row_fields(header)
    body: list[dict[str, Any]] = []
    classes: dict[str, dict[str, Any]] = {}
    footer: dict[str, Any] = {}
    for r in range(header.last_row + 1, len(rows)):
        row = rows[r]
        code_text = text_of(row[code_col]) if code_col < len(row) else ""
        if code_text and is_subject_code(code_text):
            if security_col is not None and security_col < len(row):
                code_text = join_security(code_text, text_of(row[security_col]))
            body.append(_body_row(row, r, code_text, code_col, fields))
            continue
        line = _footer_line(row, label_cols, header)
        if line is None:
            continue
        name, share_class, value, col = line
        target = footer if share_class is None else classes.setdefault(share_class, {})
        if name not in target:
            target[name] = value
            if share_class is None:
                source[name] = address(r, col)
    for key, value in footer.items():
        if key == "unit_nav" or key not in out:
            out[key] = value
    _link(body)
    scale = _pct_scale(body, out.get("nav"))
    if scale == 1:
        for item in body:
            for key in _PCT_FIELDS:
                if item.get(key) is not None:
                    item[key] = item[key] * 100
    table = ValuationTable(
        product=out.get("product"),
        manager=out.get("manager"),
        valuation_date=out.get("valuation_date"),
        unit_nav=out.get("unit_nav"),
        nav=out.get("nav"),
        cumulative_unit_nav=out.get("cumulative_unit_nav"),
        paid_in_capital=out.get("paid_in_capital"),
        assets_total=out.get("assets_total"),
        liabilities_total=out.get("liabilities_total"),
        share_classes=[ShareClass(name=name, **values) for name, values in classes.items()],
        pct_scale=scale,
        rows=[ValuationRow(**item) for item in body],
        sheet=sheet.name,
        header_cell=address(header.first_row, code_col),
        source=source,
    )
    return table.model_copy(update={"checks": run_checks(table)})


def _footer_line(
    row: list[Cell], label_cols: tuple[int, ...], header: Header
) -> tuple[str, str | None, Decimal, int] | None:
    """(figure, share class, value, value column) a footer row states. Its label is looked for in the
    code and name columns first, then in any other text cell: a system may print it under a 序号
    column or in a merged cell that starts further left."""
    others = (
        c
        for c, cell in enumerate(row)
        if c not in label_cols and isinstance(cell, str) and not cell.isascii()
    )
    for col in (*(c for c in label_cols if c < len(row)), *others):
        label = text_of(row[col])
        parsed = _footer_label(label) if label else None
        if parsed is None:
            continue
        found = _footer_value(row, col, header)
        return None if found is None else (*parsed, *found)
    return None


def _row_fields(header: Header) -> list[tuple[str, int, bool]]:
    """(field, column, numeric) of every column a body row reads besides its code."""
    skip = ("subject_code", "security_code")
    return [(key, col, key in _NUMERIC_FIELDS) for key, col in header.columns.items() if key not in skip]


def _body_row(
    row: list[Cell], r: int, code_text: str, code_col: int, fields: list[tuple[str, int, bool]]
) -> dict[str, Any]:
    sources = {"subject_code": address(r, code_col)}
    item: dict[str, Any] = {
        "raw_code": code_text,
        "subject_code": normalise_code(code_text),
        "level": code_level(code_text),
        "source": sources,
    }
    width = len(row)
    for key, col, numeric in fields:
        if col >= width or (cell := row[col]) == "":  # most cells are blank: skip them early
            continue
        value: Any = number(cell) if numeric else (text_of(cell).strip("【】[] ") or None)
        if value is not None:
            item[key] = value
            sources[key] = address(r, col)
    return item


def _link(body: list[dict[str, Any]]) -> None:
    codes = [item["subject_code"] for item in body]
    parent_of = parents(codes)
    has_children = {p for p in parent_of if p is not None}
    by_code = dict(zip(codes, parent_of, strict=True))
    for item, parent in zip(body, parent_of, strict=True):
        item["parent_code"] = parent
        item["is_leaf"] = item["subject_code"] not in has_children
        chain = []
        while parent is not None:
            chain.append(parent)
            parent = by_code.get(parent)
        item["is_appreciation"] = is_appreciation_account(
            item["subject_code"], chain, item.get("subject_name")
        )


def _pct_scale(body: list[dict[str, Any]], nav: Decimal | None) -> int:
    """1 when the 占净值 columns hold fractions (0.0698 for 6.98%), else 100."""
    if not nav:
        return 100
    ratios = [
        float(item["market_value"] / nav * 100 / item["mv_pct_nav"])
        for item in body
        if item.get("market_value") and item.get("mv_pct_nav")
    ]
    if len(ratios) < 3:
        return 100
    return 1 if 50 <= statistics.median(ratios) <= 200 else 100
