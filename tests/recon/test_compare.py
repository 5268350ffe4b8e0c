"""`recon compare`: manager vs custodian tables written in different layouts; every injected
difference found once, on the leaf, with its kind and likely cause; the real must-match pair."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bankmind.recon import parse_table
from bankmind.recon.compare import FIELDS, Tolerances, reconcile, rows_frame
from bankmind.recon.types import ValuationRow

from .tables import one_row_layout, write_csv, write_xlsx

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "recon" / "real_tables"
WANHUA = "11020101600309"


def edit(rows: list[list[object]], code: str, **cells: object) -> list[list[object]]:
    """The table with the row of `code` changed (column by header name) or removed (`drop=True`)."""
    header = next(r for r in rows if r and r[0] == "科目代码")
    out = []
    for row in rows:
        if row and str(row[0]) == code:
            if cells.get("drop"):
                continue
            row = list(row)
            for name, value in cells.items():
                row[header.index(name)] = value
        out.append(row)
    return out


def pair(tmp_path: Path, manager_rows: list[list[object]]) -> tuple[Path, Path]:
    custodian = write_xlsx(tmp_path / "custodian.xlsx", one_row_layout())
    manager = write_csv(tmp_path / "manager.csv", manager_rows, encoding="gbk")
    return manager, custodian


def breaks_of(manager: Path, custodian: Path) -> list[Any]:
    return reconcile(parse_table(manager), parse_table(custodian)).breaks


def test_the_same_fund_in_two_layouts_has_no_breaks(tmp_path: Path) -> None:
    manager, custodian = pair(tmp_path, one_row_layout(thousands=True, title="dashed"))
    result = reconcile(parse_table(manager), parse_table(custodian))
    assert result.breaks == [] and result.summary.severity == "ok"
    assert result.summary.rows_compared == 10 and result.summary.nav_difference == 0.0


def test_a_bonus_share_quantity_break_is_on_the_leaf_with_its_cause(tmp_path: Path) -> None:
    rows = edit(one_row_layout(), WANHUA, 数量=13000)
    found = breaks_of(*pair(tmp_path, rows))
    roots = [b for b in found if not b.knock_on]
    assert [(b.subject_code, b.kind) for b in roots] == [(WANHUA, "quantity")]
    assert roots[0].cause == "corporate_action" and "10:13" in roots[0].explanation
    assert roots[0].manager == 13000 and roots[0].custodian == 10000 and roots[0].difference == 3000
    assert roots[0].custodian_cell is not None  # points at the custodian's cell


def test_price_market_value_and_appreciation_on_a_suspended_security(tmp_path: Path) -> None:
    rows = edit(one_row_layout(), "11020101600000", 市价=9.0, 市值=180000.0, 估值增值=-10000.0)
    found = {(b.kind, b.field): b for b in breaks_of(*pair(tmp_path, rows))}
    assert found["price", "price"].cause == "suspended_valuation"
    assert ("market_value", "market_value") in found and ("appreciation", "appreciation") in found


def test_fee_missing_row_and_unit_nav(tmp_path: Path) -> None:
    rows = edit(one_row_layout(), "2206", 成本=10200.0, 市值=10200.0)
    rows = edit(rows, "11020101600000", drop=True)
    rows = [["基金单位净值：", "1.1400"] if r and r[0] == "基金单位净值：" else r for r in rows]
    result = reconcile(parse_table(pair(tmp_path, rows)[0]), parse_table(tmp_path / "custodian.xlsx"))
    kinds = {(b.subject_code, b.kind) for b in result.breaks}
    assert ("2206", "fee") in kinds and ("11020101600000", "missing_in_manager") in kinds
    assert (None, "unit_nav") in kinds
    assert result.summary.severity == "announce"  # 1.1400 vs 1.1111: 2.6 %


def test_tolerance_applies_to_money(tmp_path: Path) -> None:
    rows = edit(one_row_layout(), "2206", 成本=10000.5, 市值=10000.5)
    manager, custodian = pair(tmp_path, rows)
    assert any(b.kind == "fee" for b in breaks_of(manager, custodian))
    loose = reconcile(parse_table(manager), parse_table(custodian), tolerances=Tolerances.money(1.0))
    assert not any(b.kind == "fee" for b in loose.breaks)


def test_cli_compare_prints_the_contract(run: Callable[..., Any], tmp_path: Path) -> None:
    manager, custodian = pair(tmp_path, edit(one_row_layout(), WANHUA, 数量=13000))
    result = run("recon", "compare", str(manager), str(custodian), "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) == {"manager", "custodian", "summary", "breaks"}
    assert set(doc["summary"]) == {
        "rows_compared", "breaks", "nav_difference", "nav_difference_pct", "unit_nav_difference", "severity"
    }  # fmt: skip
    assert set(doc["breaks"][0]) == {
        "subject_code", "subject_name", "kind", "field", "manager", "custodian", "difference", "explanation"
    }  # fmt: skip


@pytest.mark.skipif(not REAL.is_dir(), reason=f"no real tables at {REAL}")
def test_the_real_must_match_pair_has_no_breaks() -> None:
    xls, csv = (
        REAL / "20250327_PRODUCT_002_证券投资基金估值表.xls",
        REAL / "20250327_PRODUCT_002_证券投资基金估值表.csv",
    )
    result = reconcile(parse_table(xls), parse_table(csv))
    assert result.breaks == [] and result.summary.severity == "ok" and result.summary.rows_compared == 136


def test_rows_frame_reads_each_decimal_as_float_does() -> None:
    texts = [
        "0.1",
        "-0",
        "1E+3",
        "2.675",
        "123456789012.123456789",
        "-0.000001",
        "1.23456789012345678901",
        None,
    ]
    rows = [
        ValuationRow(
            subject_code=f"1102{i:02d}",
            raw_code=f"1102.{i:02d}",
            level=2,
            **{name: None if t is None else Decimal(t) for name in FIELDS},
        )
        for i, t in enumerate(texts)
    ]
    frame = rows_frame(rows)
    assert frame["subject_code"].to_list() == [r.subject_code for r in rows]
    for name in FIELDS:
        for got, text in zip(frame[name].to_list(), texts, strict=True):
            want = None if text is None else float(Decimal(text))
            if want is None or got is None:
                assert got is want
            else:  # the same float to the bit, sign of zero included
                assert got == want and math.copysign(1, got) == math.copysign(1, want)
    assert rows_frame([]).schema == frame.schema
