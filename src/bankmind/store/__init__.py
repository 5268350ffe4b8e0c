"""The store: metadata, jobs, documents and audit records on SQLite or PostgreSQL.

store = Store.open(settings)          # connects and upgrades the schema
with store.session() as s: ...        # a transaction; commits on success
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bankmind.config import Settings
from bankmind.errors import ConfigError
from bankmind.store.engine import make_engine, redact

__all__ = ["Store", "StoreStatus"]

log = logging.getLogger(__name__)
_MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class StoreStatus:
    """What `bankmind doctor` and the status page show about the store."""

    backend: str
    url: str
    ok: bool
    revision: str | None
    head: str
    detail: str
    pgvector: bool | None = None


class Store:
    """One database (SQLite or PostgreSQL) behind the same tables and functions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def open(cls, settings: Settings, *, migrate: bool = True) -> Store:
        """Connect to the configured store and bring its schema up to date."""
        settings.ensure_home()
        store = cls(settings.store_url)
        if migrate:
            store.migrate()
        return store

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: commits when the block ends, rolls back on an exception."""
        with self._sessions.begin() as session:
            yield session

    # schema -------------------------------------------------------------------------
    def _alembic_config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(_MIGRATIONS))
        return cfg

    def head_revision(self) -> str:
        head = ScriptDirectory.from_config(self._alembic_config()).get_current_head()
        assert head is not None
        return head

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def migrate(self, revision: str = "head") -> None:
        """Upgrade the schema to `revision` (idempotent; existing rows are kept)."""
        cfg = self._alembic_config()
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
        except OperationalError as exc:
            raise ConfigError(
                f"cannot reach the store at {redact(self.url)}: {_first_line(exc)}; "
                "check BANKMIND_DATABASE_URL and that the database server is running"
            ) from exc
        log.info("store.migrated", extra={"backend": self.backend, "revision": revision})

    # health -------------------------------------------------------------------------
    def status(self) -> StoreStatus:
        """Check the connection and schema revision without changing anything."""
        head = self.head_revision()
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                revision = MigrationContext.configure(conn).get_current_revision()
                pgvector = None
                if self.backend == "postgresql":
                    pgvector = bool(
                        conn.execute(
                            text("SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")
                        ).scalar()
                    )
        except SQLAlchemyError as exc:
            return StoreStatus(self.backend, redact(self.url), False, None, head, _first_line(exc))
        ok = revision == head
        detail = (
            "schema up to date" if ok else f"schema at {revision}, expected {head}: run `bankmind doctor`"
        )
        return StoreStatus(self.backend, redact(self.url), ok, revision, head, detail, pgvector)

    def close(self) -> None:
        self.engine.dispose()


def _first_line(exc: BaseException) -> str:
    text_ = str(getattr(exc, "orig", exc)) or type(exc).__name__
    return text_.strip().splitlines()[0]
