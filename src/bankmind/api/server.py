"""`serve()`: run the workbench and the API with uvicorn (called by `bankmind serve`)."""

from __future__ import annotations

import shutil
import socket
import sys
from pathlib import Path

import uvicorn

from bankmind import __version__
from bankmind.api.app import create_app
from bankmind.config import Settings
from bankmind.errors import ConfigError
from bankmind.store import Store
from bankmind.store.users import list_users

__all__ = ["first_run_hint", "serve"]


def first_run_hint() -> str:
    """How to create the first user, with the command as this shell can run it."""
    beside = Path(sys.executable).parent / "bankmind"
    command = "bankmind" if shutil.which("bankmind") == str(beside) or not beside.exists() else str(beside)
    return f"no users yet: create one with `{command} users add admin --role admin`"


def _bind(host: str, port: int) -> socket.socket:
    """Bind before starting, so a busy port is one clear line and `--port 0` can report its port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets it can tell are TCP;
    # without it every kept-alive response waits ~40 ms for delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror}; choose another with --port or BANKMIND_PORT"
        ) from None
    return sock


def serve(settings: Settings, host: str, port: int) -> None:
    """Serve until interrupted; print where, and how to log in on a fresh install (to stderr)."""
    store = Store.open(settings)
    try:
        fresh = not list_users(store)
    finally:
        store.close()
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{bound_port}"
    print(f"bankmind {__version__} serving the workbench at {base}/ (API docs: {base}/docs)", file=sys.stderr)
    if fresh:
        print(first_run_hint(), file=sys.stderr)
        print(f"then log in at {base}/login with that name and the password it asks for", file=sys.stderr)
    config = uvicorn.Config(
        create_app(settings), log_config=None, access_log=False, server_header=False, lifespan="on"
    )
    uvicorn.Server(config).run(sockets=[sock])
