"""Where things are in a sheet: the header row(s), the column of each field, the title block.

The header is the row (among the first `HEADER_SCAN_ROWS`) that matches the most column aliases
(`columns.py`) and names the subject code or name column. Rows right under it that hold no numbers
and no subject code continue it (`成本` over `原币 | 本币`, a `十亿千百十万…` ruler row, the leaf titles
under merged group titles). A blank header cell with a title under it lies inside a merged title, so
it takes the title on its left. Each column's label is then read from its header rows together
(`市值` over `占净值比例` is 市值占净值比例), else from its lowest row that names a field (`成本` over
`单位成本` is 单位成本), so group titles and currency rows read alike whichever way a system
stacks them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bankmind.recon.columns import Field, match_alias, match_label
from bankmind.recon.hierarchy import is_subject_code
from bankmind.recon.reading import Cell

__all__ = ["HEADER_SCAN_ROWS", "Header", "find_header", "text_of"]

HEADER_SCAN_ROWS = 60
_MARK_RANK = {"local": 0, None: 1, "original": 2}


def text_of(cell: Cell) -> str:
    """A cell as text; integral numbers without `.0` (a code read as a number stays `1002`)."""
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    return cell.strip()


@dataclass
class Header:
    """The header found in a sheet: its rows and the column chosen for each field."""

    first_row: int
    last_row: int
    columns: dict[Field, int] = field(default_factory=dict)
    score: int = 0


def _fields(row: list[Cell]) -> set[Field]:
    found: set[Field] = set()
    for cell in row:
        name, _ = match_label(text_of(cell))
        if name is not None:
            found.add(name)
    return found


def find_header(rows: list[list[Cell]]) -> Header | None:
    """The best-scoring header in `rows`, or None when no row looks like one."""
    best: tuple[int, int] | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        fields = _fields(row)
        if not ({"subject_code", "subject_name"} & fields) or len(fields) < 3:
            continue
        if best is None or len(fields) > best[1]:
            best = (index, len(fields))
    if best is None:
        return None
    first, score = best
    last = first
    while last + 1 < len(rows) and last + 1 <= first + 3 and _continues(rows[last + 1]):
        last += 1
    header = Header(first, last, score=score)
    header.columns = _columns(rows[first : last + 1])
    return header


def _continues(row: list[Cell]) -> bool:
    texts = [text_of(c) for c in row]
    if not any(texts) or any(isinstance(c, float) for c in row):
        return False
    return not any(is_subject_code(t) for t in texts)


def _columns(header_rows: list[list[Cell]]) -> dict[Field, int]:
    width = max(len(r) for r in header_rows)
    grid = [[text_of(r[c]) if c < len(r) else "" for c in range(width)] for r in header_rows]
    candidates: dict[Field, list[tuple[int, int, int]]] = {}
    for col in range(width):
        name, mark, rank = _label(_levels(grid, col))
        if name is not None:
            candidates.setdefault(name, []).append((_MARK_RANK[mark], rank, col))
    return {name: min(options)[2] for name, options in candidates.items()}


def _levels(grid: list[list[str]], col: int) -> list[str]:
    """A column's header texts top to bottom; a blank over a filled cell is inside a merged title."""
    levels = []
    for level, row in enumerate(grid):
        text = row[col]
        if not text and col > 0 and any(grid[k][col] for k in range(level + 1, len(grid))):
            text = next((row[k] for k in range(col - 1, -1, -1) if row[k]), "")
        levels.append(text)
    return levels


def _label(levels: list[str]) -> tuple[Field | None, Literal["local", "original"] | None, int]:
    """(field, currency mark, alias rank): the joined levels if they name a field, else the lowest
    level that does; the mark of the lowest level that carries one."""
    distinct = [t for i, t in enumerate(levels) if t and (i == 0 or t != levels[i - 1])]
    mark = next((m for t in reversed(distinct) if (m := match_alias(t)[1]) is not None), None)
    for text in ("".join(distinct), *reversed(distinct)) if len(distinct) > 1 else distinct:
        name, _, rank = match_alias(text)
        if name is not None:
            return name, mark, rank
    return None, mark, 0
