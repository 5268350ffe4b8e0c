"""The BM25 index: the scores of a plain BM25 over exactly the visible chunks, cached per revision."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from bankmind.config import Settings
from bankmind.knowledge.index import KnowledgeIndex
from bankmind.knowledge.lexicon import BM25_B, BM25_K1, Lexicon
from bankmind.store import Store
from bankmind.store.schema import KbChunk, KbDocument

from .corpus import ENGLISH, LAW, POLICY, SECRET, RememberingE5, ingest

TERMS = ["资本", "充足率", "贷款", "百分之八", "capital"]


@pytest.fixture
def index(store: Store, settings: Settings) -> KnowledgeIndex:
    idx = KnowledgeIndex(store, RememberingE5(), folder=settings.home / "kb")
    ingest(idx, "制度库", LAW, POLICY, ENGLISH, SECRET)
    return idx


def plain_bm25(index: KnowledgeIndex, roles: set[str] | None, terms: list[str]) -> dict[int, float]:
    """BM25 the textbook way, over the chunks `roles` may read."""
    info = index.require("制度库")
    with index.store.engine.connect() as conn:
        rows = conn.execute(
            select(KbChunk.id, KbChunk.tokens)
            .join(KbDocument, KbDocument.id == KbChunk.document_id)
            .where(KbDocument.id.in_(index.visible(info.id, roles)))
        ).all()
    docs = {r.id: Counter(r.tokens.split()) for r in rows}
    avg = sum(sum(c.values()) for c in docs.values()) / len(docs)
    scores: dict[int, float] = {}
    for term in terms:
        df = sum(term in c for c in docs.values())
        if not df:
            continue
        idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
        for chunk_id, c in docs.items():
            if c[term]:
                norm = BM25_K1 * (1 - BM25_B + BM25_B * sum(c.values()) / avg)
                gain = idf * c[term] * (BM25_K1 + 1) / (c[term] + norm)
                scores[chunk_id] = scores.get(chunk_id, 0.0) + gain
    return scores


@pytest.mark.parametrize("roles", [None, {"credit"}, set(), {"risk"}])
def test_scores_are_plain_bm25_over_the_visible_chunks(index: KnowledgeIndex, roles: set[str] | None) -> None:
    info = index.require("制度库")
    with index.store.engine.connect() as conn:
        got = index.lexicon.best(conn, info.id, info.revision, TERMS, index.visible(info.id, roles), 100)
    expected = plain_bm25(index, roles, TERMS)
    assert {c for c, _ in got} == set(expected)
    for chunk_id, score in got:
        assert score == pytest.approx(expected[chunk_id], rel=1e-5)
    assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)


def test_a_secret_document_does_not_move_a_readers_scores(index: KnowledgeIndex, store: Store) -> None:
    def credit_view() -> list[tuple[int, float]]:
        info = index.require("制度库")
        with store.engine.connect() as conn:
            visible = index.visible(info.id, {"credit"})
            return index.lexicon.best(conn, info.id, info.revision, TERMS, visible, 20)

    before = credit_view()
    ingest(index, "制度库", ("内部/另一份机密.md", "机密", ["risk"], [("p.1", "", "资本 充足率 " * 40)]))
    assert credit_view() == before


def test_the_index_is_kept_on_disk_and_rebuilt_when_the_knowledge_base_changes(
    index: KnowledgeIndex, store: Store, settings: Settings
) -> None:
    info = index.require("制度库")
    visible = index.visible(info.id, None)
    with store.engine.connect() as conn:
        first = index.lexicon.best(conn, info.id, info.revision, TERMS, visible, 5)
    cache = Path(settings.home) / "kb" / f"{info.id}.lexicon.npz"
    assert cache.exists()
    fresh = Lexicon(cache.parent)  # another process: reads the file
    with store.engine.connect() as conn:
        assert fresh.best(conn, info.id, info.revision, TERMS, visible, 5) == first
        assert fresh.best(conn, info.id, info.revision, ["没有这个词"], visible, 5) == []
    index.remove_document("制度库", "法律法规/商业银行法.md")
    info = index.require("制度库")
    with store.engine.connect() as conn:
        after = fresh.best(conn, info.id, info.revision, TERMS, index.visible(info.id, None), 50)
    assert {c for c, _ in after} == set(plain_bm25(index, None, TERMS))  # rebuilt for the new revision
