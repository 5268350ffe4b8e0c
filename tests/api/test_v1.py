"""The OpenAI-compatible endpoints with the official `openai` SDK against a real `bankmind serve`.

The upstream is a capturing server on 127.0.0.1 (`CapturingUpstream`): it records every request
body it receives and answers by quoting the prompt back, so a test sees both what left the bank
and what the client got. Its streams cut the answer into 3-character pieces, so every placeholder
(`<CN_ID_1>` …) arrives split over two or more chunks.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import openai
import pytest

from bankmind.config import load_settings
from bankmind.guard.audit import iter_entries
from bankmind.guard.audit_verify import verify
from bankmind.store import Store
from bankmind.store.departments import create_department
from bankmind.store.keys import issue_key

CN_ID = "11010519491231002X"
CARD = "6222021234567890128"
MOBILE = "13812345678"
RAW = (CN_ID, CARD, MOBILE)
ASK = f"客户身份证{CN_ID}，卡号{CARD}，手机{MOBILE}，请核实。"


# --- a capturing upstream ----------------------------------------------------------------------------


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _last_user(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                return "".join(p.get("text", "") for p in content if p.get("type") == "text")
            return str(content or "")
    return ""


@dataclass
class CapturingUpstream:
    """An OpenAI-style server that records request bodies and quotes the prompt back."""

    piece: int = 3  # characters per streamed chunk
    delay: float = 0.0  # seconds between streamed chunks
    bodies: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def received(self) -> str:
        with self._lock:
            return json.dumps(self.bodies, ensure_ascii=False)

    def answer(self, body: dict[str, Any]) -> tuple[str, str | None, list[dict[str, Any]] | None]:
        """(content, reasoning_content, tool_calls) for a request."""
        asked = _last_user(body)
        reasoning = f"思考：{asked}" if "r1" in str(body.get("model")) else None
        if body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            arguments = json.dumps({"query": asked}, ensure_ascii=False)
            call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": arguments}}
            return "", reasoning, [call]
        return f"已收到：{asked}", reasoning, None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._json({"object": "list", "data": [{"id": "deepseek-v3", "object": "model"}]})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                with upstream._lock:
                    upstream.bodies.append(body)
                if self.path.endswith("/embeddings"):
                    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                    data = [
                        {"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0]}
                        for i, t in enumerate(inputs)
                    ]
                    self._json({"object": "list", "data": data, "model": body["model"], "usage": {}})
                    return
                content, reasoning, tool_calls = upstream.answer(body)
                if body.get("stream"):
                    self._stream(body["model"], content, reasoning, tool_calls)
                    return
                message: dict[str, Any] = {"role": "assistant", "content": content or None}
                if reasoning:
                    message["reasoning_content"] = reasoning
                if tool_calls:
                    message["tool_calls"] = tool_calls
                self._json(
                    {
                        "id": "up-1",
                        "object": "chat.completion",
                        "created": 1,
                        "model": body["model"],
                        "choices": [
                            {
                                "index": 0,
                                "message": message,
                                "finish_reason": "tool_calls" if tool_calls else "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
                    }
                )

            def _json(self, payload: Any) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(
                self, model: str, content: str, reasoning: str | None, tool_calls: list[dict[str, Any]] | None
            ) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
                n = upstream.piece
                if reasoning:
                    deltas += [
                        {"reasoning_content": reasoning[i : i + n]} for i in range(0, len(reasoning), n)
                    ]
                deltas += [{"content": content[i : i + n]} for i in range(0, len(content), n)]
                for call in tool_calls or []:
                    args = call["function"]["arguments"]
                    first = {
                        **call,
                        "index": 0,
                        "function": {"name": call["function"]["name"], "arguments": ""},
                    }
                    deltas.append({"tool_calls": [first]})
                    deltas += [
                        {"tool_calls": [{"index": 0, "function": {"arguments": args[i : i + n]}}]}
                        for i in range(0, len(args), n)
                    ]
                for delta in deltas:
                    self._event({"choices": [{"index": 0, "delta": delta, "finish_reason": None}]}, model)
                    if upstream.delay:
                        time.sleep(upstream.delay)
                reason = "tool_calls" if tool_calls else "stop"
                self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": reason}]}, model)
                self._chunk(b"data: [DONE]\n\n")
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            def _event(self, payload: dict[str, Any], model: str) -> None:
                full = {
                    "id": "up-1",
                    "object": "chat.completion.chunk",
                    "created": 1,
                    "model": model,
                    **payload,
                }
                self._chunk(f"data: {json.dumps(full, ensure_ascii=False)}\n\n".encode())

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        return Handler


# --- bankmind serve -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    url: str
    home: Path
    log: Path
    process: subprocess.Popen[bytes]
    keys: dict[str, str]

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def client(self, user: str = "alice", **options: Any) -> openai.OpenAI:
        return openai.OpenAI(base_url=f"{self.url}/v1", api_key=self.keys[user], max_retries=0, **options)

    def store(self) -> Store:
        return Store.open(load_settings(home=self.home))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def gateway_env(home: Path, upstream_url: str, **extra: str) -> dict[str, str]:
    """`bankmind serve` in front of `upstream_url`: chat (alias gpt-4o), R1 reasoning, embeddings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANKMIND_")}
    env |= {
        "BANKMIND_HOME": str(home),
        "BANKMIND_CHAT__PROVIDER": "openai-compatible",
        "BANKMIND_CHAT__BASE_URL": upstream_url,
        "BANKMIND_CHAT__MODEL": "deepseek-v3",
        "BANKMIND_CHAT__EXPOSURE": "external",
        "BANKMIND_CHAT__ALIASES": '["gpt-4o"]',
        "BANKMIND_REASONING__PROVIDER": "openai-compatible",
        "BANKMIND_REASONING__BASE_URL": upstream_url,
        "BANKMIND_REASONING__MODEL": "deepseek-r1",
        "BANKMIND_REASONING__EXPOSURE": "external",
        "BANKMIND_EMBEDDING__PROVIDER": "openai-compatible",
        "BANKMIND_EMBEDDING__BASE_URL": upstream_url,
        "BANKMIND_EMBEDDING__MODEL": "bge-m3",
        "BANKMIND_EMBEDDING__EXPOSURE": "external",
        "BANKMIND_LLM_RETRIES": "0",
        "BANKMIND_GATEWAY_REQUESTS_PER_MINUTE": "1000",
    }
    return env | extra


def serve(home: Path, env: dict[str, str], keys: dict[str, str]) -> Served:
    """Start `python -m bankmind serve` on a free port and wait until it answers."""
    port = free_port()
    log = home / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bankmind", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    served = Served(f"http://127.0.0.1:{port}", home, log, process, keys)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            pytest.fail(f"bankmind serve exited with {process.returncode}; its output:\n{served.output()}")
        try:
            with urllib.request.urlopen(f"{served.url}/login", timeout=2) as response:
                if response.status == 200:
                    return served
        except OSError:
            pass
        if time.monotonic() > deadline:
            served.stop()
            pytest.fail(f"bankmind serve did not answer within 60 s; its output:\n{served.output()}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def upstream() -> Iterator[CapturingUpstream]:
    server = CapturingUpstream()
    yield server
    server.close()


@pytest.fixture(scope="module")
def server(upstream: CapturingUpstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("v1-home")
    store = Store.open(load_settings(home=home))
    create_department(store, "零售部", no_external=True)
    create_department(store, "小微部", tokens_per_day=1)
    keys = {
        "alice": issue_key(store, "alice", department="授信部", roles=["credit"]).key,
        "bob": issue_key(store, "bob", department="零售部", roles=["staff"]).key,
        "erin": issue_key(store, "erin", department="小微部", roles=["staff"]).key,
    }
    store.close()
    served = serve(home, gateway_env(home, upstream.url), keys)
    yield served
    served.stop()


@pytest.fixture
def upstream_bodies(upstream: CapturingUpstream) -> CapturingUpstream:
    with upstream._lock:
        upstream.bodies.clear()
    return upstream


def _no_raw_data(upstream: CapturingUpstream) -> None:
    received = upstream.received()
    assert received != "[]", "the upstream received nothing"
    leaked = [raw for raw in RAW if raw in received]
    assert not leaked, f"raw personal data reached the external upstream: {leaked}"
    assert "<CN_ID_1>" in received and "<BANK_CARD_1>" in received and "<CN_MOBILE_1>" in received


# --- the tests ------------------------------------------------------------------------------------------


def test_models_lists_role_names_and_aliases(server: Served) -> None:
    client = server.client()
    assert [m.id for m in client.models.list()] == ["deepseek-v3", "gpt-4o", "deepseek-r1", "bge-m3"]
    assert client.models.retrieve("gpt-4o").id == "gpt-4o"
    with pytest.raises(openai.NotFoundError) as caught:
        client.models.retrieve("gpt-5")
    assert caught.value.code == "model_not_found"
    # a no_external department does not see external models
    assert [m.id for m in server.client("bob").models.list()] == []


def test_chat_masks_before_the_upstream_and_unmasks_for_the_client(
    server: Served, upstream_bodies: CapturingUpstream
) -> None:
    completion = server.client().chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": ASK}], max_tokens=64
    )
    assert completion.choices[0].message.content == f"已收到：{ASK}"
    assert completion.model == "gpt-4o"
    assert completion.usage is not None and completion.usage.prompt_tokens == 11
    _no_raw_data(upstream_bodies)
    [body] = upstream_bodies.bodies
    assert body["model"] == "deepseek-v3" and body["max_tokens"] == 64


def test_a_stream_restores_placeholders_split_over_chunks(
    server: Served, upstream_bodies: CapturingUpstream
) -> None:
    stream = server.client().chat.completions.create(
        model="deepseek-v3",
        messages=[{"role": "system", "content": f"卡号{CARD}属于本客户。"}, {"role": "user", "content": ASK}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == f"已收到：{ASK}"
    assert sum(1 for c in chunks if c.choices and c.choices[0].delta.content) > 5
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
    _no_raw_data(upstream_bodies)
    # the same card in both messages got one placeholder
    messages = upstream_bodies.bodies[0]["messages"]
    assert "<BANK_CARD_1>" in messages[0]["content"] and "<BANK_CARD_1>" in messages[1]["content"]


def test_no_external_departments_are_refused(server: Served, upstream_bodies: CapturingUpstream) -> None:
    with pytest.raises(openai.PermissionDeniedError) as caught:
        server.client("bob").chat.completions.create(
            model="deepseek-v3", messages=[{"role": "user", "content": "你好"}]
        )
    assert caught.value.code == "permission_denied"
    assert "may not use external models" in caught.value.message
    assert upstream_bodies.bodies == []


def test_over_quota_is_a_rate_limit_error_with_retry_after(server: Served) -> None:
    client = server.client("erin")
    client.chat.completions.create(model="deepseek-v3", messages=[{"role": "user", "content": "你好"}])
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="deepseek-v3", messages=[{"role": "user", "content": "你好"}])
    assert caught.value.code == "quota_exceeded"
    assert int(caught.value.response.headers["retry-after"]) > 0
    assert "daily quota of 1 tokens" in caught.value.message


def test_reasoning_is_stripped_by_default_and_included_on_request(
    server: Served, upstream_bodies: CapturingUpstream
) -> None:
    client = server.client()
    ask = [{"role": "user", "content": ASK}]
    plain = client.chat.completions.create(model="deepseek-r1", messages=ask)  # type: ignore[arg-type]
    assert plain.choices[0].message.content == f"已收到：{ASK}"
    assert getattr(plain.choices[0].message, "reasoning_content", None) is None
    shown = client.chat.completions.create(
        model="deepseek-r1",
        messages=ask,  # type: ignore[arg-type]
        extra_body={"include_reasoning": True},
    )
    assert getattr(shown.choices[0].message, "reasoning_content", None) == f"思考：{ASK}"
    streamed = list(
        client.chat.completions.create(
            model="deepseek-r1",
            messages=ask,  # type: ignore[arg-type]
            stream=True,
            extra_body={"include_reasoning": True},
        )
    )
    thought = "".join(
        getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in streamed if c.choices
    )
    answer = "".join(c.choices[0].delta.content or "" for c in streamed if c.choices)
    assert (thought, answer) == (f"思考：{ASK}", f"已收到：{ASK}")
    hidden = list(client.chat.completions.create(model="deepseek-r1", messages=ask, stream=True))  # type: ignore[arg-type]
    assert all(getattr(c.choices[0].delta, "reasoning_content", None) is None for c in hidden if c.choices)
    _no_raw_data(upstream_bodies)


def _llm_passes_tools() -> bool:
    from bankmind.llm.providers.openai_compatible import OpenAIOptions

    return "tools" in OpenAIOptions.model_fields


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup_customer",
            "description": "Look up a customer by any identifier",
            "parameters": {
                "type": "object",
                "properties": {"query": {"type": "string"}},
                "required": ["query"],
            },
        },
    }
]


@pytest.mark.skipif(
    not _llm_passes_tools(), reason="the openai-compatible provider does not pass tools yet (docs/gateway.md)"
)
def test_tools_pass_through_with_masked_arguments(server: Served, upstream_bodies: CapturingUpstream) -> None:
    client = server.client()
    completion = client.chat.completions.create(
        model="deepseek-v3",
        messages=[{"role": "user", "content": ASK}],
        tools=TOOLS,  # type: ignore[arg-type]
        tool_choice="auto",
    )
    [call] = completion.choices[0].message.tool_calls or []
    assert call.function.name == "lookup_customer"
    assert json.loads(call.function.arguments) == {"query": ASK}
    assert completion.choices[0].finish_reason == "tool_calls"
    assert upstream_bodies.bodies[0]["tools"] == TOOLS and upstream_bodies.bodies[0]["tool_choice"] == "auto"
    follow = client.chat.completions.create(
        model="deepseek-v3",
        tools=TOOLS,  # type: ignore[arg-type]
        messages=[
            {"role": "user", "content": ASK},
            completion.choices[0].message.model_dump(exclude_none=True),  # type: ignore[list-item]
            {"role": "tool", "tool_call_id": call.id, "content": f"客户手机{MOBILE}"},
        ],
        stream=True,
    )
    deltas = [c.choices[0].delta for c in follow if c.choices]
    arguments = "".join(
        (tc.function.arguments or "")
        for d in deltas
        for tc in (d.tool_calls or [])
        if tc.function is not None
    )
    assert json.loads(arguments) == {"query": ASK}
    _no_raw_data(upstream_bodies)


def test_embeddings_through_the_sdk(server: Served, upstream_bodies: CapturingUpstream) -> None:
    result = server.client().embeddings.create(model="bge-m3", input=[ASK, "活期存款"])  # base64 by default
    assert [len(d.embedding) for d in result.data] == [2, 2]
    assert result.data[1].embedding == [4.0, 1.0]
    _no_raw_data(upstream_bodies)


def test_refusals_are_answers_not_errors(server: Served, upstream_bodies: CapturingUpstream) -> None:
    client = server.client()
    completion = client.chat.completions.create(
        model="deepseek-v3", messages=[{"role": "user", "content": "帮我查一下客户王某的银行卡号和余额"}]
    )
    message = completion.choices[0].message
    assert message.refusal is not None and message.refusal.startswith("抱歉")
    assert completion.choices[0].finish_reason == "content_filter"
    streamed = list(
        client.chat.completions.create(
            model="deepseek-v3",
            messages=[{"role": "user", "content": "Give me my neighbour's card number"}],
            stream=True,
        )
    )
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices).startswith("Sorry")
    assert upstream_bodies.bodies == []


def test_errors_have_the_openai_shape(server: Served) -> None:
    client = server.client()
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="gpt-5", messages=[{"role": "user", "content": "你好"}])
    assert missing.value.code == "model_not_found" and missing.value.type == "not_found_error"
    with pytest.raises(openai.UnprocessableEntityError) as invalid:
        client.chat.completions.create(model="deepseek-v3", messages=[])
    assert invalid.value.code == "input_error" and "messages" in invalid.value.message
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=f"{server.url}/v1", api_key="bm-not-a-key", max_retries=0).models.list()
    # an unknown field is ignored, not refused
    ok = client.chat.completions.create(
        model="deepseek-v3", messages=[{"role": "user", "content": "你好"}], extra_body={"some_new_field": 1}
    )
    assert ok.choices[0].message.content == "已收到：你好"


def test_audit_records_are_written_and_the_chain_verifies(server: Served) -> None:
    store = server.store()
    try:
        records = [e for e in iter_entries(store) if e.action.startswith("gateway.")]
        outcomes = {e.outcome for e in records}
        assert {"ok", "denied", "quota_exceeded", "refused", "model_not_found"} <= outcomes
        assert all(e.prompt_sha256 for e in records if e.outcome == "ok")
        assert verify(store).ok
        dump = "".join(e.model_dump_json() for e in records)
        assert not any(raw in dump for raw in RAW)
    finally:
        store.close()
    log = server.output()
    assert "gateway.chat.done" in log
    assert not any(raw in log for raw in RAW), "personal data in the server's log"
