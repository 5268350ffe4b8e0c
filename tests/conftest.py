"""Shared fixtures: an isolated BANKMIND_HOME for every test, a `store` on SQLite and PostgreSQL,
the `bankmind` command run in-process (`run`), and a real `bankmind serve` (`serve_bankmind`)."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bankmind.cli import main
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


@dataclass
class Result:
    """What a user would see from one `bankmind` command."""

    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run the `bankmind` command in-process: `run("pii", "scan", stdin="...")`."""

    def invoke(*args: str, stdin: str | None = None) -> Result:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@dataclass
class ServedBankmind:
    """A running `bankmind serve` subprocess: where it answers and what it printed."""

    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _serving(home: Path, **env: str) -> Iterator[ServedBankmind]:
    """`python -m bankmind serve` on a free 127.0.0.1 port with its own HOME (no chat model unless
    `env` sets one); waits until it answers, fails the test with its output if it dies."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BANKMIND_")}
    clean |= {"BANKMIND_HOME": str(home), "BANKMIND_CHAT__PROVIDER": "none", **env}
    port = _free_port()
    log = home / "server.log"
    with log.open("w", encoding="utf-8") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bankmind", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=clean,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
    running = ServedBankmind(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"bankmind serve exited with {proc.returncode}; its output:\n{running.output()}")
            try:
                with urllib.request.urlopen(f"{running.url}/login", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"bankmind serve did not answer within 60 s; its output:\n{running.output()}")
                time.sleep(0.2)
        yield running
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.returncode not in (0, -15):
        pytest.fail(f"bankmind serve stopped with {proc.returncode}; its output:\n{running.output()}")


@pytest.fixture(scope="session")
def serve_bankmind() -> Callable[..., AbstractContextManager[ServedBankmind]]:
    """`with serve_bankmind(home, BANKMIND_X="...") as server:` a real server on 127.0.0.1."""
    return _serving
