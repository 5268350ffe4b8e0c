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


Merge = tuple[int, int, int, int]
"""A merged range: first row, last row, first column, last column (0-based)."""


def _code_cells(code: str, codes: str) -> tuple[str, str]:
    """(科目代码, 证券代码) of a plain code as a system prints them: `suffix` adds `.SH` to
    securities, `split` leaves the account in 科目代码 and the security in 证券代码."""
    security = code[8:] if len(code) > 8 else ""
    if codes == "split":
        return code[:8], security
    if codes == "suffix" and security:
        return f"{code}.SH", f"{security}.SH"
    return code, security


def custom_layout(
    columns: list[tuple[str, str]],
    *,
    titles: list[list[object]] | None = None,
    codes: str = "plain",
    pct: str = "percent",
    text: bool = False,
    blank: str = "",
    margin: int = 0,
) -> tuple[list[list[object]], list[Merge]]:
    """The fund in any column order, with (rows, merges). A header `成本|单位成本` is a group title
    over its column: two header rows, the group shown once (as a merged cell shows), a single
    title spanning both rows. `pct` is percent, fraction or text (`52.0000%`); `text` writes every
    number as text with thousands separators; `blank` is what an empty number cell holds. Footer
    labels sit in the first column, whatever it holds (a 序号 column, say)."""
    titles = titles if titles is not None else [["稳健三号估值表"], ["估值日期：2025-03-27"]]
    rows: list[list[object]] = [list(r) for r in titles]
    heads = [h for _, h in columns]
    first = len(rows)
    merges: list[Merge] = []
    if any("|" in h for h in heads):
        top: list[object] = []
        for i, h in enumerate(heads):
            group = h.split("|")[0]
            same = i > 0 and "|" in h and "|" in heads[i - 1] and heads[i - 1].split("|")[0] == group
            top.append("" if same else group)
            if "|" not in h:
                merges.append((first, first + 1, i, i))
            elif not same:
                end = i
                while end + 1 < len(heads) and heads[end + 1].startswith(group + "|"):
                    end += 1
                merges.append((first, first, i, end))
        rows += [top, [h.split("|")[1] if "|" in h else "" for h in heads]]
    else:
        rows.append(list(heads))

    def num(value: float | None, digits: int = 2) -> object:
        if value is None:
            return blank
        return f"{value:,.{digits}f}" if text else value

    def share(value: float | None) -> object:
        if value is None:
            return blank
        if pct == "fraction":
            return num(round(value / float(NAV), 6), 6)
        if pct == "text":
            return f"{value / float(NAV) * 100:.4f}%"
        return num(round(value / float(NAV) * 100, 4), 4)

    for n, p in enumerate(positions(), start=1):
        code, security = _code_cells(p.code, codes)
        values: dict[str, object] = {
            "index": str(n), "code": code, "security": security, "name": p.name,
            "currency": "CNY", "fx": num(1.0, 4), "quantity": num(p.quantity), "unit_cost": num(p.unit_cost),
            "cost": num(p.cost), "cost_pct": share(p.cost), "price": num(p.price),
            "market_value": num(p.market_value), "mv_pct": share(p.market_value),
            "appreciation": num(p.appreciation), "status": p.status,
            "rights": "10派2.5" if p.code.endswith("600309") else "",
        }  # fmt: skip
        rows.append([values[f] for f, _ in columns])
    mv = next(i for i, (f, _) in enumerate(columns) if f == "market_value")
    rows.append([])
    for label, value, digits in (
        ("实收资本:", CAPITAL, 2), ("资产类合计:", ASSETS, 2), ("负债类合计:", LIABILITIES, 2),
        ("基金资产净值:", NAV, 2), ("基金单位净值:", UNIT_NAV, 4), ("累计单位净值:", Decimal("1.2222"), 4),
    ):  # fmt: skip
        line: list[object] = [""] * len(columns)
        line[0], line[mv] = label, num(float(value), digits)
        rows.append(line)
    if margin:
        rows = [[""] * margin + r for r in rows]
        merges = [(r1, r2, c1 + margin, c2 + margin) for r1, r2, c1, c2 in merges]
    return rows, merges


def _cells(rows: list[list[object]]) -> list[list[str]]:
    return [["" if v is None else str(v) for v in row] for row in rows]


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8-sig") -> Path:
    """A CSV in `encoding` (`utf-8-sig` writes the BOM Excel adds; `gbk` as Chinese Windows saves)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(_cells(rows))
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(
    path: Path, rows: list[list[object]], *, before: dict[str, list[list[object]]] | None = None
) -> Path:
    """An .xlsx through openpyxl; numbers (and dates) stay what they are. `before` are sheets written
    ahead of the table's sheet (a cover sheet, say)."""
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for name, grid in [*(before or {}).items(), ("估值表", rows)]:
        sheet = book.create_sheet(name)
        for row in grid:
            sheet.append(list(row) if row else [None])
    book.save(path)
    return path


def write_xls(path: Path, rows: list[list[object]], merges: list[Merge] | None = None) -> Path:
    """An Excel 97-2003 .xls through xlwt; `merges` are written as merged cells."""
    import xlwt  # type: ignore[import-untyped]

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    covered: set[tuple[int, int]] = set()
    for r1, r2, c1, c2 in merges or []:
        sheet.write_merge(r1, r2, c1, c2, rows[r1][c1])
        covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value != "" and (r, c) not in covered:
                sheet.write(r, c, value)
    book.save(str(path))
    return path
