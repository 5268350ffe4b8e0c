"""`bankmind eval cuad`: metrics on hand-computed cases, a tiny CUAD-shaped data set written here,
and a clean skip without data."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bankmind.contracts.clauses_en_rules import load_categories
from bankmind.errors import InputError
from bankmind.eval.cuad import (
    CUAD_DIR,
    average_precision,
    evaluate_cuad,
    load_cuad,
    locate,
    precision_at_recall,
    to_text,
)


@pytest.mark.parametrize(
    "scores, labels, ap, p80",
    [
        ([0.9, 0.8, 0.7, 0.6], [True, False, True, False], 0.5 * 1 + 0.5 * 2 / 3, 2 / 3),
        ([0.9, 0.8, 0.7, 0.6], [True, True, False, False], 1.0, 1.0),
        ([0.5, 0.5], [True, False], 0.5, 0.5),  # a tie is one threshold
        ([0.1, 0.9, 0.3, 0.2, 0.8], [True, True, False, False, True], (1 + 1 + 3 / 5) / 3, 3 / 5),
    ],
)
def test_metrics_match_hand_computed_values(
    scores: list[float], labels: list[bool], ap: float, p80: float
) -> None:
    assert average_precision(scores, labels) == pytest.approx(ap)
    assert precision_at_recall(scores, labels) == pytest.approx(p80)


def test_precision_at_recall_takes_the_first_threshold_reaching_it() -> None:
    # ranks: +, -, +, +, -, + → recall 0.75 at rank 4, 1.0 at rank 6
    scores, labels = [6, 5, 4, 3, 2, 1], [True, False, True, True, False, True]
    assert precision_at_recall(scores, labels, 0.75) == pytest.approx(3 / 4)
    assert precision_at_recall(scores, labels, 0.8) == pytest.approx(4 / 6)


def test_metrics_without_positives_are_undefined() -> None:
    assert average_precision([0.3, 0.2], [False, False]) is None
    assert precision_at_recall([0.3, 0.2], [False, False]) is None


def test_locate_ignores_whitespace_differences() -> None:
    text = "1. LAW. This Agreement is governed\n   by the laws of Ohio."
    assert locate(text, "governed by the  laws of Ohio.") == (text.index("governed"), len(text))
    assert locate(text, "laws of Texas") is None
    assert locate(text, "   ") is None


GOVERNING = "This Agreement shall be governed by the laws of the State of {state}."
ASSIGNMENT = "Neither party may assign this Agreement without the prior written consent of the other party."
DELIVERY = "Seller shall deliver the goods to the {state} warehouse within {days} days of each order."


def _write_cuad(root: Path, count: int = 10) -> Path:
    """A CUAD-shaped folder: master_clauses_dev.csv and full_contract_txt/, contracts written here."""
    folder = root / CUAD_DIR
    (folder / "full_contract_txt").mkdir(parents=True)
    names = [c.name for c in load_categories()]
    states = ["Ohio", "Texas", "Utah", "Iowa", "Maine", "Idaho", "Nevada", "Oregon", "Kansas", "Vermont"]
    rows = []
    for i in range(count):
        state = states[i % len(states)]
        governed, assigned = i % 2 == 0, i % 3 != 1
        body = [f"SALES AGREEMENT NO. {i}", DELIVERY.format(state=state, days=10 + i)]
        if governed:
            body.append(GOVERNING.format(state=state))
        if assigned:
            body.append(ASSIGNMENT)
        name = f"Contract{i:02d}_EX-10.{i}_Sales Agreement"
        (folder / "full_contract_txt" / f"{name}.txt").write_text("\n\n".join(body), encoding="utf-8")
        row = {"Filename": f"{name}.pdf"}
        for n in names:
            row[n], row[f"{n}-Answer"] = "[]", "No"
        if governed:
            row["Governing Law"] = repr([GOVERNING.format(state=state).replace(" the ", "  the ")])
        if assigned:
            row["Anti-Assignment"] = repr([ASSIGNMENT])
        rows.append(row)
    rows.append({**rows[0], "Filename": "Missing_EX-10_Agreement.pdf"})  # no text file: left out
    with (folder / "master_clauses_dev.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


def test_load_cuad_labels_contracts_and_locates_spans(tmp_path: Path) -> None:
    contracts = load_cuad(_write_cuad(tmp_path))
    assert len(contracts) == 10
    first = contracts[0]
    assert first.present["Governing Law"] and first.present["Anti-Assignment"]
    assert not first.present["Insurance"]
    ((start, end),) = first.spans["Governing Law"]
    assert first.text[start:end] == GOVERNING.format(state="Ohio")
    assert len(load_cuad(tmp_path / CUAD_DIR, limit=3)) == 3


def test_load_cuad_without_the_table_says_what_to_pass(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"master_clauses_dev\.csv"):
        load_cuad(tmp_path)


def test_evaluate_cuad_ranks_rules_baseline_and_chat(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    asked: list[str] = []

    def chat(messages: list[dict[str, str]]) -> str:
        asked.append(messages[-1]["content"])
        return "yes" if "governed by" in messages[-1]["content"] else "no"

    report = evaluate_cuad(_write_cuad(tmp_path), chat=chat)
    methods = {m.method: m for m in report.methods}
    assert list(methods) == ["rules", "tfidf+logreg", "rules+chat"]
    assert report.contracts == 10 and report.categories == 41
    rules = {c.category: c for c in methods["rules"].categories}
    assert rules["Governing Law"].aupr == 1.0 and rules["Governing Law"].p80r == 1.0
    assert rules["Anti-Assignment"].aupr == 1.0 and rules["Anti-Assignment"].positives == 7
    assert rules["Insurance"].aupr is None  # no positive: left out of the macro average
    assert methods["rules"].macro_aupr == 1.0
    assert {c.category: c for c in methods["rules+chat"].categories}["Governing Law"].aupr == 1.0
    assert asked
    text = to_text(report)
    assert "10 contracts" in text and "tfidf+logreg" in text and "Governing Law" in text


def test_cli_skips_cleanly_without_data(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    result = run("eval", "cuad")
    assert result.exit_code == 0
    assert result.stderr.strip().startswith("skipped: no evaluation data")
    assert len(result.stderr.strip().splitlines()) == 1
    as_json = json.loads(run("eval", "cuad", "--format", "json").stdout)
    assert as_json["skipped"] is True
    missing = run("eval", "cuad", "--data", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2


def test_cli_prints_json(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("sklearn")
    _write_cuad(tmp_path, count=6)
    result = run("eval", "cuad", "--data", str(tmp_path), "--limit", "5", "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["contracts"] == 5
    assert [m["method"] for m in report["methods"]] == ["rules", "tfidf+logreg"]
