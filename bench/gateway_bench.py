"""Benchmark of the gateway: what `/v1/chat/completions` through `bankmind serve` adds to calling
the same upstream directly, both measured in one run.

    .venv/bin/python bench/gateway_bench.py [--requests 400] [--concurrency 16] [--seconds 5]

The upstream is an instant OpenAI-style server (a separate process, canned answer), so the figures
are the gateway's own cost: HTTP, API key, department policy, quotas, the refusal check, masking a
2 KB prompt with personal data (one vault per request), the openai client toward the upstream,
unmasking, charging tokens and appending to the audit chain. The chat model is `external`, so
masking is mandatory. Latency: sequential requests, direct and gateway interleaved; added =
gateway - direct at the same percentile. Throughput: `--concurrency` client threads for
`--seconds` against each. A last block times the in-process pipeline steps on the same prompt.
Everything runs on 127.0.0.1 with a throw-away BANKMIND_HOME (SQLite).
"""

from __future__ import annotations

import argparse
import asyncio
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
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

CN_ID = "11010519491231002X"
CARD = "6222021234567890128"
MOBILE = "13812345678"
_PARAGRAPH = (
    "借款人张伟，身份证号{id}，在我行开立结算账户，借记卡号{card}，预留手机号{mobile}。"
    "该客户于二〇二四年三月申请个人经营性贷款人民币伍拾万元，期限三年，用于批发零售业务的流动资金周转。"
    "经实地走访，其经营场所位于上海市浦东新区，近十二个月银行流水显示月均入账约四十二万元，"
    "无逾期记录，征信查询次数正常。请根据以上信息，概括该笔贷款的主要风险点并给出贷后管理建议。"
)
ANSWER = "主要风险点：经营现金流波动、担保不足。建议按月监测流水，每季度实地走访一次。"


def prompt_2kb() -> str:
    """About 2 KB (UTF-8) of loan notes with three IDs, cards and phone numbers."""
    parts, n = [], 0
    while len("".join(parts).encode()) < 2048:
        parts.append(_PARAGRAPH.format(id=CN_ID, card=CARD, mobile=MOBILE) if n % 2 == 0 else _PARAGRAPH[:80])
        n += 1
    return "".join(parts)


# --- the instant upstream (run in its own process: `--serve-upstream PORT`) -------------------------------


def _completion_bytes() -> bytes:
    return json.dumps(
        {
            "id": "up",
            "object": "chat.completion",
            "created": 1,
            "model": "deepseek-v3",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": ANSWER}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 700, "completion_tokens": 40, "total_tokens": 740},
        },
        ensure_ascii=False,
    ).encode()


def serve_upstream(port: int) -> None:
    body = _completion_bytes()
    response = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (
        len(body),
        body,
    )

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                if length:
                    await reader.readexactly(length)
                writer.write(response)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# --- processes --------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not answer within 60 s")


def start(home: Path) -> tuple[list[subprocess.Popen[bytes]], str, str, str]:
    """The upstream and `bankmind serve` in front of it; returns (processes, upstream, gateway, key)."""
    from bankmind.config import load_settings
    from bankmind.store import Store
    from bankmind.store.keys import issue_key

    up_port, gw_port = _free_port(), _free_port()
    upstream = subprocess.Popen([sys.executable, __file__, "--serve-upstream", str(up_port)])
    upstream_url = f"http://127.0.0.1:{up_port}/v1"
    _wait(f"{upstream_url}/models", upstream, "the upstream")
    store = Store.open(load_settings(home=home))
    key = issue_key(store, "bench", department="授信部", roles=["credit"]).key
    store.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANKMIND_")}
    env |= {
        "BANKMIND_HOME": str(home),
        "BANKMIND_CHAT__PROVIDER": "openai-compatible",
        "BANKMIND_CHAT__BASE_URL": upstream_url,
        "BANKMIND_CHAT__MODEL": "deepseek-v3",
        "BANKMIND_CHAT__EXPOSURE": "external",
        "BANKMIND_LLM_RETRIES": "0",
        "BANKMIND_GATEWAY_REQUESTS_PER_MINUTE": "1000000",
        "BANKMIND_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
    }
    log = (home / "server.log").open("wb")
    gateway = subprocess.Popen(
        [sys.executable, "-m", "bankmind", "serve", "--host", "127.0.0.1", "--port", str(gw_port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    gateway_url = f"http://127.0.0.1:{gw_port}"
    _wait(f"{gateway_url}/login", gateway, "bankmind serve")
    return [gateway, upstream], upstream_url, f"{gateway_url}/v1", key


# --- measurements -----------------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency(upstream: str, gateway: str, key: str, body: dict[str, Any], n: int) -> dict[str, list[float]]:
    """Sequential requests, direct and through the gateway interleaved; seconds per request."""
    times: dict[str, list[float]] = {"direct": [], "gateway": []}
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(timeout=30, trust_env=False) as client:
        for i in range(n + 20):  # the first 20 warm up connections and caches
            for name, url, extra in (("direct", upstream, {}), ("gateway", gateway, headers)):
                started = time.perf_counter()
                response = client.post(f"{url}/chat/completions", json=body, headers=extra)
                elapsed = time.perf_counter() - started
                response.raise_for_status()
                if name == "gateway":
                    assert response.json()["choices"][0]["message"]["content"] == ANSWER
                if i >= 20:
                    times[name].append(elapsed)
    return times


def throughput(
    url: str, headers: dict[str, str], body: dict[str, Any], threads: int, seconds: float
) -> float:
    """Requests per second with `threads` clients posting back to back for `seconds`."""
    done = [0] * threads
    stop = time.perf_counter() + seconds
    errors: list[str] = []

    def run(slot: int) -> None:
        with httpx.Client(timeout=60, trust_env=False) as client:
            while time.perf_counter() < stop:
                response = client.post(f"{url}/chat/completions", json=body, headers=headers)
                if response.status_code != 200:
                    errors.append(f"HTTP {response.status_code}")
                    return
                done[slot] += 1

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise SystemExit(f"throughput run failed: {errors[0]}")
    return sum(done) / (time.perf_counter() - started)


def pipeline_steps(prompt: str, home: Path, key: str, repeats: int = 200) -> list[tuple[str, float]]:
    """Median milliseconds of the gateway's in-process steps on the benchmark prompt, and of its
    three store transactions on the benchmark's own store (after the server stopped)."""
    from bankmind.config import load_settings
    from bankmind.guard import audit
    from bankmind.guard.gateway_call import canonical_json, new_vault, sha256_text, upstream_message
    from bankmind.guard.gateway_refusal import RefusalPolicy
    from bankmind.guard.gateway_types import ChatCompletionRequest
    from bankmind.guard.policy import department_policy
    from bankmind.guard.quotas import charge, reserve
    from bankmind.store import Store
    from bankmind.store.sql import transaction
    from bankmind.store.users import resolve_api_key

    request = ChatCompletionRequest.model_validate(
        {"model": "deepseek-v3", "messages": [{"role": "user", "content": prompt}]}
    )
    policy = RefusalPolicy.default()
    raw = json.dumps({"model": "deepseek-v3", "messages": [{"role": "user", "content": prompt}]})
    plain = [{"role": "user", "content": prompt}]
    store = Store.open(load_settings(home=home))
    principal = resolve_api_key(store, key)

    def admit() -> Any:
        with transaction(store) as conn:
            return reserve(conn, department_policy(conn, principal))

    reservation = admit()

    def record() -> None:
        audit.append(
            store, principal=principal, action="gateway.chat", model="deepseek-v3", tokens_in=700,
            tokens_out=40, latency_ms=1, pii={"CN_ID": 3}, prompt_sha256="0" * 64, response_sha256="1" * 64,
            together=lambda conn: charge(conn, reservation, tokens_in=700, tokens_out=40),
        )  # fmt: skip

    steps: list[tuple[str, Callable[[], Any]]] = [
        ("parse the request body", lambda: ChatCompletionRequest.model_validate_json(raw)),
        ("refusal check", lambda: policy.match(prompt)),
        ("mask (new vault, 2 KB)", lambda: [upstream_message(m, new_vault()) for m in request.messages]),
        ("hash the masked prompt", lambda: sha256_text(canonical_json(plain))),
        ("store: API key lookup", lambda: resolve_api_key(store, key)),
        ("store: policy + quota", admit),
        ("store: charge + audit record", record),
    ]
    out = []
    try:
        for name, step in steps:
            step()
            samples = []
            for _ in range(repeats):
                started = time.perf_counter()
                step()
                samples.append(time.perf_counter() - started)
            out.append((name, statistics.median(samples) * 1000))
    finally:
        store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="sequential requests per path")
    parser.add_argument("--concurrency", type=int, default=16, help="client threads for throughput")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per throughput run")
    parser.add_argument("--serve-upstream", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_upstream is not None:
        serve_upstream(args.serve_upstream)
        return
    prompt = prompt_2kb()
    body = {"model": "deepseek-v3", "messages": [{"role": "user", "content": prompt}], "max_tokens": 128}
    with tempfile.TemporaryDirectory(prefix="bankmind-gateway-bench-") as tmp:
        processes, upstream, gateway, key = start(Path(tmp))
        try:
            times = latency(upstream, gateway, key, body, args.requests)
            direct_rps = throughput(upstream, {}, body, args.concurrency, args.seconds)
            gateway_rps = throughput(
                gateway, {"Authorization": f"Bearer {key}"}, body, args.concurrency, args.seconds
            )
        finally:
            for proc in processes:
                proc.terminate()
                proc.wait(timeout=30)
        steps = pipeline_steps(prompt, Path(tmp), key)

    cpu = platform.processor() or platform.machine()
    print(f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, SQLite store, external model")
    print(f"prompt {len(prompt.encode())} bytes UTF-8 ({len(prompt)} characters) with 3x CN_ID, BANK_CARD, "
          f"CN_MOBILE and a name; {args.requests} sequential requests per path, interleaved")  # fmt: skip
    print()
    rows = []
    for label, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99)):
        d, g = _percentile(times["direct"], q) * 1000, _percentile(times["gateway"], q) * 1000
        rows.append((f"latency {label}", f"{d:.2f} ms", f"{g:.2f} ms", f"+{g - d:.2f} ms", f"{g / d:.2f}"))
    rows.append(
        (
            f"throughput ({args.concurrency} clients)",
            f"{direct_rps:,.0f} req/s",
            f"{gateway_rps:,.0f} req/s",
            "",
            f"{gateway_rps / direct_rps:.2f}",
        )
    )
    header = ("", "direct", "gateway", "added", "ratio")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(5)]
    line = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    print(line.format(*header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line.format(*row))
    added_p50 = (_percentile(times["gateway"], 0.5) - _percentile(times["direct"], 0.5)) * 1000
    print(f"\ntarget: added p50 < 5 ms: {'met' if added_p50 < 5 else 'NOT met'} ({added_p50:.2f} ms)")
    print("ratio = gateway / direct: for latency above 1.00 is overhead; for throughput below 1.00 is.")
    print("\nin-process steps (median of 200; SQLite):")
    for name, ms in steps:
        print(f"  {name:<28} {ms:7.3f} ms")


if __name__ == "__main__":
    main()
