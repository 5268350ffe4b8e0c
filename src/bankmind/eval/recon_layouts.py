"""The custodian layouts a generated fund is written in (`recon_tables`), and the writers.

Each `Layout` is data modelled on a real custodian or fund-accounting export; the parser never sees
these definitions and must read every layout from the file alone. What each one exercises:

  std_xlsx        one header row, numbers as numbers (the common 估值表 export)
  two_row_xls     成本 / 市值 over 原币 | 本币, dotted codes (`1102.01.01.600309 SH`)
  text_csv        CSV UTF-8-BOM, numbers as text with thousands separators, zeros blank
  gbk_csv         CSV in GBK, columns reordered, dotted codes
  reordered_xlsx  columns reordered, 成本-本币, the title block shifted to column B
  two_row_xlsx    the two-row header in an xlsx
  cover_xlsx      a 基本信息 cover sheet holding product and dates (制表日期 above 估值日期, values
                  beside their labels), the table on the second sheet one column in; 币种 / 汇率 /
                  原币成本 / 本币成本 columns, 行情收市价, 估值增值（本币）, 权益信息 before 停牌信息;
                  A类 / C类 footer lines; 单位净值 in the footer only
  suffix_csv      GBK CSV with a 序号 column (the footer labels land in it), a 证券代码 column, codes
                  `11020101600309.SH`, negatives `(1,234.50)`, `-` for blank and zero, `6.9800%` as text
  ruler_xls       three header rows (成本 over 原币 | 本币 over a 十亿千百… ruler), 占净值 as fractions,
                  `管理人_产品_专用表` title, 资产合计 / 资产净值 / 今日单位净值 footer with
                  `－－实收资本其中[…A][…A类]` lines and the unit NAV beside its label
  grouped_xls     an xlwt header of merged cells: group titles (成本, 市值) over their own columns
                  (单位成本, 成本金额, 占净值比例), 科目代码 holding the account and 证券代码 the
                  security, 估值日期 as 2025年03月27日
  text_xlsx       every cell text in an xlsx (a web-portal export): `--` blanks, `基金名称：…` title,
                  2025/03/27, 成本价 / 收盘价 / 交易状态, the unit NAV beside its footer label

Rendering uses no randomness: a layout changes how a fund is written, never the fund.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bankmind.eval.recon_tables import Fund, Row

__all__ = [
    "FOOTER_LABELS",
    "LAYOUTS",
    "Cell",
    "Layout",
    "SheetGrid",
    "table_grid",
    "table_sheets",
    "write_table",
]

Cell = str | float | date | None

FOOTER_LABELS = ("资产类合计:", "负债类合计:", "基金资产净值:", "实收资本:", "基金单位净值:", "累计单位净值:")
"""Footer labels in order: assets, liabilities, NAV, paid-in capital, unit NAV, cumulative unit NAV."""


@dataclass(frozen=True)
class Layout:
    """How one custodian system writes its 估值表: format, columns and aliases, title cells, number style."""

    name: str
    fmt: Literal["xlsx", "xls", "csv"]
    columns: tuple[tuple[str, str], ...]
    """(field, header) in column order; a header "成本|本币" is a two-row header's two cells."""
    encoding: str = "utf-8-sig"
    two_row_header: bool = False
    """成本 / 市值 spanning 原币|本币 sub-columns (the comparable value is 本币)."""
    title_col: int = 0
    dotted_codes: bool = False
    thousands: bool = False
    """Numbers written as text with thousands separators ("1,234.50"), as CSV exports do."""
    blank_zeros: bool = False
    title: Literal["line", "dedicated", "labelled", "cover"] = "line"
    """`line`: 产品估值表 / 管理人 / 估值日期 lines; `dedicated`: `产品_资产估值表_日期` and
    `管理人_产品_专用表`; `labelled`: `基金名称：…` cells; `cover`: the facts on a first sheet."""
    date_format: str = "%Y-%m-%d"
    unit_nav_in_title: bool = True
    sheet: str = "估值表"
    margin: int = 0
    """Empty columns left of the table."""
    exchange_suffix: bool = False
    """Position codes with a dotted exchange suffix: `11020101600309.SH`."""
    split_codes: bool = False
    """科目代码 holds the account (`11020101`) and a 证券代码 column the security (`600309`)."""
    merged_header: bool = False
    """Two header rows of merged cells: a group title over its columns, single titles over both rows."""
    ruler: bool = False
    """A third header row with the 十亿千百十万千百十元角分 ruler under money columns."""
    pct: Literal["percent", "fraction", "text"] = "percent"
    """占净值 as 6.98, as 0.0698, or as the text "6.9800%"."""
    parens: bool = False
    """Negative text numbers in parentheses: "(1,234.50)"."""
    blank: str = ""
    """What an empty number cell holds: nothing, "-" or "--"."""
    footer_labels: tuple[str, ...] = FOOTER_LABELS
    share_classes: Literal["", "colon", "bracket"] = ""
    """Per-class footer lines: `实收资本:A类` or `－－实收资本其中[S1A][产品A类]`."""
    unit_nav_beside: bool = False
    """Unit NAV footer values as text right of the label, not under 市值."""
    footer_extras: bool = False
    """Footer lines a parser must not take for the figures (昨日单位净值, 今日可用头寸 …)."""


@dataclass(frozen=True)
class SheetGrid:
    """One sheet as written: rows of cells and merged ranges (first row, last row, first col, last col)."""

    name: str
    rows: list[list[Cell]]
    merges: tuple[tuple[int, int, int, int], ...] = ()


_STD = (
    ("code", "科目代码"),
    ("name", "科目名称"),
    ("quantity", "数量"),
    ("unit_cost", "单位成本"),
    ("cost", "成本"),
    ("cost_pct", "成本占净值%"),
    ("price", "市价"),
    ("market_value", "市值"),
    ("mv_pct", "市值占净值%"),
    ("appreciation", "估值增值"),
    ("status", "停牌信息"),
)
_TWO_ROW = (
    ("code", "科目代码"),
    ("name", "科目名称"),
    ("quantity", "数量"),
    ("unit_cost", "单位成本"),
    ("cost_orig", "成本|原币"),
    ("cost", "成本|本币"),
    ("cost_pct", "成本占净值%"),
    ("price", "行情"),
    ("market_value_orig", "市值|原币"),
    ("market_value", "市值|本币"),
    ("mv_pct", "市值占净值%"),
    ("appreciation", "估值增值"),
    ("status", "权益信息"),
)
_REORDERED = (
    ("code", "科目代码"),
    ("name", "科目名称"),
    ("quantity", "数量"),
    ("price", "行情"),
    ("market_value", "市值"),
    ("mv_pct", "市值占净值%"),
    ("cost", "成本-本币"),
    ("cost_pct", "成本占净值%"),
    ("appreciation", "估值增值"),
    ("unit_cost", "单位成本"),
    ("status", "停牌信息"),
)
_COVER = (
    ("code", "科目代码"),
    ("name", "科目名称"),
    ("currency", "币种"),
    ("fx_rate", "汇率"),
    ("quantity", "持仓数量"),
    ("unit_cost", "单位成本"),
    ("cost_orig", "原币成本"),
    ("cost", "本币成本"),
    ("cost_pct", "成本占净值(%)"),
    ("price", "行情收市价"),
    ("market_value_orig", "原币市值"),
    ("market_value", "本币市值"),
    ("mv_pct", "市值占净值(%)"),
    ("appreciation", "估值增值（本币）"),
    ("rights", "权益信息"),
    ("status", "停牌信息"),
)
_SUFFIX = (("index", "序号"), *_STD[:2], ("sec_code", "证券代码"), *_STD[2:])
"""The standard columns with a 序号 first and the security code in a column of its own."""
_RULER = (
    ("code", "科目代码"),
    ("name", "科目名称"),
    ("currency", "币种"),
    ("fx_rate", "汇率"),
    ("quantity", "数量"),
    ("unit_cost", "单位成本"),
    ("cost_orig", "成本|原币"),
    ("cost", "成本|本币"),
    ("cost_pct", "成本占比"),
    ("price", "行情"),
    ("market_value_orig", "市值|原币"),
    ("market_value", "市值|本币"),
    ("mv_pct", "市值占比"),
    ("appreciation_orig", "估值增值|原币"),
    ("appreciation", "估值增值|本币"),
    ("status", "停牌信息"),
    ("rights", "权益信息"),
)
_GROUPED = (
    ("code", "科目代码"),
    ("sec_code", "证券代码"),
    ("name", "科目名称"),
    ("quantity", "持有数量"),
    ("unit_cost", "成本|单位成本"),
    ("cost", "成本|成本金额"),
    ("cost_pct", "成本|占净值比例"),
    ("price", "市值|估值单价"),
    ("market_value", "市值|市值金额"),
    ("mv_pct", "市值|占净值比例"),
    ("appreciation", "估值增值"),
    ("status", "停牌标志"),
)
_TEXT = (
    ("code", "科目代码"),
    ("name", "科目名称"),
    ("quantity", "持仓数量"),
    ("unit_cost", "成本价"),
    ("cost", "成本"),
    ("cost_pct", "成本占净值比例(%)"),
    ("price", "收盘价"),
    ("market_value", "市值"),
    ("mv_pct", "市值占净值比例(%)"),
    ("appreciation", "估值增值"),
    ("status", "交易状态"),
)
_RULER_FOOTER = ("资产合计", "负债合计", "资产净值", "实收资本", "今日单位净值", "累计单位净值")

LAYOUTS: dict[str, Layout] = {
    "std_xlsx": Layout("std_xlsx", "xlsx", _STD),
    "two_row_xls": Layout("two_row_xls", "xls", _TWO_ROW, two_row_header=True, dotted_codes=True),
    "text_csv": Layout("text_csv", "csv", _STD, title_col=7, thousands=True, blank_zeros=True),
    "gbk_csv": Layout("gbk_csv", "csv", _REORDERED, encoding="gbk", dotted_codes=True, thousands=True),
    "reordered_xlsx": Layout("reordered_xlsx", "xlsx", _REORDERED, title_col=1, blank_zeros=True),
    "two_row_xlsx": Layout("two_row_xlsx", "xlsx", _TWO_ROW, two_row_header=True),
    "cover_xlsx": Layout(
        "cover_xlsx", "xlsx", _COVER, title="cover", sheet="估值表明细", margin=1,
        share_classes="colon", footer_extras=True,
    ),
    "suffix_csv": Layout(
        "suffix_csv", "csv", _SUFFIX, encoding="gbk", exchange_suffix=True, thousands=True, parens=True,
        blank="-", blank_zeros=True, pct="text", date_format="%Y%m%d",
    ),
    "ruler_xls": Layout(
        "ruler_xls", "xls", _RULER, two_row_header=True, ruler=True, dotted_codes=True, pct="fraction",
        title="dedicated", footer_labels=_RULER_FOOTER, share_classes="bracket", unit_nav_beside=True,
        footer_extras=True, sheet="Sheet1",
    ),
    "grouped_xls": Layout(
        "grouped_xls", "xls", _GROUPED, merged_header=True, split_codes=True, date_format="%Y年%m月%d日",
    ),
    "text_xlsx": Layout(
        "text_xlsx", "xlsx", _TEXT, title="labelled", thousands=True, blank="--", pct="text",
        date_format="%Y/%m/%d", unit_nav_in_title=False, unit_nav_beside=True, sheet="Sheet1",
    ),
}  # fmt: skip

_SUFFIXES = {"01": "SH", "11": "SH", "31": "SZ", "81": "HK"}
"""Exchange of a 1102 / 1103 market code."""
_RULER_TEXT = "十亿千百十万千百十元角分"
_CLASS_LINES = {2: 1, 3: 0, 4: 2}
"""Footer line (index in `FOOTER_LABELS`) -> the `_share_classes` figure it repeats per class."""
_MONEY = {"cost", "cost_orig", "market_value", "market_value_orig", "appreciation", "appreciation_orig"}


# -- cells ------------------------------------------------------------------------------------------
def _yuan(cents: int | None) -> float | None:
    return None if cents is None else cents / 100


def _number(layout: Layout, value: float | None, digits: int = 2) -> Cell:
    if value is None or (layout.blank_zeros and value == 0):
        return layout.blank or None
    if not layout.thousands:
        return round(value, digits)
    if layout.parens and value < 0:
        return f"({-value:,.{digits}f})"
    return f"{value:,.{digits}f}"


def _pct(layout: Layout, cents: int | None, nav: int) -> Cell:
    if cents is None:
        return _number(layout, None)
    if layout.pct == "fraction":
        return _number(layout, cents / nav, 6)
    if layout.pct == "text" and not (layout.blank_zeros and cents == 0):
        return f"{cents / nav * 100:.4f}%"
    return _number(layout, cents / nav * 100, 4)


def _suffix(code: str) -> str | None:
    return _SUFFIXES.get(code[4:6]) if len(code) > 8 and code[:4] in ("1102", "1103") else None


def _dotted(code: str) -> str:
    """ "11020101600309" -> "1102.01.01.600309 SH" (the separators some custodian systems print)."""
    parts = [code[:4], code[4:6], code[6:8], code[8:]]
    text = ".".join(p for p in parts if p)
    suffix = _suffix(code)
    return f"{text} {suffix}" if suffix else text


def _code(code: str, layout: Layout) -> str:
    if layout.dotted_codes:
        return _dotted(code)
    if layout.split_codes and len(code) > 8:
        return code[:8]
    suffix = _suffix(code) if layout.exchange_suffix else None
    return f"{code}.{suffix}" if suffix else code


def _security(code: str, layout: Layout) -> str | None:
    if len(code) <= 8:
        return None
    suffix = _suffix(code) if layout.exchange_suffix else None
    return f"{code[8:]}.{suffix}" if suffix else code[8:]


def _rights(row: Row) -> str | None:
    """权益信息: a dividend plan on a few stock positions (from the code, so no randomness)."""
    stock = len(row.code) > 8 and row.code[:4] == "1102" and row.code[6:8] == "01"
    return "10派2.5" if stock and row.code.endswith("8") else None


def _line(width: int, *cells: tuple[int, Cell]) -> list[Cell]:
    out: list[Cell] = [None] * width
    for i, v in cells:
        out[min(i, width - 1)] = v
    return out


def _product_code(fund: Fund) -> str:
    return "S" + "".join(ch for ch in fund.product if ch.isdigit()).rjust(5, "0")


# -- the table sheet --------------------------------------------------------------------------------
def _title_rows(fund: Fund, layout: Layout, width: int) -> list[list[Cell]]:
    day, nav_text = format(fund.valuation_date, layout.date_format), f"{fund.unit_nav:.4f}"
    if layout.title == "dedicated":
        return [
            _line(width, (0, f"{fund.product}_资产估值表_{fund.valuation_date:%Y%m%d}")),
            _line(width),
            _line(width, (0, f"{fund.manager}_{fund.product}_专用表")),
            _line(
                width,
                (0, f"日期：{day}"),
                *([(1, f"单位净值:{nav_text}")] if layout.unit_nav_in_title else []),
            ),
        ]
    if layout.title == "labelled":
        return [
            _line(width, (0, f"基金名称：{fund.product}\u3000\u3000基金代码：{_product_code(fund)}")),
            _line(width, (0, f"估值日期：{day}"), (width - 1, "单位：元")),
        ]
    if layout.title == "cover":
        return [_line(width, (0, "估值表明细")), _line(width)]
    tc = max(layout.title_col, 1)
    nav_cell = [(tc + 3, f"单位净值：{nav_text}")] if layout.unit_nav_in_title else []
    return [
        _line(width, (0, f"{fund.product}估值表")),
        _line(width, (0, f"基金管理人：{fund.manager}"), (tc + 2, f"基金托管人：{fund.custodian}")),
        _line(width, (layout.title_col, f"估值日期：{day}"), *nav_cell),
    ]


def _header_rows(layout: Layout) -> list[list[Cell]]:
    heads = [h for _, h in layout.columns]
    if not (layout.two_row_header or layout.merged_header):
        return [list(heads)]
    top: list[Cell] = [h.split("|")[0] for h in heads]
    bottom: list[Cell] = [h.split("|")[1] if "|" in h else None for h in heads]
    if layout.merged_header:  # a merged group title shows in its first cell only
        top = [
            None if i and "|" in h and heads[i - 1].split("|")[0] == t else t
            for i, (h, t) in enumerate(zip(heads, top, strict=True))
        ]
    if not layout.ruler:
        return [top, bottom]
    ruler: list[Cell] = [_RULER_TEXT if f in _MONEY else h.split("|")[0] for f, h in layout.columns]
    return [top, [b if b is not None else h for b, h in zip(bottom, heads, strict=True)], ruler]


def _header_merges(layout: Layout, first: int) -> list[tuple[int, int, int, int]]:
    if not layout.merged_header:
        return []
    merges, heads, col = [], [h for _, h in layout.columns], 0
    while col < len(heads):
        group = heads[col].split("|")[0]
        end = col
        if "|" not in heads[col]:
            merges.append((first, first + 1, col, col))
        else:
            while end + 1 < len(heads) and "|" in heads[end + 1] and heads[end + 1].split("|")[0] == group:
                end += 1
            if end > col:
                merges.append((first, first, col, end))
        col = end + 1
    return merges


def _body_row(row: Row, layout: Layout, nav: int, index: int) -> list[Cell]:
    bond, level1 = row.code.startswith("1103"), len(row.code) == 4
    has_currency = any(f == "currency" for f, _ in layout.columns)

    def orig(cents: int | None) -> Cell:
        return None if has_currency and level1 else _number(layout, _yuan(cents))

    values: dict[str, Cell] = {
        "index": str(index),
        "code": _code(row.code, layout),
        "sec_code": _security(row.code, layout) if layout.split_codes or layout.exchange_suffix else None,
        "name": row.name,
        "currency": "***" if level1 else "CNY",
        "fx_rate": None if level1 else _number(layout, 1.0, 4),
        "quantity": _number(layout, row.quantity),
        "unit_cost": _number(layout, row.unit_cost, 4 if bond else 2),
        "cost": _number(layout, _yuan(row.cost)),
        "cost_orig": orig(row.cost),
        "cost_pct": _pct(layout, row.cost, nav),
        "price": _number(layout, row.price, 4 if bond else 2),
        "market_value": _number(layout, _yuan(row.market_value)),
        "market_value_orig": orig(row.market_value),
        "mv_pct": _pct(layout, row.market_value, nav),
        "appreciation": _number(layout, _yuan(row.appreciation)),
        "appreciation_orig": orig(row.appreciation),
        "rights": _rights(row),
        "status": row.status,
    }
    return [values[f] for f, _ in layout.columns]


def _share_classes(fund: Fund) -> list[tuple[str, float, float, float]]:
    """A类 and C类 (3:2 of the shares) at the fund's NAV per share: (class, 实收资本, 资产净值, 单位净值)."""
    units_a = fund.units * 3 // 5
    nav_a = round(fund.nav * units_a / fund.units)
    split = (("A", units_a, nav_a), ("C", fund.units - units_a, fund.nav - nav_a))
    return [(name, units / 100, nav / 100, round(nav / units, 4)) for name, units, nav in split]


def _class_label(layout: Layout, label: str, share_class: str, fund: Fund) -> str:
    base = label.rstrip(":：")
    if layout.share_classes == "bracket":
        code = _product_code(fund)
        return f"－－{base}其中[{code}{share_class}][{fund.product}{share_class}类]"
    return f"{base}:{share_class}类"


def _footer_rows(fund: Fund, layout: Layout, width: int, mv_col: int) -> list[list[Cell]]:
    def put(label: str, value: float, digits: int) -> list[Cell]:
        if digits == 4 and layout.unit_nav_beside:
            return _line(width, (0, label), (1, f"{value:.4f}"))
        cell = _number(layout, value, digits) if layout.thousands else round(value or 0, digits)
        return _line(width, (0, label), (mv_col, cell))

    figures = (
        (_yuan(fund.total_assets), 2),
        (_yuan(fund.total_liabilities), 2),
        (_yuan(fund.nav), 2),
        (_yuan(fund.units), 2),
        (fund.unit_nav, 4),
        (fund.cumulative_unit_nav, 4),
    )
    classes = _share_classes(fund) if layout.share_classes else []
    rows: list[list[Cell]] = [[None] * width]
    for i, (label, (value, digits)) in enumerate(zip(layout.footer_labels, figures, strict=True)):
        if i == 4 and layout.footer_extras:  # yesterday's figure sits right above today's
            rows.append(put("昨日单位净值", round(fund.unit_nav * 0.9985, 4), 4))
        rows.append(put(label, value or 0.0, digits))
        for name, *per_class in classes:  # 资产净值, 实收资本 and 单位净值 per class
            if i in _CLASS_LINES:
                rows.append(put(_class_label(layout, label, name, fund), per_class[_CLASS_LINES[i]], digits))
    if layout.footer_extras:
        rows.append(put("今日可用头寸", _yuan(fund.row("10020101").market_value) or 0.0, 2))
        rows.append(_line(width, (0, "净值日增长率(%):"), (1, "0.0538%")))
    return rows


def _table(fund: Fund, layout: Layout) -> SheetGrid:
    width = len(layout.columns)
    nav = fund.nav or 1
    title = _title_rows(fund, layout, width)
    header = _header_rows(layout)
    grid = [*title, *header]
    grid += [_body_row(r, layout, nav, i) for i, r in enumerate(fund.rows, start=1)]
    mv_col = next(i for i, (f, _) in enumerate(layout.columns) if f == "market_value")
    grid += _footer_rows(fund, layout, width, mv_col)
    merges = _header_merges(layout, len(title))
    if layout.merged_header:
        merges.insert(0, (0, 0, 0, width - 1))  # the title centred over the table
    pad = layout.margin
    if pad:
        grid = [[None] * pad + row for row in grid]
        merges = [(r1, r2, c1 + pad, c2 + pad) for r1, r2, c1, c2 in merges]
    return SheetGrid(layout.sheet, grid, tuple(merges))


def _cover(fund: Fund) -> SheetGrid:
    rows: list[list[Cell]] = [
        ["产品基本信息"],
        ["制表日期", fund.valuation_date + timedelta(days=1)],
        ["产品名称", fund.product],
        ["产品代码", _product_code(fund)],
        ["基金管理人", fund.manager],
        ["基金托管人", fund.custodian],
        ["估值日期", fund.valuation_date],
        ["金额单位", "人民币元"],
        [],
        ["说明：成本、市值为本币金额；市值占净值% = 市值 / 基金资产净值 × 100；停牌证券按指数收益法估值。"],
    ]
    return SheetGrid("基本信息", rows)


def table_sheets(fund: Fund, layout: Layout) -> list[SheetGrid]:
    """Every sheet `write_table` writes, in order (a CSV holds the last one, the table)."""
    table = _table(fund, layout)
    return [_cover(fund), table] if layout.title == "cover" else [table]


def table_grid(fund: Fund, layout: Layout) -> list[list[Cell]]:
    """The table's sheet as rows of cells, exactly as `write_table` writes it (tests read files back)."""
    return _table(fund, layout).rows


# -- writers ----------------------------------------------------------------------------------------
def write_table(fund: Fund, layout: Layout | str, path: Path) -> Path:
    """Write `fund` in `layout` to `path` (suffix replaced by the layout's format); returns the path."""
    spec = LAYOUTS[layout] if isinstance(layout, str) else layout
    path = path.with_suffix("." + spec.fmt)
    sheets = table_sheets(fund, spec)
    if spec.fmt == "csv":
        with path.open("w", encoding=spec.encoding, newline="") as fh:
            csv.writer(fh).writerows([["" if c is None else c for c in row] for row in sheets[-1].rows])
    elif spec.fmt == "xlsx":
        _write_xlsx(sheets, path)
    else:
        _write_xls(sheets, path)
    return path


def _write_xlsx(sheets: list[SheetGrid], path: Path) -> None:
    from openpyxl import Workbook

    merged = any(s.merges for s in sheets)
    wb = Workbook(write_only=not merged)  # write-only is fast but cannot merge cells
    if merged and wb.active is not None:
        wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for row in sheet.rows:
            ws.append(row)
        for r1, r2, c1, c2 in sheet.merges:
            ws.merge_cells(start_row=r1 + 1, end_row=r2 + 1, start_column=c1 + 1, end_column=c2 + 1)
    wb.save(path)


def _write_xls(sheets: list[SheetGrid], path: Path) -> None:
    import xlwt  # type: ignore[import-untyped]

    book = xlwt.Workbook(encoding="utf-8")
    day = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for grid in sheets:
        sheet = book.add_sheet(grid.name)
        covered: set[tuple[int, int]] = set()
        for r1, r2, c1, c2 in grid.merges:
            sheet.write_merge(r1, r2, c1, c2, grid.rows[r1][c1])
            covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        for i, row in enumerate(grid.rows):
            for j, cell in enumerate(row):
                if cell is not None and (i, j) not in covered:
                    if isinstance(cell, date):
                        sheet.write(i, j, cell, day)
                    else:
                        sheet.write(i, j, cell)
    book.save(str(path))
