"""docs/audit.md: its auditor script re-verifies real exports; every problem kind is documented."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path
from typing import get_args

from sqlalchemy import update

from bankmind.guard.audit import append, export
from bankmind.guard.audit_verify import ProblemKind
from bankmind.store import Store
from bankmind.store.departments import create_department
from bankmind.store.schema import AuditRecord
from bankmind.types import Principal

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit.md"


def _script(tmp_path: Path) -> Path:
    match = re.search(
        r"<!-- auditor-script:start -->\n```python\n(.*?)```\n<!-- auditor-script:end -->",
        DOC.read_text(encoding="utf-8"),
        re.S,
    )
    assert match, "docs/audit.md lost its auditor script markers"
    assert len(match.group(1).splitlines()) <= 20
    path = tmp_path / "verify_export.py"
    path.write_text(match.group(1), encoding="utf-8")
    return path


def _export(store: Store, path: Path) -> None:
    buffer = io.StringIO()
    export(store, buffer, format="jsonl")
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _run(script: Path, export_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", str(script), str(export_file)], capture_output=True, text=True, timeout=60
    )


def test_the_documented_script_verifies_an_export_and_catches_a_change(store: Store, tmp_path: Path) -> None:
    create_department(store, "信贷部", keep_masked_text=True)
    who = Principal(user_id=1, name="li.na", department="信贷部", roles=("credit",))
    for i in range(4):
        append(
            store,
            principal=who if i % 2 else None,
            action="gateway.chat",
            model="deepseek-v3",
            tokens_in=10 * i,
            pii={"CN_ID": i},
            masked_prompt=f'客户 <PERSON_1>，"引号" 与换行\n第 {i} 个',
            details={"i": i, "list": [1, "二", None, True]},
        )
    script = _script(tmp_path)
    good = tmp_path / "audit.jsonl"
    _export(store, good)
    result = _run(script, good)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: 4 records chained, last seq 4 hash ")

    with store.engine.begin() as conn:
        conn.execute(update(AuditRecord.__table__).where(AuditRecord.seq == 3).values(tokens_in=7))
    bad = tmp_path / "changed.jsonl"
    _export(store, bad)
    result = _run(script, bad)
    assert result.returncode == 1 and result.stderr.strip() == "record 3: its content does not match its hash"


def test_every_problem_kind_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for kind in get_args(ProblemKind):
        assert f"| `{kind}` |" in text
