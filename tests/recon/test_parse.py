"""`parse_table` on tables written in several layouts, answers known by construction (tables.py and
the generator's `LAYOUTS`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from tests.recon import tables

from bankmind.eval.recon_tables import LAYOUTS, generate_fund, write_table
from bankmind.recon import ValuationTable, parse_table
from bankmind.recon.columns import match_label
from bankmind.recon.compare import reconcile
from bankmind.recon.hierarchy import code_level, join_security, normalise_code
from bankmind.recon.parse import number, parse_date

Writer = Callable[[Path, list[list[object]]], Path]

WRITERS: dict[str, tuple[str, Writer]] = {
    "csv-utf8-bom": (".csv", tables.write_csv),
    "csv-gbk": (".csv", lambda p, rows: tables.write_csv(p, rows, encoding="gbk")),
    "xlsx": (".xlsx", tables.write_xlsx),
    "xls": (".xls", tables.write_xls),
}


def _write(tmp_path: Path, kind: str, rows: list[list[object]]) -> Path:
    suffix, writer = WRITERS[kind]
    return writer(tmp_path / f"估值表{suffix}", rows)


def _row(table: ValuationTable, code: str):  # type: ignore[no-untyped-def]
    return next(r for r in table.rows if r.subject_code == code)


def _assert_fund(table: ValuationTable) -> None:
    assert table.valuation_date == dt.date(2025, 3, 27)
    assert table.nav == tables.NAV
    assert table.unit_nav == tables.UNIT_NAV
    assert table.paid_in_capital == tables.CAPITAL
    assert [r.subject_code for r in table.rows][:3] == ["1002", "100201", "1102"]
    stock = _row(table, "11020101600309")
    assert (stock.quantity, stock.unit_cost, stock.cost, stock.price) == (10000, 50, 500000, 52)
    assert (stock.market_value, stock.appreciation, stock.mv_pct_nav) == (520000, 20000, Decimal("52"))
    assert stock.level == 4 and stock.is_leaf and stock.status == "正常交易"
    assert not _row(table, "11020101").is_leaf
    assert _row(table, "11020199600309").is_appreciation
    failing = [c for c in table.checks if not c.ok]
    assert [c.code for c in failing] == ["suspended"], failing
    assert "11020101600000" in failing[0].message


@pytest.mark.parametrize("kind", list(WRITERS))
def test_one_row_header(tmp_path: Path, kind: str) -> None:
    table = parse_table(_write(tmp_path, kind, tables.one_row_layout(thousands=kind.startswith("csv"))))
    _assert_fund(table)
    assert (table.product, table.manager) == ("稳健一号", "某某资产管理有限公司")
    assert {c.code for c in table.checks if c.ok} >= {
        "appreciation",
        "subtotal",
        "mv_pct_nav",
        "nav_total",
        "unit_nav",
    }
    assert _row(table, "11020101600309").source["market_value"].startswith("H")


@pytest.mark.parametrize("kind", ["xlsx", "xls", "csv-gbk"])
def test_two_row_header_takes_local_currency(tmp_path: Path, kind: str) -> None:
    table = parse_table(_write(tmp_path, kind, tables.two_row_layout()))
    _assert_fund(table)
    assert table.product == "稳健二号"
    assert table.pct_scale == 1  # fractions in the source, percentages in the result
    assert _row(table, "11020101600309").currency == "USD"
    assert [s.name for s in table.share_classes] == ["X1A 稳健二号A类"]
    assert table.assets_total == tables.ASSETS and table.liabilities_total == tables.LIABILITIES


@pytest.mark.parametrize("title", ["dashed", "labelled"])
def test_title_variants(tmp_path: Path, title: str) -> None:
    table = parse_table(_write(tmp_path, "xlsx", tables.one_row_layout(title=title)))
    _assert_fund(table)
    assert table.product == "稳健一号"


def test_dotted_codes_are_normalised(tmp_path: Path) -> None:
    table = parse_table(_write(tmp_path, "csv-utf8-bom", tables.one_row_layout(dotted=True)))
    _assert_fund(table)
    assert _row(table, "11020101600309").source["subject_code"] == "A10"


def test_injected_break_fails_its_check(tmp_path: Path) -> None:
    rows = tables.one_row_layout()
    stock = next(r for r in rows if r and r[0] == "11020101600309")
    stock[9] = 20500.00  # 估值增值 no longer 市值 − 成本
    table = parse_table(_write(tmp_path, "xlsx", rows))
    bad = [c for c in table.checks if c.code == "appreciation" and not c.ok]
    assert len(bad) == 1 and "20,000.00" in bad[0].message and "20,500.00" in bad[0].message


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,234.50", Decimal("1234.50")), ("-", None), ("", None), ("0.05%", Decimal("0.05")),
     ("(12)", Decimal("-12")), (3.5, Decimal("3.5")), ("abc", None)],
)  # fmt: skip
def test_number(text: str | float, value: Decimal | None) -> None:
    assert number(text) == value


@pytest.mark.parametrize("text", ["估值日期：20250327", "日期：2025-03-27", "2025年3月27日", "2025/3/27"])
def test_parse_date(text: str) -> None:
    assert parse_date(text) == dt.date(2025, 3, 27)


def test_cli_json_is_the_contract_shape(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, "xlsx", tables.one_row_layout())
    result = run("recon", "parse", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert list(doc) == ["product", "valuation_date", "unit_nav", "nav", "rows", "checks"]
    assert doc["valuation_date"] == "2025-03-27" and doc["nav"] == 1000000.0
    assert set(doc["rows"][0]) == {
        "subject_code", "subject_name", "level", "is_leaf", "quantity", "unit_cost", "cost", "cost_pct_nav",
        "price", "market_value", "mv_pct_nav", "appreciation", "status",
    }  # fmt: skip
    assert doc["rows"][0]["quantity"] is None and isinstance(doc["rows"][5]["market_value"], float)
    assert set(doc["checks"][0]) == {"code", "ok", "message"}


def test_cli_text(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("recon", "parse", str(_write(tmp_path, "xls", tables.one_row_layout())))
    assert result.exit_code == 0 and "稳健一号" in result.stdout and "suspended" in result.stdout


# -- layouts a parser can trip on: generated by code, answers known by construction --------------------
_POSITION_COLUMNS = [
    ("code", "科目代码"), ("name", "科目名称"), ("quantity", "数量"), ("unit_cost", "单位成本"),
    ("cost", "成本"), ("cost_pct", "成本占净值%"), ("price", "市价"), ("market_value", "市值"),
    ("mv_pct", "市值占净值%"), ("appreciation", "估值增值"), ("status", "停牌信息"),
]  # fmt: skip


def test_cover_sheet_holds_the_title_and_the_table_is_on_the_second_sheet(tmp_path: Path) -> None:
    rows, _ = tables.custom_layout(_POSITION_COLUMNS, titles=[["估值表明细"]], margin=1)
    cover: list[list[object]] = [
        ["产品基本信息"],
        ["制表日期", dt.date(2025, 3, 28)],  # the day the report was made: not the valuation date
        ["产品名称", "稳健一号证券投资基金"],
        ["基金管理人", "某某基金"],
        ["估值日期", dt.date(2025, 3, 27)],
        ["说明：市值占净值% = 市值 / 基金资产净值 × 100"],
    ]
    table = parse_table(tables.write_xlsx(tmp_path / "估值表.xlsx", rows, before={"基本信息": cover}))
    _assert_fund(table)
    assert (table.product, table.manager, table.sheet) == ("稳健一号", "某某基金", "估值表")
    assert table.source["valuation_date"] == "基本信息!B5"
    assert _row(table, "11020101600309").source["market_value"] == "I8"  # one column in


@pytest.mark.parametrize("kind", ["xls", "xlsx", "csv-gbk"])
def test_group_titles_over_their_columns(tmp_path: Path, kind: str) -> None:
    columns = [
        ("code", "科目代码"), ("name", "科目名称"), ("quantity", "持有数量"), ("unit_cost", "成本|单位成本"),
        ("cost", "成本|成本金额"), ("cost_pct", "成本|占净值比例"), ("price", "市值|估值单价"),
        ("market_value", "市值|市值金额"), ("mv_pct", "市值|占净值比例"), ("appreciation", "估值增值"),
        ("status", "停牌标志"),
    ]  # fmt: skip
    rows, merges = tables.custom_layout(columns)
    path = (
        tables.write_xls(tmp_path / "估值表.xls", rows, merges)
        if kind == "xls"
        else _write(tmp_path, kind, rows)
    )
    table = parse_table(path)
    _assert_fund(table)  # 单位成本, not the 成本 group title; 市值占净值, not 成本占净值
    stock = _row(table, "11020101600309")
    assert stock.cost_pct_nav == Decimal("50") and stock.source["price"] == "G10"


@pytest.mark.parametrize("codes", ["suffix", "split"])
def test_index_and_security_columns(tmp_path: Path, codes: str) -> None:
    columns = [("index", "序号"), ("code", "科目代码"), ("security", "证券代码"), *_POSITION_COLUMNS[1:]]
    rows, _ = tables.custom_layout(columns, codes=codes, text=True, blank="-", pct="text")
    table = parse_table(_write(tmp_path, "csv-gbk", rows))
    _assert_fund(table)  # footer labels under 序号 found; codes whole and without `.SH`
    assert _row(table, "11020199600309").is_appreciation
    assert _row(table, "11020101600309").parent_code == "11020101"


def test_fraction_percentages_are_scaled(tmp_path: Path) -> None:
    rows, _ = tables.custom_layout(_POSITION_COLUMNS, pct="fraction")
    table = parse_table(_write(tmp_path, "xlsx", rows))
    _assert_fund(table)
    assert table.pct_scale == 1


def test_status_prefers_the_suspension_column(tmp_path: Path) -> None:
    columns = [*_POSITION_COLUMNS[:-1], ("rights", "权益信息"), ("status", "停牌信息")]
    table = parse_table(_write(tmp_path, "xlsx", tables.custom_layout(columns)[0]))
    _assert_fund(table)  # 权益信息 (10派2.5) comes first but 停牌信息 is the status
    assert _row(table, "11020101600309").status == "正常交易"


def test_title_labels_in_one_cell_and_report_dates(tmp_path: Path) -> None:
    titles: list[list[object]] = [
        ["制表日期：2025-03-28 18:00", "", "", "", "", "", "", "打印日期：2025/03/29"],
        ["基金名称：稳健一号基金\u3000\u3000基金代码：S12345\u3000\u3000估值日期：2025年03月27日"],
    ]
    table = parse_table(_write(tmp_path, "xlsx", tables.custom_layout(_POSITION_COLUMNS, titles=titles)[0]))
    _assert_fund(table)  # 单位净值 only in the footer
    assert table.product == "稳健一号" and table.source["valuation_date"] == "A2"


def test_generated_layouts_read_the_same_fund(tmp_path: Path) -> None:
    fund = generate_fund(42)
    tables_read = {name: parse_table(write_table(fund, name, tmp_path / name)) for name in LAYOUTS}
    first = tables_read["std_xlsx"]
    for name, table in tables_read.items():
        head = (table.product, table.valuation_date, table.nav, table.unit_nav)
        assert head == (first.product, first.valuation_date, first.nav, first.unit_nav), name
        assert [c for c in table.checks if not c.ok] == [], name
        assert len(table.rows) == len(fund.rows), name
        assert not reconcile(first, table).breaks, name
    for name in ("cover_xlsx", "ruler_xls"):  # A类 / C类 lines beside the totals, never for them
        classes = tables_read[name].share_classes
        assert [c.name[-2:] for c in classes] == ["A类", "C类"], name
        assert sum(c.paid_in_capital or 0 for c in classes) == first.paid_in_capital, name
    assert tables_read["cover_xlsx"].source["product"].startswith("基本信息!")


@pytest.mark.parametrize(
    ("text", "value"),
    [("(1,234.50)", Decimal("-1234.50")), ("−5", Decimal("-5")), ("--", None), ("６.98%", Decimal("6.98")),
     ("（1,234.50）", Decimal("-1234.50")), ("1,234", Decimal("1234"))],
)  # fmt: skip
def test_number_spellings(text: str, value: Decimal | None) -> None:
    assert number(text) == value


@pytest.mark.parametrize("text", ["2025年03月27日", "估值日期：2025/03/27", "2025-03-27T00:00:00"])
def test_parse_date_spellings(text: str) -> None:
    assert parse_date(text) == dt.date(2025, 3, 27)


@pytest.mark.parametrize(
    ("raw", "code", "level"),
    [("11020101600309.SH", "11020101600309", 4), ("1102.01.01.600309.SZ", "11020101600309", 4),
     ("1102.01.01.600309 SH", "11020101600309", 4), ("2206.11.ALW78B", "220611ALW78B", 3),
     ("1103.11.01.019547.IB", "11031101019547", 4)],
)  # fmt: skip
def test_codes_lose_their_market(raw: str, code: str, level: int) -> None:
    assert (normalise_code(raw), code_level(raw)) == (code, level)


@pytest.mark.parametrize(
    ("code", "security", "joined"),
    [("11020101", "600309", "11020101600309"), ("1102.01.01", "600309 SH", "1102.01.01.600309 SH"),
     ("11020101600309", "600309.SH", "11020101600309"), ("11020101600309", "SH600309", "11020101600309"),
     ("1002", "", "1002")],
)  # fmt: skip
def test_join_security(code: str, security: str, joined: str) -> None:
    assert join_security(code, security) == joined


@pytest.mark.parametrize(
    ("label", "field"),
    [("成本占净值(%)", "cost_pct_nav"), ("行情收市价", "price"), ("估值增值（本币）", "appreciation"),
     ("持有数量", "quantity"), ("证券代码", "security_code"), ("市值占净值比例(%)", "mv_pct_nav")],
)  # fmt: skip
def test_column_aliases(label: str, field: str) -> None:
    assert match_label(label)[0] == field
