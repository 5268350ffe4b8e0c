"""`parse_table` on tables written in several layouts, answers known by construction (tables.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from tests.recon import tables

from bankmind.recon import ValuationTable, parse_table
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
