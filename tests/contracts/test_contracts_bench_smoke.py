"""Smoke test: `bench/contracts_bench.py --contracts 1` runs and prints its table (slow: it OCRs a scan)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.contracts.pages import skip_without_cjk_font

skip_without_cjk_font()

BENCH = Path(__file__).resolve().parents[2] / "bench" / "contracts_bench.py"


@pytest.mark.slow
def test_contracts_bench_runs_on_one_contract() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--contracts", "1"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()[2:]}
    assert set(rows) == {"text_pdf", "scanned_pdf"}
    for cells in rows.values():
        assert re.fullmatch(r"\d+", cells[0]) and all(re.fullmatch(r"\d+\.\d+", c) for c in cells[1:4])
    assert "≤ 2 s:" in done.stdout.splitlines()[-1]
