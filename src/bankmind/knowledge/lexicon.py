"""BM25 over a knowledge base's jieba tokens, computed for exactly the chunks a caller may read.

    lexicon = Lexicon(folder)
    lexicon.best(conn, kb_id, revision, ["资本", "充足率"], visible, limit=50) -> [(chunk id, score)]

Why not the database's own full-text ranking: FTS5's `bm25()` and PostgreSQL's `ts_rank` weigh a
term by how many chunks of the whole table hold it, including chunks of documents the caller may
not read, so a secret document would shift a reader's scores. Here document frequencies and the
average length come from the visible chunks only, as the ACL requirement demands, and the same
numbers come out on SQLite and on PostgreSQL.

How: one inverted index per knowledge base in memory (term -> rows and term counts, CSR arrays),
built from `kb_chunks.tokens` when the knowledge base's `revision` changes and kept in
`<folder>/<kb id>.lexicon.npz` so a restart does not rebuild it (`revision_cache.py`). A query
is a handful of numpy operations per term over that term's postings, masked by the visible rows.
"""

from __future__ import annotations

import logging
import math
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, Select, select

from bankmind.knowledge.revision_cache import RevisionCache
from bankmind.store.schema import KbChunk, KbDocument

__all__ = ["BM25_B", "BM25_K1", "Lexicon"]

log = logging.getLogger(__name__)

BM25_K1, BM25_B = 1.2, 0.75


@dataclass(frozen=True)
class _Postings:
    vocabulary: dict[str, int]
    indptr: NDArray[np.int64]  # term id -> slice of rows/counts
    rows: NDArray[np.int32]
    counts: NDArray[np.float32]
    chunk_ids: NDArray[np.int64]  # row -> chunk id
    document_ids: NDArray[np.int64]  # row -> document id
    lengths: NDArray[np.float32]  # row -> number of tokens


class Lexicon:
    """In-memory BM25 indexes, one per knowledge base, cached in `folder` (None: memory only)."""

    def __init__(self, folder: Path | None) -> None:
        self.cache = RevisionCache(folder, "lexicon", build=_build, encode=_encode, decode=_decode)

    def best(
        self,
        conn: Connection,
        kb_id: int,
        revision: str,
        terms: Sequence[str],
        visible: Select[Any],
        limit: int,
        *,
        phrases: Sequence[str] = (),
        phrase_weight: float = 2.0,
    ) -> list[tuple[int, float]]:
        """The `limit` visible chunks with the highest BM25 for `terms`, best first.

        Each phrase (space-joined tokens, `负面 舆情`) counts as one more term in the best chunks,
        where its tokens stand together; it weighs `phrase_weight` times the mean weight of its
        words. `visible` selects the document ids the caller may read.
        """
        index = self.cache.get(conn, kb_id, revision)
        if limit <= 0 or index.chunk_ids.size == 0:
            return []
        allowed = np.fromiter(conn.execute(visible).scalars(), dtype=np.int64)
        mask = np.isin(index.document_ids, allowed)
        visible_count = int(mask.sum())
        if visible_count == 0:
            return []
        avg = float(index.lengths[mask].mean()) or 1.0
        scores = np.zeros(index.chunk_ids.size, dtype=np.float32)
        weights: dict[str, float] = {}
        for term in dict.fromkeys(terms):
            term_id = index.vocabulary.get(term)
            if term_id is None:
                continue
            start, end = index.indptr[term_id], index.indptr[term_id + 1]
            rows, counts = index.rows[start:end], index.counts[start:end]
            seen = mask[rows]
            rows, counts = rows[seen], counts[seen]
            if rows.size == 0:
                continue
            idf = math.log(1 + (visible_count - rows.size + 0.5) / (rows.size + 0.5))
            weights[term] = idf
            norm = BM25_K1 * (1 - BM25_B + BM25_B * index.lengths[rows] / avg)
            scores[rows] += idf * counts * (BM25_K1 + 1) / (counts + norm)
        hits = np.flatnonzero(scores > 0)
        if hits.size == 0:
            return []
        if phrases:
            self._add_phrases(conn, index, scores, hits, phrases, weights, avg, phrase_weight, limit)
        take = min(limit, hits.size)
        best = hits[np.argpartition(-scores[hits], take - 1)[:take]]
        best = best[np.lexsort((index.chunk_ids[best], -scores[best]))]
        return [(int(index.chunk_ids[r]), float(scores[r])) for r in best]

    @staticmethod
    def _add_phrases(
        conn: Connection,
        index: _Postings,
        scores: NDArray[np.float32],
        hits: NDArray[np.intp],
        phrases: Sequence[str],
        weights: dict[str, float],
        avg: float,
        phrase_weight: float,
        limit: int,
    ) -> None:
        """Phrase matches among the best `4 × limit` chunks by words (where they can change the
        order that matters): tf saturated like a word's, weight from the words' weights."""
        wanted = [
            p for p in dict.fromkeys(phrases) if len(p.split()) > 1 and all(w in weights for w in p.split())
        ]
        if not wanted:
            return
        pool = min(hits.size, 4 * limit)
        top = hits[np.argpartition(-scores[hits], pool - 1)[:pool]]
        by_id = {int(index.chunk_ids[row]): row for row in top}
        tokens = conn.execute(select(KbChunk.id, KbChunk.tokens).where(KbChunk.id.in_(list(by_id)))).all()
        for phrase in wanted:
            parts = phrase.split()
            weight = phrase_weight * sum(weights[p] for p in parts) / len(parts)
            needle = f" {phrase} "
            for chunk_id, text in tokens:
                row = by_id[chunk_id]
                count = f" {text} ".count(needle)
                if count:
                    norm = BM25_K1 * (1 - BM25_B + BM25_B * float(index.lengths[row]) / avg)
                    scores[row] += weight * count * (BM25_K1 + 1) / (count + norm)


def _build(conn: Connection, kb_id: int) -> _Postings:
    result = conn.execute(
        select(KbChunk.id, KbChunk.document_id, KbChunk.tokens, KbChunk.ntokens)
        .join(KbDocument, KbDocument.id == KbChunk.document_id)
        .where(KbDocument.kb_id == kb_id)
        .order_by(KbChunk.id)
    ).all()
    vocabulary: dict[str, int] = {}
    term_ids, rows, counts = array("i"), array("i"), array("f")
    for row, (_, _, tokens, _) in enumerate(result):
        for term, count in Counter(tokens.split()).items():
            term_ids.append(vocabulary.setdefault(term, len(vocabulary)))
            rows.append(row)
            counts.append(count)
    terms = np.frombuffer(term_ids, dtype=np.int32)
    order = np.argsort(terms, kind="stable")  # grouped by term, rows ascending within a term
    indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
    np.cumsum(np.bincount(terms, minlength=len(vocabulary)), out=indptr[1:])
    return _Postings(
        vocabulary=vocabulary,
        indptr=indptr,
        rows=np.frombuffer(rows, dtype=np.int32)[order],
        counts=np.frombuffer(counts, dtype=np.float32)[order],
        chunk_ids=np.array([r[0] for r in result], dtype=np.int64),
        document_ids=np.array([r[1] for r in result], dtype=np.int64),
        lengths=np.array([r[3] for r in result], dtype=np.float32),
    )


def _encode(index: _Postings) -> dict[str, Any]:
    arrays = {
        k: getattr(index, k) for k in ("indptr", "rows", "counts", "chunk_ids", "document_ids", "lengths")
    }
    return {"terms": np.array(list(index.vocabulary), dtype=str), **arrays}


def _decode(data: Mapping[str, Any]) -> _Postings:
    return _Postings(
        vocabulary={str(t): i for i, t in enumerate(data["terms"])},
        indptr=data["indptr"].astype(np.int64),
        rows=data["rows"].astype(np.int32),
        counts=data["counts"].astype(np.float32),
        chunk_ids=data["chunk_ids"].astype(np.int64),
        document_ids=data["document_ids"].astype(np.int64),
        lengths=data["lengths"].astype(np.float32),
    )
