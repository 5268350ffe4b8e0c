"""Migrations: upgrading an existing database keeps its rows; the models match the migrations."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command as alembic_command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from bankmind.config import load_settings
from bankmind.errors import ConfigError
from bankmind.store import Store
from bankmind.store.schema import Base, include_name


def test_upgrade_from_first_revision_keeps_data(store_url: str) -> None:
    old = Store(store_url)
    old.migrate("0001")
    assert old.current_revision() == "0001"
    with old.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, name, password_hash, department, roles, disabled, created_at) VALUES "
                "(1, '张伟', NULL, '托管部', '[\"custody\"]', false, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO jobs (id, kind, status, progress, message, owner_id, params, result, "
                "created_at) VALUES ('j1', 'recon', 'succeeded', 1.0, 'done', 1, NULL, "
                "'{\"breaks\": 3}', CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO documents (id, content_hash, size, media_type, kind, filename, owner_id, "
                "acl, created_at) VALUES (1, :h, 10, 'application/pdf', 'pdf', '估值表.pdf', 1, "
                "'[\"custody\"]', CURRENT_TIMESTAMP)"
            ),
            {"h": "a" * 64},
        )
    old.close()

    new = Store(store_url)
    new.migrate()
    assert new.current_revision() == new.head_revision()
    with new.engine.connect() as conn:
        assert conn.execute(text("SELECT name, department FROM users")).one() == ("张伟", "托管部")
        row = conn.execute(text("SELECT status, result, error_code, worker FROM jobs")).one()
        assert row[0] == "succeeded" and row[2] is None and row[3] is None
        assert "breaks" in str(row[1])
        assert conn.execute(text("SELECT filename FROM documents")).scalar() == "估值表.pdf"
        assert conn.execute(text("SELECT count(*) FROM audit_records")).scalar() == 0
    new.migrate()  # a second upgrade is a no-op
    assert new.current_revision() == new.head_revision()
    new.close()


def test_models_and_migrations_agree(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False, "include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], "schema.py and the migrations differ; add an Alembic revision"


def test_status_reports_backend_and_revision(store: Store) -> None:
    status = store.status()
    assert status.ok and status.revision == status.head
    assert status.backend in ("sqlite", "postgresql")
    if status.backend == "postgresql":
        assert status.pgvector is not None


def test_unreachable_database_is_a_config_error_without_the_password() -> None:
    settings = load_settings(database_url="postgresql://bank:hunter2secret@127.0.0.1:1/nowhere")
    assert settings.store_url.startswith("postgresql+psycopg://")
    with pytest.raises(ConfigError) as info:
        Store.open(settings)
    assert "hunter2secret" not in info.value.message
    assert "BANKMIND_DATABASE_URL" in info.value.message


def test_outdated_schema_is_reported(store_url: str) -> None:
    old = Store(store_url)
    old.migrate("0001")
    status = old.status()
    assert not status.ok and "expected" in status.detail
    old.close()


def test_the_dropped_full_text_index_comes_back_on_downgrade(store_url: str) -> None:
    """0006 drops the full-text objects 0005 made (search no longer reads them); its downgrade
    recreates them, filled from the chunks."""
    store = Store(store_url)
    store.migrate("0005")
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO knowledge_bases (id, name, revision, created_at, updated_at) "
                "VALUES (1, '制度库', 'r1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO kb_documents (id, kb_id, name, sha256, title, ingested_at) "
                "VALUES (1, 1, 'a.md', :h, 'A', CURRENT_TIMESTAMP)"
            ),
            {"h": "a" * 64},
        )
        conn.execute(
            text(
                "INSERT INTO kb_chunks (id, document_id, ordinal, kind, locator, context, text, "
                "tokens, ntokens) VALUES (1, 1, 0, 'article', '第一条', '', '贷款', '贷款', 1)"
            )
        )
    store.migrate()
    full_text = "kb_chunks_fts" if store.backend == "sqlite" else "tokens_tsv"
    with store.engine.connect() as conn:
        assert full_text not in _names(conn, store.backend)
        assert conn.execute(text("SELECT tokens FROM kb_chunks")).scalar() == "贷款"
    cfg = store._alembic_config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        alembic_command.downgrade(cfg, "0005")
    with store.engine.connect() as conn:
        assert full_text in _names(conn, store.backend)
        if store.backend == "sqlite":
            found = "SELECT count(*) FROM kb_chunks_fts WHERE kb_chunks_fts MATCH '贷款'"
        else:
            found = "SELECT count(*) FROM kb_chunks WHERE tokens_tsv @@ to_tsquery('simple', '贷款')"
        assert conn.execute(text(found)).scalar() == 1
    store.migrate()
    store.close()


def _names(conn: Any, backend: str) -> set[str]:
    if backend == "sqlite":
        return set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
    query = "SELECT column_name FROM information_schema.columns WHERE table_name = 'kb_chunks'"
    return set(conn.execute(text(query)).scalars())
