"""Shared fixtures: an isolated BANKMIND_HOME for every test, a `store` on SQLite and PostgreSQL,
the `bankmind` command run in-process (`run`), a real `bankmind serve` (`serve_bankmind`), the
scripted `upstream` model server, and the real embedded model: its GGUF (`embedded_gguf`), llama.cpp's
OpenAI server on it (`llama`) and a gateway in front of that server (`llama_gateway`)."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx
import pytest
from tests.llm.upstream import FakeUpstream

from bankmind.cli import main
from bankmind.config import Settings, load_settings
from bankmind.guard.gateway import Gateway
from bankmind.llm import ModelRouter
from bankmind.llm.installer import install_embedded_model, is_installed
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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test of the store runs on SQLite and on PostgreSQL; under `sqlite_only` on SQLite alone."""
    if "store_url" in metafunc.fixturenames and not metafunc.definition.get_closest_marker("sqlite_only"):
        backends = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
        metafunc.parametrize("store_url", backends, indirect=True)


@pytest.fixture
def store_url(request: pytest.FixtureRequest, _isolated_home: Path) -> Iterator[str]:
    """The URL of an empty database on each backend."""
    if getattr(request, "param", "sqlite") == "sqlite":
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
    config.addinivalue_line(
        "markers",
        "sqlite_only: the test's `store` is on SQLite alone (the model path is under test, not the database)",
    )
    # The CLI re-raises unexpected exceptions under tests so a bug shows its traceback (llm does the same).
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


def _answers(url: str, timeout: float) -> bool:
    """Whether a server answers `url` with success: the probe of a server just started."""
    try:
        return httpx.get(url, timeout=timeout, trust_env=False, follow_redirects=True).is_success
    except httpx.HTTPError:
        return False


@contextmanager
def _server_process(
    name: str,
    command: list[str],
    log: Path,
    ready: Callable[[], bool],
    output: Callable[[], str],
    *,
    start_within: int,
    stop_within: int,
    env: dict[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server, its output in `log`, until the block ends: yields once `ready()`, fails the test
    with its `output()` if it exits first or is not ready `start_within` seconds later; then terminates
    it, killing it if it has not stopped `stop_within` seconds later."""
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + start_within
        while True:
            if process.poll() is not None:
                pytest.fail(f"{name} exited with {process.returncode} at start; its output:\n{output()}")
            if ready():
                break
            if time.monotonic() > deadline:
                pytest.fail(f"{name} did not answer within {start_within} s; its output:\n{output()}")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(stop_within)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def _serving(home: Path, **env: str) -> Iterator[ServedBankmind]:
    """`python -m bankmind serve` on a free 127.0.0.1 port with its own HOME (no chat model unless
    `env` sets one); waits until it answers, fails the test with its output if it dies."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BANKMIND_")}
    clean |= {"BANKMIND_HOME": str(home), "BANKMIND_CHAT__PROVIDER": "none", **env}
    port = _free_port()
    command = [sys.executable, "-m", "bankmind", "serve", "--host", "127.0.0.1", "--port", str(port)]
    running = ServedBankmind(f"http://127.0.0.1:{port}", home / "server.log")
    ready = partial(_answers, f"{running.url}/login", 2)
    with _server_process(
        "bankmind serve",
        command,
        running.log,
        ready,
        running.output,
        start_within=60,
        stop_within=30,
        env=clean,
    ) as proc:
        yield running
    if proc.returncode not in (0, -15):
        pytest.fail(f"bankmind serve stopped with {proc.returncode}; its output:\n{running.output()}")


@pytest.fixture(scope="session")
def serve_bankmind() -> Callable[..., AbstractContextManager[ServedBankmind]]:
    """`with serve_bankmind(home, BANKMIND_X="...") as server:` a real server on 127.0.0.1."""
    return _serving


# --- models ---------------------------------------------------------------------------------------------


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    """The scripted OpenAI-style server of tests/llm/upstream.py: outside failures on demand."""
    server = FakeUpstream()
    server.start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def embedded_install(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Settings, Path, bool, list[tuple[float, str]]]:
    """The real embedded model, assembled once per session in one folder every test shares.

    Returns the settings, the model path, whether this call assembled it (False when something else
    in the session did first) and the progress reports.
    """
    settings = load_settings(home=tmp_path_factory.getbasetemp() / "embedded-model")
    assembled = not is_installed(settings)
    reports: list[tuple[float, str]] = []
    path = install_embedded_model(settings, progress=lambda f, m: reports.append((f, m or "")))
    return settings, path, assembled, reports


@pytest.fixture(scope="session")
def embedded_gguf(
    embedded_install: tuple[Settings, Path, bool, list[tuple[float, str]]],
) -> tuple[Settings, Path]:
    """The embedded model's settings and its GGUF file."""
    settings, path, _, _ = embedded_install
    return settings, path


LLAMA_ALIAS = "qwen2.5-coder-0.5b"


def _log_tail(log: Path) -> str:
    return log.read_text(errors="replace")[-6000:]


@dataclass
class LlamaServer:
    """llama.cpp's OpenAI server: where it answers and what it printed."""

    process: subprocess.Popen[bytes]
    base_url: str
    log: Path
    alias: str = LLAMA_ALIAS

    @property
    def chat_model(self) -> dict[str, str]:
        """The `chat` settings that make this server the chat model."""
        return {"provider": "openai-compatible", "base_url": self.base_url, "model": self.alias}

    def output(self) -> str:
        return _log_tail(self.log)

    def assert_alive(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(
                f"llama.cpp server died (exit {self.process.returncode}); its output:\n{self.output()}"
            )


@pytest.fixture(scope="session")
def llama_server(
    embedded_gguf: tuple[Settings, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LlamaServer]:
    """`python -m llama_cpp.server` on the embedded model and a free 127.0.0.1 port for the session;
    waits until `/v1/models` answers, fails with the server's output if it dies (datasette's pattern)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    threads = str(max(1, min(os.cpu_count() or 1, 8)))
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(embedded_gguf[1]),
        "--model_alias", LLAMA_ALIAS,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", "2048",
        "--n_threads", threads,
    ]  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/v1"
    ready = partial(_answers, f"{base_url}/models", 1)
    output = partial(_log_tail, log)
    with _server_process(
        "llama.cpp server", command, log, ready, output, start_within=120, stop_within=15
    ) as process:
        yield LlamaServer(process, base_url, log)


@pytest.fixture
def llama(llama_server: LlamaServer) -> LlamaServer:
    """The session's llama.cpp server, checked alive before each test."""
    llama_server.assert_alive()
    return llama_server


@pytest.fixture
def llama_gateway(llama: LlamaServer, store: Store, _isolated_home: Path) -> Gateway:
    """The real gateway on the test's `store`, with the session's llama.cpp server as its chat model."""
    settings = load_settings(home=_isolated_home, chat=llama.chat_model)
    return Gateway(settings, store, ModelRouter(settings))
