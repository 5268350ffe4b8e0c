"""`recon batch`: a folder of generated manager/custodian tables paired by product and date, a
JSON per pair and one workbook; files that cannot be paired or read are listed, not guessed."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from bankmind.config import Settings
from bankmind.eval.recon_tables import generate_pair
from bankmind.recon.runs import list_runs
from bankmind.store import Store


def folder_of_pairs(root: Path, count: int) -> Path:
    folder = root / "估值表"
    folder.mkdir()
    for seed in range(count):
        (manager, custodian), _ = generate_pair(
            seed, "text_csv", "std_xlsx", breaks=("quantity",) if seed % 2 else (), out_dir=root / f"g{seed}"
        )
        manager.rename(folder / f"{seed:02d}_管理人{manager.suffix}")
        custodian.rename(folder / f"{seed:02d}_托管人{custodian.suffix}")
    return folder


def test_batch_pairs_reconciles_and_writes_the_reports(run: Callable[..., Any], tmp_path: Path) -> None:
    folder = folder_of_pairs(tmp_path, 4)
    (folder / "坏文件_托管人.xlsx").write_bytes(b"not a workbook")
    out = tmp_path / "核对结果"
    result = run("recon", "batch", str(folder), "--out", str(out), "--workers", "1", "--format", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1  # the unreadable file is listed
    assert len(report["pairs"]) == 4
    assert [u["file"] for u in report["unpaired"]] == ["坏文件_托管人.xlsx"]
    by_breaks = sorted(p["breaks"] > 0 for p in report["pairs"])
    assert by_breaks == [False, False, True, True]
    first = json.loads((out / report["pairs"][0]["report"]).read_text(encoding="utf-8"))
    assert set(first) == {"manager", "custodian", "summary", "breaks"}
    book = load_workbook(out / report["workbook"])
    assert book.sheetnames[0] == "汇总" and "未配对" in book.sheetnames
    assert book["汇总"].max_row == 5 and len(book.sheetnames) == 2 + 2  # two products with breaks


def test_two_files_that_do_not_say_their_side_are_not_guessed(
    run: Callable[..., Any], tmp_path: Path
) -> None:
    folder = folder_of_pairs(tmp_path, 1)
    for path in folder.iterdir():
        path.rename(folder / path.name.replace("管理人", "甲").replace("托管人", "乙"))
    result = run("recon", "batch", str(folder), "--out", str(tmp_path / "out"), "--workers", "1")
    assert result.exit_code == 1 and "a pair needs one of each" in result.stderr


def test_an_empty_or_missing_folder_is_a_clear_error(run: Callable[..., Any], tmp_path: Path) -> None:
    assert run("recon", "batch", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")).exit_code == 2
    (tmp_path / "empty").mkdir()
    result = run("recon", "batch", str(tmp_path / "empty"), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2 and "no .xls, .xlsx or .csv files" in result.stderr


def test_saved_runs_tell_the_next_run_what_is_carried_over(
    run: Callable[..., Any], tmp_path: Path, settings: Settings
) -> None:
    folder = folder_of_pairs(tmp_path, 2)
    args = ("recon", "batch", str(folder), "--out", str(tmp_path / "o"), "--workers", "1", "--save")
    first = json.loads(run(*args, "--format", "json").stdout)["pairs"]
    assert all(p["run_id"] and p["new_breaks"] == p["breaks"] and p["carried_breaks"] == 0 for p in first)
    assert run(*args).exit_code == 0  # the table, with the new and carried-over counts
    again = json.loads(run(*args, "--format", "json").stdout)["pairs"]
    assert [p["carried_breaks"] for p in again] == [p["breaks"] for p in first]
    with closing(Store.open(settings)) as store:
        runs = list_runs(store, None)
    assert len(runs) == 6 and sum(r.new_breaks for r in runs) == sum(p["breaks"] for p in first)
    (manager, custodian) = sorted(folder.iterdir())[:2]
    single = run("recon", "compare", str(manager), str(custodian), "--save", "--format", "json")
    assert single.exit_code == 0 and "carried over" in single.stderr
    assert json.loads(single.stdout)["summary"]["breaks"] >= 0


def test_tables_without_a_title_pair_by_their_file_names(run: Callable[..., Any], tmp_path: Path) -> None:
    """An export without the title block: product and date come from the file names."""
    folder = tmp_path / "无表头"
    folder.mkdir()
    (manager, custodian), _ = generate_pair(1, "text_csv", "text_csv", ("price",), out_dir=tmp_path / "g")
    for path, side in ((manager, "管理人"), (custodian, "托管人")):
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        body = lines[next(i for i, line in enumerate(lines) if line.startswith("科目代码")) :]
        (folder / f"稳健一号_2025-03-27_{side}.csv").write_text("\n".join(body), encoding="utf-8")
    (folder / "无日期_管理人.csv").write_text("\n".join(body), encoding="utf-8")
    result = run(
        "recon", "batch", str(folder), "--out", str(tmp_path / "o"), "--workers", "1", "--format", "json"
    )
    report = json.loads(result.stdout)
    assert [(p["product"], p["valuation_date"]) for p in report["pairs"]] == [("稳健一号", "2025-03-27")]
    assert report["pairs"][0]["breaks"] > 0
    assert [u["file"] for u in report["unpaired"]] == ["无日期_管理人.csv"]
    assert "file name" in report["unpaired"][0]["reason"]
