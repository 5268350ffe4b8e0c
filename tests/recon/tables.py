"""Factories that WRITE realistic 估值表 files (csv GBK / UTF-8-BOM, xlsx, xls) with known figures.

Every layout holds the same small fund, so a test knows the answer by construction: NAV
1,000,000.00, 实收资本 900,000.00 (unit NAV 1.1111), one stock with an 估值增值 sub-account, one
suspended stock, a bank deposit and a payable.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

NAV = Decimal("1000000.00")
CAPITAL = Decimal("900000.00")
UNIT_NAV = Decimal("1.1111")
ASSETS = Decimal("1010000.00")
LIABILITIES = Decimal("10000.00")


@dataclass(frozen=True)
class Position:
    """One subject row: raw code as the custodian prints it, and its figures (None = blank)."""

    code: str
    name: str
    quantity: float | None
    unit_cost: float | None
    cost: float | None
    price: float | None
    market_value: float | None
    appreciation: float | None
    status: str = ""


def positions(dotted: bool = False) -> list[Position]:
    """The fund's subjects; `dotted` writes codes like `1102.01.01.600309 SH`."""

    def c(plain: str, dots: str) -> str:
        return dots if dotted else plain

    return [
        Position(c("1002", "1002"), "银行存款", None, None, 300000.00, None, 300000.00, None),
        Position(c("100201", "1002.01"), "活期存款", None, None, 300000.00, None, 300000.00, None),
        Position(c("1102", "1102"), "股票投资", 30000, None, 690000.00, None, 710000.00, 20000.00),
        Position(c("110201", "1102.01"), "上交所A股", 30000, None, 690000.00, None, 710000.00, 20000.00),
        Position(
            c("11020101", "1102.01.01"), "上交所A股成本", 30000, None, 690000.00, None, 710000.00, 20000.00
        ),
        Position(
            c("11020101600309", "1102.01.01.600309 SH"), "万华化学", 10000, 50.0, 500000.00, 52.0, 520000.00,
            20000.00, "正常交易",
        ),
        Position(
            c("11020101600000", "1102.01.01.600000 SH"), "浦发银行", 20000, 9.5, 190000.00, 9.5, 190000.00,
            0.00, "停牌",
        ),
        Position(
            c("11020199", "1102.01.99"), "上交所A股估值增值", None, None, 20000.00, None, 20000.00, None
        ),
        Position(
            c("11020199600309", "1102.01.99.600309 SH"), "万华化学",
            None, None, 20000.00, None, 20000.00, None,
        ),
        Position(c("2206", "2206"), "应付管理人报酬", None, None, 10000.00, None, 10000.00, None),
    ]  # fmt: skip


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value / float(NAV) * 100, 4)


def _money(value: float | None, thousands: bool) -> str | float:
    if value is None:
        return ""
    return f"{value:,.2f}" if thousands else value


ONE_ROW_HEADER: list[object] = [
    "科目代码", "科目名称", "数量", "单位成本", "成本", "成本占净值%",
    "市价", "市值", "市值占净值%", "估值增值", "停牌信息",
]  # fmt: skip


def one_row_layout(
    *, thousands: bool = False, title: str = "plain", dotted: bool = False
) -> list[list[object]]:
    """Title block, one header row, body, footer (labels in the code column, values under 市值)."""
    titles = {
        "plain": [
            ["证券投资基金估值表"],
            ["某某资产管理有限公司___稳健一号___专用表"],
            ["估值日期：20250327", "", "", "", "", "", "", "单位净值：1.1111", "", "", "单位：元"],
        ],
        "dashed": [
            ["稳健一号_资产估值表_2025-03-27"],
            [],
            ["日期：2025-03-27", "单位净值:1.1111"],
        ],
        "labelled": [
            ["产品名称：稳健一号", "", "管理人：某某基金"],
            ["估值日期", "2025年3月27日"],
        ],
    }
    rows: list[list[object]] = [list(r) for r in titles[title]]
    rows.append(ONE_ROW_HEADER)
    for p in positions(dotted):
        rows.append([
            p.code, p.name, "" if p.quantity is None else p.quantity,
            "" if p.unit_cost is None else p.unit_cost,
            _money(p.cost, thousands), _pct(p.cost) or "", "" if p.price is None else p.price,
            _money(p.market_value, thousands), _pct(p.market_value) or "", _money(p.appreciation, thousands),
            p.status,
        ])  # fmt: skip
    rows.append([])
    rows.append(["实收资本", "", float(CAPITAL), "", float(CAPITAL), "", "", float(CAPITAL)])
    rows.append(["资产类合计:", "", "", "", "", "", "", _money(float(ASSETS), thousands)])
    rows.append(["负债类合计:", "", "", "", "", "", "", _money(float(LIABILITIES), thousands)])
    rows.append(["基金资产净值:", "", "", "", "", "", "", _money(float(NAV), thousands), 100.0])
    rows.append(["基金单位净值：", "1.1111"])
    rows.append(["累计单位净值:", "1.2222"])
    return rows


def two_row_layout() -> list[list[object]]:
    """A 原币 | 本币 header under merged titles, USD position (rate 7.0), fraction percentages."""
    rows: list[list[object]] = [
        ["稳健二号_资产估值表_20250327"],
        ["某某资产管理有限公司_稳健二号_专用表"],
        ["日期：2025-03-27", "单位净值:1.1111"],
        ["科目代码", "科目名称", "币种", "汇率", "数量", "单位成本", "成本", "", "成本占比",
         "行情", "市值", "",
         "市值占比", "估值增值", "", "停牌信息", "权益信息"],
        ["科目代码", "科目名称", "币种", "汇率", "数量", "单位成本", "原币", "本币", "成本占比",
         "行情", "原币",
         "本币", "市值占比", "原币", "本币", "停牌信息", "权益信息"],
    ]  # fmt: skip
    for p in positions(dotted=True):
        usd = p.code.startswith("1102")
        rate = 7.0 if usd else 1.0

        def orig(v: float | None, rate: float = rate) -> float | str:
            return "" if v is None else round(v / rate, 2)

        def local(v: float | None) -> float | str:
            return "" if v is None else v

        def frac(v: float | None) -> float | str:
            return "" if v is None else round(v / float(NAV), 6)

        rows.append([
            p.code, p.name, "USD" if usd else "CNY", rate, "" if p.quantity is None else p.quantity,
            "" if p.unit_cost is None else p.unit_cost, orig(p.cost), local(p.cost), frac(p.cost),
            "" if p.price is None else p.price,
            orig(p.market_value), local(p.market_value), frac(p.market_value),
            orig(p.appreciation), local(p.appreciation), p.status, "",
        ])  # fmt: skip
    rows.append([])
    rows.append(["资产合计", "", "", "", "", "", "", "", "", "", "", float(ASSETS)])
    rows.append(["负债合计", "", "", "", "", "", "", "", "", "", "", float(LIABILITIES)])
    rows.append(["资产净值", "", "", "", "", "", "", "", "", "", "", float(NAV), 1.0])
    rows.append(["实收资本", "", "", "", float(CAPITAL), 1.0, "", "", "", "", "", float(CAPITAL)])
    rows.append(
        ["－－实收资本其中[X1A][稳健二号A类]", "", "", "", 500000.0, "", "", "", "", "", "", 500000.0]
    )
    rows.append(["今日单位净值", "1.1111"])
    return rows


def _cells(rows: list[list[object]]) -> list[list[str]]:
    return [["" if v is None else str(v) for v in row] for row in rows]


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8-sig") -> Path:
    """A CSV in `encoding` (`utf-8-sig` writes the BOM Excel adds; `gbk` as Chinese Windows saves)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(_cells(rows))
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    """An .xlsx through openpyxl; numbers stay numbers."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "估值表"
    for row in rows:
        sheet.append(list(row) if row else [None])
    book.save(path)
    return path


def write_xls(path: Path, rows: list[list[object]]) -> Path:
    """An Excel 97-2003 .xls through xlwt."""
    import xlwt  # type: ignore[import-untyped]

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value != "":
                sheet.write(r, c, value)
    book.save(str(path))
    return path
