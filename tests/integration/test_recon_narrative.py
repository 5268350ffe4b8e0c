"""Break narratives with a REAL model: the embedded Qwen served by llama.cpp, behind the R1-style
wrapper that adds DeepSeek-R1 reasoning, reached through the gateway as in production.

Whatever the small model writes, each break gets either a narrative whose every figure is one of
the break's facts, or None; the reasoning never appears; every call is audited. A model server
that is down or never answers gives None for every break, quickly, and raises nothing.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bankmind.config import Settings, load_settings
from bankmind.eval.recon_tables import generate_pair
from bankmind.guard.audit import iter_entries
from bankmind.guard.gateway import Gateway
from bankmind.llm import ModelRouter
from bankmind.recon import parse_table
from bankmind.recon.compare import Break, reconcile
from bankmind.recon.narrative import break_facts, gateway_chat, narrate, verify_narrative
from bankmind.store import Store
from bankmind.types import Principal

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]  # the narratives are under test, not the database

NARRATED = 3
OPERATOR = Principal(user_id=0, name="cli:ops")


@pytest.fixture(scope="module")
def breaks(tmp_path_factory: pytest.TempPathFactory) -> list[Break]:
    out = tmp_path_factory.mktemp("narrative-pair")
    (left, right), _ = generate_pair(
        11, "std_xlsx", "text_csv", ["bonus_shares", "price", "fee"], out_dir=out
    )
    found = reconcile(parse_table(left), parse_table(right)).breaks
    assert sum(not b.knock_on for b in found) >= NARRATED
    return found


def gateway_for(settings: Settings, store: Store) -> Gateway:
    return Gateway(settings, store, ModelRouter(settings))


@pytest.mark.parametrize("mode", ["deepseek-r1-tags", "deepseek-r1-noopen"])
def test_every_narrative_verifies_and_never_shows_the_reasoning(
    mode: str,
    breaks: list[Break],
    store: Store,
    r1_wrapper: Any,
    monkeypatch: pytest.MonkeyPatch,
    _isolated_home: Path,
) -> None:
    monkeypatch.setenv("BANKMIND_CHAT__PROVIDER", "openai-compatible")
    monkeypatch.setenv("BANKMIND_CHAT__BASE_URL", r1_wrapper.base_url)
    monkeypatch.setenv("BANKMIND_CHAT__MODEL", mode)
    chat = gateway_chat(gateway_for(load_settings(home=_isolated_home), store), OPERATOR)
    assert chat is not None and chat.model == mode

    narratives = narrate(breaks, chat, limit=NARRATED)

    assert len(narratives) == len(breaks)
    roots = [i for i, b in enumerate(breaks) if not b.knock_on][:NARRATED]
    for i, (b, text) in enumerate(zip(breaks, narratives, strict=True)):
        if i not in roots:
            assert text is None
        elif text is not None:
            assert verify_narrative(text, break_facts(b)) == text
            assert "think" not in text and r1_wrapper.thought.splitlines()[0] not in text
            assert r1_wrapper.thought.splitlines()[1] not in text
    assert mode in r1_wrapper.answers  # the real model was asked
    calls = [e for e in iter_entries(store) if e.action == "gateway.chat"]
    assert len(calls) == NARRATED and {e.outcome for e in calls} == {"ok"}
    assert all(r1_wrapper.thought.splitlines()[0] not in (e.masked_response or "") for e in calls)


def test_a_model_server_that_is_down_gives_none_quickly(
    breaks: list[Break], store: Store, closed_url: str, _isolated_home: Path
) -> None:
    chat = {"provider": "openai-compatible", "base_url": closed_url, "model": "deepseek-v3"}
    settings = load_settings(home=_isolated_home, chat=chat, llm_retries=0)
    started = time.monotonic()
    assert narrate(breaks, gateway_chat(gateway_for(settings, store), OPERATOR)) == [None] * len(breaks)
    assert time.monotonic() - started < 5
    calls = [e for e in iter_entries(store) if e.action == "gateway.chat"]
    assert len(calls) == 1 and calls[0].outcome != "ok"  # asked once, then given up


def test_a_model_server_that_never_answers_gives_none(
    breaks: list[Break], store: Store, silent_server: str, _isolated_home: Path
) -> None:
    chat = {"provider": "openai-compatible", "base_url": silent_server, "model": "deepseek-v3"}
    settings = load_settings(home=_isolated_home, chat=chat, llm_timeout=0.5, llm_retries=0)
    started = time.monotonic()
    assert narrate(breaks, gateway_chat(gateway_for(settings, store), OPERATOR)) == [None] * len(breaks)
    assert time.monotonic() - started < 5
