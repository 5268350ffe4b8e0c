"""The admin pages in a real browser: `python -m bankmind serve` and headless Chromium (Playwright).

An administrator adds a department that may not use external models, creates an API key (shown
once), opens the audit log and verifies the chain. Chromium is the system one at /usr/bin/chromium
(never `playwright install`); the server runs with its own BANKMIND_HOME on a free 127.0.0.1 port
and the test fails with its output if it dies.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

import pytest
from playwright.sync_api import Page, expect

LogIn = Callable[[Page, str, str], None]


class Server(Protocol):
    """A running `bankmind serve` (the `serve_bankmind` fixture in tests/conftest.py)."""

    url: str

    def output(self) -> str: ...


pytestmark = pytest.mark.slow

ADMIN, STAFF, PASSWORD = "guanliyuan", "zhangwei", "Guanli-2025-pw"
SCREENSHOT = Path("/tmp/bankmind-audit.png")


@pytest.fixture(scope="module")
def accounts() -> list[tuple[str, str, str, str]]:
    """Who the served home holds (the `server` fixture in tests/web/conftest.py)."""
    return [(ADMIN, PASSWORD, "admin", "信息科技部"), (STAFF, PASSWORD, "custody", "资产托管部")]


@pytest.fixture
def page(open_page: Callable[..., AbstractContextManager[Page]], server: Server) -> Iterator[Page]:
    with open_page(server) as opened:
        yield opened


def test_admin_adds_a_department_creates_a_key_and_verifies_the_audit_chain(
    page: Page, log_in: LogIn, server: Server
) -> None:
    log_in(page, ADMIN, PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="管理").click()
    expect(page).to_have_url("/admin/users")
    expect(page.locator('tr[data-user="zhangwei"]')).to_contain_text("资产托管部")

    # a department that may never use external models
    tabs = page.get_by_role("navigation", name="管理功能")
    tabs.get_by_role("link", name="部门与策略").click()
    add = page.locator("form#add-department")
    add.get_by_label("部门名称").fill("零售信贷部")
    add.get_by_label("禁用外部模型").check()
    add.get_by_label("每日令牌额度").fill("200000")
    add.get_by_role("button", name="添加部门").click()
    expect(page.locator("#departments-result")).to_have_text("已添加部门 零售信贷部。")
    row = page.locator('tr[data-department="零售信贷部"]')
    expect(row.get_by_label("禁用外部模型")).to_be_checked()
    expect(row.get_by_label("内部模型也脱敏")).to_be_checked()
    expect(row.get_by_label("每日令牌额度")).to_have_value("200000")
    expect(page).to_have_url("/admin/departments")  # swapped in place by htmx

    # a key, shown once
    tabs.get_by_role("link", name="API 密钥").click()
    form = page.locator("form#create-key")
    form.get_by_label("用户").select_option(STAFF)
    form.get_by_label("名称").fill("core-banking")
    form.get_by_role("button", name="创建密钥").click()
    shown = page.locator(".key-issued code.secret")
    expect(shown).to_have_text(re.compile(r"^bm-[A-Za-z0-9_-]{20,}$"))
    key = shown.inner_text()
    expect(page.locator(f'tr[data-prefix="{key[:10]}"]')).to_contain_text("core-banking")
    request = urllib.request.Request(f"{server.url}/api/me", headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert json.load(answer)["name"] == STAFF
    page.reload()
    expect(page.locator(f'tr[data-prefix="{key[:10]}"]')).to_be_visible()
    assert key not in page.content()

    # the audit log holds both changes; the chain is intact
    tabs.get_by_role("link", name="审计日志").click()
    entries = page.locator("#audit-entries tbody tr")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text("key.create")
    expect(entries.nth(1)).to_contain_text("department.add")
    expect(entries.nth(1)).to_contain_text(ADMIN)
    page.get_by_role("button", name="验证哈希链").click()
    verdict = page.locator('#verify-result [data-verify="ok"]')
    expect(verdict).to_contain_text("哈希链完整")
    expect(verdict).to_contain_text("已检查 2 条记录")
    expect(verdict.locator("[data-head-seq]")).to_have_text("2")
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.get_by_label("操作").fill("key.create")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url("/admin/audit?from=&to=&principal=&action=key.create&outcome=")
    expect(entries).to_have_count(1)


def test_the_admin_entry_is_hidden_from_other_users(page: Page, log_in: LogIn) -> None:
    log_in(page, STAFF, PASSWORD)
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="上传")).to_be_visible()
    expect(nav.get_by_role("link", name="管理")).to_have_count(0)
    with page.expect_response("**/admin/audit") as refused:
        page.goto("/admin/audit")
    assert refused.value.status == 403
    expect(page.locator('[data-error-code="permission_denied"]')).to_contain_text("没有权限")
