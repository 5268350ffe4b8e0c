"""The workbench in-process: the app on a real SQLite store, a logged-in browser-like client; and for
the browser tests a real `bankmind serve` per module (`server`, holding the module's `accounts`) with
headless Chromium pages on it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bankmind.api.app import create_app
from bankmind.config import Settings, load_settings
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


class Served(Protocol):
    """A running `bankmind serve` (the `serve_bankmind` fixture in tests/conftest.py)."""

    url: str

    def output(self) -> str: ...


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    serve_bankmind: Callable[..., AbstractContextManager[Served]],
    accounts: list[tuple[str, str, str, str]],
) -> Iterator[Served]:
    """A `bankmind serve` for the test module, on a fresh home holding the module's `accounts`
    fixture: `(name, password, role, department)` per user (no chat model)."""
    home = tmp_path_factory.mktemp("served-home")
    store = Store.open(load_settings(home=home, chat={"provider": "none"}))
    for name, password, role, department in accounts:
        create_user(store, name, roles=[role], department=department, password=password)
    store.close()
    with serve_bankmind(home) as running:
        yield running


@pytest.fixture
def open_page(browser: Browser) -> Callable[..., AbstractContextManager[Page]]:
    """`with open_page(server) as page:` a fresh browser context on a served bankmind that fails
    the test on CSP violations or script errors (failed resource loads aside: a refusal answers
    4xx on purpose). Context options (`accept_downloads`, `viewport`) pass through."""

    @contextmanager
    def opened(server: Served, **options: Any) -> Iterator[Page]:
        settings = {"locale": "zh-CN", "viewport": {"width": 1280, "height": 900}, **options}
        context = browser.new_context(base_url=server.url, **settings)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        yield page
        context.close()
        problems = [e for e in errors if not e.startswith("Failed to load resource")]
        assert not problems, f"browser console errors: {problems}\nserver output:\n{server.output()}"

    return opened


@pytest.fixture
def page(open_page: Callable[..., AbstractContextManager[Page]], server: Served) -> Iterator[Page]:
    """A wide page on the module's `server` that accepts downloads (exports)."""
    with open_page(server, viewport={"width": 1440, "height": 900}, accept_downloads=True) as opened:
        yield opened


def log_in_as(page: Page, name: str, password: str) -> None:
    """Sign in through the login form like a person (the home page follows)."""
    page.goto("/login")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url("/")


@pytest.fixture
def log_in() -> Callable[[Page, str, str], None]:
    """`log_in(page, name, password)`: see `log_in_as`."""
    return log_in_as
