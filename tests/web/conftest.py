"""The workbench in-process: the app on a real SQLite store, a logged-in browser-like client."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, sync_playwright

from bankmind.api.app import create_app
from bankmind.config import Settings
from bankmind.store import Store
from bankmind.store.users import create_user
from bankmind.types import Principal

PASSWORD = "correct-horse-42"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture
def web_store(client: TestClient) -> Store:
    return client.app.state.store  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def user(web_store: Store) -> Callable[..., Principal]:
    def make(name: str, *roles: str) -> Principal:
        return create_user(
            web_store, name, roles=list(roles) or ["staff"], department="托管部", password=PASSWORD
        )

    return make


@pytest.fixture
def logged_in(client: TestClient, user: Callable[..., Principal]) -> tuple[TestClient, Principal, str]:
    """A client logged in as `alice` through the form; with her principal and the CSRF token."""
    alice = user("alice", "custody")
    token = _TOKEN.search(client.get("/login").text)
    assert token
    response = client.post(
        "/login",
        data={"name": "alice", "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    csrf = _TOKEN.search(client.get("/uploads").text)
    assert csrf and csrf.group(1)
    return client, alice, csrf.group(1)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium through Playwright (never `playwright install`: it downloads)."""
    if not CHROMIUM.exists():  # pragma: no cover - depends on the machine
        pytest.skip("no /usr/bin/chromium: install it with `apt-get install -y chromium` (make test does)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
