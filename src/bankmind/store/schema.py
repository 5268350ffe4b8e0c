"""Tables of the store, one schema for SQLite and PostgreSQL.

Changes to these classes need an Alembic revision under `store/migrations/versions/`
(`tests/store/test_migrations.py` fails when the models and the migrations disagree).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import DateTime as _DateTime
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class DateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp on both backends (SQLite drops the zone; this puts UTC back)."""

    impl = _DateTime(timezone=True)
    cache_ok = True

    def __init__(self, timezone: bool = True) -> None:
        super().__init__()

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use datetime.now(UTC)")
        return value.astimezone(UTC) if value is not None and dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """Declarative base of every bankmind table."""


class User(Base):
    """A person (web login) or a system principal (API keys only)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(100))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiKey(Base):
    """An API key; only its SHA-256 is stored, the key itself is shown once."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Job(Base):
    """Long-running work with progress; finished results survive restarts."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(50), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True, default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(50))
    worker: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Document(Base):
    """A stored file: content-addressed blob plus who owns it and who may read it."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    acl: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebSession(Base):
    """A workbench login; the id is the SHA-256 of the cookie's token."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditRecord(Base):
    """One entry of the hash-chained audit log (written by the gateway and capabilities).

    `seq` numbers the chain 1, 2, 3, … without gaps; `hash` is the SHA-256 of the record's canonical
    JSON, which includes `seq` and `prev_hash` (see `guard/audit.py` and docs/audit.md).
    """

    __tablename__ = "audit_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True, index=True)
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    principal: Mapped[str | None] = mapped_column(String(100), index=True)
    department: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(200))
    tokens_in: Mapped[int | None] = mapped_column(Integer)
    tokens_out: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    pii: Mapped[dict[str, int] | None] = mapped_column(JSON)
    prompt_sha256: Mapped[str | None] = mapped_column(String(64))
    response_sha256: Mapped[str | None] = mapped_column(String(64))
    masked_prompt: Mapped[str | None] = mapped_column(Text)
    masked_response: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(50), default="ok")
    prev_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    hash: Mapped[str] = mapped_column(String(64), index=True)


class Department(Base):
    """A department and its model policy: external models, masking, audit text, daily tokens."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    no_external: Mapped[bool] = mapped_column(default=False)
    mask_internal: Mapped[bool] = mapped_column(default=True)
    keep_masked_text: Mapped[bool] = mapped_column(default=False)
    tokens_per_day: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Usage(Base):
    """Model usage per department per calendar day (Asia/Shanghai), updated atomically.

    `department` is '' for principals without a department (a primary key cannot be NULL).
    """

    __tablename__ = "usage"

    department: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    tokens_in: Mapped[int] = mapped_column(BigInteger, default=0)
    tokens_out: Mapped[int] = mapped_column(BigInteger, default=0)
    requests: Mapped[int] = mapped_column(BigInteger, default=0)


class KnowledgeBase(Base):
    """A named collection of documents for the employee assistant (`bankmind kb ... --kb NAME`).

    `embedder` and `dim` name the embedding model its vectors come from (set by the first document);
    `revision` changes on every change of its chunks, so a cached vector matrix knows it is stale.
    """

    __tablename__ = "knowledge_bases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    embedder: Mapped[str | None] = mapped_column(String(300))
    dim: Mapped[int | None] = mapped_column(Integer)
    revision: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class KbDocument(Base):
    """A document of a knowledge base, identified by its name (relative path or title).

    `acl` is NULL for a document every principal may read (ingested without `--acl`); otherwise a
    non-empty JSON list of roles or departments, and only principals with one of them see it.
    """

    __tablename__ = "kb_documents"
    __table_args__ = (UniqueConstraint("kb_id", "name", name="uq_kb_documents_kb_id_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kb_id: Mapped[int] = mapped_column(ForeignKey("knowledge_bases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(1000))
    sha256: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    acl: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    effective_date: Mapped[date | None] = mapped_column(Date)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class KbChunk(Base):
    """One retrievable piece of a knowledge-base document (see `bankmind.knowledge.types.Chunk`).

    `tokens` is the jieba segmentation of `context` and `text`, joined by spaces: what BM25 counts
    (`knowledge/lexicon.py` builds its index from it). `embedding` is the L2-normalised float32
    vector, little-endian bytes.
    """

    __tablename__ = "kb_chunks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("kb_documents.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    locator: Mapped[str] = mapped_column(String(200), index=True)
    context: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    tokens: Mapped[str] = mapped_column(Text)
    ntokens: Mapped[int] = mapped_column(Integer)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)


class ReconRun(Base):
    """One stored reconciliation of a fund's manager and custodian tables for one valuation day.

    `batch_id` groups the runs of one upload or folder; `previous_run_id` is the product's latest
    earlier run, against which this run's breaks are new or carried over; `cleared` counts the
    previous run's breaks that no longer appear. `header` holds both sides' title figures, `summary`
    the `recon compare` summary.
    """

    __tablename__ = "recon_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    batch_id: Mapped[str | None] = mapped_column(String(36), index=True)
    product: Mapped[str | None] = mapped_column(String(300), index=True)
    valuation_date: Mapped[date | None] = mapped_column(Date, index=True)
    manager_file: Mapped[str] = mapped_column(String(500))
    custodian_file: Mapped[str] = mapped_column(String(500))
    severity: Mapped[str] = mapped_column(String(20))
    breaks: Mapped[int] = mapped_column(Integer)
    new_breaks: Mapped[int] = mapped_column(Integer)
    carried_breaks: Mapped[int] = mapped_column(Integer)
    cleared: Mapped[int] = mapped_column(Integer)
    header: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    previous_run_id: Mapped[str | None] = mapped_column(String(36))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    owner_name: Mapped[str] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class ReconBreak(Base):
    """One break of a stored run, with its follow-up: `status` open / explained / resolved, the
    comment, who set it and when. `first_seen` is the valuation date the break first appeared on
    (a carried-over break keeps its predecessor's); `narrative` is the verified model text, if any."""

    __tablename__ = "recon_breaks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("recon_runs.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(400))
    subject_code: Mapped[str | None] = mapped_column(String(100))
    subject_name: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30))
    field: Mapped[str] = mapped_column(String(30))
    manager: Mapped[float | None] = mapped_column(Float)
    custodian: Mapped[float | None] = mapped_column(Float)
    difference: Mapped[float | None] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text)
    cause: Mapped[str] = mapped_column(String(50))
    knock_on: Mapped[bool] = mapped_column(default=False)
    manager_cell: Mapped[str | None] = mapped_column(String(100))
    custodian_cell: Mapped[str | None] = mapped_column(String(100))
    carried_over: Mapped[bool] = mapped_column(default=False)
    first_seen: Mapped[date | None] = mapped_column(Date)
    narrative: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    comment: Mapped[str | None] = mapped_column(Text)
    status_by: Mapped[str | None] = mapped_column(String(100))
    status_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


UNMODELLED_OBJECTS = frozenset({"kb_chunk_vectors", "ix_kb_chunk_vectors_kb_id_document_id"})
"""Objects the models do not describe: the pgvector side table, made on first use where the
server has pgvector (`knowledge/vectors_pgvector.py`); schema comparisons leave them out."""


def include_name(name: str | None, type_: Any, parent_names: Any) -> bool:
    """Alembic `include_name` hook: compare everything except `UNMODELLED_OBJECTS`.

    Use it wherever models are compared with a database:
    `MigrationContext.configure(conn, opts={"include_name": include_name})`.
    """
    return name not in UNMODELLED_OBJECTS


class ContractRun(Base):
    """One inspection upload: its files (name, kind, size, content hash) and their inspections.

    `findings` and the per-severity counts are kept beside the JSON so that lists need not load it.
    """

    __tablename__ = "contract_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    inspections: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    findings: Mapped[int] = mapped_column(Integer)
    high: Mapped[int] = mapped_column(Integer)
    medium: Mapped[int] = mapped_column(Integer)
    low: Mapped[int] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    owner_name: Mapped[str] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
