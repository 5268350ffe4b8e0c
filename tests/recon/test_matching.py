"""compare_tables agrees with datacompy: on datacompy's own test cases and golden reports (local
evaluation data, read at run time when present) and on generated frames run through datacompy itself."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import datacompy
import numpy as np
import pandas as pd
import polars as pl
import pytest

from bankmind.errors import InputError
from bankmind.recon.matching import Comparison, compare_tables

PEER = Path("/work/shared/data/recon/datacompy_peer_cases")
CASES = PEER / "pandas_csv_cases.jsonl"
SNAPSHOTS = PEER / "tests" / "snapshots"


def _cases() -> list[dict[str, Any]]:
    if not CASES.exists():
        return []
    return [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]


def _need_peer_data() -> None:
    if not CASES.exists():
        pytest.skip(f"datacompy peer cases not present at {PEER} (local evaluation data)")


def _pl(df: pd.DataFrame) -> pl.DataFrame:
    return pl.from_pandas(df, nan_to_null=True)


def _datacompy_counts(cmp: datacompy.PandasCompare) -> dict[str, Any]:
    return {
        "matched": len(cmp.intersect_rows),
        "only_left": len(cmp.df1_unq_rows),
        "only_right": len(cmp.df2_unq_rows),
        "rows_unequal": len(cmp.intersect_rows) - cmp.count_matching_rows(),
        "columns": {
            s["column"]: s["unequal_cnt"] for s in cmp.column_stats if s["column"] not in cmp.join_columns
        },
    }


def _our_counts(cmp: Comparison) -> dict[str, Any]:
    return {
        "matched": cmp.matched_rows,
        "only_left": cmp.only_left.height,
        "only_right": cmp.only_right.height,
        "rows_unequal": cmp.rows_unequal,
        "columns": {name: c.unequal for name, c in cmp.columns.items()},
    }


# -- datacompy's columns_equal cases: one row per pair, the expected flag in the CSV -----------------

_COLUMNS_EQUAL = [c["test"] for c in _cases() if c["compare_calls"][0]["call"] == "columns_equal"]
_KNOWN_DIVERGENCE = {
    # datacompy's test turns column b into text first, so a blank becomes the string "nan" and
    # null/null is expected unequal; compare_tables keeps null == null (cli-contract: blank is blank).
    "test_single_date_columns_equal_to_string": {5},
}


@pytest.mark.parametrize("test_name", _COLUMNS_EQUAL or ["(data absent)"])
def test_columns_equal_cases_agree_with_datacompy(test_name: str) -> None:
    _need_peer_data()
    case = next(c for c in _cases() if c["test"] == test_name)
    df = pd.read_csv(io.StringIO(case["csv_literals"]["data"]), sep="|")
    expected_unequal = {i for i, ok in enumerate(df["expected"].tolist()) if not ok}
    expected_unequal -= _KNOWN_DIVERGENCE.get(test_name, set())
    for call in case["compare_calls"]:
        a_name, b_name = (arg.split(".")[1] for arg in call["df_args"])
        kw = call["kwargs"]
        left = _pl(pd.DataFrame({"k": range(len(df)), "v": df[a_name]}))
        right = _pl(pd.DataFrame({"k": range(len(df)), "v": df[b_name]}))
        cmp = compare_tables(
            left,
            right,
            on=["k"],
            abs_tol=kw.get("abs_tol", 0.0),
            rel_tol=kw.get("rel_tol", 0.0),
            ignore_spaces=kw.get("ignore_spaces", False),
            ignore_case=kw.get("ignore_case", False),
        )
        got = set(cmp.columns["v"].pairs["k"].to_list())
        got -= _KNOWN_DIVERGENCE.get(test_name, set())
        assert got == expected_unequal, (test_name, call)
        assert cmp.matched_rows == len(df)


# -- datacompy's PandasCompare cases: the same frames through datacompy and through us --------------

_FRAME_CASES = [c["test"] for c in _cases() if c["compare_calls"][0]["call"] == "PandasCompare"]
_ASSERT_COL = re.compile(r"^assert \(output\.(\w+)_df1 != output\.\1_df2\)\.values\.sum\(\) == (\d+)$")


@pytest.mark.parametrize("test_name", _FRAME_CASES or ["(data absent)"])
def test_frame_cases_agree_with_datacompy(test_name: str) -> None:
    _need_peer_data()
    case = next(c for c in _cases() if c["test"] == test_name)
    lit = case["csv_literals"]
    df1 = pd.read_csv(io.StringIO(lit.get("data1", lit.get("data", ""))))
    df2 = pd.read_csv(io.StringIO(lit["data2"])) if "data2" in lit else df1.copy()
    for call in case["compare_calls"]:
        on = call["kwargs"].get("join_columns") or call["extra_args"]
        on = [on] if isinstance(on, str) else list(on)
        theirs = _datacompy_counts(datacompy.PandasCompare(df1, df2, join_columns=on))
        ours_cmp = compare_tables(_pl(df1), _pl(df2), on=on)
        assert _our_counts(ours_cmp) == theirs, test_name
    # the test's own asserts on all_mismatch(): unequal rows, and unequal values per column
    if test_name.startswith("test_all_mismatch"):
        for text in case["asserts"]:
            if m := _ASSERT_COL.match(text):
                assert ours_cmp.columns[m[1]].unequal == int(m[2]), text
            elif m := re.match(r"^assert output\.shape\[0\] == (\d+)$", text):
                assert ours_cmp.rows_unequal == int(m[1]), text
    if "assert compare_acct.matches()" in case["asserts"]:
        assert ours_cmp.matches()


# -- datacompy's golden reports: the inputs are the literals of its tests/test_report_snapshots.py ----

_SNAPSHOT_INPUTS: dict[str, tuple[dict[str, list[Any]], dict[str, list[Any]], list[str], float]] = {
    "no_mismatches": ({"id": [1, 2, 3], "val": [10, 20, 30], "name": ["a", "b", "c"]}, {}, ["id"], 0.0),
    "with_mismatches": (
        {"id": [1, 2, 3], "val": [10, 20, 30], "score": [1.0, 2.0, 3.0]},
        {"id": [1, 2, 3], "val": [10, 99, 30], "score": [1.0, 2.5, 3.0]},
        ["id"],
        0.0,
    ),
    "unique_rows": (
        {"id": [1, 2, 3], "val": [10, 20, 30]},
        {"id": [1, 2, 4], "val": [10, 20, 40]},
        ["id"],
        0.0,
    ),
    "unique_columns": (
        {"id": [1, 2], "shared": [1, 2], "only_1": [9, 9]},
        {"id": [1, 2], "shared": [1, 2], "only_2": [8, 8]},
        ["id"],
        0.0,
    ),
    "on_index": (
        {"index": [0, 1, 2], "val": [10, 20, 30]},
        {"index": [0, 1, 2], "val": [10, 99, 30]},
        ["index"],
        0.0,
    ),
    "with_tolerances": (
        {"id": [1, 2], "val": [1.0, 2.0]},
        {"id": [1, 2], "val": [1.0001, 2.0001]},
        ["id"],
        0.001,
    ),
    "duplicates": (
        {"id": [1, 1, 2], "val": [10, 20, 30]},
        {"id": [1, 1, 2], "val": [10, 20, 30]},
        ["id"],
        0.0,
    ),
    "sample_count": (
        {"id": [1, 2, 3], "val": [10, 20, 30]},
        {"id": [1, 2, 3], "val": [11, 22, 33]},
        ["id"],
        0.0,
    ),
    "sample_count_zero": (
        {"id": [1, 2, 3], "val": [10, 20, 30]},
        {"id": [1, 2, 3], "val": [11, 22, 33]},
        ["id"],
        0.0,
    ),
}
_POLARS_NO_MISMATCHES = ({"id": [1, 2, 3], "val": [10, 20, 30]}, {}, ["id"], 0.0)


def _report_counts(text: str) -> dict[str, Any]:
    def num(label: str) -> int:
        m = re.search(rf"^{label}: (\d+)$", text, re.M)
        assert m, label
        return int(m[1])

    return {
        "matched": num("Number of rows in common"),
        "only_left": num(r"Number of rows in (?:df1|left) but not in (?:df2|right)"),
        "only_right": num(r"Number of rows in (?:df2|right) but not in (?:df1|left)"),
        "rows_unequal": num("Number of rows with some compared columns unequal"),
        "unequal_values": num("Total number of values which compare unequal"),
        "duplicates": re.search(r"^Any duplicates on match values: (\w+)$", text, re.M)[1] == "Yes",  # type: ignore[index]
    }


@pytest.mark.parametrize(
    "snapshot", sorted(p.stem for p in SNAPSHOTS.glob("*.txt")) if SNAPSHOTS.exists() else ["(data absent)"]
)
def test_golden_report_counts(snapshot: str) -> None:
    if not SNAPSHOTS.exists():
        pytest.skip(f"datacompy snapshots not present at {SNAPSHOTS} (local evaluation data)")
    _backend, case = snapshot.split("_", 1)
    inputs = _POLARS_NO_MISMATCHES if snapshot == "polars_no_mismatches" else _SNAPSHOT_INPUTS[case]
    d1, d2, on, abs_tol = inputs
    left = pl.DataFrame(d1)
    right = pl.DataFrame(d2 or d1)
    cmp = compare_tables(left, right, on=on, abs_tol=abs_tol)
    expected = _report_counts((SNAPSHOTS / f"{snapshot}.txt").read_text(encoding="utf-8"))
    assert {
        "matched": cmp.matched_rows,
        "only_left": cmp.only_left.height,
        "only_right": cmp.only_right.height,
        "rows_unequal": cmp.rows_unequal,
        "unequal_values": cmp.unequal_values,
        "duplicates": cmp.has_duplicates,
    } == expected


# -- self-contained: datacompy itself on generated frames --------------------------------------------


def _random_pair(seed: int, n: int = 200) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, n // 2, size=n)  # many duplicate keys
    amount = rng.normal(1000, 300, size=n).round(2)
    name = rng.choice(["万华化学", "贵州茅台", " 招商银行", "abc", "ABC"], size=n)
    df1 = pd.DataFrame(
        {"code": keys, "amount": amount, "qty": rng.integers(0, 5, n).astype(float), "name": name}
    )
    df1.loc[rng.random(n) < 0.05, "amount"] = np.nan
    df2 = df1.sample(frac=0.9, random_state=seed).sort_index().copy()
    bump = rng.choice([0.0, 0.004, 0.02, 3.0], size=len(df2), p=[0.7, 0.1, 0.1, 0.1])
    df2["amount"] = df2["amount"] + bump
    df2.loc[rng.random(len(df2)) < 0.05, "qty"] = np.nan
    df2["name"] = np.where(rng.random(len(df2)) < 0.1, df2["name"].str.strip().str.lower(), df2["name"])
    extra = pd.DataFrame(
        {"code": [n, n + 1], "amount": [1.0, 2.0], "qty": [1.0, np.nan], "name": ["x", None]}
    )
    return df1.reset_index(drop=True), pd.concat([df2, extra], ignore_index=True)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(
    ("abs_tol", "rel_tol", "ignore"),
    [
        (0.0, 0.0, False),
        (0.01, 0.0, False),
        (0.0, 0.001, True),
        ({"amount": 0.005, "default": 0.0}, 0.0, True),
    ],
)
def test_generated_frames_agree_with_datacompy(seed: int, abs_tol: Any, rel_tol: float, ignore: bool) -> None:
    df1, df2 = _random_pair(seed)
    theirs = datacompy.PandasCompare(
        df1,
        df2,
        join_columns=["code"],
        abs_tol=abs_tol,
        rel_tol=rel_tol,
        ignore_spaces=ignore,
        ignore_case=ignore,
    )
    ours = compare_tables(
        _pl(df1),
        _pl(df2),
        on=["code"],
        abs_tol=abs_tol,
        rel_tol=rel_tol,
        ignore_spaces=ignore,
        ignore_case=ignore,
    )
    assert _our_counts(ours) == _datacompy_counts(theirs)
    assert ours.has_duplicates
    assert ours.matches() == theirs.matches()


def test_multi_column_keys_with_nulls_agree_with_datacompy() -> None:
    df1 = pd.DataFrame({"a": [1, 1, 2, None], "b": ["x", "y", None, "z"], "v": [1.0, 2.0, 3.0, 4.0]})
    df2 = pd.DataFrame({"a": [1, 2, None, 3], "b": ["x", None, "z", "w"], "v": [1.0, 3.5, 4.0, 9.0]})
    theirs = datacompy.PandasCompare(df1, df2, join_columns=["a", "b"])
    ours = compare_tables(_pl(df1), _pl(df2), on=["a", "b"])
    assert _our_counts(ours) == _datacompy_counts(theirs)


def test_infinities_agree_with_datacompy() -> None:
    # numpy.isclose, as datacompy: a finite number never equals an infinity, whatever the tolerance
    df1 = pd.DataFrame({"k": range(5), "v": [5.0, np.inf, np.inf, -np.inf, 1.0]})
    df2 = pd.DataFrame({"k": range(5), "v": [np.inf, np.inf, -np.inf, -np.inf, 1.0]})
    for rel_tol in (0.0, 0.1):
        theirs = datacompy.PandasCompare(df1, df2, join_columns=["k"], abs_tol=0.01, rel_tol=rel_tol)
        ours = compare_tables(_pl(df1), _pl(df2), on=["k"], abs_tol=0.01, rel_tol=rel_tol)
        assert _our_counts(ours) == _datacompy_counts(theirs)
        assert ours.columns["v"].pairs["k"].to_list() == [0, 2]


# -- our own behaviour -------------------------------------------------------------------------------


def test_pairs_carry_keys_values_and_difference() -> None:
    left = pl.DataFrame(
        {"code": ["1102", "1103", "1204"], "mv": [100.0, 50.0, None], "name": ["股票", "债券", "利息"]}
    )
    right = pl.DataFrame(
        {"code": ["1102", "1103", "2206"], "mv": [90.0, 50.004, 1.0], "name": ["股票", "债券", "费"]}
    )
    cmp = compare_tables(left, right, on=["code"], abs_tol={"mv": 0.01})
    assert cmp.matched_rows == 2
    assert cmp.only_left["code"].to_list() == ["1204"]
    assert cmp.only_right["code"].to_list() == ["2206"]
    assert cmp.columns["mv"].pairs.to_dicts() == [
        {"code": "1102", "left": 100.0, "right": 90.0, "difference": 10.0}
    ]
    assert cmp.columns["name"].all_equal
    assert cmp.summary()["columns"]["mv"] == {"unequal": 1, "abs_tol": 0.01, "rel_tol": 0.0}


def test_blank_equals_zero_only_where_asked() -> None:
    left = pl.DataFrame({"code": ["a", "b"], "qty": [None, 0.0], "cost": [None, 5.0]})
    right = pl.DataFrame({"code": ["a", "b"], "qty": [0.0, None], "cost": [0.0, 5.0]})
    cmp = compare_tables(left, right, on=["code"], blank_equals_zero={"qty"})
    assert cmp.columns["qty"].unequal == 0
    assert cmp.columns["cost"].unequal == 1


def test_tolerance_rule_is_abs_plus_rel_times_right() -> None:
    left = pl.DataFrame({"k": [1, 2], "v": [100.0, 100.0]})
    right = pl.DataFrame({"k": [1, 2], "v": [101.0, 102.0]})
    cmp = compare_tables(left, right, on=["k"], abs_tol=0.5, rel_tol=0.005)  # allows 0.5 + 0.505 / 0.51
    assert cmp.columns["v"].pairs["k"].to_list() == [2]


def test_bad_arguments_name_the_problem() -> None:
    frame = pl.DataFrame({"k": [1], "v": [1.0]})
    with pytest.raises(InputError, match="abs_tol for column 'v'"):
        compare_tables(frame, frame, on=["k"], abs_tol={"v": -1.0})
    with pytest.raises(InputError, match="missing from the right table"):
        compare_tables(frame, frame.rename({"k": "x"}), on=["k"])
    with pytest.raises(InputError, match="not in both tables"):
        compare_tables(frame, frame, on=["k"], columns=["nope"])


def test_nan_equals_nan_and_null_equals_null_only() -> None:
    nan = float("nan")
    left = pl.DataFrame({"k": [1, 2, 3, 4, 5], "v": [nan, nan, 1.0, None, None]})
    right = pl.DataFrame({"k": [1, 2, 3, 4, 5], "v": [nan, 1.0, nan, nan, None]})
    for rel_tol in (0.0, 0.5):  # numpy.isclose(equal_nan=True): no tolerance makes a number equal NaN
        cmp = compare_tables(left, right, on=["k"], abs_tol=1.0, rel_tol=rel_tol)
        assert cmp.columns["v"].pairs["k"].to_list() == [2, 3, 4]


def test_keys_match_as_a_join_does() -> None:
    nan = float("nan")
    left = pl.DataFrame({"k": [nan, -0.0, None, 1.0], "v": [1, 2, 3, 4]})
    right = pl.DataFrame({"k": [0.0, nan, None, 2.0], "v": [1, 2, 3, 4]})
    cmp = compare_tables(left, right, on=["k"])  # NaN meets NaN, -0.0 meets 0.0, null meets null
    assert cmp.matched_rows == 3 and not cmp.has_duplicates
    assert cmp.only_left["k"].to_list() == [1.0] and cmp.only_right["k"].to_list() == [2.0]
    assert cmp.columns["v"].pairs["left"].to_list() == [1, 2]
    ints = compare_tables(
        pl.DataFrame({"k": [1, 2], "v": [1.0, 2.0]}),
        pl.DataFrame({"k": [2.0, 3.0], "v": [2.0, 3.0]}),
        on=["k"],
    )  # the right's float keys are read as the left's ints
    assert ints.matched_rows == 1 and ints.only_right.schema == pl.Schema({"k": pl.Int64})


def test_pairs_keep_each_side_s_type_and_order() -> None:
    left = pl.DataFrame(
        {
            "k": ["c", "a", "b"],
            "n": [3, 1, 2],
            "d": [dt.date(2025, 3, 27)] * 3,
            "s": ["x", "y", "z"],
            "same": [1.0, 2.0, 3.0],
        }
    )
    right = pl.DataFrame(
        {
            "k": ["b", "a", "c"],
            "n": [2.5, 1.0, 3.5],
            "d": [dt.date(2025, 3, 28), dt.date(2025, 3, 27), dt.date(2025, 3, 27)],
            "s": ["Z", "y", "x"],
            "same": [3.0, 2.0, 1.0],
        }
    )
    cmp = compare_tables(left, right, on=["k"])
    n = cmp.columns["n"].pairs
    assert n.schema == pl.Schema(
        {"k": pl.String, "left": pl.Int64, "right": pl.Float64, "difference": pl.Float64}
    )
    assert n.rows() == [("c", 3, 3.5, -0.5), ("b", 2, 2.5, -0.5)]  # in the left table's order
    assert cmp.columns["d"].pairs.rows() == [("b", dt.date(2025, 3, 27), dt.date(2025, 3, 28), None)]
    assert cmp.columns["s"].pairs["k"].to_list() == ["b"]
    assert cmp.columns["same"].pairs.schema == pl.Schema(
        {"k": pl.String, "left": pl.Null, "right": pl.Null, "difference": pl.Null}
    )
    assert cmp.rows_unequal == 2 and cmp.unequal_values == 4
