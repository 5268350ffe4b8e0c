"""`bankmind eval recon`: the valuation-table parser and reconciliation on generated and real 估值表.

    report = evaluate_recon(Path("../shared/data"), pairs=60, seed=7)

Everything but the real pair is generated (`eval.recon_tables`) into a temporary folder that is
removed afterwards. Metrics:
- Parse field accuracy: funds written in every layout and parsed back; the share of (row, field)
  values read equal to the generator's (codes normalised; quantity exact; money to 0.01; unit cost
  and price to the decimals written; a blank cell equals 0 where the layout blanks its zeros) over
  quantity, unit_cost, cost, price, market_value, appreciation, plus the header's unit_nav, nav
  and valuation_date. Rows found / rows written is reported beside it.
- Break recall / precision: pairs (manager, custodian) with injected breaks, layouts mixed across the
  two sides. A root truth break is found when `reconcile` reports a non-knock-on break on the same
  subject code with the same kind (truth kinds nav / unit_nav: a footer break, subject code None,
  of that kind). Precision = reported non-knock-on breaks matching any truth break (root or
  derived) / all reported non-knock-on breaks. Recall is also given per injected kind.
- Severity accuracy: `summary.severity` equals the truth's.
- Must-match: the same fund in two different layouts must reconcile with zero breaks; and the real
  pair `DATA/recon/real_tables/20250327_PRODUCT_002_证券投资基金估值表.xls` vs `.csv` (skipped when
  the data folder is absent).
Targets: parse accuracy ≥ 0.99, break recall ≥ 0.98, break precision ≥ 0.98.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from bankmind.eval.recon_tables import (
    BREAK_KINDS,
    LAYOUTS,
    generate_fund,
    generate_pair,
    write_table,
)
from bankmind.eval.recon_tables import Break as TruthBreak
from bankmind.recon import ValuationTable, parse_table
from bankmind.recon.compare import Break, reconcile

__all__ = ["REAL_PAIR", "TARGETS", "ReconEvalReport", "evaluate_recon", "to_text"]

TARGETS = {"parse_accuracy": 0.99, "break_recall": 0.98, "break_precision": 0.98}
REAL_PAIR = ("20250327_PRODUCT_002_证券投资基金估值表.xls", "20250327_PRODUCT_002_证券投资基金估值表.csv")
ROW_FIELDS = ("quantity", "unit_cost", "cost", "price", "market_value", "appreciation")
HEADER_FIELDS = ("unit_nav", "nav", "valuation_date")
Progress = Callable[[float, str], None]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class FieldMiss(_Frozen):
    layout: str
    seed: int
    subject_code: str | None
    field: str
    expected: str | None
    parsed: str | None


class ParseScore(_Frozen):
    funds: int
    layouts: list[str]
    rows_written: int
    rows_found: int
    rows_extra: int
    """Rows the parser read that the generator did not write."""
    values: int
    values_correct: int
    accuracy: float
    rows_found_share: float
    per_field: dict[str, float]
    misses: list[FieldMiss] = Field(default=[], repr=False)


class PairMiss(_Frozen):
    seed: int
    layouts: str
    kinds: list[str]
    missed: list[str] = []
    """Root truth breaks not reported: `kind subject_code`."""
    extra: list[str] = []
    """Reported non-knock-on breaks that match no truth break: `kind subject_code field m/c`."""
    severity: str | None = None
    """`reported != truth` when the severity is wrong."""


class BreakScore(_Frozen):
    pairs: int
    truth_breaks: int
    found: int
    reported: int
    reported_matching: int
    recall: float
    precision: float
    per_kind: dict[str, float]
    """Recall per injected kind (`BREAK_KINDS`)."""
    severity_accuracy: float
    misses: list[PairMiss] = Field(default=[], repr=False)


class MustMatch(_Frozen):
    pairs: int
    clean: int
    share: float
    real_pair: str
    """"clean", "N breaks" or "skipped: …"."""
    misses: list[str] = Field(default=[], repr=False)


class ReconEvalReport(_Frozen):
    seed: int
    parse: ParseScore
    breaks: BreakScore
    must_match: MustMatch
    seconds: float
    targets: dict[str, float]

    @property
    def ok(self) -> bool:
        real_ok = not self.must_match.real_pair.endswith("breaks")
        return (
            self.parse.accuracy >= self.targets["parse_accuracy"]
            and self.breaks.recall >= self.targets["break_recall"]
            and self.breaks.precision >= self.targets["break_precision"]
            and self.must_match.clean == self.must_match.pairs
            and real_ok
        )


# evaluation ---------------------------------------------------------------------------------------
def evaluate_recon(
    data: Path | None, *, pairs: int = 60, seed: int = 7, progress: Progress | None = None
) -> ReconEvalReport:
    """Run every metric (see the module docstring); `data` None skips the real pair."""
    start = time.perf_counter()
    funds = max(1, pairs // 20)
    work = Path(tempfile.mkdtemp(prefix="bankmind-eval-recon-"))
    try:
        parse, tables = _parse_score(seed, funds, work, progress)
        breaks = _break_score(seed, pairs, work, progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    must = _must_match(tables, data)
    return ReconEvalReport(
        seed=seed,
        parse=parse,
        breaks=breaks,
        must_match=must,
        seconds=round(time.perf_counter() - start, 1),
        targets=TARGETS,
    )


def _parse_score(
    seed: int, funds: int, work: Path, progress: Progress | None
) -> tuple[ParseScore, list[list[tuple[str, ValuationTable]]]]:
    written = found = extra = values = correct = 0
    per_field: dict[str, list[int]] = {f: [0, 0] for f in (*ROW_FIELDS, *HEADER_FIELDS)}
    misses: list[FieldMiss] = []
    tables: list[list[tuple[str, ValuationTable]]] = []
    for n in range(funds):
        fund_seed = seed * 1000 + n
        fund = generate_fund(fund_seed)
        parsed_all: list[tuple[str, ValuationTable]] = []
        for name, layout in LAYOUTS.items():
            table = parse_table(write_table(fund, layout, work / f"parse{fund_seed}_{name}"))
            parsed_all.append((name, table))
            by_code = {r.subject_code: r for r in table.rows}
            written += len(fund.rows)
            codes = {r.code for r in fund.rows}
            extra += sum(1 for c in by_code if c not in codes)
            checks: list[tuple[str | None, str, object, object]] = []
            for row in fund.rows:
                got = by_code.get(row.code)
                if got is None:
                    continue
                found += 1
                bond = row.code.startswith("1103")
                for f in ROW_FIELDS:
                    expected = _expected(row, f, bond)
                    if layout.blank_zeros and expected == 0:
                        expected = None
                    checks.append((row.code, f, expected, getattr(got, f)))
            checks += [
                (None, "unit_nav", Decimal(f"{fund.unit_nav:.4f}"), table.unit_nav),
                (None, "nav", Decimal(fund.nav) / 100, table.nav),
                (None, "valuation_date", fund.valuation_date, table.valuation_date),
            ]
            for code, f, want, read in checks:
                ok = _equal(want, read)
                values += 1
                correct += ok
                per_field[f][0] += 1
                per_field[f][1] += ok
                if not ok:
                    misses.append(
                        FieldMiss(
                            layout=name,
                            seed=fund_seed,
                            subject_code=code,
                            field=f,
                            expected=_str(want),
                            parsed=_str(read),
                        )
                    )
        tables.append(parsed_all)
        if progress is not None:
            progress((n + 1) / funds * 0.3, "parse")
    return (
        ParseScore(
            funds=funds,
            layouts=list(LAYOUTS),
            rows_written=written,
            rows_found=found,
            rows_extra=extra,
            values=values,
            values_correct=correct,
            accuracy=_ratio(correct, values),
            rows_found_share=_ratio(found, written),
            per_field={f: _ratio(ok, n) for f, (n, ok) in per_field.items()},
            misses=misses,
        ),
        tables,
    )


def _expected(row: object, name: str, bond: bool) -> Decimal | None:
    value = getattr(row, name)
    if value is None:
        return None
    if name in ("cost", "market_value", "appreciation"):
        return Decimal(int(value)) / 100
    if name in ("unit_cost", "price"):
        return Decimal(f"{value:.{4 if bond else 2}f}")
    return Decimal(f"{value:.2f}")  # quantity, as written


def _equal(expected: object, got: object) -> bool:
    if isinstance(expected, Decimal) or isinstance(got, Decimal):
        if expected is None or got is None:
            return expected is None and got is None
        assert isinstance(expected, Decimal)
        return abs(Decimal(str(got)) - expected) < Decimal("0.000001")
    if isinstance(expected, dt.date) and isinstance(got, dt.datetime):
        got = got.date()
    return expected == got


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _pair_plan(seed: int, pairs: int) -> list[tuple[int, str, str, list[str]]]:
    """(seed, left layout, right layout, kinds) per pair: every kind in turn, 1-3 kinds a pair,
    every ordered pair of layouts in turn (same layout on both sides included)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible evaluation data
    names = list(LAYOUTS)
    combos = [(a, b) for a in names for b in names]
    rng.shuffle(combos)
    plan, k = [], 0
    for i in range(pairs):
        size = 1 + i % 3
        kinds = []
        for _ in range(size):
            kind = BREAK_KINDS[k % len(BREAK_KINDS)]
            k += 1
            if kind not in kinds:
                kinds.append(kind)
        left, right = combos[i % len(combos)]
        plan.append((seed * 1000 + 500 + i, left, right, kinds))
    return plan


def _break_score(seed: int, pairs: int, work: Path, progress: Progress | None) -> BreakScore:
    per_kind: dict[str, list[int]] = {k: [0, 0] for k in BREAK_KINDS}
    truth_n = found_n = reported_n = matching_n = severity_ok = 0
    misses: list[PairMiss] = []
    plan = _pair_plan(seed, pairs)
    for i, (pair_seed, left, right, kinds) in enumerate(plan):
        (m_path, c_path), truth = generate_pair(pair_seed, left, right, kinds, out_dir=work / "pairs")
        result = reconcile(parse_table(m_path), parse_table(c_path))
        roots = [b for b in result.breaks if not b.knock_on]
        truth_roots = [b for b in truth.breaks if b.root]
        missed, extra = [], []
        for kind, tb in zip(kinds, truth_roots, strict=True):
            hit = any(_matches(tb, b) for b in roots)
            truth_n += 1
            found_n += hit
            per_kind[kind][0] += 1
            per_kind[kind][1] += hit
            if not hit:
                missed.append(f"{kind} {tb.subject_code}")
        for b in roots:
            ok = any(_matches(tb, b) for tb in truth.breaks)
            reported_n += 1
            matching_n += ok
            if not ok:
                extra.append(f"{b.kind} {b.subject_code} {b.field} {b.manager}/{b.custodian}")
        sev_ok = result.summary.severity == truth.severity
        severity_ok += sev_ok
        if missed or extra or not sev_ok:
            misses.append(
                PairMiss(
                    seed=pair_seed,
                    layouts=f"{left}/{right}",
                    kinds=kinds,
                    missed=missed,
                    extra=extra,
                    severity=None if sev_ok else f"{result.summary.severity} != {truth.severity}",
                )
            )
        for path in (m_path, c_path):
            path.unlink(missing_ok=True)
        if progress is not None:
            progress(0.3 + (i + 1) / len(plan) * 0.7, "pairs")
    return BreakScore(
        pairs=len(plan),
        truth_breaks=truth_n,
        found=found_n,
        reported=reported_n,
        reported_matching=matching_n,
        recall=_ratio(found_n, truth_n),
        precision=_ratio(matching_n, reported_n),
        per_kind={k: _ratio(ok, n) for k, (n, ok) in per_kind.items() if n},
        severity_accuracy=_ratio(severity_ok, len(plan)),
        misses=misses,
    )


def _matches(truth: TruthBreak, reported: Break) -> bool:
    if truth.kind in ("nav", "unit_nav"):
        return reported.subject_code is None and reported.kind == truth.kind
    return reported.subject_code == truth.subject_code and reported.kind == truth.kind


def _must_match(tables: list[list[tuple[str, ValuationTable]]], data: Path | None) -> MustMatch:
    total = clean = 0
    misses: list[str] = []
    for parsed in tables:  # each fund against itself in the next layout
        for (a_name, a), (b_name, b) in zip(parsed, parsed[1:] + parsed[:1], strict=True):
            result = reconcile(a, b)
            total += 1
            clean += not result.breaks
            if result.breaks:
                first = result.breaks[0]
                misses.append(
                    f"{a_name}/{b_name}: {len(result.breaks)} breaks, first {first.kind} "
                    f"{first.subject_code} {first.field} {first.manager}/{first.custodian}"
                )
    real = "skipped: no data folder"
    if data is not None:
        folder = data / "recon" / "real_tables"
        left, right = (folder / name for name in REAL_PAIR)
        if left.is_file() and right.is_file():
            result = reconcile(parse_table(left), parse_table(right))
            real = "clean" if not result.breaks else f"{len(result.breaks)} breaks"
            misses += [
                f"real: {b.kind} {b.subject_code} {b.field} {b.manager}/{b.custodian}" for b in result.breaks
            ]
        else:
            real = f"skipped: no {folder / REAL_PAIR[0]}"
    return MustMatch(pairs=total, clean=clean, share=_ratio(clean, total), real_pair=real, misses=misses)


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


# text ---------------------------------------------------------------------------------------------
def to_text(report: ReconEvalReport, *, show_misses: bool = False) -> str:
    """The report as a few blocks, the targets marked."""
    p, b, m = report.parse, report.breaks, report.must_match
    lines = [
        f"parse: {p.funds} funds × {len(p.layouts)} layouts ({', '.join(p.layouts)})",
        f"  field accuracy {p.accuracy:.4f} ({p.values_correct}/{p.values}); rows found "
        f"{p.rows_found_share:.4f} ({p.rows_found}/{p.rows_written}), extra rows {p.rows_extra}",
        "  " + "  ".join(f"{f} {v:.3f}" for f, v in p.per_field.items()),
        f"breaks: {b.pairs} pairs, {b.truth_breaks} injected",
        f"  recall {b.recall:.4f} ({b.found}/{b.truth_breaks}); precision {b.precision:.4f} "
        f"({b.reported_matching}/{b.reported}); severity accuracy {b.severity_accuracy:.4f}",
    ]
    lines += [f"  {kind:<21} recall {value:.3f}" for kind, value in b.per_kind.items()]
    lines += [
        f"must-match: {m.clean}/{m.pairs} layout pairs clean ({m.share:.4f}); real pair: {m.real_pair}",
        "",
        f"targets: {', '.join(f'{k} ≥ {v}' for k, v in report.targets.items())}, must-match clean "
        f"-> {'met' if report.ok else 'MISSED'} ({report.seconds:.1f} s, seed {report.seed})",
    ]
    if show_misses:
        lines += [
            f"  parse {x.layout} fund{x.seed} {x.subject_code or 'header'} {x.field}: "
            f"expected {x.expected}, parsed {x.parsed}"
            for x in p.misses
        ]
        for x in b.misses:
            detail = "; ".join(
                [*(f"missed {s}" for s in x.missed), *(f"extra {s}" for s in x.extra)]
                + ([f"severity {x.severity}"] if x.severity else [])
            )
            lines.append(f"  pair {x.seed} {x.layouts} [{', '.join(x.kinds)}]: {detail}")
        lines += [f"  must-match {s}" for s in m.misses]
    return "\n".join(lines)
