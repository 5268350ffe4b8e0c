"""English clause categories as data (`contracts/rules/en/cuad_categories.toml`).

    categories = load_categories()               # or load_categories(Path("my_categories.toml"))
    categories[7].name                           # "Governing Law"
    categories[7].rule_score(passage)            # 0.0 … 1.0

Each category has a description, strong and weak patterns, patterns that argue against it and
example phrases for embedding similarity. A passage's rule score combines its hits like independent
clues: 1 - (1 - 0.7)^strong · (1 - 0.3)^weak, halved when an `exclude` pattern matches. A bank edits
the file to tune categories; a file that does not hold together is refused with the category at fault.
The file sits in a subfolder so that `contracts.rules.load_rules` (one file per Chinese contract
type in `rules/`) does not read it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bankmind.errors import InputError

__all__ = ["CATEGORIES_FILE", "ClauseCategory", "load_categories"]

CATEGORIES_FILE = Path(__file__).parent / "rules" / "en" / "cuad_categories.toml"
STRONG, WEAK = 0.7, 0.3
_FLAGS = re.IGNORECASE | re.MULTILINE | re.DOTALL


@dataclass(frozen=True)
class ClauseCategory:
    name: str
    description: str
    strong: tuple[re.Pattern[str], ...]
    weak: tuple[re.Pattern[str], ...]
    exclude: tuple[re.Pattern[str], ...]
    examples: tuple[str, ...]

    def rule_score(self, passage: str) -> float:
        """How strongly the patterns point at this category in `passage` (0: no hit)."""
        strong = sum(1 for p in self.strong if p.search(passage))
        weak = sum(1 for p in self.weak if p.search(passage))
        if not strong and not weak:
            return 0.0
        score = 1 - (1 - STRONG) ** strong * (1 - WEAK) ** weak
        if any(p.search(passage) for p in self.exclude):
            score /= 2
        return score


def load_categories(path: Path | None = None) -> tuple[ClauseCategory, ...]:
    """The categories in `path` (default: the file shipped with bankmind), in file order."""
    return _load(path or CATEGORIES_FILE)


@cache
def _load(path: Path) -> tuple[ClauseCategory, ...]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"clause categories '{path}' cannot be read ({type(exc).__name__})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name} is not valid TOML: {exc}") from exc
    entries = data.get("category")
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{path.name}: no [[category]] tables")
    categories = tuple(_category(path.name, i, e) for i, e in enumerate(entries, start=1))
    names = [c.name for c in categories]
    if len(set(names)) != len(names):
        raise InputError(f"{path.name}: a category name is used twice")
    return categories


def _category(file: str, index: int, entry: Any) -> ClauseCategory:
    where = f"{file}: category {index}"
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
        raise InputError(f"{where} needs a name")
    where = f"{file}: category '{entry['name']}'"
    description = entry.get("description", "")
    if not isinstance(description, str) or not description:
        raise InputError(f"{where} needs a description")
    strong, weak = _patterns(where, entry, "strong"), _patterns(where, entry, "weak")
    if not strong and not weak:
        raise InputError(f"{where} needs at least one strong or weak pattern")
    return ClauseCategory(
        name=entry["name"], description=description, strong=strong, weak=weak,
        exclude=_patterns(where, entry, "exclude"), examples=tuple(_strings(where, entry, "examples")),
    )  # fmt: skip


def _strings(where: str, entry: dict[str, Any], key: str) -> list[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InputError(f"{where}: {key} must be a list of non-empty strings")
    return value


def _patterns(where: str, entry: dict[str, Any], key: str) -> tuple[re.Pattern[str], ...]:
    compiled: list[re.Pattern[str]] = []
    for pattern in _strings(where, entry, key):
        try:
            compiled.append(re.compile(pattern, _FLAGS))
        except re.error as exc:
            raise InputError(
                f"{where}: {key} pattern {pattern!r} is not a valid regular expression: {exc}"
            ) from exc
    return tuple(compiled)
