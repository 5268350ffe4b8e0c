"""The knowledge-base index: documents, their chunks, jieba tokens for full-text search, vectors.

    index = KnowledgeIndex.open(settings, store, router.embedding())
    index.upsert_document("制度库", "法律法规/商业银行法.md", sha256, "商业银行法", None, chunks)
    # -> "added" | "replaced" | "unchanged" (same SHA-256: nothing is embedded or written)

Access: a document's `acl` is None when every principal may read it (ingested without `--acl`), or
a non-empty list of roles/departments; an empty list is refused, so a mistake can never silently
publish a document. `visible(kb_id, roles)` is the one SQL filter retrieval uses: `roles=None`
means unrestricted (an administrator, the CLI without `--as-role`).
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
import warnings
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, array
from sqlalchemy.engine import make_url

from bankmind.config import Settings
from bankmind.errors import ConfigError, InputError, NotFound
from bankmind.knowledge.lexicon import Lexicon
from bankmind.knowledge.types import Chunk
from bankmind.knowledge.vectors import LocalVectors, VectorStore, normalise, to_bytes
from bankmind.llm.base import EmbeddingModel
from bankmind.store import Store
from bankmind.store.schema import KbChunk, KbDocument, KnowledgeBase
from bankmind.store.sql import insert_or_ignore

__all__ = ["DocumentInfo", "KnowledgeBaseInfo", "KnowledgeIndex", "UpsertOutcome", "segment", "words"]

log = logging.getLogger(__name__)

UpsertOutcome = Literal["added", "replaced", "unchanged"]
_KB_NAME = re.compile(r"[^\x00-\x1f\x7f/\\]{1,200}")
_WORD = re.compile(r"[^\W_]+")
_jieba: Any = None
_jieba_lock = threading.Lock()


def segment(text: str) -> list[str]:
    """jieba search-mode tokens of `text`, lower-cased, letters and digits only (punctuation dropped).

    The same function builds the index (`kb_chunks.tokens`) and the query terms, and its tokens
    survive both full-text parsers unchanged (FTS5 `unicode61`, PostgreSQL `simple`).
    """
    tokens: list[str] = []
    for piece in _tokenizer().cut_for_search(text):
        tokens.extend(_WORD.findall(piece.lower()))
    return tokens


def words(text: str) -> list[str]:
    """jieba's words of `text` in order, without the overlapping sub-words of search mode
    (`负面舆情` -> `负面`, `舆情`), lower-cased, letters and digits only: for phrase matching."""
    return [w for piece in _tokenizer().cut(text) for w in _WORD.findall(piece.lower())]


def _tokenizer() -> Any:
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                with warnings.catch_warnings():  # jieba 0.42 has invalid escapes in its regexes
                    warnings.simplefilter("ignore", DeprecationWarning)
                    warnings.simplefilter("ignore", SyntaxWarning)
                    import jieba  # type: ignore[import-untyped]

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _jieba = tokenizer
    return _jieba


class KnowledgeBaseInfo(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    name: str
    embedder: str | None
    dim: int | None
    revision: str


class DocumentInfo(BaseModel):
    """A document as `bankmind kb list` shows it."""

    model_config = ConfigDict(frozen=True)

    name: str
    title: str
    sha256: str
    acl: list[str] | None
    effective_date: date | None
    ingested_at: datetime
    chunks: int


class KnowledgeIndex:
    """Knowledge bases in one store, embedded with one model, with vectors in `vectors` and the
    BM25 index in `lexicon` (both rebuilt from the store when a knowledge base changes)."""

    def __init__(
        self,
        store: Store,
        embedder: EmbeddingModel,
        *,
        vectors: VectorStore | None = None,
        folder: Path | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        cache = folder if folder is not None else _beside_sqlite(store)
        self.vectors = vectors if vectors is not None else LocalVectors(cache)
        self.lexicon = Lexicon(cache)

    @classmethod
    def open(cls, settings: Settings, store: Store, embedder: EmbeddingModel) -> KnowledgeIndex:
        """The index with vectors in pgvector when the store is PostgreSQL with pgvector, otherwise
        in the local cache under `BANKMIND_HOME/kb/` (a fallback is logged with how to enable it)."""
        from bankmind.knowledge.vectors_pgvector import PgVectors  # loads pgvector only when opened

        return cls(store, embedder, vectors=PgVectors.attach(store), folder=settings.home / "kb")

    @property
    def embedder_name(self) -> str:
        return f"{self.embedder.provider}/{self.embedder.model}"

    # knowledge bases ----------------------------------------------------------------
    def knowledge_base(self, name: str) -> KnowledgeBaseInfo | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(KnowledgeBase).where(KnowledgeBase.name == name)).first()
        return KnowledgeBaseInfo.model_validate(row._mapping) if row is not None else None

    def require(self, name: str) -> KnowledgeBaseInfo:
        info = self.knowledge_base(name)
        if info is None:
            raise NotFound(
                f"no knowledge base named {name!r}; create it with `bankmind kb ingest PATH --kb {name}`"
            )
        return info

    def create_knowledge_base(self, name: str) -> KnowledgeBaseInfo:
        """The knowledge base `name`, created empty if it does not exist yet."""
        if not _KB_NAME.fullmatch(name) or name != name.strip():
            raise InputError(
                f"knowledge base name {name!r} is not valid; use 1-200 characters without / or \\"
            )
        now = datetime.now(UTC)
        with self.store.engine.begin() as conn:
            values = {"name": name, "revision": _revision(), "created_at": now, "updated_at": now}
            insert_or_ignore(conn, KnowledgeBase, values, key=("name",))
        return self.require(name)

    def list_knowledge_bases(self) -> list[KnowledgeBaseInfo]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(KnowledgeBase).order_by(KnowledgeBase.name)).all()
        return [KnowledgeBaseInfo.model_validate(r._mapping) for r in rows]

    # documents ----------------------------------------------------------------------
    def upsert_document(
        self,
        kb: str,
        name: str,
        sha256: str,
        title: str,
        acl: Collection[str] | None,
        chunks: Sequence[Chunk],
        effective_date: date | None = None,
        *,
        force: bool = False,
    ) -> UpsertOutcome:
        """Add or replace document `name`; a document with the same SHA-256 is left as it is,
        unless `force` (re-chunk and re-embed after an upgrade: replaced in one transaction).

        An unchanged document still takes the given title, ACL and effective date (a re-ingest with
        a narrower `--acl` must narrow it), without embedding anything again.
        """
        roles = _clean_acl(acl)
        info = self.create_knowledge_base(kb)
        if info.embedder is not None and info.embedder != self.embedder_name:
            raise ConfigError(
                f"knowledge base {kb!r} was embedded with {info.embedder}, but the embedding model is "
                f"{self.embedder_name}; set BANKMIND_EMBEDDING back, or ingest into a new knowledge base"
            )
        meta = {"title": title, "acl": roles, "effective_date": effective_date}
        if not force and self._keep_unchanged(info.id, name, sha256, meta):
            return "unchanged"
        vectors = self._embed(chunks)  # slow: outside any transaction
        with self.store.engine.begin() as conn:
            old = conn.execute(
                select(KbDocument.id, KbDocument.sha256).where(
                    KbDocument.kb_id == info.id, KbDocument.name == name
                )
            ).first()
            if old is not None and old.sha256 == sha256 and not force:  # another ingest got here first
                return "unchanged"
            if old is not None:
                conn.execute(delete(KbDocument).where(KbDocument.id == old.id))  # chunks cascade
            doc_id = conn.execute(
                insert(KbDocument).returning(KbDocument.id),
                {"kb_id": info.id, "name": name, "sha256": sha256, **meta, "ingested_at": datetime.now(UTC)},
            ).scalar_one()
            if chunks:
                conn.execute(
                    insert(KbChunk), [_chunk_row(doc_id, c, v) for c, v in zip(chunks, vectors, strict=True)]
                )
            dim = int(vectors.shape[1]) if len(chunks) else info.dim
            self._touch(conn, info.id, embedder=self.embedder_name if dim else None, dim=dim)
        outcome: UpsertOutcome = "replaced" if old is not None else "added"
        log.info(
            "knowledge.document.upserted", extra={"kb_id": info.id, "chunks": len(chunks), "outcome": outcome}
        )
        return outcome

    def remove_document(self, kb: str, name: str) -> bool:
        """Remove document `name` and its chunks; False when there was no such document."""
        info = self.knowledge_base(kb)
        if info is None:
            return False
        with self.store.engine.begin() as conn:
            gone = conn.execute(
                delete(KbDocument)
                .where(KbDocument.kb_id == info.id, KbDocument.name == name)
                .returning(KbDocument.id)
            ).first()
            if gone is not None:
                self._touch(conn, info.id)
        return gone is not None

    def list_documents(self, kb: str) -> list[DocumentInfo]:
        info = self.require(kb)
        counts = select(KbChunk.document_id, func.count().label("n")).group_by(KbChunk.document_id).subquery()
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(KbDocument, func.coalesce(counts.c.n, 0).label("chunks"))
                .outerjoin(counts, counts.c.document_id == KbDocument.id)
                .where(KbDocument.kb_id == info.id)
                .order_by(KbDocument.name)
            ).all()
        return [
            DocumentInfo(
                name=r.name,
                title=r.title,
                sha256=r.sha256,
                acl=r.acl,
                effective_date=r.effective_date,
                ingested_at=r.ingested_at,
                chunks=r.chunks,
            )
            for r in rows
        ]

    # access -------------------------------------------------------------------------
    def visible(self, kb_id: int, roles: Collection[str] | None) -> Select[Any]:
        """SQL selecting the ids of the documents of `kb_id` that `roles` may read (None: all)."""
        query = select(KbDocument.id).where(KbDocument.kb_id == kb_id)
        if roles is not None:
            query = query.where(acl_allows(self.store.backend, roles))
        return query

    # internals ----------------------------------------------------------------------
    def _keep_unchanged(self, kb_id: int, name: str, sha256: str, meta: dict[str, Any]) -> bool:
        with self.store.engine.begin() as conn:
            row = conn.execute(
                select(KbDocument).where(KbDocument.kb_id == kb_id, KbDocument.name == name)
            ).first()
            if row is None or row.sha256 != sha256:
                return False
            if any(getattr(row, k) != v for k, v in meta.items()):
                conn.execute(update(KbDocument).where(KbDocument.id == row.id).values(**meta))
        return True

    def _embed(self, chunks: Sequence[Chunk]) -> Any:
        if not chunks:
            return normalise([[0.0]])[:0]
        texts = [f"{c.context}\n{c.text}" if c.context else c.text for c in chunks]
        return normalise(self.embedder.embed(texts, kind="passage"))

    def _touch(self, conn: Connection, kb_id: int, **values: Any) -> None:
        values = {k: v for k, v in values.items() if v is not None}
        conn.execute(
            update(KnowledgeBase)
            .where(KnowledgeBase.id == kb_id)
            .values(revision=_revision(), updated_at=datetime.now(UTC), **values)
        )


def acl_allows(backend: str, roles: Collection[str]) -> ColumnElement[bool]:
    """True for a document without ACL, or whose ACL names one of `roles` (none: public only)."""
    public = KbDocument.acl.is_(None)
    wanted = sorted({r.strip() for r in roles if r.strip()})
    if not wanted:
        return public
    if backend == "postgresql":
        listed = cast(KbDocument.acl, JSONB).has_any(cast(array(wanted), ARRAY(String)))
    else:
        each = func.json_each(KbDocument.acl).table_valued("value")
        listed = exists(select(literal(1)).select_from(each).where(each.c.value.in_(wanted)))
    return or_(public, listed)


def _clean_acl(acl: Collection[str] | None) -> list[str] | None:
    if acl is None:
        return None
    roles = sorted({r.strip() for r in acl if r.strip()})
    if not roles:
        raise InputError(
            "an ACL needs at least one role or department (e.g. --acl credit,risk); "
            "leave --acl out for a document everyone may read"
        )
    return roles


def _chunk_row(doc_id: int, chunk: Chunk, vector: Any) -> dict[str, Any]:
    tokens = segment(f"{chunk.context}\n{chunk.text}")
    return {
        "document_id": doc_id,
        "ordinal": chunk.ordinal,
        "kind": chunk.kind,
        "locator": chunk.locator[:200],
        "context": chunk.context,
        "text": chunk.text,
        "page": chunk.page,
        "tokens": " ".join(tokens),
        "ntokens": len(tokens),
        "embedding": to_bytes(vector),
    }


def _revision() -> str:
    return uuid.uuid4().hex


def _beside_sqlite(store: Store) -> Path | None:
    url = make_url(store.url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).parent / "kb"
    return None
