"""The 估值表 generator: consistent tables, every layout written and read back, breaks with knock-ons."""

from __future__ import annotations

import csv
import datetime as dt
import time
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from bankmind.eval.recon_tables import (
    BREAK_KINDS,
    LAYOUTS,
    Fund,
    generate_fund,
    generate_pair,
    make_pair,
    table_grid,
    table_sheets,
)
from bankmind.recon.severity import severity


def _assert_consistent(fund: Fund, skip: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    codes = {r.code: r for r in fund.rows}
    for r in fund.rows:
        if r.code in skip:
            continue
        if r.quantity is not None and r.price is not None and r.code[6:8] == "01" and len(r.code) > 8:
            assert r.appreciation == (r.market_value or 0) - (r.cost or 0), r.code
            twin = codes[r.code[:6] + "99" + r.code[8:]]
            assert twin.market_value == r.appreciation
        kids = [c for c in codes.values() if c.code != r.code and c.code.startswith(r.code)]
        direct = [
            k
            for k in kids
            if not any(p.code != r.code and k.code.startswith(p.code) and p.code != k.code for p in kids)
        ]
        if direct:
            direct = [k for k in direct if k.code != r.code + "99"]
            assert r.market_value == sum(k.market_value or 0 for k in direct), r.code
    assets = sum(r.market_value or 0 for r in fund.rows if len(r.code) == 4 and r.code[0] == "1")
    liabilities = sum(r.market_value or 0 for r in fund.rows if len(r.code) == 4 and r.code[0] == "2")
    assert fund.nav == assets - liabilities
    assert fund.unit_nav == round(fund.nav / fund.units, 4)


def test_generated_fund_is_realistic_and_consistent() -> None:
    fund = generate_fund(11)
    assert 280 <= len(fund.rows) <= 330
    codes = {r.code for r in fund.rows}
    assert {
        "1002",
        "1021",
        "1031",
        "1102",
        "110201",
        "11020101",
        "1103",
        "1204",
        "2206",
        "2207",
        "4001",
    } <= codes
    assert any(len(c) == 14 and c.startswith("11020101") for c in codes)
    _assert_consistent(fund)


def test_determinism_by_seed() -> None:
    assert make_pair(7, ["price", "fee"]) == make_pair(7, ["price", "fee"])
    assert generate_fund(7) != generate_fund(8)


@pytest.mark.parametrize("kind", BREAK_KINDS)
def test_each_break_is_recorded_with_consistent_knock_ons(kind: str) -> None:
    manager, custodian, truth = make_pair(21, [kind])
    roots = [b for b in truth.breaks if b.root]
    assert len(roots) == 1
    expected_kind = {"bonus_shares": "quantity", "suspended": "price"}.get(kind, kind)
    assert roots[0].kind == expected_kind
    code = roots[0].subject_code or ""
    skip = (
        {code, code[:6] + "01" + code[8:]} if kind == "appreciation" else set()
    )  # the stale memo and its leaf
    _assert_consistent(manager, skip)
    _assert_consistent(custodian)
    if kind in ("cost", "appreciation"):
        assert manager.nav == custodian.nav
    if manager.nav != custodian.nav:
        assert any(b.kind == "nav" and not b.root for b in truth.breaks)
    if kind == "bonus_shares":
        assert roots[0].cause and roots[0].cause.startswith("corporate_action")
    assert truth.severity == severity(truth.manager_unit_nav, truth.custodian_unit_nav, breaks=1)


def test_identical_pair_has_no_breaks_and_is_ok() -> None:
    manager, custodian, truth = make_pair(5)
    assert truth.breaks == ()
    assert truth.severity == "ok"
    assert manager == custodian


def _read(path: Path, encoding: str) -> dict[str | None, list[list[object]]]:
    if path.suffix == ".csv":
        with path.open(encoding=encoding, newline="") as fh:
            return {None: [list(r) for r in csv.reader(fh)]}
    book = CalamineWorkbook.from_path(str(path))
    return {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in book.sheet_names}


def _filled(rows: list[list[object]]) -> list[list[object]]:
    return [row for row in rows if any(c not in ("", None) for c in row)]


def _same(got: list[list[object]], expected: list[list[object]]) -> None:
    got, expected = _filled(got), _filled(expected)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        g_norm = [None if c in ("", None) else c for c in g][: len(e)]
        g_norm += [None] * (len(e) - len(g_norm))
        assert g_norm == [c if isinstance(c, str | dt.date) or c is None else pytest.approx(c) for c in e]


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_each_layout_writes_and_reads_back(name: str, tmp_path: Path) -> None:
    layout = LAYOUTS[name]
    (left, _right), _truth = generate_pair(3, name, "std_xlsx", ["quantity"], out_dir=tmp_path)
    assert left.suffix == "." + layout.fmt
    manager, _, _ = make_pair(3, ["quantity"])
    sheets = table_sheets(manager, layout)
    assert sheets[-1].rows == table_grid(manager, layout) and sheets[-1].name == layout.sheet
    read = _read(left, layout.encoding)
    if layout.fmt == "csv":
        _same(read[None], sheets[-1].rows)
    else:
        assert list(read) == [s.name for s in sheets]
        for sheet in sheets:
            _same(read[sheet.name], sheet.rows)
    text = "\n".join(",".join(str(c) for c in row) for grid in read.values() for row in grid)
    day = manager.valuation_date
    assert format(day, layout.date_format) in text or day.isoformat() in text
    assert layout.footer_labels[4] in text and layout.footer_labels[2] in text
    if layout.dotted_codes:
        assert any(
            str(row[0]).endswith((" SH", " SZ", " HK"))
            for row in read[None if layout.fmt == "csv" else layout.sheet]
        )
    if layout.two_row_header:
        assert "本币" in text and "原币" in text


def test_thousand_pairs_generate_fast() -> None:
    start = time.perf_counter()
    for seed in range(1000):
        make_pair(seed, [BREAK_KINDS[seed % len(BREAK_KINDS)]])
    elapsed = time.perf_counter() - start
    print(f"1,000 pairs generated in memory in {elapsed:.2f}s")
    assert elapsed < 60
