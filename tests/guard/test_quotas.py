"""Quotas: daily tokens per department (exact with many writers) and requests per minute per key."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, date, datetime

import pytest

from bankmind.errors import QuotaExceeded
from bankmind.guard.quotas import (
    RateLimiter,
    charge,
    local_day,
    reserve,
    seconds_until_midnight,
    usage_report,
)
from bankmind.store import Store
from bankmind.store.departments import DepartmentPolicy, create_department

# 23:30 in Beijing on 30 June 2025: half an hour before the quota renews
LATE = datetime(2025, 6, 30, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "now, day, seconds",
    [
        (datetime(2025, 6, 30, 15, 59, 59, tzinfo=UTC), date(2025, 6, 30), 1),
        (datetime(2025, 6, 30, 16, 0, tzinfo=UTC), date(2025, 7, 1), 86400),
        (datetime(2025, 6, 30, 0, 0, tzinfo=UTC), date(2025, 6, 30), 16 * 3600),  # 08:00 in Beijing
        (LATE, date(2025, 6, 30), 1800),
    ],
)
def test_days_are_shanghai_calendar_days(now: datetime, day: date, seconds: int) -> None:
    assert local_day(now) == day
    assert seconds_until_midnight(now) == seconds


def test_reserve_counts_the_request_and_charge_adds_real_tokens(store: Store) -> None:
    policy = create_department(store, "托管部", tokens_per_day=10_000)
    reservation = reserve(store, policy, now=LATE)
    charge(store, reservation, tokens_in=812, tokens_out=240)
    charge(store, reserve(store, None, now=LATE), tokens_in=5, tokens_out=1)
    rows = usage_report(store)
    assert [(r.department, r.day, r.tokens_in, r.tokens_out, r.requests, r.tokens_per_day) for r in rows] == [
        (None, date(2025, 6, 30), 5, 1, 1, None),
        ("托管部", date(2025, 6, 30), 812, 240, 1, 10_000),
    ]
    assert rows[1].tokens == 1052
    assert usage_report(store, department="托管部", since=date(2025, 7, 1)) == []
    assert len(usage_report(store, since=date(2025, 6, 30), until=date(2025, 6, 30))) == 2


def test_over_quota_is_a_429_with_the_department_quota_and_retry_after(store: Store) -> None:
    policy = create_department(store, "信贷部", tokens_per_day=1000)
    charge(store, reserve(store, policy, now=LATE), tokens_in=600, tokens_out=399)
    reservation = reserve(store, policy, now=LATE)  # 999 < 1000: still admitted
    charge(store, reservation, tokens_in=1, tokens_out=0)
    with pytest.raises(QuotaExceeded) as info:
        reserve(store, policy, now=LATE)
    error = info.value
    assert error.http_status == 429 and error.retry_after == 1800
    assert "department '信贷部'" in error.message and "1,000 tokens" in error.message
    assert "1,000 used on 2025-06-30" in error.message and "in 30 min" in error.message
    assert "bankmind departments set '信贷部' --tokens-per-day N" in error.message
    # the refused request is not counted; the next day starts afresh
    assert usage_report(store)[0].requests == 2
    reserve(store, policy, now=datetime(2025, 6, 30, 16, 0, tzinfo=UTC))
    assert [r.day for r in usage_report(store)] == [date(2025, 7, 1), date(2025, 6, 30)]


def test_a_zero_quota_refuses_everything_and_no_quota_refuses_nothing(store: Store) -> None:
    with pytest.raises(QuotaExceeded):
        reserve(store, DepartmentPolicy(name="风险部", tokens_per_day=0), now=LATE)
    unlimited = DepartmentPolicy(name="科技部")
    for _ in range(3):
        charge(store, reserve(store, unlimited, now=LATE), tokens_in=10**9, tokens_out=10**9)
    assert usage_report(store)[0].tokens == 6 * 10**9


def test_twenty_threads_charging_at_once_lose_nothing(store: Store) -> None:
    policy = create_department(store, "托管部", tokens_per_day=10**9)
    start = threading.Barrier(20)
    errors: list[BaseException] = []

    def worker() -> None:
        start.wait()
        try:
            for _ in range(25):
                charge(store, reserve(store, policy), tokens_in=7, tokens_out=3)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    [row] = usage_report(store)
    assert (row.requests, row.tokens_in, row.tokens_out) == (500, 3500, 1500)


_CHARGER = """
import sys
from bankmind.guard.quotas import charge, reserve
from bankmind.store import Store
from bankmind.store.departments import DepartmentPolicy

store = Store(sys.argv[1])
policy = DepartmentPolicy(name="托管部", tokens_per_day=10**9)
print("ready", flush=True)
sys.stdin.readline()
for _ in range(60):
    charge(store, reserve(store, policy), tokens_in=2, tokens_out=1)
store.close()
"""


def test_three_processes_charging_at_once_lose_nothing(store: Store) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CHARGER, store.url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        for proc in procs:
            _, stderr = proc.communicate(timeout=120)
            assert proc.returncode == 0, stderr
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    [row] = usage_report(store)
    assert (row.requests, row.tokens_in, row.tokens_out) == (180, 360, 180)


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_is_a_sliding_window_per_key() -> None:
    clock = _Clock()
    limiter = RateLimiter(3, clock=clock)
    for step in (0, 10, 20):
        clock.now = 1000.0 + step
        limiter.hit("bm-AbCdEfG")
    limiter.hit("bm-other12")  # another key has its own window
    clock.now = 1045.0
    with pytest.raises(QuotaExceeded) as info:
        limiter.hit("bm-AbCdEfG")
    assert info.value.retry_after == 15
    assert "API key bm-AbCdEfG made 3 requests in the last minute" in info.value.message
    assert "BANKMIND_GATEWAY_REQUESTS_PER_MINUTE=3" in info.value.message
    clock.now = 1060.0  # the first hit has left the window; the refused one was never counted
    limiter.hit("bm-AbCdEfG")
    with pytest.raises(QuotaExceeded):
        limiter.hit("bm-AbCdEfG")


def test_rate_limiter_is_exact_under_threads(settings) -> None:  # type: ignore[no-untyped-def]
    limiter = RateLimiter.from_settings(settings)
    assert limiter.per_minute == 120
    allowed, refused = [], []
    start = threading.Barrier(20)

    def worker() -> None:
        start.wait()
        for _ in range(10):
            try:
                limiter.hit("bm-shared00")
                allowed.append(1)
            except QuotaExceeded:
                refused.append(1)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (len(allowed), len(refused)) == (120, 80)


def test_rate_limiter_forgets_idle_keys() -> None:
    clock = _Clock()
    limiter = RateLimiter(5, clock=clock)
    for i in range(1024):
        limiter.hit(f"key{i}")
        clock.now += 0.1
    assert len(limiter._hits) < 1024
