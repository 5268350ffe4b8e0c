"""`bankmind pii scan|mask|recognizers`: the JSON contract, exit codes, encodings of stdin."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest
from typer.models import TyperInfo

from bankmind import cli
from bankmind.cli import pii

ID = "110101199003071233"
TEXT = f"客户张伟，身份证号{ID}，手机138-1234-5678\n"


@pytest.fixture(autouse=True)
def _pii_group(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register `bankmind pii` for these tests until cli/__init__.py registers it itself."""
    if not any(g.name == "pii" for g in cli.app.registered_groups):
        monkeypatch.setattr(
            cli.app, "registered_groups", [*cli.app.registered_groups, TyperInfo(pii.app, name="pii")]
        )


def _stdin_bytes(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_scan_json_follows_the_contract(run) -> None:  # type: ignore[no-untyped-def]
    result = run("pii", "scan", "--format", "json", stdin=TEXT)
    assert result.exit_code == 1, result.stderr
    spans = json.loads(result.stdout)
    assert [(s["type"], s["start"], s["end"], s["text"], s["score"]) for s in spans] == [
        ("PERSON", 2, 4, "张伟", 1.0),
        ("CN_ID", 9, 27, ID, 1.0),
        ("CN_MOBILE", 30, 43, "138-1234-5678", 1.0),
    ]
    assert all(TEXT[s["start"] : s["end"]] == s["text"] for s in spans)
    assert {"recognizer", "validated"} <= set(spans[0])


def test_scan_exit_0_and_empty_list_when_nothing_is_found(run) -> None:  # type: ignore[no-untyped-def]
    assert (lambda r: (r.exit_code, json.loads(r.stdout)))(
        run("pii", "scan", "--format", "json", stdin="您好，余额多少？")
    ) == (0, [])
    empty = run("pii", "scan", "--format", "json", stdin="")
    assert (empty.exit_code, json.loads(empty.stdout)) == (0, [])


def test_scan_text_output_shows_partial_values(run) -> None:  # type: ignore[no-untyped-def]
    result = run("pii", "scan", stdin=TEXT)
    assert result.exit_code == 1
    assert "1101**********1233" in result.stdout and ID not in result.stdout


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be"]
)
def test_stdin_in_chinese_encodings(run, monkeypatch, encoding: str) -> None:  # type: ignore[no-untyped-def]
    _stdin_bytes(monkeypatch, TEXT.encode(encoding))
    result = run("pii", "scan", "--format", "json")
    assert result.exit_code == 1, result.stderr
    assert [s["text"] for s in json.loads(result.stdout)] == ["张伟", ID, "138-1234-5678"]


def test_undecodable_stdin_is_exit_2_with_one_line(run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _stdin_bytes(monkeypatch, b"\xff\xfe\x00\xd8" * 3 + b"\xff")  # a UTF-16 BOM, then a broken surrogate
    result = run("pii", "scan", "--format", "json")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: standard input is not text in UTF-8, GBK/GB18030 or UTF-16")
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_options_are_exit_2(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    unknown = run("pii", "scan", "--entities", "IBAN", stdin=TEXT)
    assert unknown.exit_code == 2 and "unknown PII entity type IBAN" in unknown.stderr
    missing = run("pii", "scan", "--bins", str(tmp_path / "nope.json"), stdin=TEXT)
    assert missing.exit_code == 2 and "not found; check the --bins path" in missing.stderr


def test_mask_prints_placeholders(run) -> None:  # type: ignore[no-untyped-def]
    result = run("pii", "mask", stdin=TEXT + f"再次确认{ID}")
    assert result.exit_code == 0  # a transformation, not a findings report (the contract checker agrees)
    assert result.stdout == "客户<PERSON_1>，身份证号<CN_ID_1>，手机<CN_MOBILE_1>\n再次确认<CN_ID_1>"


def test_mask_json_partial_and_entities(run) -> None:  # type: ignore[no-untyped-def]
    as_json = json.loads(run("pii", "mask", "--format", "json", "--entities", "CN_ID", stdin=TEXT).stdout)
    assert as_json == {"text": "客户张伟，身份证号<CN_ID_1>，手机138-1234-5678\n", "counts": {"CN_ID": 1}}
    partial = run("pii", "mask", "--partial", stdin=TEXT)
    assert partial.stdout == "客户张*，身份证号1101**********1233，手机138-****-5678\n"
    clean = run("pii", "mask", stdin="没有个人信息")
    assert (clean.exit_code, clean.stdout) == (0, "没有个人信息")


def test_recognizers_lists_names_and_context_words(run) -> None:  # type: ignore[no-untyped-def]
    rows = json.loads(run("pii", "recognizers", "--format", "json").stdout)
    assert [r["name"] for r in rows][:3] == ["address", "bank_card", "cn_id"]
    cn_id = next(r for r in rows if r["name"] == "cn_id")
    assert cn_id["entity"] == "CN_ID" and cn_id["enabled"] and "身份证" in cn_id["context_words"]


def test_the_cli_never_logs_the_text(run, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    run("pii", "scan", "--format", "json", stdin=TEXT)
    run("pii", "mask", stdin=TEXT)
    assert ID not in caplog.text and "13812345678" not in caplog.text and "138-1234-5678" not in caplog.text
