"""Reconciliation benchmark: manager vs custodian 估值表 pairs, end to end (read files -> JSON report)
and compare-only, against datacompy on the same pairs in the same run.

    .venv/bin/python bench/recon_bench.py [--pairs 1000] [--workers 1,2] [--layouts mix] [--seed 0] [--quick]

Pairs come from `bankmind.eval.recon_tables.make_pair` (a fund of ~300 subject rows; 0-2 injected
breaks per pair, drawn from `BREAK_KINDS` with `--seed`). Each pair's manager and custodian tables
are written to files first, outside every timing, in layouts drawn from `--layouts` (default: all
of `LAYOUTS`, xlsx, xls and csv mixed), by a process pool.

1. End to end, per pair: `parse_table` on both files (timed per format: xlsx, xls, csv), `reconcile`,
   and the JSON report (`contract_dict`, `json.dumps`, written to a file). `--workers 1` runs in
   this process; more workers use a process pool (chunks of pairs; the wall time includes the
   pool's start-up). The stage split is the sum of the workers' own times.
2. Compare-only, on the tables parsed in step 1 (the `--workers 1` pass), pair by pair, each tool in
   turn on the same pair after warm-up:
   * bankmind `reconcile(manager, custodian)`: matching + breaks + knock-on + causes + severity;
   * bankmind `compare_tables` alone on the row frames (join subject_code, abs_tol 0.01, the six
     value columns, blank = 0 as reconcile asks);
   * datacompy `PandasCompare` and `PolarsCompare` (the constructor runs the comparison) on the same
     row frames (pandas copies made outside the timing), join subject_code, abs_tol 0.01.
   Then the speed-up of `compare_tables` and of `reconcile` over each datacompy class: datacompy's
   time over bankmind's, from the means (the medians in brackets), marked `ok` at >= 5x (the
   issue's target). `reconcile` does more than datacompy here (it builds the frames from the parsed
   rows, then breaks, causes and severity); `compare_tables` is the like-for-like figure.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import datacompy
import polars as pl

from bankmind.eval.recon_tables import BREAK_KINDS, LAYOUTS, make_pair, write_table
from bankmind.recon import parse_table
from bankmind.recon.compare import FIELDS, reconcile, rows_frame
from bankmind.recon.matching import compare_tables
from bankmind.recon.types import ValuationTable

DEFAULTS = {"pairs": 1000}
QUICK = {"pairs": 50}
ABS_TOL = 0.01
WARMUP = 5
MAX_BREAKS = 2
TARGET = 5.0
"""The issue's goal: bankmind at least this many times faster than datacompy, compare-only."""
_T0 = time.perf_counter()
_SPAWN = multiprocessing.get_context("spawn")  # polars' thread pool does not survive fork

Task = tuple[int, tuple[str, ...], str, str]  # seed, breaks, manager layout, custodian layout


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


def plan(pairs: int, seed: int, layouts: list[str]) -> list[Task]:
    rng = random.Random(seed)
    tasks: list[Task] = []
    for i in range(pairs):
        breaks = tuple(rng.sample(BREAK_KINDS, rng.randint(0, MAX_BREAKS)))
        tasks.append((seed * 100_003 + i, breaks, rng.choice(layouts), rng.choice(layouts)))
    return tasks


# --- files (outside the timing) ---------------------------------------------------------------------------


def _write_pair(task: Task, out: Path) -> tuple[Path, Path, str, float]:
    seed, breaks, left, right = task
    manager, custodian, truth = make_pair(seed, breaks)
    t0 = time.perf_counter()
    m = write_table(manager, left, out / f"fund{seed}_manager")
    c = write_table(custodian, right, out / f"fund{seed}_custodian")
    return m, c, truth.severity, time.perf_counter() - t0


def _write_chunk(tasks: list[Task], out: Path) -> list[tuple[Path, Path, str, float]]:
    return [_write_pair(t, out) for t in tasks]


def _chunks(items: list[Any], n: int) -> list[list[Any]]:
    size = max(1, -(-len(items) // n))
    return [items[i : i + size] for i in range(0, len(items), size)]


# --- end to end --------------------------------------------------------------------------------------------


def _run_pair(
    m_path: Path, c_path: Path, reports: Path, times: dict[str, float], counts: dict[str, int]
) -> tuple[ValuationTable, ValuationTable, str]:
    tables = []
    for path in (m_path, c_path):
        fmt = path.suffix.lstrip(".")
        t0 = time.perf_counter()
        tables.append(parse_table(path))
        times[f"parse {fmt}"] += time.perf_counter() - t0
        counts[f"parse {fmt}"] += 1
    t0 = time.perf_counter()
    result = reconcile(tables[0], tables[1])
    t1 = time.perf_counter()
    text = json.dumps(result.contract_dict(), ensure_ascii=False)
    (reports / f"{m_path.stem.removesuffix('_manager')}.json").write_text(text, encoding="utf-8")
    t2 = time.perf_counter()
    times["reconcile"] += t1 - t0
    times["JSON report"] += t2 - t1
    counts["reconcile"] += 1
    counts["JSON report"] += 1
    return tables[0], tables[1], result.summary.severity


def _warm() -> None:
    """Let a spawned worker import bankmind, polars and the parser before the first chunk arrives."""
    time.sleep(0.2)


def _e2e_chunk(
    items: list[tuple[Path, Path]], reports: Path
) -> tuple[dict[str, float], dict[str, int], list[str]]:
    times: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    severities = [_run_pair(m, c, reports, times, counts)[2] for m, c in items]
    return dict(times), dict(counts), severities


def end_to_end(
    files: list[tuple[Path, Path]], reports: Path, workers: int, keep: bool
) -> tuple[float, dict[str, float], dict[str, int], list[str], list[tuple[ValuationTable, ValuationTable]]]:
    """Wall seconds, summed stage seconds, stage counts, severities, and (when `keep`) the parsed pairs."""
    reports.mkdir(parents=True, exist_ok=True)
    times: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    severities: list[str] = []
    kept: list[tuple[ValuationTable, ValuationTable]] = []
    t0 = time.perf_counter()
    if workers <= 1:
        for i, (m, c) in enumerate(files):
            left, right, sev = _run_pair(m, c, reports, times, counts)
            severities.append(sev)
            if keep:
                kept.append((left, right))
            if (i + 1) % 200 == 0:
                log(f"  1 worker: {i + 1}/{len(files)} pairs")
    else:
        with ProcessPoolExecutor(workers, mp_context=_SPAWN) as pool:
            for ready in [pool.submit(_warm) for _ in range(workers)]:
                ready.result()
            log(f"  pool of {workers} started in {time.perf_counter() - t0:.1f} s (counted in the wall time)")
            futures = [pool.submit(_e2e_chunk, chunk, reports) for chunk in _chunks(files, workers * 8)]
            for future in futures:
                t, n, s = future.result()
                for k, v in t.items():
                    times[k] += v
                for k, v in n.items():
                    counts[k] += v
                severities.extend(s)
    return time.perf_counter() - t0, dict(times), dict(counts), severities, kept


# --- compare-only ------------------------------------------------------------------------------------------


def compare_only(kept: list[tuple[ValuationTable, ValuationTable]]) -> dict[str, list[float]]:
    frames = [(rows_frame(m.rows), rows_frame(c.rows)) for m, c in kept]
    pandas_frames = [(lf.to_pandas(), rf.to_pandas()) for lf, rf in frames]
    cols = list(FIELDS)
    blank = set(FIELDS)
    tools: dict[str, Callable[[int], object]] = {
        "bankmind reconcile": lambda i: reconcile(*kept[i]),
        "bankmind compare_tables": lambda i: compare_tables(
            frames[i][0],
            frames[i][1],
            on=["subject_code"],
            abs_tol=ABS_TOL,
            columns=cols,
            blank_equals_zero=blank,
        ),
        "datacompy PandasCompare": lambda i: datacompy.PandasCompare(
            pandas_frames[i][0], pandas_frames[i][1], join_columns=["subject_code"], abs_tol=ABS_TOL
        ),
    }
    try:
        datacompy.PolarsCompare(frames[0][0], frames[0][1], join_columns=["subject_code"], abs_tol=ABS_TOL)
        tools["datacompy PolarsCompare"] = lambda i: datacompy.PolarsCompare(
            frames[i][0], frames[i][1], join_columns=["subject_code"], abs_tol=ABS_TOL
        )
    except Exception as exc:  # report and go on without it
        log(f"datacompy PolarsCompare unavailable: {exc!r}")
    for i in range(min(WARMUP, len(kept))):
        for fn in tools.values():
            fn(i)
    out: dict[str, list[float]] = {name: [] for name in tools}
    for i in range(len(kept)):
        for name, fn in tools.items():
            t0 = time.perf_counter()
            fn(i)
            out[name].append(time.perf_counter() - t0)
        if (i + 1) % 250 == 0:
            log(f"  compare-only: {i + 1}/{len(kept)} pairs")
    return out


# --- main --------------------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=None, help="fund pairs (default 1000; 50 with --quick)")
    ap.add_argument("--workers", default="1,2", help="end-to-end worker counts to measure, e.g. 1,2")
    ap.add_argument(
        "--layouts", default="mix", help="comma-separated layouts, or 'mix' for all: " + ",".join(LAYOUTS)
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="50 pairs")
    ap.add_argument("--dir", type=Path, default=None, help="where to write the tables (default: a temp dir)")
    args = ap.parse_args(argv)
    pairs = args.pairs or (QUICK if args.quick else DEFAULTS)["pairs"]
    layouts = (
        list(LAYOUTS) if args.layouts == "mix" else [x.strip() for x in args.layouts.split(",") if x.strip()]
    )
    unknown = [x for x in layouts if x not in LAYOUTS]
    if unknown:
        ap.error(f"unknown layouts {unknown}; choose from {list(LAYOUTS)}")
    workers = sorted({max(1, int(w)) for w in args.workers.split(",") if w.strip()})
    if 1 not in workers:
        workers.insert(0, 1)  # the 1-worker pass parses the tables compare-only uses

    with tempfile.TemporaryDirectory(prefix="recon_bench_") as tmp:
        root = args.dir or Path(tmp)
        tables_dir = root / "tables"
        tables_dir.mkdir(parents=True, exist_ok=True)
        tasks = plan(pairs, args.seed, layouts)
        t0 = time.perf_counter()
        for task in tasks:
            make_pair(task[0], task[1])
        gen_s = time.perf_counter() - t0
        log(f"{pairs} pairs generated in memory in {gen_s:.2f} s; writing files ({max(workers)} processes)")
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max(workers), mp_context=_SPAWN) as pool:
            written = [
                r for chunk in pool.map(_write_chunk, _chunks(tasks, 16), [tables_dir] * 16) for r in chunk
            ]
        write_wall = time.perf_counter() - t0
        write_cpu = sum(r[3] for r in written)
        files = [(m, c) for m, c, _, _ in written]
        truth = [s for _, _, s, _ in written]
        by_fmt: dict[str, int] = defaultdict(int)
        for m, c in files:
            by_fmt[m.suffix[1:]] += 1
            by_fmt[c.suffix[1:]] += 1
        log(f"wrote {2 * pairs} files in {write_wall:.1f} s wall ({dict(by_fmt)})")

        runs: dict[int, tuple[float, dict[str, float], dict[str, int], list[str]]] = {}
        kept: list[tuple[ValuationTable, ValuationTable]] = []
        for w in workers:
            log(f"end to end, {w} worker(s)")
            wall, times, counts, sevs, got = end_to_end(files, root / f"reports_w{w}", w, keep=w == 1)
            runs[w] = (wall, times, counts, sevs)
            kept = got or kept
            log(f"  {w} worker(s): {wall:.1f} s")
        log("compare-only")
        cmp = compare_only(kept)

    agree = sum(a == b for a, b in zip(runs[1][3], truth, strict=True))
    out = sys.stdout
    rows_mean = statistics.mean(len(m.rows) + len(c.rows) for m, c in kept) / 2
    print(
        f"# recon bench: {pairs} pairs, ~{rows_mean:.0f} rows/table, "
        f"layouts={','.join(layouts)}, seed={args.seed}",
        file=out,
    )
    print(
        f"# python {platform.python_version()}, polars {pl.__version__}, datacompy {datacompy.__version__}, "
        f"{os.cpu_count()} cores",
        file=out,
    )
    print(
        f"# setup (not timed below): generate {gen_s:.1f} s; "
        f"write {2 * pairs} files {write_wall:.1f} s wall, "
        f"{write_cpu:.1f} s CPU ({_ms(write_cpu / (2 * pairs))} ms/file); files {dict(by_fmt)}",
        file=out,
    )
    print(
        f"# severity agrees with the generator's truth on {agree}/{pairs} pairs",
        file=out,
    )
    print("\n## compare-only (per pair, same parsed tables, interleaved)", file=out)
    print(f"{'tool':<26}{'mean ms':>9}{'p50 ms':>9}{'p95 ms':>9}{'total s':>9}", file=out)
    for name, xs in cmp.items():
        s = sorted(xs)
        print(
            f"{name:<26}{_ms(statistics.mean(xs)):>9}{_ms(s[len(s) // 2]):>9}{_ms(s[int(len(s) * 0.95)]):>9}"
            f"{sum(xs):>9.2f}",
            file=out,
        )
    peers = [name for name in cmp if name.startswith("datacompy ")]
    print(
        f"\n## speed-up over datacompy (its time / bankmind's: mean, p50 in brackets; target >= {TARGET:g}x)",
        file=out,
    )
    print(f"{'bankmind':<26}" + "".join(f"{'vs ' + p.split()[1]:>22}" for p in peers), file=out)
    for ours in ("bankmind compare_tables", "bankmind reconcile"):
        cells = []
        for peer in peers:
            mean = statistics.mean(cmp[peer]) / statistics.mean(cmp[ours])
            p50 = statistics.median(cmp[peer]) / statistics.median(cmp[ours])
            cells.append(f"{mean:.1f}x ({p50:.1f}x) {'ok' if mean >= TARGET else '--'}")
        print(f"{ours.split()[1]:<26}" + "".join(f"{c:>22}" for c in cells), file=out)

    print("\n## end to end (read files -> parse -> reconcile -> JSON report)", file=out)
    print(f"{'workers':<9}{'wall s':>8}{'pairs/s':>9}{'ms/pair':>9}{'< 120 s':>9}", file=out)
    for w, (wall, *_rest) in runs.items():
        print(
            f"{w:<9}{wall:>8.1f}{pairs / wall:>9.1f}{_ms(wall / pairs):>9}{'yes' if wall < 120 else 'NO':>9}",
            file=out,
        )
    for w, (_wall, times, counts, _) in runs.items():
        total = sum(times.values())
        print(f"\n### where the time goes, {w} worker(s) (sum of worker time {total:.1f} s)", file=out)
        print(f"{'stage':<14}{'calls':>7}{'total s':>9}{'ms/call':>9}{'share':>8}", file=out)
        order = sorted(times, key=lambda k: -times[k])
        for k in order:
            print(
                f"{k:<14}{counts[k]:>7}{times[k]:>9.2f}{_ms(times[k] / counts[k]):>9}"
                f"{times[k] / total:>7.0%}",
                file=out,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
