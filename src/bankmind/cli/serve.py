"""`bankmind serve`: the web workbench and the HTTP API."""

from __future__ import annotations

import typer

from bankmind.config import load_settings
from bankmind.log import setup_logging


def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default BANKMIND_HOST, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port to listen on (default BANKMIND_PORT, 8000)."),
) -> None:
    """Start the web workbench and the HTTP API (OpenAI-compatible endpoints under /v1)."""
    settings = load_settings()
    setup_logging(settings.log_level, settings.log_format)
    from bankmind.api.server import serve as run

    run(settings, host or settings.host, port or settings.port)
