"""Real servers for integration tests: llama.cpp's OpenAI server on the embedded model, and a
small R1-style wrapper in front of it.

`python -m llama_cpp.server` runs as a subprocess on a free 127.0.0.1 port; the fixture waits until
`/v1/models` answers, fails with the server's output if it dies, and stops it at the end of the
session (datasette's pattern).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from bankmind.config import Settings, load_settings
from bankmind.llm.installer import install_embedded_model

ALIAS = "qwen2.5-coder-0.5b"
THOUGHT = "用户问的是活期存款。\n先给出定义，再说明特点。"
R1_MODES = ("deepseek-r1-tags", "deepseek-r1-noopen", "deepseek-r1-field", "qwen-think-tags")


class QuietHTTPServer(ThreadingHTTPServer):
    """A test server that does not print a traceback when the client hangs up on purpose."""

    def handle_error(self, request, client_address):  # type: ignore[no-untyped-def]
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def embedded_gguf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    """The embedded model, assembled once per session (the same folder tests/llm uses)."""
    settings = load_settings(home=tmp_path_factory.getbasetemp() / "embedded-model")
    return settings, install_embedded_model(settings)


@dataclass
class LlamaServer:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path
    alias: str = ALIAS

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    def assert_alive(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(
                f"llama.cpp server died (exit {self.process.returncode}); its output:\n{self.output()}"
            )


@pytest.fixture(scope="session")
def llama_server(
    embedded_gguf: tuple[Settings, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LlamaServer]:
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    threads = str(max(1, min(os.cpu_count() or 1, 8)))
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(embedded_gguf[1]),
        "--model_alias", ALIAS,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", "2048",
        "--n_threads", threads,
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    server = LlamaServer(process, f"http://127.0.0.1:{port}/v1", log)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"llama.cpp server exited with {process.returncode} at start; "
                    f"its output:\n{server.output()}"
                )
            try:
                if httpx.get(f"{server.base_url}/models", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama.cpp server did not answer within 120 s; its output:\n{server.output()}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def llama(llama_server: LlamaServer) -> LlamaServer:
    """The session's llama.cpp server, checked alive before each test."""
    llama_server.assert_alive()
    return llama_server


# --- an R1-style wrapper that speaks the OpenAI protocol in front of llama.cpp -----------------------


def _with_delta(event: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(event))
    copy["choices"][0]["delta"] = delta
    copy["choices"][0]["finish_reason"] = None
    return copy


def _reasoning_deltas(mode: str) -> list[dict[str, Any]]:
    """The thinking, cut at awkward places (inside the tags) the way streamed tokens fall."""
    if mode == "deepseek-r1-field":
        return [{"reasoning_content": THOUGHT[:4]}, {"reasoning_content": THOUGHT[4:]}]
    if mode == "deepseek-r1-noopen":
        pieces = [THOUGHT[:3], THOUGHT[3:] + "\n</thi", "nk>\n\n"]
    else:
        pieces = ["<th", "ink>\n" + THOUGHT[:5], THOUGHT[5:] + "\n</", "think>", "\n\n"]
    return [{"content": p} for p in pieces]


def _wrap_content(mode: str, message: dict[str, Any]) -> None:
    answer = message.get("content") or ""
    if mode == "deepseek-r1-field":
        message["reasoning_content"] = THOUGHT
    elif mode == "deepseek-r1-noopen":
        message["content"] = f"{THOUGHT}\n</think>\n\n{answer}"
    else:
        message["content"] = f"<think>\n{THOUGHT}\n</think>\n\n{answer}"


@dataclass
class R1Wrapper:
    """Forwards to llama.cpp and adds R1-style reasoning, chosen by the requested model name."""

    upstream: str
    base_url: str = ""
    answers: dict[str, str] = field(default_factory=dict)  # model name -> llama.cpp's own answer
    thought: str = THOUGHT

    def handle(self, body: dict[str, Any]) -> tuple[int, str, list[bytes]]:
        mode = body["model"]
        if mode not in R1_MODES:
            return 404, "application/json", [json.dumps({"error": {"message": "unknown model"}}).encode()]
        forward = {**body, "model": ALIAS}
        with httpx.Client(timeout=60, trust_env=False) as client:
            if not body.get("stream"):
                data = client.post(f"{self.upstream}/chat/completions", json=forward).json()
                data["model"] = mode
                self.answers[mode] = data["choices"][0]["message"]["content"]
                _wrap_content(mode, data["choices"][0]["message"])
                return 200, "application/json", [json.dumps(data, ensure_ascii=False).encode()]
            events: list[dict[str, Any]] = []
            with client.stream("POST", f"{self.upstream}/chat/completions", json=forward) as response:
                for line in response.iter_lines():
                    if line.startswith("data: ") and line != "data: [DONE]":
                        events.append(json.loads(line[len("data: ") :]))
        self.answers[mode] = "".join(
            e["choices"][0]["delta"].get("content") or "" for e in events if e["choices"]
        )
        out = [events[0]] + [_with_delta(events[0], d) for d in _reasoning_deltas(mode)] + events[1:]
        for event in out:
            event["model"] = mode
        frames = [f"data: {json.dumps(e, ensure_ascii=False)}\n\n".encode() for e in out]
        return 200, "text/event-stream", [*frames, b"data: [DONE]\n\n"]


@pytest.fixture(scope="session")
def r1_wrapper(llama_server: LlamaServer) -> Iterator[R1Wrapper]:
    wrapper = R1Wrapper(upstream=llama_server.base_url)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            status, media_type, frames = wrapper.handle(body)
            self.send_response(status)
            self.send_header("content-type", media_type)
            self.send_header("connection", "close")
            self.end_headers()
            for frame in frames:
                self.wfile.write(frame)
                self.wfile.flush()

    server = QuietHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    wrapper.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield wrapper
    server.shutdown()
    server.server_close()


@pytest.fixture(params=R1_MODES)
def r1_model(request: pytest.FixtureRequest) -> str:
    """Model names the wrapper serves: R1 with tags, without the opening tag, with reasoning_content,
    and a non-R1 name that still answers with tags."""
    return str(request.param)


# --- the outside world failing -------------------------------------------------------------------------


@pytest.fixture
def closed_url() -> str:
    """The base URL of a 127.0.0.1 port where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/v1"


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP server that accepts connections and never answers: the base URL of its /v1."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.05)
    conns: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conns.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    stop.set()
    thread.join()
    for conn in conns:
        conn.close()
    sock.close()
