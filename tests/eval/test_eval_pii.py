"""`bankmind eval pii`: the generated set, the reference readers, the metrics and the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.models import TyperInfo

from bankmind import cli
from bankmind.cli import eval as eval_cli
from bankmind.eval.pii import evaluate_generated, evaluate_pii
from bankmind.eval.pii_corpus import generate
from bankmind.guard.pii import default_analyzer, normalize
from bankmind.guard.recognizers.bank_card import luhn_valid
from bankmind.guard.recognizers.cn_id import check_character
from bankmind.guard.recognizers.uscc import check_character as uscc_check


@pytest.fixture(autouse=True)
def _eval_group(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register `bankmind eval` for these tests until cli/__init__.py registers it itself."""
    if not any(g.name == "eval" for g in cli.app.registered_groups):
        monkeypatch.setattr(
            cli.app, "registered_groups", [*cli.app.registered_groups, TyperInfo(eval_cli.app, name="eval")]
        )


def test_the_generated_set_is_fixed_by_its_seed() -> None:
    assert generate(12, seed=5) == generate(12, seed=5)
    assert generate(12, seed=5) != generate(12, seed=6)


def test_gold_spans_and_near_misses_point_at_their_text() -> None:
    for item in generate(60, seed=3):
        for span in item.spans:
            assert item.text[span.start : span.end] == span.text
            digits = normalize(span.text).replace(" ", "").replace("-", "").upper()
            if span.type == "CN_ID" and len(digits) == 18:
                assert digits[17] == check_character(digits[:17])
            if span.type == "BANK_CARD":
                assert luhn_valid(digits)
            if span.type == "USCC":
                assert span.text[17] == uscc_check(span.text[:17])
        for miss in item.near_misses:
            assert item.text[miss.start : miss.end] == miss.text
            if miss.kind == "wrong_check_id":
                number = normalize(miss.text).replace(" ", "").upper()
                assert number[17] != check_character(number[:17])
            if miss.kind in ("luhn_failing", "contract_number", "account_number"):
                assert not luhn_valid(miss.text.replace(" ", "").replace("-", ""))


def test_targets_hold_on_a_small_generated_set() -> None:
    result = evaluate_generated(default_analyzer(), texts=60, seed=99)
    assert result.structured.recall >= 0.99 and result.structured.precision >= 0.98
    assert result.near_misses.total > 100 and result.near_misses.false_positives == 0
    assert result.person.recall >= 0.85


def _reference_data(root: Path) -> Path:
    """A tiny folder in the published formats, written here (the real data is never copied)."""
    pii = root / "pii"
    (pii / "cn_id_vectors").mkdir(parents=True)
    (pii / "cn_id_vectors" / "cn_id_vectors.json").write_text(
        json.dumps(
            {
                "cn_ric": [
                    {
                        "func": "validate",
                        "input": "110101199003071233",
                        "expected_repr": "'110101199003071233'",
                    },
                    {"func": "validate", "input": "110101199003071234", "raises": "InvalidChecksum"},
                ],
                "id_validator_is_valid": [
                    {"input": "440308199901101512", "strict": False, "expected_valid": True},
                    {"input": "440308199901101512", "strict": True, "expected_valid": False},
                ],
                "cn_uscc": [{"func": "validate", "input": "91110000600037341L", "expected_repr": "''"}],
                "cn_uscc_valid_list": ["91110000600037341L"],
                "luhn": [{"func": "validate", "input": "4992739871", "raises": "InvalidChecksum"}],
            }
        ),
        encoding="utf-8",
    )
    (pii / "presidio_vectors").mkdir()
    (pii / "presidio_vectors" / "presidio_recognizer_vectors.json").write_text(
        json.dumps(
            {
                "test_credit_card_recognizer::t": {
                    "fields": ["text", "expected_len", "expected_scores", "expected_res"],
                    "cases": [["4012888888881881", 1, [], [[0, 16]]], ["4012-8888-8888-1882", 0, [], []]],
                },
                "test_phone_recognizer::t": {
                    "fields": ["text", "expected_len", "entities", "expected_positions", "score"],
                    "cases": [
                        ["My CN number is 13812345678", 1, ["PHONE_NUMBER"], [[16, 27]], 0.4],
                        ["US: 415-555-0132", 1, ["PHONE_NUMBER"], [[4, 16]], 0.4],
                    ],
                },
                "test_iban_recognizer::t": {
                    "fields": ["iban", "expected_len", "expected_res"],
                    "cases": [["AL47", 0, []]],
                },
            }
        ),
        encoding="utf-8",
    )
    ner = pii / "cn_ner_dev"
    ner.mkdir()
    resume = "".join(
        f"{c} {t}\n"
        for c, t in zip("吴重阳，中国国籍", ["B-NAME", "M-NAME", "E-NAME"] + ["O"] * 5, strict=True)
    )
    resume += "\n" + "".join(f"{c} {t}\n" for c, t in zip("马先生", ["S-NAME", "O", "O"], strict=True))
    (ner / "dev.char.bmes").write_text(resume, encoding="utf-8")
    weibo = "".join(
        f"{c}0\t{t}\n"
        for c, t in zip("我叫张先生", ["O", "O", "B-PER.NAM", "I-PER.NAM", "I-PER.NAM"], strict=True)
    )
    (ner / "weiboNER_2nd_conll.dev").write_text(weibo, encoding="utf-8")
    return root


def test_reference_data_is_read_and_scored(tmp_path: Path) -> None:
    report = evaluate_pii(_reference_data(tmp_path / "data"), texts=12)
    assert report.reference is not None
    scores = {(v.source, v.entity): (v.correct, v.cases) for v in report.reference.vectors}
    assert scores == {
        ("stdnum cn_ric", "CN_ID"): (2, 2),
        ("id-validator", "CN_ID"): (1, 1),
        ("stdnum cn_uscc", "USCC"): (1, 1),
        ("stdnum uscc list", "USCC"): (1, 1),
        ("presidio credit_card_recognizer", "BANK_CARD"): (2, 2),
        ("presidio phone_recognizer", "CN_MOBILE"): (1, 1),
    }
    assert report.reference.out_of_scope == 2  # the US phone number and the IBAN
    assert (report.reference.luhn_correct, report.reference.luhn_cases) == (1, 1)
    names = {n.dataset: (n.found, n.gold) for n in report.reference.names}
    assert names == {"ResumeNER dev": (2, 2), "WeiboNER dev": (1, 1)}  # 张先生 counts as 张
    assert report.ok and [t.name for t in report.targets][-1] == "person-name recall (ResumeNER dev)"


def test_eval_skips_cleanly_without_data(run) -> None:  # type: ignore[no-untyped-def]
    result = run("eval", "pii")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.strip().startswith("skipped: no evaluation data at ../shared/data")
    as_json = json.loads(run("eval", "pii", "--format", "json").stdout)
    assert as_json["skipped"] is True


def test_eval_generated_only_and_json(run) -> None:  # type: ignore[no-untyped-def]
    text = run("eval", "pii", "--generated-only", "--texts", "24")
    assert text.exit_code == 0, text.stdout
    assert "structured" in text.stdout and "ok   near-miss false positives: 0" in text.stdout
    report = json.loads(run("eval", "pii", "--generated-only", "--texts", "24", "--format", "json").stdout)
    assert report["ok"] is True and report["reference"] is None
    assert report["generated"]["structured"]["recall"] >= 0.99


def test_eval_with_a_data_folder(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = _reference_data(tmp_path / "data")
    result = run("eval", "pii", "--data", str(data), "--texts", "12")
    assert result.exit_code == 0
    assert "ResumeNER dev" in result.stdout and "person-name recall (ResumeNER dev)" in result.stdout
    missing = run("eval", "pii", "--data", str(tmp_path / "nope"))
    assert missing.exit_code == 2 and "evaluation data folder" in missing.stderr
