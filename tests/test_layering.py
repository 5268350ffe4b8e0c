"""Imports flow downward only, and capabilities never import each other (design.md, Layout)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "bankmind"

RANK = {
    "errors": 0, "types": 0,
    "config": 1, "log": 1,
    "store": 2,
    "llm": 3,
    "guard": 4, "documents": 4,
    "health": 5,
    "knowledge": 6, "recon": 6, "contracts": 6, "credit": 6, "risk": 6,
    "eval": 7,
    "api": 8, "web": 8, "cli": 8, "__main__": 8,
}  # fmt: skip
CAPABILITIES = {"knowledge", "recon", "contracts", "credit", "risk"}


def _part(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else "__init__"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bankmind"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("bankmind"))
    return found


def test_every_part_has_a_rank() -> None:
    parts = {
        p.stem if p.is_file() else p.name
        for p in SRC.iterdir()
        if not p.name.startswith("_") or p.stem == "__main__"
    }
    parts -= {"py"}  # py.typed
    unranked = {p for p in parts if p not in RANK and p != "py"}
    assert not unranked, f"add {sorted(unranked)} to RANK in tests/test_layering.py"


def test_imports_flow_downward() -> None:
    problems = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC.parent).with_suffix("")
        here = _part(".".join(rel.parts))
        if here == "__init__":
            continue
        for imported in _imports(path):
            there = _part(imported)
            if there in ("__init__", here):
                continue
            if RANK[there] > RANK[here]:
                problems.append(f"{rel}: {here} (rank {RANK[here]}) imports {imported} (rank {RANK[there]})")
            if here in CAPABILITIES and there in CAPABILITIES:
                problems.append(f"{rel}: capability {here} imports capability {there}")
    assert not problems, "\n".join(problems)
