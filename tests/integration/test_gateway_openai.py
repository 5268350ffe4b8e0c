"""End to end: the official `openai` SDK → `bankmind serve` (the gateway) → a REAL llama.cpp server
running the embedded model, and the R1-style wrapper in front of it for reasoning.

Between the gateway and llama.cpp sits a capturing forwarder (a tiny HTTP server on 127.0.0.1 that
records each request body and passes it on unchanged), so the test sees what a real model was
sent: placeholders, never the ID number. Greedy decoding and small max_tokens keep it fast.
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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from bankmind.config import load_settings
from bankmind.guard.audit import iter_entries
from bankmind.guard.audit_verify import verify
from bankmind.store import Store
from bankmind.store.keys import issue_key

pytestmark = pytest.mark.slow

CN_ID = "11010519491231002X"
ASK = [{"role": "user", "content": "用一句话解释什么是活期存款。"}]
RESET = [{"role": "user", "content": "你好"}]
ALIAS = "qwen2.5-coder-0.5b"  # --model_alias of the llama_server fixture
LlamaServer = R1Wrapper = Any  # the fixtures' types live in conftest.py


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Forwarder:
    """Records request bodies and forwards them, byte for byte, to an OpenAI-style server."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.bodies: list[dict[str, Any]] = []
        forwarder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["content-length"]))
                forwarder.bodies.append(json.loads(raw))
                url = forwarder.target + self.path.removeprefix("/v1")
                with (
                    httpx.Client(timeout=120, trust_env=False) as client,
                    client.stream(
                        "POST", url, content=raw, headers={"content-type": "application/json"}
                    ) as up,
                ):
                    self.send_response(up.status_code)
                    self.send_header("content-type", up.headers.get("content-type", "application/json"))
                    self.send_header("connection", "close")
                    self.end_headers()
                    for piece in up.iter_raw():
                        self.wfile.write(piece)
                        self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def gateway(
    llama_server: LlamaServer, r1_wrapper: R1Wrapper, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, Path, Forwarder]]:
    """`bankmind serve` with llama.cpp (through the forwarder) as an external chat model and the R1
    wrapper as the reasoning model; yields (base URL, API key, home, forwarder)."""
    home = tmp_path_factory.mktemp("gateway-llama")
    forwarder = Forwarder(llama_server.base_url)
    store = Store.open(load_settings(home=home))
    key = issue_key(store, "zhangwei", department="授信部", roles=["credit"]).key
    store.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANKMIND_")}
    env |= {
        "BANKMIND_HOME": str(home),
        "BANKMIND_CHAT__PROVIDER": "openai-compatible",
        "BANKMIND_CHAT__BASE_URL": forwarder.url,
        "BANKMIND_CHAT__MODEL": ALIAS,
        "BANKMIND_CHAT__EXPOSURE": "external",
        "BANKMIND_CHAT__ALIASES": '["deepseek-v3"]',
        "BANKMIND_REASONING__PROVIDER": "openai-compatible",
        "BANKMIND_REASONING__BASE_URL": r1_wrapper.base_url,
        "BANKMIND_REASONING__MODEL": "deepseek-r1-tags",
    }
    port = free_port()
    log = home / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bankmind", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"bankmind serve exited with {process.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/login", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"bankmind serve did not answer within 60 s:\n{log.read_text()}")
                time.sleep(0.2)
        yield url, key, home, forwarder
    finally:
        process.terminate()
        process.wait(timeout=30)
        forwarder.close()
        assert CN_ID not in log.read_text(encoding="utf-8", errors="replace")


def _client(gateway: tuple[str, str, Path, Forwarder]) -> openai.OpenAI:
    url, key, _, _ = gateway
    return openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=120)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_chat_and_stream_end_to_end(gateway: tuple[str, str, Path, Forwarder], llama: LlamaServer) -> None:
    client = _client(gateway)
    assert [m.id for m in client.models.list()] == [
        ALIAS,
        "deepseek-v3",
        "deepseek-r1-tags",
        "multilingual-e5-small",
    ]

    # llama.cpp reuses the longest prompt prefix it holds, so an answer's last digits depend on what it
    # was asked before (other tests share the server): the same short question before each of the two
    # requests below puts both on the same path
    def reset() -> None:
        client.chat.completions.create(model="deepseek-v3", messages=RESET, max_tokens=1, temperature=0)  # type: ignore[arg-type]

    reset()
    whole = client.chat.completions.create(model="deepseek-v3", messages=ASK, max_tokens=16, temperature=0)  # type: ignore[arg-type]
    content = whole.choices[0].message.content or ""
    assert _has_chinese(content)
    assert (
        whole.usage is not None and whole.usage.prompt_tokens > 10 and 0 < whole.usage.completion_tokens <= 16
    )
    reset()
    chunks = list(
        client.chat.completions.create(
            model="deepseek-v3",
            messages=ASK,  # type: ignore[arg-type]
            max_tokens=16,
            temperature=0,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert len(chunks) > 3
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == content


def test_a_real_model_sees_placeholders_and_the_client_the_original(
    gateway: tuple[str, str, Path, Forwarder], llama: LlamaServer
) -> None:
    forwarder = gateway[3]
    forwarder.bodies.clear()
    messages = [
        {"role": "system", "content": "Repeat the user's text exactly, with no other words."},
        {"role": "user", "content": f"身份证号：{CN_ID}"},
    ]
    completion = _client(gateway).chat.completions.create(
        model=ALIAS,
        messages=messages,  # type: ignore[arg-type]
        max_tokens=24,
        temperature=0,
    )
    sent = json.dumps(forwarder.bodies, ensure_ascii=False)
    assert CN_ID not in sent and "<CN_ID_1>" in sent
    answer = completion.choices[0].message.content or ""
    # the model repeated the placeholder it was given; the client gets the original back
    assert CN_ID in answer and "<CN_ID_1>" not in answer


@pytest.mark.parametrize("stream", [False, True], ids=["complete", "stream"])
def test_r1_reasoning_through_the_gateway(
    gateway: tuple[str, str, Path, Forwarder], r1_wrapper: R1Wrapper, llama: LlamaServer, stream: bool
) -> None:
    client = _client(gateway)
    for include in (False, True):
        extra = {"include_reasoning": True} if include else {}
        if stream:
            chunks = list(
                client.chat.completions.create(
                    model="deepseek-r1-tags",
                    messages=ASK,  # type: ignore[arg-type]
                    max_tokens=16,
                    temperature=0,
                    stream=True,
                    extra_body=extra,
                )
            )
            content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
            thought = "".join(
                getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in chunks if c.choices
            )
        else:
            result = client.chat.completions.create(
                model="deepseek-r1-tags",
                messages=ASK,  # type: ignore[arg-type]
                max_tokens=16,
                temperature=0,
                extra_body=extra,
            )
            content = result.choices[0].message.content or ""
            thought = getattr(result.choices[0].message, "reasoning_content", None) or ""
        assert content == r1_wrapper.answers["deepseek-r1-tags"].lstrip()
        assert "think>" not in content
        assert thought == (r1_wrapper.thought if include else "")


def test_every_call_was_audited(gateway: tuple[str, str, Path, Forwarder], r1_wrapper: R1Wrapper) -> None:
    store = Store.open(load_settings(home=gateway[2]))
    try:
        records = [e for e in iter_entries(store) if e.action == "gateway.chat"]
        assert len(records) >= 7 and all(e.outcome == "ok" for e in records)
        assert any(e.pii == {"CN_ID": 1} for e in records)
        assert verify(store).ok
        assert not any(r1_wrapper.thought in e.model_dump_json() for e in records)
    finally:
        store.close()
