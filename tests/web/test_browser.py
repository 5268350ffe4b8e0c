"""The workbench in a real browser: `python -m bankmind serve` and headless Chromium (Playwright).

Chromium is the system one at /usr/bin/chromium (never `playwright install`). The server runs with
its own BANKMIND_HOME on a free 127.0.0.1 port; if it dies, the test fails with its output.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, expect


class Server(Protocol):
    """A running `bankmind serve` (the `serve_bankmind` fixture in tests/conftest.py)."""

    url: str

    def output(self) -> str: ...


pytestmark = pytest.mark.slow

NAME, PASSWORD = "zhangwei", "Tuoguan-2025-pw"
SCREENSHOT = Path("/tmp/bankmind-status.png")


@pytest.fixture(scope="module")
def accounts() -> list[tuple[str, str, str, str]]:
    """Who the served home holds (the `server` fixture in tests/web/conftest.py)."""
    return [(NAME, PASSWORD, "custody", "资产托管部")]


@dataclass
class Tab:
    page: Page
    console_errors: list[str] = field(default_factory=list)
    expected_errors: list[str] = field(default_factory=list)
    """Parts of console errors a test provokes on purpose (ignored at the end, and only those)."""


@pytest.fixture
def tab(browser: Browser, server: Server) -> Iterator[Tab]:
    """A fresh browser context (no cookies); fails the test on CSP violations or script errors."""
    context = browser.new_context(
        base_url=server.url, locale="zh-CN", viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    opened = Tab(page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            opened.console_errors.append(message.text)

    def on_page_error(error: Error) -> None:
        opened.console_errors.append(f"page error: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    yield opened
    context.close()
    # 4xx answers are expected in some tests; anything else (a CSP refusal, a script error) is a bug
    problems = [
        e
        for e in opened.console_errors
        if not e.startswith("Failed to load resource") and not any(x in e for x in opened.expected_errors)
    ]
    assert not problems, f"browser console errors: {problems}\nserver output:\n{server.output()}"


def _log_in(page: Page, name: str = NAME, password: str = PASSWORD) -> None:
    page.goto("/")
    expect(page).to_have_url("/login?next=%2F")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_log_in_see_the_status_page_and_log_out(tab: Tab, server: Server) -> None:
    page = tab.page
    _log_in(page)
    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"您好，{NAME}")
    page.get_by_role("navigation").get_by_role("link", name="状态").click()
    expect(page).to_have_url("/status")
    checks = page.locator("table.checks")
    expect(checks).to_be_visible(timeout=60_000)  # loaded by htmx after the page appeared
    for label in ("数据库", "对话模型", "向量模型"):
        expect(checks.get_by_role("rowheader", name=label)).to_be_visible()
    store_row = checks.locator('tr[data-check="store"]')
    expect(store_row).to_contain_text("SQLite")
    expect(store_row).to_contain_text("✓ 正常")
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url("/login")
    page.goto("/status")
    expect(page).to_have_url("/login?next=%2Fstatus")


def test_a_wrong_password_is_refused(tab: Tab) -> None:
    page = tab.page
    _log_in(page, password="not-the-password")
    expect(page).to_have_url("/login")
    expect(page.get_by_role("alert")).to_have_text("用户名或密码错误。")
    assert not [c for c in page.context.cookies() if c["name"] == "bankmind_session"]
    _log_in(page, name="nobody")
    expect(page.get_by_role("alert")).to_have_text("用户名或密码错误。")


def test_a_form_without_its_csrf_token_is_refused(tab: Tab) -> None:
    page = tab.page
    page.goto("/login")
    page.locator('input[name="csrf_token"]').evaluate("input => input.remove()")
    page.get_by_label("用户名").fill(NAME)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_response("**/login") as refused:
        page.get_by_role("button", name="登录").click()
    assert refused.value.status == 403
    expect(page.locator("[data-error-code]")).to_contain_text("CSRF")

    _log_in(page)
    expect(page).to_have_url("/")
    page.locator('form.logout input[name="csrf_token"]').evaluate("input => input.remove()")
    with page.expect_response("**/logout") as refused:
        page.get_by_role("button", name="退出登录").click()
    assert refused.value.status == 403
    expect(page.locator('[data-error-code="csrf_failed"]')).to_be_visible()
    page.goto("/")
    expect(page).to_have_url("/")  # still logged in


def test_english_on_request(tab: Tab) -> None:
    page = tab.page
    page.goto("/login?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.get_by_label("User name").fill(NAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {NAME}")  # remembered
    expect(page.get_by_role("navigation").get_by_role("link", name="Upload")).to_be_visible()
    page.get_by_role("link", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"您好，{NAME}")


def test_upload_through_htmx_shows_the_document_or_the_refusal(tab: Tab, tmp_path: Path) -> None:
    page = tab.page
    _log_in(page)
    page.goto("/uploads")
    contract = tmp_path / "托管协议.txt"
    contract.write_text("资产托管协议\n第一条 托管人职责……\n", encoding="utf-8")
    page.get_by_label("选择文件").set_input_files(contract)
    page.get_by_role("button", name="上传").click()
    result = page.locator("#upload-result")
    expect(result.get_by_role("status")).to_contain_text("已保存")
    expect(result).to_contain_text("托管协议.txt")
    expect(page).to_have_url("/uploads")  # swapped in place by htmx, CSRF token sent from hx-headers

    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ\x90\x00" + bytes(range(256)) * 8)
    page.get_by_label("选择文件").set_input_files(program)
    page.get_by_role("button", name="上传").click()
    expect(result.get_by_role("alert")).to_contain_text("不支持的文件类型")
    expect(result).to_contain_text("'setup.exe'")


def test_the_api_docs_render_without_other_hosts(tab: Tab) -> None:
    page = tab.page
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("bankmind", timeout=30_000)
    expect(page.get_by_text("/api/jobs/{job_id}")).to_be_visible()
    base = page.url.split("/docs")[0]
    assert all(url.startswith((base, "data:")) for url in requested), requested


def test_htmx_runs_with_eval_off_and_the_csp_blocks_eval(tab: Tab) -> None:
    """The vendored htmx contains eval() (hx-vars, js: values); in a real browser our config turns it
    off, and the Content-Security-Policy would refuse it anyway."""
    page = tab.page
    page.goto("/login")
    page.wait_for_function("() => window.htmx !== undefined")
    assert page.evaluate("() => [htmx.config.allowEval, htmx.config.allowScriptTags]") == [False, False]
    # htmx's own eval wrapper (page script, so the page's CSP applies): refused by the config ...
    assert page.evaluate("() => htmx._('6 * 7')") is None
    # ... and, with the config forced on, by the Content-Security-Policy (no 'unsafe-eval'). The eval
    # runs in a task of its own: DevTools' evaluate (what Playwright uses) lets eval past the CSP.
    page.evaluate(
        "() => { htmx.config.allowEval = true; setTimeout(() => {"
        " try { window.__evaluated = String(htmx._('6 * 7')) } catch (e) { window.__evaluated = e.name }"
        " finally { htmx.config.allowEval = false } }, 0) }"
    )
    page.wait_for_function("() => window.__evaluated !== undefined")
    assert page.evaluate("() => window.__evaluated") == "EvalError"
    page.wait_for_timeout(300)  # console messages arrive asynchronously
    assert "htmx:evalDisallowedError" in tab.console_errors
    tab.expected_errors += ["htmx:evalDisallowedError", "unsafe-eval"]  # the refusals, as intended
