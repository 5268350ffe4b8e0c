"""`bankmind doctor`: what is configured, whether each part works, and how to fix what does not."""

from __future__ import annotations

import typer

from bankmind.cli.output import Format, emit_json, out
from bankmind.config import load_settings
from bankmind.errors import ConfigError
from bankmind.health import Check, check_all
from bankmind.llm.detect import detect_servers
from bankmind.store import Store


def doctor(
    format: Format = typer.Option(Format.text, "--format", help="text or json."),
    probe: bool = typer.Option(True, help="Send a tiny request to each model and OCR (--no-probe skips)."),
) -> None:
    """Check the store, chat model, embeddings and OCR; exit 1 when something does not work."""
    settings = load_settings()
    store: Store | None = None
    try:
        store = Store.open(settings)
    except ConfigError:
        store = None
    try:
        checks = check_all(settings, store, probe=probe)
    finally:
        if store is not None:
            store.close()
    detected = detect_servers(skip_ports={settings.port})
    ok = all(c.ok for c in checks)
    if format is Format.json:
        emit_json({"ok": ok, "home": str(settings.home), "checks": checks, "detected": detected})
    else:
        _print_text(str(settings.home), checks)
        for server in detected:
            out.print(
                f"\nfound {server.kind} at {server.base_url} (models: {', '.join(server.models) or '-'})"
            )
            out.print("  to use it:  " + " ".join(server.settings), markup=False)
            if server.embedding_settings:
                out.print("  embeddings: " + " ".join(server.embedding_settings), markup=False)
    raise typer.Exit(0 if ok else 1)


def _print_text(home: str, checks: list[Check]) -> None:
    out.print(f"BANKMIND_HOME  {home}", markup=False)
    for c in checks:
        mark = "[green]ok  [/green]" if c.ok else "[red]FAIL[/red]"
        ms = f" ({c.latency_ms} ms)" if c.latency_ms is not None else ""
        out.print(f"{mark} {c.name:<10} ", end="")
        out.print(f"{c.summary} - {c.detail}{ms}", markup=False)
        if c.fix:
            out.print(f"     fix: {c.fix}", markup=False)
