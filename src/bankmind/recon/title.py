"""The title block of a 估值表: product, manager, 估值日期 and 单位净值 wherever a system prints them.

Three ways, tried in order: values behind a label (`产品名称：稳健一号` in one cell, or `产品名称 |
稳健一号` in two; `管理人_产品_专用表`) in the rows above the table's header; the same on the
workbook's other sheets (a 基本信息 cover sheet), for what the table's sheet does not say; and
last, the title line itself (`稳健一号基金估值表`) and the first date above the header.

A valuation date beats a plain `日期`, and dates labelled as the day the report was made (制表日期,
打印日期 …) are never the valuation date. The product is named without its fund-type suffix
(`稳健一号基金` -> `稳健一号`), so the title line and a 产品名称 cell name a product alike and the two
sides of a reconciliation pair up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bankmind.recon.layout import HEADER_SCAN_ROWS, text_of
from bankmind.recon.reading import Cell, Sheet, address
from bankmind.recon.values import DATE, number, parse_date

__all__ = ["read_title"]

_PRODUCT = re.compile(r"(?:产品|基金|组合)(?:名称|全称)?[:：]\s*(.+)")
_PRODUCT_ONLY = re.compile(r"^(?:产品|基金|组合)(?:名称|全称)[:：]?$")
_MANAGER = re.compile(r"(?:管理人|基金管理人|管理机构)[:：]\s*(.+)")
_MANAGER_ONLY = re.compile(r"^(?:基金)?(?:管理人|管理机构)(?:名称)?[:：]?$")
_DEDICATED = re.compile(r"^(.+?)_+(.+?)_+专用表$")
_UNIT_NAV = re.compile(r"单位净值\s*[:：]?\s*(-?\d+(?:\.\d+)?)")
_UNIT_NAV_ONLY = re.compile(r"^(?:基金|今日)?单位净值[:：]?$")
_VALUATION_DATE = re.compile(r"估值日期|估值基准日|估值日|业务日期|净值日期")
_REPORT_DATE = re.compile(r"(?:制表|打印|生成|导出|报表|编制|报送)(?:日期|时间)")
_NEXT_LABEL = re.compile(r"\s+[^\s:：]{1,10}[:：]")
"""Where a second `label：value` starts in the same cell (`产品名称：稳健一号　估值日期：…`)."""
_TITLE_NOISE = re.compile(r"(?:证券投资基金|资产|基金)?估值表(?:日报|明细表?)?|单位[:：]\s*元")
_FUND_SUFFIX = re.compile(r"(?:证券投资基金|基金)$")

_WANTED = {"product", "manager", "valuation_date", "unit_nav"}

TitleCell = tuple[int, int, str]
"""(row, column, text) of a filled cell."""


@dataclass
class _Found:
    """Values read so far with their rank (lower wins) and source cell."""

    values: dict[str, Any] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)
    rank: dict[str, int] = field(default_factory=dict)

    def offer(self, key: str, value: Any, where: str, rank: int = 0) -> None:
        if value is None or value == "" or self.rank.get(key, rank + 1) <= rank:
            return
        self.values[key], self.source[key], self.rank[key] = value, where, rank


def _cells(rows: list[list[Cell]]) -> list[TitleCell]:
    return [(r, c, t) for r, row in enumerate(rows) for c, cell in enumerate(row) if (t := text_of(cell))]


def _date_rank(text: str) -> int | None:
    """0 for a valuation-date label, 1 for a plain `日期`, None for no label or a report date."""
    if _REPORT_DATE.search(text):
        return None
    if _VALUATION_DATE.search(text):
        return 0
    return 1 if "日期" in text else None


def _value(match: re.Match[str]) -> str:
    text = match.group(1).strip()
    cut = _NEXT_LABEL.search(text)
    return (text[: cut.start()] if cut else text).strip()


def _labelled(cells: list[TitleCell], found: _Found, where: str) -> None:
    """Values behind labels, in the same cell or the next filled cell of the row."""
    for i, (r, c, text) in enumerate(cells):
        nxt = cells[i + 1] if i + 1 < len(cells) and cells[i + 1][0] == r else None
        beside, at = (nxt[2], f"{where}{address(nxt[0], nxt[1])}") if nxt else ("", "")
        here = f"{where}{address(r, c)}"
        if (m := _PRODUCT.search(text)) is not None:
            found.offer("product", _value(m), here)
        elif _PRODUCT_ONLY.match(text):
            found.offer("product", beside, at)
        if (m := _MANAGER.search(text)) is not None:
            found.offer("manager", _value(m), here)
        elif _MANAGER_ONLY.match(text):
            found.offer("manager", beside, at)
        if (dedicated := _DEDICATED.match(text)) is not None and "product" not in found.values:
            found.offer("manager", dedicated.group(1).strip("_ "), here)
            found.offer("product", dedicated.group(2).strip("_ "), here)
        if (nav := _UNIT_NAV.search(text)) is not None:
            found.offer("unit_nav", number(nav.group(1)), here)
        elif _UNIT_NAV_ONLY.match(text) and beside:
            found.offer("unit_nav", number(beside), at)
        rank = _date_rank(text)
        if rank is not None:
            day = parse_date(text)
            if day is not None:
                found.offer("valuation_date", day, here, rank)
            elif beside:
                found.offer("valuation_date", parse_date(beside), at, rank)


def _fallback(cells: list[TitleCell], found: _Found) -> None:
    """The first date above the header, and the title line as the product's name."""
    for r, c, text in cells:
        if "valuation_date" in found.values:
            break
        if not _REPORT_DATE.search(text):
            found.offer("valuation_date", parse_date(text), address(r, c))
    for r, c, text in cells:
        if "product" in found.values:
            break
        name = _TITLE_NOISE.sub("", DATE.sub("", text)).strip("_-— ")
        if ":" in name or "：" in name or _date_rank(text) is not None or "单位净值" in text:
            continue  # a labelled cell is not the title line
        found.offer("product", name, address(r, c))


def _product_name(name: str) -> str:
    bare = _FUND_SUFFIX.sub("", name).strip("_-— ")
    return bare or name


def read_title(
    rows: list[list[Cell]], header_row: int, others: Iterable[Sheet] = ()
) -> tuple[dict[str, Any], dict[str, str]]:
    """(values, source cells) of the title block above `header_row`; `others` are the workbook's other
    sheets, read only for what the table's own sheet does not say. See the module docstring."""
    found = _Found()
    cells = _cells(rows[:header_row])
    _labelled(cells, found, "")
    for sheet in others:
        if found.values.keys() >= _WANTED:
            break
        extra = _Found()
        _labelled(_cells(sheet.rows[:HEADER_SCAN_ROWS]), extra, f"{sheet.name}!" if sheet.name else "")
        for key in extra.values.keys() - found.values.keys():
            found.offer(key, extra.values[key], extra.source[key], extra.rank[key])
    _fallback(cells, found)
    if "product" in found.values:
        found.values["product"] = _product_name(found.values["product"])
    return found.values, found.source
