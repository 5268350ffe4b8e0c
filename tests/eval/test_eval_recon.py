"""`bankmind eval recon` on a few generated pairs: the report's shape, exit codes, the real pair
skipped without data, and the parse metric on its own."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bankmind.eval import recon as recon_eval
from bankmind.eval.recon_tables import LAYOUTS


def test_eval_recon_reports_every_metric_as_json(
    run: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no ../shared/data here: the real pair is skipped
    result = run("eval", "recon", "--pairs", "4", "--format", "json", "--show-misses")
    report = json.loads(result.stdout)
    assert result.exit_code == (0 if report["ok"] else 1)
    assert report["parse"]["funds"] == 1 and report["parse"]["layouts"] == list(LAYOUTS)
    assert report["parse"]["rows_found_share"] == 1.0
    assert report["parse"]["accuracy"] >= 0.99
    assert report["breaks"]["pairs"] == 4 and report["breaks"]["truth_breaks"] >= 4
    assert set(report["breaks"]["per_kind"]) <= set(recon_eval.BREAK_KINDS)
    assert "misses" in report["breaks"] and "misses" in report["parse"]
    assert report["must_match"]["pairs"] == len(LAYOUTS)
    assert report["must_match"]["real_pair"].startswith("skipped")
    assert report["targets"] == recon_eval.TARGETS


def test_eval_recon_text_and_exit_code_follow_the_targets(
    run: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("eval", "recon", "--pairs", "2", "--seed", "3")
    report = recon_eval.evaluate_recon(None, pairs=2, seed=3)
    assert result.exit_code == (0 if report.ok else 1)
    assert "field accuracy" in result.stdout and "recall" in result.stdout
    assert "real pair: skipped" in result.stdout
    assert ("met" if report.ok else "MISSED") in result.stdout
    plain = run("eval", "recon", "--pairs", "2", "--seed", "3", "--format", "json")
    assert "misses" not in json.loads(plain.stdout)["breaks"]


def test_exit_code_is_1_when_a_target_is_missed(
    run: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(recon_eval, "TARGETS", {**recon_eval.TARGETS, "parse_accuracy": 1.01})
    assert run("eval", "recon", "--pairs", "1").exit_code == 1


def test_exit_code_is_0_when_the_targets_are_met(
    run: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    low = {"parse_accuracy": 0.0, "break_recall": 0.0, "break_precision": 0.0}
    monkeypatch.setattr(recon_eval, "TARGETS", low)
    assert run("eval", "recon", "--pairs", "1").exit_code == 0


def test_a_missing_data_folder_is_an_input_error(run: Callable[..., Any], tmp_path: Path) -> None:
    result = run("eval", "recon", "--data", str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and "not found" in result.stderr


def test_a_data_folder_without_the_real_pair_reports_it_skipped(tmp_path: Path) -> None:
    report = recon_eval.evaluate_recon(tmp_path, pairs=1, seed=1)
    assert report.must_match.real_pair.startswith("skipped: no ")
    assert report.parse.accuracy >= 0.99 and report.must_match.clean == report.must_match.pairs


def test_the_temporary_folder_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    recon_eval.evaluate_recon(None, pairs=1, seed=2)
    assert list(tmp_path.iterdir()) == []
