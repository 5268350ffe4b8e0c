"""`bankmind users add|list|passwd`: accounts for the web workbench."""

from __future__ import annotations

import sys

import typer

from bankmind.cli.output import Format, emit_json, emit_table, err, out
from bankmind.config import load_settings
from bankmind.store import Store
from bankmind.store import users as user_store
from bankmind.store.departments import ensure_department

app = typer.Typer(help="Manage workbench users.", no_args_is_help=True)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


@app.command("add")
def add(
    name: str = typer.Argument(..., help="Login name."),
    role: list[str] = typer.Option(
        ..., "--role", help="Role (repeat for several), e.g. admin, custody, credit."
    ),
    department: str | None = typer.Option(None, "--department", help="Department, e.g. 托管部."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Create a user who can log in to the workbench (prompts for the password)."""
    roles = [r.strip() for part in role for r in part.split(",") if r.strip()]
    store = Store.open(load_settings())
    if department:
        _, created = ensure_department(store, department)
        if created:
            err.print(f"department '{department}' created with the default policy", markup=False)
    principal = user_store.create_user(
        store, name, roles=roles, department=department, password=_password(password_stdin)
    )
    out.print(f"user '{principal.name}' created with roles {', '.join(principal.roles)}", markup=False)


@app.command("passwd")
def passwd(
    name: str = typer.Argument(..., help="Login name."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Set a new password for a user."""
    user_store.set_password(Store.open(load_settings()), name, _password(password_stdin))
    out.print(f"password of '{name}' changed", markup=False)


@app.command("list")
def list_users(format: Format = typer.Option(Format.text, "--format", help="text or json.")) -> None:
    """List users with their roles and departments."""
    users = user_store.list_users(Store.open(load_settings()))
    if format is Format.json:
        emit_json(users)
        return
    emit_table(
        [{"name": u.name, "roles": ", ".join(u.roles), "department": u.department} for u in users],
        ["name", "roles", "department"],
    )
