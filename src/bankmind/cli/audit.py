"""`bankmind audit verify|export`: check the hash chain; hand records to the compliance team."""

from __future__ import annotations

import getpass
import os
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from bankmind.cli.output import Format, emit_json, err, out
from bankmind.config import load_settings
from bankmind.errors import InputError
from bankmind.guard import audit, audit_verify
from bankmind.store import Store

app = typer.Typer(help="Check and export the audit log.", no_args_is_help=True)


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


def parse_day(value: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option value, or None when the option was not given."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} '{value[:20]}' is not a date; use YYYY-MM-DD, e.g. 2025-06-30") from None


def operator_name() -> str:
    """The operating-system user running the command (who an audit record names for the CLI)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def record_admin_action(store: Store, action: str, **details: Any) -> None:
    """Audit an administrative command run from the command line (no principal: the operator)."""
    details = {**details, "via": "cli", "os_user": operator_name()}
    audit.append(store, principal=None, action=action, details=details)


def _anchor(value: str) -> tuple[int, str]:
    seq, _, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise InputError(
            f"--anchor '{value[:80]}' must be SEQ:HASH, as printed by an earlier `bankmind audit verify`"
        )
    return int(seq), digest


@app.command("verify")
def verify(
    anchor: list[str] = typer.Option(
        [], "--anchor", help="SEQ:HASH printed by an earlier verify (repeat for several)."
    ),
    format: Format = typer.Option(Format.text, "--format", help="text or json."),
) -> None:
    """Recompute the hash chain; exit 0 when intact, 1 when records were edited, deleted, moved or added."""
    anchors = dict(_anchor(a) for a in anchor)
    store = Store.open(load_settings())
    try:
        result = audit_verify.verify(store, anchors=anchors)
    finally:
        store.close()
    if format is Format.json:
        emit_json(result)
    elif result.ok:
        out.print(f"audit log intact: {result.checked:,} records checked", markup=False)
        if result.head_seq is not None:
            out.print(f"anchor: --anchor {result.head_seq}:{result.head_hash}", markup=False)
            out.print("(keep the anchor outside the database: a later verify with it also", markup=False)
            out.print(" catches records cut from the end or a rewritten end)", markup=False)
    else:
        count = len(result.problems) + result.omitted
        out.print(f"audit log BROKEN: {count:,} problem(s) in {result.checked:,} records", markup=False)
        for problem in result.problems:
            out.print(f"seq {problem.seq}  {problem.kind:<9}  {problem.message}", markup=False)
        if result.omitted:
            out.print(f"… and {result.omitted:,} more", markup=False)
    raise typer.Exit(0 if result.ok else 1)


@app.command("export")
def export(
    since: str | None = typer.Option(None, "--from", help="First day, YYYY-MM-DD (Beijing time)."),
    until: str | None = typer.Option(None, "--to", help="Last day, YYYY-MM-DD, included."),
    format: ExportFormat = typer.Option(ExportFormat.csv, "--format", help="csv or jsonl."),
    out_file: Path | None = typer.Option(None, "--out", help="File to write (default: stdout)."),
) -> None:
    """Write the audit records of some days as CSV (for Excel) or JSONL (re-verifiable), streaming."""
    first, last = parse_day(since, "--from"), parse_day(until, "--to")
    if first is not None and last is not None and first > last:
        raise InputError(f"--from {first} is after --to {last}")
    store = Store.open(load_settings())
    try:
        if out_file is None:
            summary = audit.export(store, sys.stdout, since=first, until=last, format=format.value)
            where = "stdout"
        else:
            partial = out_file.with_name(out_file.name + ".part")
            # a BOM lets Excel open the CSV as UTF-8 (Chinese names stay readable)
            encoding = "utf-8-sig" if format is ExportFormat.csv else "utf-8"
            with partial.open("w", encoding=encoding, newline="") as fh:
                summary = audit.export(store, fh, since=first, until=last, format=format.value)
            os.replace(partial, out_file)
            where = str(out_file)
    finally:
        store.close()
    span = f" (seq {summary.first_seq} to {summary.last_seq})" if summary.count else ""
    err.print(f"exported {summary.count:,} records{span} to {where}", markup=False)
