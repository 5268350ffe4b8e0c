"""Drop the databases' full-text index over knowledge-base tokens.

BM25 is computed by bankmind's own index (`knowledge/lexicon.py`) over exactly the chunks a reader
may see; FTS5's `bm25()` and PostgreSQL's `ts_rank` count every row, including chunks of documents
the reader may not read, so nothing uses the FTS5 table (SQLite) or the `tokens_tsv` column and GIN
index (PostgreSQL) any longer, and keeping them only slowed every ingest.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TRIGGERS = ("kb_chunks_fts_au", "kb_chunks_fts_ad", "kb_chunks_fts_ai")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in _TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS kb_chunks_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_kb_chunks_tsv")
        op.execute("ALTER TABLE kb_chunks DROP COLUMN IF EXISTS tokens_tsv")


def downgrade() -> None:
    """Recreate what 0005 made (and fill the FTS5 table from the chunks)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE kb_chunks_fts USING fts5("
            "tokens, content='kb_chunks', content_rowid='id', tokenize='unicode61')"
        )
        add = "INSERT INTO kb_chunks_fts(rowid, tokens) VALUES (new.id, new.tokens);"
        drop = (
            "INSERT INTO kb_chunks_fts(kb_chunks_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);"
        )
        for trigger, event, body in (
            ("kb_chunks_fts_ai", "INSERT", add),
            ("kb_chunks_fts_ad", "DELETE", drop),
            ("kb_chunks_fts_au", "UPDATE OF tokens", f"{drop} {add}"),
        ):
            op.execute(f"CREATE TRIGGER {trigger} AFTER {event} ON kb_chunks BEGIN {body} END")
        op.execute("INSERT INTO kb_chunks_fts(kb_chunks_fts) VALUES ('rebuild')")
    else:
        op.execute(
            "ALTER TABLE kb_chunks ADD COLUMN tokens_tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, tokens)) STORED"
        )
        op.execute("CREATE INDEX ix_kb_chunks_tsv ON kb_chunks USING gin (tokens_tsv)")
