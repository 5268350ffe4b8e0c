"""`bankmind departments add|set|list|remove|usage`: model policy and daily token quota per department."""

from __future__ import annotations

import typer

from bankmind.cli.audit import parse_day, record_admin_action
from bankmind.cli.output import Format, emit_json, emit_table, out
from bankmind.config import load_settings
from bankmind.guard.quotas import usage_report
from bankmind.store import Store
from bankmind.store import departments as dept_store
from bankmind.store.departments import DepartmentPolicy

app = typer.Typer(help="Manage departments, their model policy and token quotas.", no_args_is_help=True)


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _show(policy: DepartmentPolicy) -> str:
    quota = f"{policy.tokens_per_day:,} tokens/day" if policy.tokens_per_day is not None else "no quota"
    external = "refused" if policy.no_external else "allowed (masked)"
    return (
        f"department '{policy.name}': external models {external}, "
        f"mask for internal models {_yes(policy.mask_internal)}, "
        f"masked text in audit log {_yes(policy.keep_masked_text)}, {quota}"
    )


@app.command("add")
def add(
    name: str = typer.Argument(..., help="Department name, e.g. 托管部."),
    no_external: bool = typer.Option(
        False, "--no-external", help="Never send its requests to external models."
    ),
    no_mask_internal: bool = typer.Option(
        False, "--no-mask-internal", help="Do not mask personal data toward internal models."
    ),
    keep_masked_text: bool = typer.Option(
        False, "--keep-masked-text", help="Keep masked prompts and answers in the audit log."
    ),
    tokens_per_day: int | None = typer.Option(None, "--tokens-per-day", help="Daily token quota (in + out)."),
) -> None:
    """Add a department with its policy (defaults: masked everywhere, hashes only, no quota)."""
    store = Store.open(load_settings())
    try:
        policy = dept_store.create_department(
            store,
            name,
            no_external=no_external,
            mask_internal=not no_mask_internal,
            keep_masked_text=keep_masked_text,
            tokens_per_day=tokens_per_day,
        )
        record_admin_action(store, "department.add", **policy.model_dump())
    finally:
        store.close()
    out.print(f"added {_show(policy)}", markup=False)


@app.command("set")
def set_(
    name: str = typer.Argument(..., help="Department name."),
    external: bool | None = typer.Option(
        None, "--allow-external/--no-external", help="Allow (masked) or refuse external models."
    ),
    mask_internal: bool | None = typer.Option(
        None, "--mask-internal/--no-mask-internal", help="Mask personal data toward internal models."
    ),
    keep_masked_text: bool | None = typer.Option(
        None, "--keep-masked-text/--no-keep-masked-text", help="Keep masked text in the audit log."
    ),
    tokens_per_day: int | None = typer.Option(None, "--tokens-per-day", help="New daily token quota."),
    no_quota: bool = typer.Option(False, "--no-quota", help="Remove the daily token quota."),
) -> None:
    """Change some of a department's settings; the others keep their values."""
    store = Store.open(load_settings())
    try:
        policy = dept_store.update_department(
            store,
            name,
            no_external=None if external is None else not external,
            mask_internal=mask_internal,
            keep_masked_text=keep_masked_text,
            tokens_per_day=tokens_per_day,
            remove_quota=no_quota,
        )
        record_admin_action(store, "department.update", **policy.model_dump())
    finally:
        store.close()
    out.print(f"now {_show(policy)}", markup=False)


@app.command("list")
def list_(format: Format = typer.Option(Format.text, "--format", help="text or json.")) -> None:
    """List departments and their policies."""
    store = Store.open(load_settings())
    try:
        policies = dept_store.list_departments(store)
    finally:
        store.close()
    if format is Format.json:
        emit_json(policies)
        return
    emit_table(
        [
            {
                "department": p.name,
                "external models": "refused" if p.no_external else "masked",
                "mask internal": _yes(p.mask_internal),
                "keep masked text": _yes(p.keep_masked_text),
                "tokens/day": f"{p.tokens_per_day:,}" if p.tokens_per_day is not None else "-",
            }
            for p in policies
        ],
        ["department", "external models", "mask internal", "keep masked text", "tokens/day"],
    )


@app.command("remove")
def remove(name: str = typer.Argument(..., help="Department name.")) -> None:
    """Remove a department that no user belongs to."""
    store = Store.open(load_settings())
    try:
        dept_store.delete_department(store, name)
        record_admin_action(store, "department.remove", name=name)
    finally:
        store.close()
    out.print(f"removed department '{name}'", markup=False)


@app.command("usage")
def usage(
    since: str | None = typer.Option(None, "--from", help="First day, YYYY-MM-DD (Beijing time)."),
    until: str | None = typer.Option(None, "--to", help="Last day, YYYY-MM-DD, included."),
    department: str | None = typer.Option(None, "--department", help="Only this department."),
    format: Format = typer.Option(Format.text, "--format", help="text or json."),
) -> None:
    """Tokens and requests per department per day, newest first."""
    store = Store.open(load_settings())
    try:
        rows = usage_report(
            store, since=parse_day(since, "--from"), until=parse_day(until, "--to"), department=department
        )
    finally:
        store.close()
    if format is Format.json:
        emit_json(rows)
        return
    emit_table(
        [
            {
                "day": r.day.isoformat(),
                "department": r.department or "(none)",
                "requests": f"{r.requests:,}",
                "tokens in": f"{r.tokens_in:,}",
                "tokens out": f"{r.tokens_out:,}",
                "quota": f"{r.tokens_per_day:,}" if r.tokens_per_day is not None else "-",
            }
            for r in rows
        ],
        ["day", "department", "requests", "tokens in", "tokens out", "quota"],
    )
