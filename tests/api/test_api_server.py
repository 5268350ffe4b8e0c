"""`bankmind serve` as a real process: where it listens, the first-run hint, a busy port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bankmind.api.server import first_run_hint
from bankmind.config import load_settings
from bankmind.store import Store
from bankmind.store.users import create_user, list_users


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANKMIND_")}
    return env | {"BANKMIND_HOME": str(home), "BANKMIND_CHAT__PROVIDER": "none"}


def _serve_until_it_answers(home: Path) -> str:
    """Start `python -m bankmind serve`, wait for /login, stop it; return what it wrote to stderr."""
    port = _free_port()
    with subprocess.Popen(
        [sys.executable, "-m", "bankmind", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    out, err = proc.communicate()
                    pytest.fail(
                        f"bankmind serve exited with {proc.returncode}\nstdout:\n{out}\nstderr:\n{err}"
                    )
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                        assert response.status == 200
                        break
                except OSError:
                    assert time.monotonic() < deadline, "bankmind serve did not answer within 60 s"
                    time.sleep(0.2)
        finally:
            proc.terminate()
            _, err = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in err
    return err


def test_a_fresh_install_says_how_to_create_the_first_user(tmp_path: Path) -> None:
    home = tmp_path / "fresh"
    err = _serve_until_it_answers(home)
    assert first_run_hint() in err.splitlines()
    assert "users add admin --role admin" in first_run_hint()
    assert "then log in at http://127.0.0.1:" in err
    store = Store.open(load_settings(home=home))
    assert list_users(store) == []  # no default account, no default password
    store.close()


def test_no_hint_once_a_user_exists(tmp_path: Path) -> None:
    home = tmp_path / "used"
    store = Store.open(load_settings(home=home))
    create_user(store, "admin", roles=["admin"], password="a-long-password")
    store.close()
    assert "no users yet" not in _serve_until_it_answers(home)


def test_a_busy_port_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "bankmind", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=_env(tmp_path / "busy"),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    message = " ".join(result.stderr.split())  # rich may wrap the line on a narrow stderr
    assert message.endswith(
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use; "
        "choose another with --port or BANKMIND_PORT"
    )
    assert "Traceback" not in result.stderr
