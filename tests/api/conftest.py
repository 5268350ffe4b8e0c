"""An in-process app on a real store (SQLite and PostgreSQL), users made through `store.users`."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bankmind.api.app import create_app
from bankmind.config import Settings, load_settings
from bankmind.store import Store
from bankmind.store.users import create_api_key, create_user
from bankmind.types import Principal

PASSWORD = "correct-horse-42"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


@pytest.fixture
def app_settings(_isolated_home: Path, store_url: str) -> Settings:
    """Settings on an empty store of each backend, with no chat model."""
    url = None if store_url.startswith("sqlite") else store_url
    return load_settings(home=_isolated_home, chat={"provider": "none"}, database_url=url)


@pytest.fixture
def client(app_settings: Settings) -> Iterator[TestClient]:
    """The app with its lifespan running (store open, job runner started)."""
    with TestClient(create_app(app_settings), base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture
def app_store(client: TestClient) -> Store:
    return client.app.state.store  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def make_user(app_store: Store) -> Callable[..., Principal]:
    def make(name: str, *roles: str, department: str | None = None) -> Principal:
        return create_user(
            app_store, name, roles=list(roles) or ["staff"], department=department, password=PASSWORD
        )

    return make


@pytest.fixture
def alice(make_user: Callable[..., Principal]) -> Principal:
    return make_user("alice", "credit", department="授信部")


@pytest.fixture
def bob(make_user: Callable[..., Principal]) -> Principal:
    return make_user("bob", "custody")


@pytest.fixture
def admin(make_user: Callable[..., Principal]) -> Principal:
    return make_user("root", "admin")


@pytest.fixture
def key_for(app_store: Store) -> Callable[[Principal], dict[str, str]]:
    """`Authorization` headers with a fresh API key of a user."""

    def headers(user: Principal) -> dict[str, str]:
        return {"Authorization": f"Bearer {create_api_key(app_store, user.name)}"}

    return headers


def _token(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "no csrf_token field in the page"
    return match.group(1)


@pytest.fixture
def form_token() -> Callable[[str], str]:
    """The value of the `csrf_token` field in a page."""
    return _token


@pytest.fixture
def login(client: TestClient) -> Callable[..., str]:
    """Log in through the form like a browser; return the session's CSRF token."""

    def log_in(name: str, password: str = PASSWORD) -> str:
        form = client.get("/login")
        response = client.post(
            "/login",
            data={"name": name, "password": password, "csrf_token": _token(form.text)},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return _token(client.get("/uploads").text)

    return log_in


@pytest.fixture
def finished_job(client: TestClient) -> Callable[..., dict[str, Any]]:
    """Poll `/api/jobs/{id}` (the job's url) until it has succeeded or failed; return the job."""

    def wait(url: str, headers: dict[str, str] | None = None, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            job: dict[str, Any] = client.get(url, headers=headers or {}).json()
            if job["status"] in ("succeeded", "failed"):
                return job
            assert time.monotonic() < deadline, job
            time.sleep(0.05)

    return wait
