"""The reference pages in docs/reference/ are generated from code and must match it.

Rewrite them with `BANKMIND_REGEN_SNAPSHOTS=1 pytest tests/test_docs.py` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import typer

from bankmind.cli import app
from bankmind.config import ModelSettings, Settings
from bankmind.errors import ALL_ERRORS

DOCS = Path(__file__).resolve().parents[1] / "docs"
REGEN = os.environ.get("BANKMIND_REGEN_SNAPSHOTS") == "1"


def _settings_page() -> str:
    lines = [
        "# Settings reference",
        "",
        "Generated from `bankmind/config.py` by `tests/test_docs.py`. Environment variables win over",
        "`bankmind.toml`; model tables use `__` in variables (`BANKMIND_CHAT__BASE_URL`).",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        default = "(computed)" if field.default_factory else repr(field.default)
        lines.append(f"| `BANKMIND_{name.upper()}` | {default} | {field.description} |")
    lines += ["", "Model tables (`chat`, `reasoning`, `vision`, `embedding`) hold:", ""]
    lines += [f"* `{name}`: {field.description}" for name, field in ModelSettings.model_fields.items()]
    return "\n".join(lines) + "\n"


def _errors_page() -> str:
    lines = [
        "# Error codes",
        "",
        "Generated from `bankmind/errors.py`. The CLI prints `error: <message>` and exits with the exit",
        'code; the API answers `{"error": {"code", "message"}}` with the HTTP status.',
        "",
        "| code | class | exit | HTTP | meaning |",
        "|---|---|---|---|---|",
    ]
    for cls in ALL_ERRORS:
        doc = (cls.__doc__ or "").strip().splitlines()[0]
        lines.append(f"| `{cls.code}` | `{cls.__name__}` | {cls.exit_code} | {cls.http_status} | {doc} |")
    return "\n".join(lines) + "\n"


def _cli_page() -> str:
    root = typer.main.get_command(app)
    lines = ["# Command reference", "", "Generated from the `bankmind` command by `tests/test_docs.py`.", ""]

    def walk(cmd: Any, path: list[str]) -> None:
        ctx = cmd.context_class(cmd, info_name=" ".join(path), terminal_width=100, max_content_width=100)
        lines.extend([f"## `{' '.join(path)}`", "", "```", cmd.get_help(ctx).strip(), "```", ""])
        if hasattr(cmd, "commands"):
            for name in sorted(cmd.commands):
                walk(cmd.commands[name], [*path, name])

    walk(root, ["bankmind"])
    return "\n".join(lines)


@pytest.mark.parametrize(
    "page, render", [("settings.md", _settings_page), ("errors.md", _errors_page), ("cli.md", _cli_page)]
)
def test_reference_pages_match_the_code(page: str, render) -> None:  # type: ignore[no-untyped-def]
    path = DOCS / "reference" / page
    expected = render()
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(expected, encoding="utf-8")
    assert path.exists(), f"{path} is missing; rerun with BANKMIND_REGEN_SNAPSHOTS=1"
    assert path.read_text(encoding="utf-8") == expected, (
        f"{path} is out of date; rerun with BANKMIND_REGEN_SNAPSHOTS=1 and review the diff"
    )


def test_every_error_code_is_unique() -> None:
    codes = [cls.code for cls in ALL_ERRORS]
    assert len(codes) == len(set(codes))


def test_every_api_route_is_documented(settings: Settings) -> None:
    import re

    from bankmind.api.app import create_app

    def shape(text: str) -> str:
        return re.sub(r"\{[^}/]+\}", "{}", text)

    documented = shape("\n".join(p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")))
    missing = [path for path in create_app(settings).openapi()["paths"] if shape(path) not in documented]
    assert not missing, f"document these routes in docs/: {missing}"
