"""Hybrid retrieval over one knowledge base: BM25 on jieba tokens + dense cosine, fused with RRF.

    search(index, "制度库", "商业银行法第三十九条", roles={"credit"}, top_k=5) -> [Hit, ...]

1. Query terms: jieba search-mode tokens minus stopwords (`第39条` is also read as `第三十九条`),
   plus the statutory words for colloquial phrases (`改名` adds `变更名称`, `synonyms.py`).
   No terms left (only stopwords or punctuation) -> no hits.
2. Lexical: BM25 over the visible chunks' tokens (`lexicon.py`: document frequencies and lengths
   from the chunks the roles may read only, the same on both stores); phrases — neighbouring
   words of the question and statutory terms — count as extra terms where their words stand
   together.
3. Dense: the `limit` nearest visible chunks to the E5 query vector (`index.vectors`).
4. Weighted reciprocal-rank fusion (k=20, lexical 2.0, dense 1.0: exact statutory words matter
   more than closeness of meaning); `score` is scaled so that first place in both lists is 1.0.
5. Exact article: when the query names a statute and an article (`商业银行法第三十九条`), that
   article of a document whose title or name contains the statute's name comes first (score 1.0);
   an article without a statute (`第39条`) lifts the retrieved chunks located at it.

Access: every SQL statement carries the ACL filter (`KnowledgeIndex.visible`), and the vector
search scores visible rows only, so a document the roles may not read never influences which
chunks are returned, their order, their scores or the statistics BM25 uses.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, Select, select

from bankmind.errors import ConfigError
from bankmind.knowledge.chunking import parse_article_number
from bankmind.knowledge.chunking_statutes import chinese_numeral
from bankmind.knowledge.index import KnowledgeBaseInfo, KnowledgeIndex, segment, words
from bankmind.knowledge.synonyms import statutory_terms
from bankmind.knowledge.vectors import normalise
from bankmind.store.schema import KbChunk, KbDocument

__all__ = ["Hit", "cited_article", "query_terms", "search"]

RRF_K = 20
LEXICAL_WEIGHT, DENSE_WEIGHT = 2.0, 1.0
"""Exact words count for more than closeness of meaning in statutes (see `bankmind eval kb`)."""
PHRASE_WEIGHT = 2.0
"""A phrase found whole weighs twice the mean weight of its words."""
CANDIDATES = 50
"""Chunks taken from each of the lexical and the dense ranking before fusion (at least `top_k`)."""
_MAX_TERMS = 64

_STOPWORD_TEXT = (
    "的 了 是 在 和 与 及 或 并 吗 呢 啊 吧 呀 么 哪 啥 谁 我 你 他 她 它 我们 你们 他们 这 那 这个 那个 "
    "之 其 也 都 就 而 被 把 对 于 为 以 等 有 没有 个 中 上 下 请 请问 一下 什么 怎么 怎样 如何 哪些 是否 "
    "可以 能否 吗 关于 有关 按照 根据 "
    "a an the of to in on for and or is are was were be been what which who how does do did with by at "
    "as it its this that these those from about can may should i we you"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


class Hit(BaseModel):
    """One retrieved chunk: what `bankmind kb search` prints and what `kb ask` may quote."""

    model_config = ConfigDict(frozen=True)

    document: str
    title: str
    locator: str
    text: str
    score: float
    chunk_id: int
    context: str
    page: int | None
    kind: str
    similarity: float | None = None
    """Cosine between the query and the chunk's vector when the chunk was among the nearest."""


def search(
    index: KnowledgeIndex, kb: str, query: str, *, roles: Collection[str] | None, top_k: int = 5
) -> list[Hit]:
    """The `top_k` chunks of knowledge base `kb` best matching `query` that `roles` may read.

    `roles=None` is unrestricted; an empty collection sees public documents only.
    """
    info = index.require(kb)
    terms = query_terms(query)
    if top_k <= 0 or not terms:
        return []
    if info.embedder is not None and info.embedder != index.embedder_name:
        raise ConfigError(
            f"knowledge base {kb!r} was embedded with {info.embedder}, but the embedding model is "
            f"{index.embedder_name}; set BANKMIND_EMBEDDING back to search it"
        )
    limit = max(CANDIDATES, top_k)
    query_vector = None
    if info.dim:
        query_vector = normalise(index.embedder.embed([query], kind="query"))[0]
    with index.store.engine.connect() as conn:
        visible = index.visible(info.id, roles)
        lexical = index.lexicon.best(
            conn, info.id, info.revision, terms, visible, limit,
            phrases=query_phrases(query), phrase_weight=PHRASE_WEIGHT,
        )  # fmt: skip
        dense: list[tuple[int, float]] = []
        if query_vector is not None:
            dense = index.vectors.nearest(conn, info.id, info.revision, query_vector, visible, limit)
        scores = _fuse([c for c, _ in lexical], [c for c, _ in dense])
        ranked = sorted(scores, key=lambda c: (-scores[c], c))
        boosted = _exact_article(conn, info, visible, query, ranked)
        for chunk_id in boosted:
            scores[chunk_id] = 1.0
        order = list(dict.fromkeys([*boosted, *ranked]))[:top_k]
        rows = {r.id: r for r in _chunks(conn, visible, order)}
    cosines = dict(dense)
    return [_hit(rows[c], scores[c], cosines.get(c)) for c in order if c in rows]


def query_terms(query: str, *, formal: bool = True) -> list[str]:
    """The distinct search terms of `query`, in order (at most 64); with `formal`, followed by the
    statutory words for its colloquial phrases (`synonyms.py`: 改名 -> 变更名称)."""
    expanded = _ARTICLE.sub(lambda m: f"第{chinese_numeral(int(m.group(1)))}条", query)
    if formal:
        expanded += "\n" + " ".join(statutory_terms(query))
    terms = [t for t in dict.fromkeys(segment(expanded)) if t not in _STOPWORDS]
    return terms[:_MAX_TERMS]


def query_phrases(query: str) -> list[str]:
    """Multi-word units to match where their words stand together in a chunk: each pair of
    neighbouring words of the question (`负面 舆情`) and each statutory term (`变更 名称`)."""
    kept = [w for w in words(query) if w not in _STOPWORDS]
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(kept) if len(a) > 1 and len(b) > 1]
    formal = [" ".join(p) for t in statutory_terms(query) if len(p := segment(t)) > 1]
    return list(dict.fromkeys([*pairs, *formal]))


def _fuse(lexical: list[int], dense: list[int]) -> dict[int, float]:
    scores: dict[int, float] = {}
    for weight, ranking in ((LEXICAL_WEIGHT, lexical), (DENSE_WEIGHT, dense)):
        for rank, chunk_id in enumerate(ranking, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight / (RRF_K + rank)
    scale = (RRF_K + 1) / (LEXICAL_WEIGHT + DENSE_WEIGHT)  # first in both rankings -> 1.0
    return {c: round(s * scale, 6) for c, s in scores.items()}


# exact article --------------------------------------------------------------------------
_NUMERAL = "零〇一二两三四五六七八九十百千"
_STATUTE_NAME = re.compile(r"(?:法|条例|办法|规定|细则|规则|准则|指引|制度|章程|手册|规范)$")
_ARTICLE = re.compile(r"第\s*(\d{1,4})\s*条")
_NAMED_ARTICLE = re.compile(
    rf"(?:《(?P<book>[^》]{{2,80}})》|(?P<run>[\u4e00-\u9fff]{{2,60}}))?\s*第\s*(?P<num>[{_NUMERAL}\d]{{1,8}})\s*条"
)


def cited_article(query: str) -> tuple[str | None, int] | None:
    """The statute and article a query cites: `请问商业银行法第39条` -> ("请问商业银行法", 39).

    The statute is the text in 《》 or the Chinese run before `第…条` when it ends like a statute's
    name (法, 条例, 办法, …); `第39条是什么` -> (None, 39). Its suffixes are tried against titles.
    """
    found = _NAMED_ARTICLE.search(query)
    number = parse_article_number(found.group(0)) if found else None
    if found is None or number is None:
        return None
    run = (found.group("run") or "").rstrip("的之中里")
    statute = found.group("book") or (run if _STATUTE_NAME.search(run) else None)
    return statute, number


def _exact_article(
    conn: Connection, info: KnowledgeBaseInfo, visible: Select[Any], query: str, ranked: list[int]
) -> list[int]:
    cited = cited_article(query)
    if cited is None:
        return []
    statute, number = cited
    rows = conn.execute(
        select(KbChunk.id, KbDocument.title, KbDocument.name, KbDocument.effective_date)
        .join(KbDocument, KbDocument.id == KbChunk.document_id)
        .where(
            KbDocument.kb_id == info.id,
            KbDocument.id.in_(visible),
            KbChunk.locator.in_([f"第{chinese_numeral(number)}条", f"第{number}条"]),
        )
        .order_by(KbChunk.id)
    ).all()
    if statute is None:  # `第39条`: lift the retrieved chunks at that article, in their order
        at_article = {r.id for r in rows}
        return [c for c in ranked if c in at_article]
    for name in (statute[i:] for i in range(len(statute) - 1)):  # 请问商业银行法, 问商业银行法, …
        named = [r for r in rows if name in r.title or name in r.name]
        if named:  # the newest version of the statute first
            named.sort(key=lambda r: (r.effective_date is None, -(r.effective_date or date.min).toordinal()))
            return [r.id for r in named]
    return []  # a statute this knowledge base does not hold (or the roles may not read): no boost


# rows -----------------------------------------------------------------------------------
def _chunks(conn: Connection, visible: Select[Any], ids: list[int]) -> list[Any]:
    if not ids:
        return []
    return list(
        conn.execute(
            select(KbChunk, KbDocument.name.label("document"), KbDocument.title)
            .join(KbDocument, KbDocument.id == KbChunk.document_id)
            .where(KbChunk.id.in_(ids), KbDocument.id.in_(visible))
        ).all()
    )


def _hit(row: Any, score: float, similarity: float | None) -> Hit:
    return Hit(
        document=row.document,
        title=row.title,
        locator=row.locator,
        text=row.text,
        score=score,
        chunk_id=row.id,
        context=row.context,
        page=row.page,
        kind=row.kind,
        similarity=None if similarity is None else round(similarity, 6),
    )
