"""`bankmind keys create|list|revoke`: API keys for the bank's other systems (shown once, stored hashed)."""

from __future__ import annotations

from datetime import datetime

import typer

from bankmind.cli.audit import record_admin_action
from bankmind.cli.output import Format, emit_json, emit_table, err, out
from bankmind.config import load_settings
from bankmind.guard.quotas import SHANGHAI
from bankmind.store import Store
from bankmind.store.keys import issue_key, list_keys, revoke_key

app = typer.Typer(help="Manage API keys.", no_args_is_help=True)


def _when(value: datetime | None) -> str | None:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value is not None else None


@app.command("create")
def create(
    user: str = typer.Option(..., "--user", help="User the key acts as (created, API-only, if missing)."),
    department: str | None = typer.Option(None, "--department", help="The user's department, e.g. 托管部."),
    role: list[str] = typer.Option(
        [], "--role", help="The user's roles (repeat or comma-separate); needed to create a user."
    ),
    name: str | None = typer.Option(None, "--name", help="A label, e.g. the calling system."),
) -> None:
    """Create an API key; it is printed once and only its hash is kept."""
    roles = [r.strip() for part in role for r in part.split(",") if r.strip()]
    store = Store.open(load_settings())
    try:
        issued = issue_key(store, user, department=department, roles=roles, name=name)
        record_admin_action(
            store,
            "key.create",
            user=user,
            prefix=issued.prefix,
            name=name,
            created_user=issued.created_user,
        )
    finally:
        store.close()
    out.print(issued.key, markup=False)
    who = issued.principal
    if issued.created_user:
        err.print(
            f"created user '{who.name}' (API keys only, no web login) in department "
            f"'{who.department or '(none)'}' with roles {', '.join(who.roles)}",
            markup=False,
        )
    if issued.created_department:
        err.print(
            f"department '{who.department}' was new: created with the default policy (masking toward "
            "every model, external models allowed masked, no text in the audit log, no token quota); "
            "change it with `bankmind departments set`",
            markup=False,
        )
    err.print("store this key now: it cannot be shown again", markup=False)


@app.command("list")
def list_(
    user: str | None = typer.Option(None, "--user", help="Only this user's keys."),
    format: Format = typer.Option(Format.text, "--format", help="text or json."),
) -> None:
    """List keys by prefix (never the keys themselves), with who they act as and when they were used."""
    store = Store.open(load_settings())
    try:
        keys = list_keys(store, user=user)
    finally:
        store.close()
    if format is Format.json:
        emit_json(keys)
        return
    emit_table(
        [
            {
                "prefix": k.prefix,
                "name": k.name,
                "user": k.user,
                "department": k.department,
                "created": _when(k.created_at),
                "last used": _when(k.last_used_at),
                "revoked": _when(k.revoked_at),
            }
            for k in keys
        ],
        ["prefix", "name", "user", "department", "created", "last used", "revoked"],
        title="API keys (times in Beijing time)",
    )


@app.command("revoke")
def revoke(prefix: str = typer.Argument(..., help="The key's prefix from `bankmind keys list`.")) -> None:
    """Revoke a key at once: requests with it are refused from now on."""
    store = Store.open(load_settings())
    try:
        info, newly = revoke_key(store, prefix)
        if newly:
            record_admin_action(store, "key.revoke", user=info.user, prefix=info.prefix)
    finally:
        store.close()
    if newly:
        out.print(f"revoked key {info.prefix} of user '{info.user}'", markup=False)
    else:
        out.print(
            f"key {info.prefix} of user '{info.user}' was already revoked on {_when(info.revoked_at)}",
            markup=False,
        )
