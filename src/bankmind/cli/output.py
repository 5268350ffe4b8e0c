"""Rendering for the CLI: one JSON document on stdout, or human text; progress on stderr."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


class Format(StrEnum):
    text = "text"
    json = "json"


def to_jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


def emit_json(value: Any) -> None:
    """Exactly one JSON document on stdout (UTF-8, not ASCII-escaped)."""
    print(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2))


def emit_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], title: str | None = None) -> None:
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    out.print(table)


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[float, str | None], None]]:
    """A rich progress bar on stderr; yields a `(fraction, message)` callback."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[note]}"),
        console=err,
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=1.0, note="")

        def update(fraction: float, message: str | None = None) -> None:
            bar.update(task, completed=fraction, note=message or "")

        yield update
