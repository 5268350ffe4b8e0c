"""`parse_table(path) -> ValuationTable`: any custodian's 估值表 as rows, header figures and checks.

Steps: read the cells (`reading`), find the header and columns (`layout`), read the title block
above the header (product, manager, 估值日期, 单位净值), the body rows (those whose code cell holds a
subject code) and the footer rows below (资产类合计, 负债类合计, 基金资产净值, 实收资本, 单位净值,
累计单位净值 — per share class where listed), then link the hierarchy and run `checks`.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from bankmind.documents.filenames import quoted
from bankmind.errors import InputError
from bankmind.recon.checks import run_checks
from bankmind.recon.hierarchy import (
    code_level,
    is_appreciation_account,
    is_subject_code,
    normalise_code,
    parents,
)
from bankmind.recon.layout import Header, find_header, text_of
from bankmind.recon.reading import Cell, Sheet, address, read_sheets
from bankmind.recon.types import ShareClass, ValuationRow, ValuationTable

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

_BLANKS = {"", "-", "--", "—", "－", "***", "null", "none", "n/a"}


def number(cell: Cell) -> Decimal | None:
    """`"1,234.50"` -> 1234.50, `"(12)"` -> -12, `"0.05%"` -> 0.05, blanks and `-` -> None."""
    if isinstance(cell, float):
        return Decimal(format(cell, ".15g"))
    text = unicodedata.normalize("NFKC", cell).strip().replace(",", "").replace(" ", "")
    if text.lower() in _BLANKS:
        return None
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()").rstrip("%")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return -value if negative else value


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})|(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")


def parse_date(text: str) -> dt.date | None:
    """`20250327`, `2025-03-27`, `2025/3/27`, `2025年3月27日` -> date; None when there is none."""
    for match in _DATE.finditer(unicodedata.normalize("NFKC", text)):
        parts = match.groups()
        y, m, d = (parts[0], parts[1], parts[2]) if parts[0] else (parts[3], parts[4], parts[5])
        try:
            return dt.date(int(y), int(m), int(d))
        except ValueError:
            continue
    return None


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
    return _parse_sheet(sheet, header)


# title block -------------------------------------------------------------------------------
_LABELLED = {
    "product": re.compile(r"(?:产品|基金|组合)(?:名称|全称)?[:：]\s*(.+)"),
    "manager": re.compile(r"(?:管理人|基金管理人|管理机构)[:：]\s*(.+)"),
}
_DEDICATED = re.compile(r"^(.+?)_+(.+?)_+专用表$")
_UNIT_NAV = re.compile(r"单位净值\s*[:：]?\s*(-?\d+(?:\.\d+)?)")
_TITLE_NOISE = re.compile(r"(?:证券投资基金|资产|基金)?估值表(?:日报|明细表?)?|单位[:：]\s*元")
_DATE_LABEL = re.compile(r"(?:估值日期|日期|估值基准日|业务日期)")


def _title(rows: list[list[Cell]], header: Header, out: dict[str, Any], source: dict[str, str]) -> None:
    texts = [
        (r, c, text_of(cell))
        for r, row in enumerate(rows[: header.first_row])
        for c, cell in enumerate(row)
        if text_of(cell)
    ]
    for r, c, text in texts:
        where = address(r, c)
        for key, pattern in _LABELLED.items():
            match = pattern.search(text)
            if match and key not in out:
                out[key], source[key] = match.group(1).strip(), where
        dedicated = _DEDICATED.match(text)
        if dedicated and "product" not in out:
            out["manager"], out["product"] = dedicated.group(1).strip("_ "), dedicated.group(2).strip("_ ")
            source["manager"] = source["product"] = where
        nav = _UNIT_NAV.search(text)
        if nav and "unit_nav" not in out:
            out["unit_nav"], source["unit_nav"] = Decimal(nav.group(1)), where
        if _DATE_LABEL.search(text) and "valuation_date" not in out:
            value = parse_date(text)
            if value is None and c + 1 < len(rows[r]):
                value = parse_date(text_of(rows[r][c + 1]))
            if value is not None:
                out["valuation_date"], source["valuation_date"] = value, where
    if "valuation_date" not in out:
        for r, c, text in texts:
            value = parse_date(text)
            if value is not None:
                out["valuation_date"], source["valuation_date"] = value, address(r, c)
                break
    for r, c, text in texts:
        if "product" in out:
            break
        if "单位净值" in text or _DATE_LABEL.search(text):
            continue
        name = _TITLE_NOISE.sub("", _DATE.sub("", text)).strip("_-— ")
        if name:
            out["product"], source["product"] = name, address(r, c)


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
def _parse_sheet(sheet: Sheet, header: Header) -> ValuationTable:
    rows = sheet.rows
    out: dict[str, Any] = {}
    source: dict[str, str] = {}
    _title(rows, header, out, source)
    code_col = header.columns.get("subject_code", 0)
    name_col = header.columns.get("subject_name")
    body: list[dict[str, Any]] = []
    classes: dict[str, dict[str, Any]] = {}
    footer: dict[str, Any] = {}
    for r in range(header.last_row + 1, len(rows)):
        row = rows[r]
        code_text = text_of(row[code_col]) if code_col < len(row) else ""
        if code_text and is_subject_code(code_text):
            body.append(_body_row(row, r, code_text, header))
            continue
        for col in (code_col, name_col if name_col is not None else code_col):
            label = text_of(row[col]) if col < len(row) else ""
            parsed = _footer_label(label) if label else None
            if parsed is None:
                continue
            name, share_class = parsed
            found = _footer_value(row, col, header)
            if found is not None:
                target = footer if share_class is None else classes.setdefault(share_class, {})
                if name not in target:
                    target[name] = found[0]
                    if share_class is None:
                        source[name] = address(r, found[1])
            break
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


def _body_row(row: list[Cell], r: int, code_text: str, header: Header) -> dict[str, Any]:
    item: dict[str, Any] = {
        "raw_code": code_text,
        "subject_code": normalise_code(code_text),
        "level": code_level(code_text),
        "source": {"subject_code": address(r, header.columns.get("subject_code", 0))},
    }
    for key, col in header.columns.items():
        if key == "subject_code" or col >= len(row):
            continue
        cell = row[col]
        if key in _NUMERIC_FIELDS:
            value: Any = number(cell)
        else:
            value = text_of(cell).strip("【】[] ") or None
        if value is not None:
            item[key] = value
            item["source"][key] = address(r, col)
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
