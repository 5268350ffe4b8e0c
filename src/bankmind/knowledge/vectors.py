"""Dense vectors of knowledge-base chunks: where they are searched.

The store keeps every chunk's vector (`kb_chunks.embedding`, float32 bytes) in the same transaction
as its text, so the database is the one source of truth. A `VectorStore` answers "the `limit`
chunks closest to this query vector among the documents `visible` selects"; `visible` is a SQL
subquery of document ids (the ACL filter), so a document the caller may not read never reaches the
ranking.

`LocalVectors` (SQLite, and PostgreSQL without pgvector) keeps one normalised float32 matrix per
knowledge base in memory, persisted as `<folder>/<kb id>.vectors.npz` and rebuilt from the store whenever
the knowledge base's `revision` has changed. On PostgreSQL with pgvector, `PgVectors`
(`vectors_pgvector.py`) answers the same protocol inside the database.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, Select, select

from bankmind.knowledge.revision_cache import RevisionCache
from bankmind.store.schema import KbChunk, KbDocument

__all__ = ["LocalVectors", "VectorStore", "from_bytes", "normalise", "to_bytes"]

log = logging.getLogger(__name__)

Matrix = NDArray[np.float32]


def normalise(vectors: Sequence[Sequence[float]] | Matrix) -> Matrix:
    """Rows scaled to unit length (a zero row stays zero), as float32."""
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(array / norms, dtype=np.float32)


def to_bytes(vector: Matrix) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes, dim: int) -> Matrix:
    array = np.frombuffer(data, dtype="<f4")
    if array.size != dim:
        raise ValueError(f"stored vector has {array.size} dimensions, expected {dim}")
    return array.astype(np.float32)


class VectorStore(Protocol):
    """Nearest chunks of one knowledge base, restricted to visible documents inside the query."""

    def nearest(
        self,
        conn: Connection,
        kb_id: int,
        revision: str,
        query: Matrix,
        visible: Select[Any],
        limit: int,
    ) -> list[tuple[int, float]]:
        """`(chunk id, cosine)` pairs, best first; `visible` selects the allowed document ids."""
        ...


@dataclass(frozen=True)
class _KbMatrix:
    chunk_ids: NDArray[np.int64]
    document_ids: NDArray[np.int64]
    vectors: Matrix


class LocalVectors:
    """An in-process matrix per knowledge base, cached in memory and in `folder` (None: memory only)."""

    def __init__(self, folder: Path | None) -> None:
        self.cache = RevisionCache(folder, "vectors", build=_build, encode=_encode, decode=_decode)

    def nearest(
        self,
        conn: Connection,
        kb_id: int,
        revision: str,
        query: Matrix,
        visible: Select[Any],
        limit: int,
    ) -> list[tuple[int, float]]:
        matrix = self.cache.get(conn, kb_id, revision)
        if limit <= 0 or matrix.chunk_ids.size == 0:
            return []
        allowed = np.fromiter(conn.execute(visible).scalars(), dtype=np.int64)
        rows = np.flatnonzero(np.isin(matrix.document_ids, allowed))
        if rows.size == 0:
            return []
        # only the rows of visible documents take part in the ranking (scoring every row and
        # picking among the visible ones is cheaper than copying the visible rows out)
        scores = (matrix.vectors @ query.reshape(-1))[rows]
        take = min(limit, rows.size)
        best = np.argpartition(-scores, take - 1)[:take]
        best = best[np.lexsort((matrix.chunk_ids[rows[best]], -scores[best]))]
        return [(int(matrix.chunk_ids[rows[i]]), float(scores[i])) for i in best]


def _build(conn: Connection, kb_id: int) -> _KbMatrix:
    rows = conn.execute(
        select(KbChunk.id, KbChunk.document_id, KbChunk.embedding)
        .join(KbDocument, KbDocument.id == KbChunk.document_id)
        .where(KbDocument.kb_id == kb_id, KbChunk.embedding.is_not(None))
        .order_by(KbChunk.id)
    ).all()
    blobs = [r[2] for r in rows if r[2] is not None]
    dim = len(blobs[0]) // 4 if blobs else 0
    vectors = np.zeros((len(blobs), dim), dtype=np.float32)
    for i, data in enumerate(blobs):
        vectors[i] = from_bytes(data, dim)
    return _KbMatrix(
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=np.int64),
        vectors,
    )


def _encode(matrix: _KbMatrix) -> dict[str, Any]:
    return {"chunk_ids": matrix.chunk_ids, "document_ids": matrix.document_ids, "vectors": matrix.vectors}


def _decode(data: Mapping[str, Any]) -> _KbMatrix:
    return _KbMatrix(
        data["chunk_ids"].astype(np.int64),
        data["document_ids"].astype(np.int64),
        data["vectors"].astype(np.float32),
    )
