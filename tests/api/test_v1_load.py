"""Load: 200 concurrent streamed requests through a real `bankmind serve` to a local upstream, on
SQLite and PostgreSQL. None may be lost, the audit chain must verify, and the quota counters must
equal what the calls used: the department's usage row against the sum of the 200 audit records,
and the per-key request limit admitting exactly its limit out of a burst.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
import pytest
from test_v1 import ASK, RAW, CapturingUpstream, gateway_env, serve

from bankmind.config import load_settings
from bankmind.guard.audit import iter_entries
from bankmind.guard.audit_verify import verify
from bankmind.guard.quotas import usage_report
from bankmind.store import Store
from bankmind.store.keys import issue_key

pytestmark = pytest.mark.slow

CONCURRENT = 200
LIMIT = 250  # requests per minute per key: the 200, then exactly 50 of a burst of 80
BURST = 80


async def _stream(client: httpx.AsyncClient, key: str, n: int) -> tuple[int, str, bool]:
    """One streamed chat request: (status, the answer text, whether it ended with [DONE])."""
    body = {
        "model": "deepseek-v3",
        "stream": True,
        "messages": [{"role": "user", "content": f"第{n}号：{ASK}"}],
    }
    text, done = [], False
    async with client.stream(
        "POST", "/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"}
    ) as response:
        if response.status_code != 200:
            await response.aread()
            return response.status_code, "", False
        async for line in response.aiter_lines():
            if not line.startswith("data: "):
                continue
            data = line[len("data: ") :]
            if data == "[DONE]":
                done = True
                continue
            event = json.loads(data)
            assert "error" not in event, event
            if event["choices"]:
                text.append(event["choices"][0]["delta"].get("content") or "")
    return 200, "".join(text), done


async def _many(url: str, key: str, numbers: range) -> list[tuple[int, str, bool]]:
    limits = httpx.Limits(max_connections=len(numbers) + 10, max_keepalive_connections=len(numbers) + 10)
    timeout = httpx.Timeout(120.0)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout, trust_env=False) as client:
        return await asyncio.gather(*(_stream(client, key, n) for n in numbers))


def test_two_hundred_concurrent_streams(_isolated_home: Path, store_url: str) -> None:
    started = time.monotonic()
    home = _isolated_home / "load"
    settings = load_settings(home=home, database_url=None if store_url.startswith("sqlite") else store_url)
    store = Store.open(settings)
    key = issue_key(store, "loader", department="负载部", roles=["staff"]).key
    upstream = CapturingUpstream(piece=4, delay=0.002)
    extra = {"BANKMIND_GATEWAY_REQUESTS_PER_MINUTE": str(LIMIT)}
    if not store_url.startswith("sqlite"):
        extra["BANKMIND_DATABASE_URL"] = store_url
    served = serve(home, gateway_env(home, upstream.url, **extra), {"loader": key})
    try:
        results = asyncio.run(_many(served.url, key, range(CONCURRENT)))
        # none lost: every stream finished, with its own answer restored
        assert [status for status, _, _ in results] == [200] * CONCURRENT
        assert all(done for _, _, done in results)
        assert [text for _, text, _ in results] == [f"已收到：第{n}号：{ASK}" for n in range(CONCURRENT)]
        assert len(upstream.bodies) == CONCURRENT
        assert not any(raw in upstream.received() for raw in RAW)

        # the per-key limit admits exactly what is left of it
        burst = asyncio.run(_many(served.url, key, range(CONCURRENT, CONCURRENT + BURST)))
        statuses = sorted(status for status, _, _ in burst)
        assert statuses == [200] * (LIMIT - CONCURRENT) + [429] * (BURST - LIMIT + CONCURRENT)
    finally:
        served.stop()
        upstream.close()

    records = [e for e in iter_entries(store) if e.action == "gateway.chat"]
    ok = [e for e in records if e.outcome == "ok"]
    assert len(ok) == LIMIT and len(records) == CONCURRENT + BURST
    assert sum(e.outcome == "quota_exceeded" for e in records) == BURST - LIMIT + CONCURRENT
    result = verify(store)
    assert result.ok, result.problems[:5]
    assert result.checked == len(list(iter_entries(store)))
    # quota counters: the department's row holds exactly what the audit records say was used
    [row] = usage_report(store, department="负载部")
    assert row.requests == LIMIT
    assert row.tokens_in == sum(e.tokens_in for e in ok) and row.tokens_out == sum(e.tokens_out for e in ok)
    assert row.tokens_in > 0 and row.tokens_out > 0
    store.close()
    assert time.monotonic() - started < 90
