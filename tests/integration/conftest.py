"""Servers for integration tests beside the session's llama.cpp server (tests/conftest.py): a small
R1-style wrapper in front of it, and the outside world failing (a closed port, a silent server).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest
from tests.llm.upstream import QuietHTTPServer, closed_port
from tests.llm.upstream import silent_server as never_answering

THOUGHT = "用户问的是活期存款。\n先给出定义，再说明特点。"
R1_MODES = ("deepseek-r1-tags", "deepseek-r1-noopen", "deepseek-r1-field", "qwen-think-tags")


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
    upstream_model: str
    base_url: str = ""
    answers: dict[str, str] = field(default_factory=dict)  # model name -> llama.cpp's own answer
    thought: str = THOUGHT

    def handle(self, body: dict[str, Any]) -> tuple[int, str, list[bytes]]:
        mode = body["model"]
        if mode not in R1_MODES:
            return 404, "application/json", [json.dumps({"error": {"message": "unknown model"}}).encode()]
        forward = {**body, "model": self.upstream_model}
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
def r1_wrapper(llama_server: Any) -> Iterator[R1Wrapper]:  # tests/conftest.py's LlamaServer
    wrapper = R1Wrapper(llama_server.base_url, llama_server.alias)

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
    return f"http://127.0.0.1:{closed_port()}/v1"


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP server that accepts connections and never answers: the base URL of its /v1."""
    with never_answering() as url:
        yield url
