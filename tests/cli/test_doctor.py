"""`bankmind doctor`: every part with ok/fail, a fix for each failure, exit 1 when something fails."""

from __future__ import annotations

import json
import socket

import pytest


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_fresh_home_without_a_chat_model_works(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BANKMIND_CHAT__PROVIDER", "none")
    result = run("doctor", "--format", "json")
    report = json.loads(result.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert list(checks) == ["store", "chat", "reasoning", "vision", "embedding", "ocr"]
    assert all(c["ok"] for c in checks.values()), checks
    assert checks["store"]["summary"].startswith("SQLite ")
    assert "384 dimensions" in checks["embedding"]["detail"]
    assert "BANKMIND 2025" in checks["ocr"]["detail"]
    assert report["ok"] is True and result.exit_code == 0


def test_missing_embedded_model_fails_with_the_fix(run) -> None:  # type: ignore[no-untyped-def]
    result = run("doctor", "--no-probe", "--format", "json")
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert result.exit_code == 1
    assert checks["store"]["ok"] and not checks["chat"]["ok"]
    assert "bankmind models install" in checks["chat"]["detail"]


def test_a_model_server_that_is_down_gets_a_fix(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BANKMIND_CHAT__PROVIDER", "openai-compatible")
    monkeypatch.setenv("BANKMIND_CHAT__BASE_URL", f"http://127.0.0.1:{_closed_port()}/v1")
    monkeypatch.setenv("BANKMIND_CHAT__MODEL", "deepseek-r1")
    monkeypatch.setenv("BANKMIND_CHAT__API_KEY", "sk-very-secret-key")
    monkeypatch.setenv("BANKMIND_LLM_RETRIES", "0")
    result = run("doctor")
    assert result.exit_code == 1
    assert "FAIL chat" in result.stdout
    assert "fix: start the model server or correct BANKMIND_CHAT__BASE_URL" in result.stdout
    assert "sk-very-secret-key" not in result.stdout + result.stderr


def test_unreachable_store_is_reported_not_raised(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BANKMIND_CHAT__PROVIDER", "none")
    monkeypatch.setenv(
        "BANKMIND_DATABASE_URL", f"postgresql://bank:pw-secret@127.0.0.1:{_closed_port()}/bank"
    )
    result = run("doctor", "--no-probe", "--format", "json")
    store = json.loads(result.stdout)["checks"][0]
    assert result.exit_code == 1
    assert store["name"] == "store" and not store["ok"]
    assert "pw-secret" not in result.stdout
    assert store["fix"]
