"""`/api/status`, `/api/me`, and how callers authenticate (API key, session, nothing)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from bankmind.store import Store
from bankmind.store.schema import User
from bankmind.types import Principal


def test_status_quick_lists_every_part(
    client: TestClient, alice: Principal, key_for: Callable[[Principal], dict[str, str]]
) -> None:
    response = client.get("/api/status?probe=0", headers=key_for(alice))
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "0.1.0"
    names = [c["name"] for c in body["checks"]]
    assert names[0] == "store" and {"chat", "embedding"} <= set(names)
    store = body["checks"][0]
    assert store["ok"] is True and store["detail"].startswith("schema up to date")
    assert set(store) == {"name", "ok", "summary", "detail", "fix", "latency_ms"}
    chat = next(c for c in body["checks"] if c["name"] == "chat")
    assert chat["summary"] == "none"
    assert body["ok"] == all(c["ok"] for c in body["checks"])


def test_status_names_the_backend_in_use(
    client: TestClient, alice: Principal, key_for: Callable[[Principal], dict[str, str]], app_store: Store
) -> None:
    summary = client.get("/api/status?probe=0", headers=key_for(alice)).json()["checks"][0]["summary"]
    assert summary.startswith({"sqlite": "SQLite", "postgresql": "PostgreSQL"}[app_store.backend])


def test_me_with_an_api_key(
    client: TestClient, alice: Principal, key_for: Callable[[Principal], dict[str, str]]
) -> None:
    response = client.get("/api/me", headers=key_for(alice))
    assert response.status_code == 200
    assert response.json() == {
        "user_id": alice.user_id,
        "name": "alice",
        "department": "授信部",
        "roles": ["credit"],
    }


def test_me_with_a_web_session(client: TestClient, alice: Principal, login: Callable[..., str]) -> None:
    login("alice")
    assert client.get("/api/me").json()["name"] == "alice"


@pytest.mark.parametrize("path", ["/api/me", "/api/status", "/api/jobs", "/api/jobs/x"])
def test_no_credentials_is_401(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    error = response.json()["error"]
    assert error["code"] == "authentication_failed"
    assert "/login" in error["message"] and "bankmind keys create" in error["message"]


@pytest.mark.parametrize(
    "header",
    ["Bearer bm-not-a-real-key", "Basic YWxpY2U6cHc=", "Bearer ", "bm-no-scheme"],
)
def test_wrong_credentials_are_401(client: TestClient, header: str) -> None:
    response = client.get("/api/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_disabled_user_loses_key_and_session(
    client: TestClient,
    alice: Principal,
    key_for: Callable[[Principal], dict[str, str]],
    login: Callable[..., str],
    app_store: Store,
) -> None:
    headers = key_for(alice)
    login("alice")
    with app_store.session() as s:
        user = s.get(User, alice.user_id)
        assert user is not None
        user.disabled = True
    assert client.get("/api/me", headers=headers).status_code == 401
    response = client.get("/api/me")
    assert response.status_code == 401
    assert "disabled" in response.json()["error"]["message"]
