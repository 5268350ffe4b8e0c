"""The real custodian tables under /work/shared/data (read at run time, never copied here),
compared with a peer parser's expected subject rows (expected_subjects_from_peer.csv).

The peer keeps some figures we deliberately read differently; those are normalised here, each
with its reason: PRODUCT_006 prints 占净值 as fractions (we report percentages, so ×100) and the
peer took its 汇率 column for 数量 (so quantity is not compared for that file); 状态 brackets
`【正常交易】` are dropped by us.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from bankmind.recon import parse_table
from bankmind.recon.hierarchy import normalise_code

DATA = Path("/work/shared/data/recon/real_tables")
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="local evaluation data /work/shared/data is absent")

FIELDS = {  # ours: peer's
    "quantity": "quantity",
    "unit_cost": "unit_cost",
    "cost": "cost",
    "cost_pct_nav": "cost_pct_nav",
    "price": "market_price",
    "market_value": "market_value",
    "mv_pct_nav": "market_value_pct_nav",
    "appreciation": "pnl",
}


def _peer(source_name: str) -> list[dict[str, str]]:
    with (DATA / "expected_subjects_from_peer.csv").open(encoding="utf-8-sig") as fh:
        return [r for r in csv.DictReader(fh) if Path(r["source_file"]).name == source_name]


def agreement(path: Path) -> tuple[int, int, list[str]]:
    """(peer rows, rows matched by code, value mismatches) for one real file."""
    table = parse_table(path)
    ours = {r.subject_code: r for r in table.rows}
    peer = _peer(path.name)
    mismatches: list[str] = []
    matched = 0
    for expected in peer:
        row = ours.get(normalise_code(expected["subject_code"]))
        if row is None:
            mismatches.append(f"{expected['subject_code']}: missing")
            continue
        matched += 1
        for field, peer_field in FIELDS.items():
            if field == "quantity" and "PRODUCT_006" in path.name:
                continue  # the peer read 汇率 as 数量 in this layout
            want = Decimal(expected[peer_field]) if expected[peer_field] else None
            if want is not None and field in ("cost_pct_nav", "mv_pct_nav") and table.pct_scale == 1:
                want *= 100
            got = getattr(row, field)
            if (want is None) != (got is None) or (
                want is not None and got is not None and abs(want - got) > Decimal("0.000001")
            ):
                mismatches.append(f"{row.subject_code} {field}: ours {got} peer {want}")
        status = expected["suspension_info"].strip("【】 ") or None
        if status != row.status:
            mismatches.append(f"{row.subject_code} status: ours {row.status} peer {status}")
    return len(peer), matched, mismatches


@pytest.mark.parametrize(
    "name",
    [
        "20250327_PRODUCT_002_证券投资基金估值表.csv",
        "20250327_PRODUCT_002_证券投资基金估值表.xls",
        "PRODUCT_006_资产估值表_20250327.xls",
    ],
)
def test_agrees_with_peer(name: str) -> None:
    total, matched, mismatches = agreement(DATA / name)
    assert total > 100 and matched == total
    assert mismatches == []


@pytest.mark.parametrize(
    ("name", "product", "nav", "unit_nav"),
    [
        ("20250327_PRODUCT_002_证券投资基金估值表.csv", "PRODUCT_002", "1292839757.85", "0.7807"),
        ("PRODUCT_006_资产估值表_20250327.xls", "PRODUCT_006", "14276716.91", "1.1151"),
        ("估值表日报-XXX022-PRODUCT_022-4-20250327.xlsx", "PRODUCT_022", "2730231.73", "0.9285"),
    ],
)
def test_header_figures(name: str, product: str, nav: str, unit_nav: str) -> None:
    table = parse_table(DATA / name)
    assert (table.product, str(table.valuation_date)) == (product, "2025-03-27")
    assert (table.nav, table.unit_nav) == (Decimal(nav), Decimal(unit_nav))
    ok = {
        c.code: c.ok
        for c in table.checks
        if c.code in ("appreciation", "mv_pct_nav", "nav_total", "unit_nav")
    }
    assert ok == {"appreciation": True, "mv_pct_nav": True, "nav_total": True, "unit_nav": True}


def test_csv_and_xls_of_the_same_table_agree() -> None:
    csv_table = parse_table(DATA / "20250327_PRODUCT_002_证券投资基金估值表.csv")
    xls_table = parse_table(DATA / "20250327_PRODUCT_002_证券投资基金估值表.xls")
    assert [r.contract_dict() for r in csv_table.rows] == [r.contract_dict() for r in xls_table.rows]
