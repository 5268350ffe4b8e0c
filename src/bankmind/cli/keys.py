"""`bankmind keys create`: API keys for the bank's other systems (shown once, stored hashed)."""

from __future__ import annotations

import typer

from bankmind.cli.output import err, out
from bankmind.config import load_settings
from bankmind.store import Store
from bankmind.store.users import create_api_key

app = typer.Typer(help="Manage API keys.", no_args_is_help=True)


@app.command("create")
def create(
    user: str = typer.Option(..., "--user", help="User the key acts as."),
    name: str | None = typer.Option(None, "--name", help="A label, e.g. the calling system."),
) -> None:
    """Create an API key; it is printed once and only its hash is kept."""
    key = create_api_key(Store.open(load_settings()), user, name=name)
    out.print(key, markup=False)
    err.print("store this key now: it cannot be shown again", markup=False)
