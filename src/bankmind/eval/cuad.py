"""`bankmind eval cuad`: English clause presence on CUAD (Hendrycks et al. 2021), per category.

    report = evaluate_cuad(Path("../shared/data/contracts/cuad_dev"), limit=None)
    report.methods[0].macro_aupr, report.methods[0].macro_p80r

Data: `master_clauses_dev.csv` (one row per contract; per category a column with the list of clause
texts) and `full_contract_txt/*.txt`. A contract has a category when its list is not empty; the
clause texts are located in the contract (whitespace-insensitive) to label passages.

Metrics, as in the CUAD paper, over the ranked predictions of each category: AUPR (average
precision: Σ over thresholds of Δrecall · precision) and precision at 80 % recall (the precision at
the highest threshold that reaches 80 % recall). Document level: a contract's score for a category
is its best passage's plus a little of the next best (`clauses_en.document_scores`; the figures with
the best passage alone are reported beside, for every method); passage level: every passage ranked
against the located clause spans.
Macro averages are over the categories with at least one positive and one negative.

Methods, on the same contracts in one run:
- `rules`: `contracts.clauses_en` without any model or training;
- `rules+embeddings`: the same blended with the embedding model (`--embeddings`);
- `tfidf+logreg`: TF-IDF + logistic regression per category on passages labelled by the clause
  spans, 5-fold cross-validation grouped by contract (scikit-learn, the `test` extra);
- `rules+chat`: `rules` confirmed by the chat model (`--model`).
"""

from __future__ import annotations

import ast
import csv
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from bankmind.contracts.clauses_en import (
    Chat,
    ClauseScores,
    Passage,
    confirm_with_chat,
    document_scores,
    score_clauses,
)
from bankmind.contracts.clauses_en_rules import load_categories
from bankmind.errors import InputError
from bankmind.llm.base import ChatModel, EmbeddingModel

__all__ = [
    "CUAD_DIR",
    "CategoryScore",
    "CuadContract",
    "CuadReport",
    "MethodReport",
    "as_json",
    "average_precision",
    "evaluate_cuad",
    "load_cuad",
    "locate",
    "model_chat",
    "precision_at_recall",
    "to_text",
]

CUAD_DIR = Path("contracts") / "cuad_dev"
"""Where the CUAD development split sits under the evaluation data folder."""
CSV_NAME = "master_clauses_dev.csv"
FOLDS = 5
RECALL = 0.8
Progress = Callable[[float, str], None]
_SPACE = re.compile(r"\s+")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class CategoryScore(_Frozen):
    category: str
    positives: int
    """Contracts that have the category."""
    aupr: float | None
    p80r: float | None
    passage_aupr: float | None = None


class MethodReport(_Frozen):
    method: str
    contracts: int
    seconds: float
    categories: list[CategoryScore]
    macro_aupr: float | None
    macro_p80r: float | None
    macro_passage_aupr: float | None
    macro_aupr_best_only: float | None
    """Macro AUPR when a contract's score is its best passage's alone (no support from the others)."""
    macro_p80r_best_only: float | None


class CuadReport(_Frozen):
    contracts: int
    categories: int
    methods: list[MethodReport]
    notes: list[str]


@dataclass(frozen=True)
class CuadContract:
    name: str
    text: str
    present: dict[str, bool]
    spans: dict[str, list[tuple[int, int]]]
    """Per category, the located clause texts as (start, end) offsets in `text`."""


# --- data ------------------------------------------------------------------------------------------
def load_cuad(folder: Path, *, limit: int | None = None) -> list[CuadContract]:
    """The contracts of `folder` (which holds master_clauses_dev.csv), first `limit` by file name."""
    table = folder / CSV_NAME
    if not table.is_file():
        raise InputError(f"no {CSV_NAME} in '{folder}'; pass the folder that holds contracts/cuad_dev")
    csv.field_size_limit(sys.maxsize)
    with table.open(encoding="utf-8-sig", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: r.get("Filename", ""))
    names = [c.name for c in load_categories()]
    contracts: list[CuadContract] = []
    for row in rows:
        path = folder / "full_contract_txt" / f"{Path(row['Filename'].strip().strip(chr(39))).stem}.txt"
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        clauses = {n: _clauses(row.get(n, "")) for n in names}
        spans = {n: [s for s in (locate(text, c) for c in clauses[n]) if s is not None] for n in names}
        contracts.append(CuadContract(path.stem, text, {n: bool(clauses[n]) for n in names}, spans))
        if limit is not None and len(contracts) >= limit:
            break
    if not contracts:
        raise InputError(f"no contract of {CSV_NAME} found under '{folder / 'full_contract_txt'}'")
    return contracts


def _clauses(cell: str) -> list[str]:
    try:
        value = ast.literal_eval(cell) if cell.strip() else []
    except (ValueError, SyntaxError):
        return []
    return [v for v in value if isinstance(v, str) and v.strip()] if isinstance(value, list) else []


def locate(text: str, clause: str) -> tuple[int, int] | None:
    """Where `clause` is in `text`, ignoring differences in whitespace; None when it is not."""
    words = clause.split()
    if not words:
        return None
    match = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return (match.start(), match.end()) if match else None


# --- metrics ---------------------------------------------------------------------------------------
def _curve(scores: Sequence[float], labels: Sequence[bool]) -> list[tuple[float, float]]:
    """(recall, precision) at each distinct score threshold, highest threshold first."""
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    ranked = np.asarray(scores, dtype=float)[order]
    hits = np.asarray(labels, dtype=bool)[order]
    positives = int(hits.sum())
    points: list[tuple[float, float]] = []
    tp = 0
    for i, hit in enumerate(hits):
        tp += int(hit)
        if i + 1 == len(hits) or ranked[i + 1] != ranked[i]:
            points.append((tp / positives, tp / (i + 1)))
    return points


def average_precision(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """Area under the precision-recall curve as average precision; None without positives."""
    if not any(labels):
        return None
    area, last_recall = 0.0, 0.0
    for recall, precision in _curve(scores, labels):
        area += (recall - last_recall) * precision
        last_recall = recall
    return area


def precision_at_recall(
    scores: Sequence[float], labels: Sequence[bool], recall: float = RECALL
) -> float | None:
    """Precision at the highest threshold whose recall reaches `recall`; None without positives."""
    if not any(labels):
        return None
    return next(p for r, p in _curve(scores, labels) if r >= recall - 1e-12)


def _macro(values: Sequence[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return round(sum(kept) / len(kept), 4) if kept else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# --- the run ---------------------------------------------------------------------------------------
Matrices = list[np.ndarray]
"""One method's scores: per contract, a (passages × categories) matrix."""


def _passage_labels(contract: CuadContract, passages: Sequence[Passage], names: Sequence[str]) -> np.ndarray:
    labels = np.zeros((len(passages), len(names)), dtype=bool)
    for c, name in enumerate(names):
        for start, end in contract.spans[name]:
            for p, passage in enumerate(passages):
                if passage.start < end and start < passage.end:
                    labels[p, c] = True
    return labels


def _ranked(scores: np.ndarray, present: Sequence[bool]) -> tuple[float | None, float | None]:
    """(AUPR, P@80R) of one category's contract scores; None for a category all or none have."""
    if all(present) or not any(present):
        return None, None
    return average_precision(scores.tolist(), present), precision_at_recall(scores.tolist(), present)


def _method_report(
    method: str, scored: Matrices, contracts: Sequence[CuadContract], labels: Sequence[np.ndarray],
    names: Sequence[str], seconds: float,
) -> MethodReport:  # fmt: skip
    documents = np.array([document_scores(m) for m in scored])
    best_only = np.array([m.max(axis=0) if len(m) else np.zeros(len(names)) for m in scored])
    rows: list[CategoryScore] = []
    best: list[tuple[float | None, float | None]] = []
    for c, name in enumerate(names):
        present = [k.present[name] for k in contracts]
        aupr, p80r = _ranked(documents[:, c], present)
        best.append(_ranked(best_only[:, c], present))
        passage_scores = np.concatenate([m[:, c] for m in scored]).tolist()
        passage_labels = np.concatenate([lab[:, c] for lab in labels]).tolist()
        rows.append(
            CategoryScore(
                category=name, positives=sum(present), aupr=_round(aupr), p80r=_round(p80r),
                passage_aupr=_round(average_precision(passage_scores, passage_labels)),
            )
        )  # fmt: skip
    return MethodReport(
        method=method, contracts=len(contracts), seconds=round(seconds, 1), categories=rows,
        macro_aupr=_macro([r.aupr for r in rows]), macro_p80r=_macro([r.p80r for r in rows]),
        macro_passage_aupr=_macro([r.passage_aupr for r in rows]),
        macro_aupr_best_only=_macro([a for a, _ in best]), macro_p80r_best_only=_macro([p for _, p in best]),
    )  # fmt: skip


def evaluate_cuad(
    folder: Path,
    *,
    limit: int | None = None,
    embedder: EmbeddingModel | None = None,
    chat: Chat | None = None,
    chat_note: str | None = None,
    progress: Progress | None = None,
) -> CuadReport:
    """Every method on the contracts of `folder` (`limit`: the first N), per category."""
    tick = progress or (lambda fraction, message: None)
    contracts = load_cuad(folder, limit=limit)
    names = [c.name for c in load_categories()]
    notes = [chat_note] if chat_note else []
    methods: list[MethodReport] = []
    steps = 2 + (embedder is not None) + (chat is not None)

    started = time.monotonic()
    rules: list[ClauseScores] = []
    for i, contract in enumerate(contracts, 1):
        rules.append(score_clauses(contract.text))
        tick(i / len(contracts) / steps, f"rules {i}/{len(contracts)}")
    passages = [s.passages for s in rules]
    labels = [_passage_labels(k, p, names) for k, p in zip(contracts, passages, strict=True)]
    report = _method_report("rules", [s.scores for s in rules], contracts, labels, names,
                            time.monotonic() - started)  # fmt: skip
    methods.append(report)
    done = 1

    if embedder is not None:
        started = time.monotonic()
        blended = []
        for i, contract in enumerate(contracts, 1):
            blended.append(score_clauses(contract.text, embedder=embedder).scores)
            tick((done + i / len(contracts)) / steps, f"embeddings {i}/{len(contracts)}")
        methods.append(_method_report("rules+embeddings", blended, contracts, labels, names,
                                      time.monotonic() - started))  # fmt: skip
        done += 1

    started = time.monotonic()
    baseline = _tfidf_baseline(contracts, passages, labels)
    if baseline is None:
        notes.append("tfidf+logreg skipped: the baseline needs scikit-learn (`pip install bankmind[test]`)")
    else:
        methods.append(_method_report("tfidf+logreg", baseline, contracts, labels, names,
                                      time.monotonic() - started))  # fmt: skip
    done += 1
    tick(done / steps, "tfidf+logreg")

    if chat is not None:
        started = time.monotonic()
        confirmed = []
        for i, scores in enumerate(rules, 1):
            confirmed.append(confirm_with_chat(scores, chat).scores)
            tick((done + i / len(rules)) / steps, f"chat {i}/{len(rules)}")
        methods.append(_method_report("rules+chat", confirmed, contracts, labels, names,
                                      time.monotonic() - started))  # fmt: skip
    tick(1.0, "done")
    return CuadReport(contracts=len(contracts), categories=len(names), methods=methods, notes=notes)


def _tfidf_baseline(
    contracts: Sequence[CuadContract], passages: Sequence[Sequence[Passage]], labels: Sequence[np.ndarray]
) -> Matrices | None:
    """TF-IDF + logistic regression per category, 5-fold CV grouped by contract; None without
    scikit-learn. A category without positive passages in a fold's training part scores 0."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
        from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
        from sklearn.model_selection import GroupKFold  # type: ignore[import-untyped]
    except ImportError:
        return None
    texts = [_SPACE.sub(" ", p.text) for ps in passages for p in ps]
    groups = np.repeat(np.arange(len(contracts)), [len(ps) for ps in passages])
    y = np.concatenate(labels) if labels else np.zeros((0, 0), dtype=bool)
    predicted = np.zeros(y.shape)
    folds = min(FOLDS, len(contracts))
    if folds < 2:
        return [predicted[groups == i] for i in range(len(contracts))]
    for train, test in GroupKFold(n_splits=folds).split(texts, groups=groups):
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=100_000)
        x_train = vectorizer.fit_transform([texts[i] for i in train])
        x_test = vectorizer.transform([texts[i] for i in test])
        for c in range(y.shape[1]):
            target = y[train, c]
            if target.all() or not target.any():
                continue
            model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=1000, solver="liblinear")
            model.fit(x_train, target)
            predicted[test, c] = model.predict_proba(x_test)[:, 1]
    return [predicted[groups == i] for i in range(len(contracts))]


def model_chat(model: ChatModel) -> Chat:
    """A `Chat` over a chat model: a one-word answer, deterministic."""

    def chat(messages: list[dict[str, str]]) -> str:
        return model.complete(messages, max_tokens=3, temperature=0.0).content

    return chat


# --- rendering -------------------------------------------------------------------------------------
def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:.2f}"


def to_text(report: CuadReport) -> str:
    """Per category: AUPR and P@80R of each method; then macro averages and run times."""
    lines = [f"CUAD clause presence: {report.contracts} contracts, {report.categories} categories"]
    methods = report.methods
    head = f"{'category':<36} {'pos':>4}  " + "  ".join(f"{m.method[:20]:>20}" for m in methods)
    lines += ["", " " * 43 + "  ".join(f"{'AUPR  P@80R':>20}" for _ in methods), head]
    for i, row in enumerate(methods[0].categories if methods else []):
        cells = "  ".join(
            f"{_fmt(m.categories[i].aupr):>13} {_fmt(m.categories[i].p80r):>6}" for m in methods
        )
        lines.append(f"{row.category[:36]:<36} {row.positives:>4}  {cells}")
    lines.append("")
    for m in methods:
        lines.append(
            f"{m.method:<18} macro AUPR {_fmt(m.macro_aupr)}  P@80R {_fmt(m.macro_p80r)}  "
            f"passage AUPR {_fmt(m.macro_passage_aupr)}  ({m.contracts} contracts, {m.seconds:.1f} s)\n"
            f"{'':<18} best passage only: macro AUPR {_fmt(m.macro_aupr_best_only)}  "
            f"P@80R {_fmt(m.macro_p80r_best_only)}"
        )
    lines += [f"note: {n}" for n in report.notes]
    return "\n".join(lines)


def as_json(report: CuadReport) -> dict[str, Any]:
    """What `bankmind eval cuad --format json` prints."""
    return {"ok": True, **report.model_dump(mode="json")}
