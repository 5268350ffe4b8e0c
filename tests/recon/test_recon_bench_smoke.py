"""Smoke test: `bench/recon_bench.py --quick --pairs 5` runs and prints its tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "recon_bench.py"


def test_recon_bench_quick_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--pairs", "5", "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "## compare-only" in out
    assert "bankmind reconcile" in out
    assert "datacompy PandasCompare" in out
    assert "## end to end" in out
    assert "severity agrees with the generator's truth on 5/5 pairs" in out
