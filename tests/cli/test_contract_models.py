"""`bankmind contract inspect --review/--vision`: the models through an in-process gateway; without
one, or when it fails, stderr says so and the output and exit codes are those of the rules alone.
English contracts show their clauses. (The real model's review is tested in
tests/contracts/test_inspect_models.py; here a model that is down stands for the outside world.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.llm.upstream import closed_port

from bankmind.config import load_settings
from bankmind.eval.contract_docs import make_contract
from bankmind.eval.contract_render import write_txt
from bankmind.guard.audit import list_entries
from bankmind.store import Store

Run = Callable[..., Any]
"""The `run` fixture of tests/conftest.py: the `bankmind` command in-process."""

ENGLISH = (
    "SERVICES AGREEMENT\n\n"
    "This Services Agreement is made as of June 1, 2024 by and between Alder Analytics Ltd. "
    '("Provider") and Brook Logistics Inc. ("Client").\n\n'
    "1. Governing Law. This Agreement shall be governed by and construed in accordance with the laws "
    "of England and Wales.\n\n"
    "2. Assignment. Neither party may assign this Agreement without the prior written consent of the "
    "other party.\n"
)


@pytest.fixture
def loan(tmp_path: Path) -> Path:
    """A Chinese loan contract (TXT) with a blank field: one finding, exit 1."""
    return write_txt(make_contract(8, "流动资金借款合同", ("blank_field",)), tmp_path / "loan.txt").path


@pytest.fixture
def english(tmp_path: Path) -> Path:
    path = tmp_path / "services.txt"
    path.write_text(ENGLISH, encoding="utf-8")
    return path


def test_without_models_the_flags_say_so_and_change_nothing(
    run: Run, loan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BANKMIND_CHAT__PROVIDER", "none")
    plain = run("contract", "inspect", str(loan), "--format", "json")
    result = run("contract", "inspect", str(loan), "--format", "json", "--review", "--vision")
    assert (result.exit_code, result.stdout) == (plain.exit_code, plain.stdout) == (1, plain.stdout)
    assert result.stderr.splitlines() == [
        "--review: no chat model is configured (BANKMIND_CHAT__PROVIDER, see `bankmind models`); "
        "inspecting without the model review",
        "--vision: no vision model is configured (BANKMIND_VISION__PROVIDER, see `bankmind models`); "
        "the seal and signature detectors decide alone",
    ]
    assert json.loads(result.stdout)["clauses"] == []


def test_a_model_that_fails_is_named_on_stderr_and_the_rules_stand(
    run: Run, loan: Path, monkeypatch: pytest.MonkeyPatch, _isolated_home: Path
) -> None:
    monkeypatch.setenv("BANKMIND_CHAT__PROVIDER", "openai-compatible")
    monkeypatch.setenv("BANKMIND_CHAT__BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")
    monkeypatch.setenv("BANKMIND_CHAT__MODEL", "deepseek-v3")
    monkeypatch.setenv("BANKMIND_LLM_RETRIES", "0")
    plain = run("contract", "inspect", str(loan))
    result = run("contract", "inspect", str(loan), "--review")
    assert (result.exit_code, result.stdout) == (plain.exit_code, plain.stdout)
    [line] = result.stderr.splitlines()[:-1]  # the last line counts the findings
    assert line.startswith("--review: 1 request(s) to deepseek-v3; the model failed (")
    assert line.endswith("), the rest was inspected without it")
    store = Store.open(load_settings(home=_isolated_home))
    try:
        [call] = list_entries(store, action="gateway.chat")
    finally:
        store.close()
    assert (
        call.principal is not None and call.principal.startswith("cli:") and call.outcome == "upstream_error"
    )


def test_the_embedded_model_that_is_not_installed_says_how_to_install_it(run: Run, loan: Path) -> None:
    result = run("contract", "inspect", str(loan), "--review")
    assert result.exit_code == 1
    assert "the model failed (the embedded chat model is not installed" in result.stderr
    assert "bankmind models install" in result.stderr


def test_an_english_contract_shows_its_clauses(run: Run, english: Path) -> None:
    text = run("contract", "inspect", str(english))
    assert text.exit_code == 0
    assert "  clause Governing Law (" in text.stdout and "  clause Anti-Assignment (" in text.stdout
    law = next(line for line in text.stdout.splitlines() if "clause Governing Law" in line)
    assert law.split(": ", 1)[1].startswith("1. Governing Law. This Agreement shall be governed")
    document = json.loads(run("contract", "inspect", str(english), "--format", "json").stdout)
    assert document["contract_type"] == "other" and document["findings"] == []
    assert {"governing_law", "anti_assignment"} <= {c["category"] for c in document["clauses"]}
