"""Shared fixtures: an isolated BANKMIND_HOME for every test, and a `store` on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bankmind.config import Settings, load_settings
from bankmind.store import Store

POSTGRES_URL = os.environ.get("BANKMIND_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own BANKMIND_HOME and no stray BANKMIND_* settings from the shell."""
    for key in list(os.environ):
        if key.startswith("BANKMIND_") and key != "BANKMIND_TEST_POSTGRES":
            monkeypatch.delenv(key)
    home = tmp_path / "home"
    monkeypatch.setenv("BANKMIND_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    return home


@pytest.fixture
def settings(_isolated_home: Path) -> Settings:
    return load_settings(home=_isolated_home, chat={"provider": "none"})


def _postgres_available() -> str | None:
    """None when the test PostgreSQL answers, else the reason it does not."""
    import psycopg

    try:
        with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at {POSTGRES_URL} does not answer: {str(exc).strip().splitlines()[0]}"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    reason = _postgres_available()
    if reason:
        pytest.skip(reason)
    return POSTGRES_URL


def postgres_schema_url(base_url: str) -> Iterator[str]:
    """A fresh schema in the test database, dropped afterwards, so parallel runs never collide."""
    import psycopg

    schema = f"bm_test_{uuid.uuid4().hex[:12]}"
    plain = base_url.replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{base_url}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, _isolated_home: Path) -> Iterator[str]:
    """The URL of an empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{_isolated_home / 'bankmind.db'}"
    else:
        yield from postgres_schema_url(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A migrated store on SQLite and on PostgreSQL: the same tests run on both."""
    st = Store(store_url)
    st.migrate()
    yield st
    st.close()


def pytest_configure(config: pytest.Config) -> None:
    # The CLI re-raises unexpected exceptions under tests so a bug shows its traceback (llm does the same).
    import sys

    sys._called_from_test = True  # type: ignore[attr-defined]
