"""The openai-compatible provider against scripted upstream failures (500s, 429s, cut streams, R1 fields).

The normal path runs against a real llama.cpp server in tests/integration/test_llama_server.py.
"""

from __future__ import annotations

import logging
import time

import pytest

from bankmind.config import Settings
from bankmind.errors import ConfigError, InputError, UpstreamError, UpstreamTimeout
from bankmind.llm import ChatMessage, ModelRouter

from .upstream import FakeUpstream, Reply, chunk, completion

ASK = [ChatMessage(role="user", content="客户张三的身份证号是多少？")]


def test_complete_sends_the_openai_request(upstream: FakeUpstream, upstream_settings: Settings) -> None:
    upstream.queue(Reply(200, completion("您好")))
    result = (
        ModelRouter(upstream_settings)
        .chat()
        .complete(
            ASK, max_tokens=16, temperature=0, stop=["\n"], extra={"seed": 7, "extra_body": {"top_k": 1}}
        )
    )
    assert result.content == "您好" and result.reasoning is None
    assert result.usage is not None and (result.usage.tokens_in, result.usage.tokens_out) == (7, 3)
    assert result.finish_reason == "stop"
    request = upstream.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == "Bearer sk-SECRET-123"
    assert request["json"] == {
        "model": "fake",
        "messages": [{"role": "user", "content": ASK[0].content}],
        "max_tokens": 16,
        "temperature": 0,
        "stop": ["\n"],
        "seed": 7,
        "top_k": 1,
    }


def test_retries_server_errors_with_backoff(upstream: FakeUpstream, upstream_settings: Settings) -> None:
    upstream.queue(Reply(500, {"error": {"message": "boom"}}), Reply(503, {}), Reply(200, completion("好")))
    started = time.monotonic()
    assert ModelRouter(upstream_settings).chat().complete(ASK).content == "好"
    assert len(upstream.requests) == 3
    assert time.monotonic() - started >= 0.3  # ~0.5 s then ~1 s, less up to 25% jitter


def test_gives_up_after_the_configured_retries(upstream: FakeUpstream, upstream_settings: Settings) -> None:
    upstream.queue(Reply(502, {"error": {"message": "bad gateway"}}))
    with pytest.raises(UpstreamError) as info:
        ModelRouter(upstream_settings).chat().complete(ASK)
    assert len(upstream.requests) == 3  # 1 + BANKMIND_LLM_RETRIES=2
    assert info.value.message == (
        f"the chat model at {upstream.url} failed (HTTP 502, 3 attempts); see the model server's log"
    )


def test_rate_limit_honours_retry_after(upstream: FakeUpstream, upstream_settings: Settings) -> None:
    upstream.queue(Reply(429, {"error": {}}, headers={"retry-after-ms": "10"}), Reply(200, completion("好")))
    started = time.monotonic()
    assert ModelRouter(upstream_settings).chat().complete(ASK).content == "好"
    assert time.monotonic() - started < 0.3


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "the chat model at {url} refused the request (HTTP 401); check BANKMIND_CHAT__API_KEY"),
        (
            404,
            "the chat model at {url} has no model 'fake' or no such endpoint (HTTP 404); "
            "check BANKMIND_CHAT__MODEL",
        ),
        (
            400,
            "the chat model at {url} refused the request (HTTP 400); "
            "see the model server's log for the reason",
        ),
    ],
)
def test_client_errors_are_not_retried_and_say_what_to_check(
    upstream: FakeUpstream, upstream_settings: Settings, status: int, message: str
) -> None:
    # The server echoes the prompt in its error, as FastAPI validation errors do: it must not leak.
    upstream.queue(Reply(status, {"error": {"message": f"bad input: {ASK[0].content} sk-SECRET-123"}}))
    with pytest.raises(UpstreamError) as info:
        ModelRouter(upstream_settings).chat().complete(ASK)
    assert info.value.message.startswith(message.format(url=upstream.url))
    assert "张三" not in info.value.message and "SECRET" not in info.value.message
    assert len(upstream.requests) == 1


def test_context_overflow_is_explained(upstream: FakeUpstream, upstream_settings: Settings) -> None:
    upstream.queue(Reply(400, {"error": {"message": "This model's maximum context length is 4096 tokens."}}))
    with pytest.raises(UpstreamError, match="longer than the model's context window"):
        ModelRouter(upstream_settings).chat().complete(ASK)


def test_reasoning_content_field(upstream: FakeUpstream, upstream_settings: Settings) -> None:
    upstream.queue(Reply(200, completion("答案", reasoning_content="思考过程")))
    result = ModelRouter(upstream_settings).chat().complete(ASK)
    assert (result.content, result.reasoning) == ("答案", "思考过程")


def test_stream_with_reasoning_content_and_think_tags(
    upstream: FakeUpstream, upstream_settings: Settings
) -> None:
    events = [
        chunk(reasoning_content="思考"),
        chunk(reasoning_content="过程"),
        chunk("<thi"),
        chunk("nk>多想</th"),
        chunk("ink>\n\n答"),
        chunk("案"),
        {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "fake", "choices": []},
    ]
    upstream.queue(Reply(200, events=events))
    chunks = list(ModelRouter(upstream_settings).chat().stream(ASK))
    assert "".join(c.content for c in chunks) == "答案"
    assert "".join(c.reasoning for c in chunks) == "思考过程多想"
    assert upstream.requests[0]["json"]["stream"] is True


def test_truncated_stream_is_an_upstream_error(upstream: FakeUpstream, upstream_settings: Settings) -> None:
    upstream.queue(Reply(200, events=[chunk("部分"), chunk("答案")], truncate=True))
    stream = ModelRouter(upstream_settings).chat().stream(ASK)
    received = []
    with pytest.raises(UpstreamError) as info:
        for piece in stream:
            received.append(piece.content)
    assert received == ["部分", "答案"]
    assert info.value.message.startswith(f"cannot reach the chat model at {upstream.url} (")


def test_stream_that_stalls_times_out(upstream: FakeUpstream, upstream_settings: Settings) -> None:
    settings = upstream_settings.model_copy(update={"llm_timeout": 0.3, "llm_retries": 0})
    upstream.queue(Reply(200, completion("迟到"), stall=5))
    started = time.monotonic()
    with pytest.raises(UpstreamTimeout) as info:
        ModelRouter(settings).chat().complete(ASK)
    assert time.monotonic() - started < 2
    assert info.value.message == (
        f"the chat model at {upstream.url} did not answer within 0.3 s (1 attempt); "
        "check that the server is not overloaded or raise BANKMIND_LLM_TIMEOUT"
    )


def test_unknown_options_are_refused_before_any_request(
    upstream: FakeUpstream, upstream_settings: Settings
) -> None:
    with pytest.raises(InputError, match="unknown option 'top_z' for the openai-compatible chat provider"):
        ModelRouter(upstream_settings).chat().complete(ASK, extra={"top_z": 1})
    assert upstream.requests == []


@pytest.mark.parametrize(
    ("chat", "message"),
    [
        ({"provider": "openai-compatible", "model": "m"}, "BANKMIND_CHAT__BASE_URL is not set"),
        (
            {"provider": "openai-compatible", "base_url": "http://127.0.0.1:8001/v1"},
            "BANKMIND_CHAT__MODEL is not set; use the name the server lists at http://127.0.0.1:8001/v1/models",
        ),
    ],
)
def test_missing_settings(upstream_settings: Settings, chat: dict[str, str], message: str) -> None:
    settings = upstream_settings.model_copy(update={"chat": type(upstream_settings.chat)(**chat)})
    with pytest.raises(ConfigError, match=message):
        ModelRouter(settings).chat()


def test_embeddings(upstream: FakeUpstream, upstream_settings: Settings) -> None:
    body = {
        "object": "list",
        "model": "bge-m3",
        "data": [
            {"object": "embedding", "index": 1, "embedding": [0.0, 1.0]},
            {"object": "embedding", "index": 0, "embedding": [1.0, 0.0]},
        ],
        "usage": {"prompt_tokens": 2, "total_tokens": 2},
    }
    upstream.queue(Reply(200, body))
    model = ModelRouter(upstream_settings).embedding()
    assert model.dim is None
    assert model.embed(["甲", "乙"], kind="passage") == [[1.0, 0.0], [0.0, 1.0]]
    assert model.dim == 2
    assert upstream.requests[0]["json"] == {
        "model": "bge-m3",
        "input": ["甲", "乙"],
        "encoding_format": "float",
    }


def test_nothing_sensitive_in_logs(
    upstream: FakeUpstream, upstream_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    upstream.queue(Reply(200, completion("身份证号 110101199003074514")), Reply(500, {}))
    ModelRouter(upstream_settings).chat().complete(ASK)
    with pytest.raises(UpstreamError):
        ModelRouter(upstream_settings.model_copy(update={"llm_retries": 0})).chat().complete(ASK)
    logs = "\n".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert "llm.chat.done" in logs
    for secret in ("张三", "110101199003074514", "sk-SECRET-123"):
        assert secret not in logs
