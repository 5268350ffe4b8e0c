"""The workbench pages in-process: navigation, language, status, jobs, uploads."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from bankmind.guard import audit
from bankmind.health import Check
from bankmind.store.jobs import JobRunner, Progress
from bankmind.types import Principal
from bankmind.web import nav
from bankmind.web.i18n import LANG_COOKIE
from bankmind.web.pages.status import StatusPage
from bankmind.web.render import render

LoggedIn = tuple[TestClient, Principal, str]


def _runner(client: TestClient) -> JobRunner:
    return client.app.state.runner  # type: ignore[attr-defined,no-any-return]


def test_anonymous_visitors_are_sent_to_login(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2F"
    page = client.get("/")
    assert "<h1>登录</h1>" in page.text
    assert 'href="/status"' not in page.text  # no navigation before logging in


def test_home_has_one_card_per_navigation_entry(logged_in: LoggedIn) -> None:
    client, alice, _ = logged_in
    html = client.get("/").text
    assert "您好，alice" in html
    for entry in nav.entries():
        card = f'<a href="{entry.path}"><h2>{entry.label_zh}</h2>'
        assert (card in html) == entry.visible_to(alice), entry.key
    topbar = html.split("</header>")[0]
    assert [m for m in re.findall(r'<a href="(/[a-z]*)"', topbar.split('class="mainnav"')[1])] == [
        "/",
        "/status",
        "/jobs",
        "/uploads",
        "/kb",
        "/recon",
        "/contracts",
    ]
    assert "alice · 托管部" in topbar


def test_a_capability_registers_itself_in_the_navigation(
    logged_in: LoggedIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _, _ = logged_in
    monkeypatch.setattr(nav, "_entries", list(nav.entries()))
    nav.register(nav.NavEntry("recon", "/recon", "估值核对", "Valuation reconciliation", landed=False))
    html = client.get("/").text
    assert '估值核对 <span class="badge">即将推出</span>' in html
    assert 'href="/recon"' not in html  # not landed: no link, not in the top bar
    nav.register(nav.NavEntry("recon", "/recon", "估值核对", "Valuation reconciliation"))
    assert html.count('href="/recon"') == 0 and client.get("/").text.count('href="/recon"') == 2


def test_english_on_request_and_remembered(logged_in: LoggedIn) -> None:
    client, _, _ = logged_in
    english = client.get("/?lang=en")
    assert '<html lang="en">' in english.text and "Hello, alice" in english.text
    assert ">Status</a>" in english.text and ">Log out<" in english.text
    assert english.cookies[LANG_COOKIE] == "en"
    assert "Hello, alice" in client.get("/").text  # remembered in the cookie
    assert "您好，alice" in client.get("/?lang=zh").text
    assert "您好，alice" in client.get("/").text
    assert "您好" in client.get("/?lang=fr").text  # unknown languages fall back to Chinese


def test_switching_language_keeps_the_rest_of_the_address(client: TestClient) -> None:
    html = client.get("/login?next=%2Fjobs").text
    assert 'class="lang" href="/login?next=%2Fjobs&amp;lang=en"' in html


def test_the_status_page_appears_at_once_and_loads_checks_with_htmx(logged_in: LoggedIn) -> None:
    client, _, _ = logged_in
    html = client.get("/status").text
    assert "<h1>系统状态</h1>" in html
    assert 'hx-get="/status/checks" hx-trigger="load"' in html
    assert "<table" not in html


def test_the_checks_fragment_says_what_is_in_use_and_whether_it_works(logged_in: LoggedIn) -> None:
    client, _, _ = logged_in
    fragment = client.get("/status/checks", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.startswith('<div id="checks"')
    for name in ("store", "chat", "embedding", "ocr"):
        assert f'data-check="{name}"' in fragment.text
    assert "数据库" in fragment.text and "对话模型" in fragment.text and "向量模型" in fragment.text
    assert "SQLite sqlite:///" in fragment.text
    whole = client.get("/status/checks")  # without JavaScript: the whole page with the checks in it
    assert whole.text.lstrip().lower().startswith("<!doctype html>") and 'data-check="store"' in whole.text


def _request(lang: str = "zh") -> Request:
    class _State:
        settings = None

    class _App:
        state = _State()

    scope: dict[str, Any] = {"type": "http", "method": "GET", "path": "/", "headers": [], "app": _App()}
    scope["query_string"] = f"lang={lang}".encode()
    return Request(scope)


def test_a_failing_check_shows_its_fix() -> None:
    checks = [
        Check(
            name="store", ok=True, summary="SQLite sqlite:///x.db", detail="schema up to date", latency_ms=3
        ),
        Check(
            name="chat",
            ok=False,
            summary="openai-compatible deepseek-r1 http://127.0.0.1:8001/v1",
            detail="connection refused",
            fix="start the model server or correct BANKMIND_CHAT__BASE_URL",
        ),
    ]
    html = bytes(render(_request(), "status/_checks.html", StatusPage(checks)).body).decode()
    assert "部分组件异常" in html
    assert 'class="check check-bad" data-check="chat"' in html
    assert "✗ 异常" in html and "✓ 正常" in html
    assert "处理办法:</strong> start the model server" in html
    assert "3 毫秒" in html
    english = bytes(render(_request("en"), "status/_checks.html", StatusPage(checks)).body).decode()
    assert "Not working" in english and "How to fix" in english


def test_the_jobs_page_polls_unfinished_jobs_until_they_finish(logged_in: LoggedIn) -> None:
    client, alice, _ = logged_in
    release = threading.Event()

    def work(progress: Progress) -> dict[str, str]:
        progress(0.4, "第 2 步，共 5 步")
        release.wait(10)
        return {"报告": "完成"}

    job_id = _runner(client).submit("recon.batch", work, owner_id=alice.user_id)
    deadline = time.monotonic() + 10
    while "第 2 步" not in (html := client.get("/jobs").text):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert f'hx-get="/api/jobs/{job_id}" hx-trigger="every 1s" hx-swap="outerHTML"' in html
    assert '<progress value="0.4" max="1"></progress>' in html and "运行中" in html
    release.set()
    while 'data-status="succeeded"' not in (html := client.get(f"/jobs/{job_id}").text):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert "hx-trigger" not in html.split("<main>")[1]
    assert "已完成" in html and '"报告": "完成"' in html


def test_someone_elses_job_is_not_found(logged_in: LoggedIn, user: Callable[..., Principal]) -> None:
    client, _, _ = logged_in
    bob = user("bob")
    job_id = _runner(client).submit("demo", lambda p: None, owner_id=bob.user_id)
    page = client.get(f"/jobs/{job_id}")
    assert page.status_code == 404 and "未找到" in page.text
    assert job_id not in client.get("/jobs").text


def test_an_empty_jobs_page(logged_in: LoggedIn) -> None:
    client, _, _ = logged_in
    assert "暂无任务。" in client.get("/jobs").text


def test_the_upload_form(logged_in: LoggedIn) -> None:
    client, _, token = logged_in
    html = client.get("/uploads").text
    assert 'enctype="multipart/form-data"' in html and 'hx-post="/uploads"' in html
    assert f'name="csrf_token" value="{token}"' in html
    assert "单个文件不超过 50 MB" in html and ".xlsx" in html


def test_an_upload_shows_the_stored_document(logged_in: LoggedIn) -> None:
    client, _, token = logged_in
    data = "托管协议\n第一条 ……".encode()
    fragment = client.post(
        "/uploads",
        files={"file": ("托管协议.txt", data)},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert fragment.status_code == 201
    assert fragment.text.startswith('<div class="alert alert-ok"')
    assert (
        "托管协议.txt" in fragment.text and "已保存" in fragment.text and f"{len(data)} 字节" in fragment.text
    )
    page = client.post("/uploads", files={"file": ("托管协议.txt", data)}, data={"csrf_token": token})
    assert page.status_code == 201 and "<!doctype html>" in page.text.lower() and "托管协议.txt" in page.text
    records = audit.list_entries(client.app.state.store, action="document.upload")  # type: ignore[attr-defined]
    assert [(r.principal, r.outcome, r.details["via"], r.details["size"]) for r in records] == [
        ("alice", "ok", "web", len(data))
    ] * 2


@pytest.mark.parametrize(
    "filename, data, status, title",
    [
        ("setup.exe", b"MZ\x90\x00" + bytes(range(256)) * 8, 415, "不支持的文件类型"),
        ("空.txt", b"", 422, "文件为空"),
    ],
)
def test_an_upload_refusal_is_shown_in_place(
    logged_in: LoggedIn, filename: str, data: bytes, status: int, title: str
) -> None:
    client, _, token = logged_in
    fragment = client.post(
        "/uploads", files={"file": (filename, data)}, headers={"HX-Request": "true", "X-CSRF-Token": token}
    )
    assert fragment.status_code == status
    assert fragment.text.startswith('<div class="alert alert-error"')
    assert f"<strong>{title}</strong>" in fragment.text and filename in fragment.text
