"""`bankmind eval kb`: retrieval and grounded answers on Chinese financial statutes.

    report = evaluate_kb(settings, Path("../shared/data"), writer=None, progress=tick)

Data: `DATA/kb/cn_finance_laws/` (the statutes) and `DATA/kb/dev_questions/*.json` (the dev set:
questions with evidence quotes, and must-refuse questions), plus bankmind's own harder questions
(`eval/kb_questions.py`). The statutes are ingested into a separate evaluation store under
`BANKMIND_HOME/eval/` (incremental: a second run only checks hashes), never into the user's.

Metrics, per question set:
- Recall@5: the share of a question's evidence quotes found in the top 5 results, where a result
  counts when it comes from the gold document and its text contains the quote (spacing,
  punctuation and full-/half-width differences ignored); averaged over answerable questions.
- MRR: 1 / rank of the first such result (0 when none is in the top 10).
- Citation precision: of the citations in answers (answerable questions), the share that hold up
  when checked against the store, independently of how the answer was made: a chunk of that
  document at that locator has exactly the cited text, and each answer sentence carrying the
  citation's number is supported by that text (its words, figures and sense-deciding words).
- Gold citations: of the same citations, the share that quote a gold evidence passage (same
  document, text containing a gold quote); lower than precision where a valid but different
  article is cited, or a second close passage is quoted beside the gold one.
- Answer support: of answerable questions, the share answered (not refused) with a citation
  quoting gold evidence.
- Refusal accuracy: the share of all questions where `refused` is what it should be (refused for
  must-refuse questions, answered otherwise).
Targets (dev set): Recall@5 ≥ 0.95, MRR ≥ 0.8, citation precision ≥ 0.95, refusal accuracy ≥ 0.9.
"""

from __future__ import annotations

import json
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from bankmind.config import Settings
from bankmind.errors import InputError
from bankmind.eval.kb_questions import OWN_QUESTIONS
from bankmind.knowledge.answer import Answer, AnswerWriter, ask
from bankmind.knowledge.grounding import MIN_SUPPORT, SentenceSplitter, support
from bankmind.knowledge.index import KnowledgeIndex
from bankmind.knowledge.ingest import IngestReport, ingest
from bankmind.knowledge.search import Hit, search
from bankmind.llm.base import EmbeddingModel
from bankmind.store import Store
from bankmind.store.schema import KbChunk, KbDocument

__all__ = ["KbEvalReport", "evaluate_kb", "load_questions", "to_text"]

KB_NAME = "cn_finance_laws"
TARGETS = {"recall_at_5": 0.95, "mrr": 0.8, "citation_precision": 0.95, "refusal_accuracy": 0.9}
Progress = Callable[[float, str], None]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Evidence(_Frozen):
    kb_file: str
    quote: str
    article: str | None = None


class EvalQuestion(_Frozen):
    id: str
    question: str
    category: str
    evidence: list[Evidence] = []
    refuse: bool = False


class QuestionResult(_Frozen):
    id: str
    question: str
    refuse: bool
    recall_at_5: float | None = None
    reciprocal_rank: float | None = None
    refused: bool | None = None
    mode: str | None = None
    citations: int = 0
    correct_citations: int = 0
    holding_citations: int = 0
    supported: bool | None = None
    top: list[str] = []
    """Document and locator of the top results, for reading the misses."""


class SetScore(_Frozen):
    name: str
    answerable: int
    must_refuse: int
    recall_at_5: float
    mrr: float
    citation_precision: float | None
    gold_citations: float | None
    answer_support: float | None
    refusal_accuracy: float | None
    search_p50_ms: float
    questions: list[QuestionResult] = Field(default=[], repr=False)


class KbEvalReport(_Frozen):
    corpus_files: int
    corpus_chunks: int
    ingest_seconds: float
    answers: str
    """"extractive" (no chat model) or the chat model's name; "skipped" with --retrieval-only."""
    sets: list[SetScore]
    targets: dict[str, float]

    @property
    def ok(self) -> bool:
        dev = next((s for s in self.sets if s.name == "dev"), None)
        if dev is None:
            return True
        values = dev.model_dump()
        return all(values[k] is None or values[k] >= v for k, v in self.targets.items())


# data ---------------------------------------------------------------------------------------
def load_questions(folder: Path) -> list[EvalQuestion]:
    """The dev questions in `folder` (every *.json holding a list of question objects)."""
    questions: list[EvalQuestion] = []
    for path in sorted(folder.glob("*.json")):
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"question file '{path.name}' is not readable JSON ({exc})") from None
        if not isinstance(items, list):
            raise InputError(f"question file '{path.name}' must hold a JSON list of questions")
        questions.extend(_question(item) for item in items)
    return questions


def _question(item: Any) -> EvalQuestion:
    evidence = [
        Evidence(kb_file=e["kb_file"], quote=e["evidence_quote"], article=e.get("article"))
        for e in item.get("evidence") or []
        if e.get("quote_found_in_kb", True)
    ]
    refuse = bool(item.get("should_refuse") or item.get("should_refuse_in_original_corpus"))
    return EvalQuestion(
        id=str(item["id"]),
        question=str(item["question"]),
        category=str(item.get("category", "")),
        evidence=evidence,
        refuse=refuse and not evidence,
    )


# running ------------------------------------------------------------------------------------
def evaluate_kb(
    settings: Settings,
    data: Path,
    embedder: EmbeddingModel,
    *,
    writer: AnswerWriter | None,
    answers: str,
    retrieval_only: bool = False,
    progress: Progress | None = None,
) -> KbEvalReport:
    """Ingest the statutes (incrementally) into the evaluation store, then score every set."""
    laws, dev_folder = data / "kb" / "cn_finance_laws", data / "kb" / "dev_questions"
    if not laws.is_dir():
        raise InputError(f"no statutes at '{laws}'; pass --data DIR holding kb/cn_finance_laws")
    home = settings.home / "eval"
    home.mkdir(parents=True, exist_ok=True)
    store = Store(f"sqlite:///{home / 'kb.db'}")
    try:
        store.migrate()
        index = KnowledgeIndex(store, embedder, folder=home / "kb-vectors")
        started = time.perf_counter()
        report = ingest(
            index, settings, KB_NAME, [laws], progress=lambda d, t, n: _tick(progress, 0.5 * d / (t or 1), n)
        )
        ingest_seconds = time.perf_counter() - started
        _require_ingested(report)
        sets = [("dev", load_questions(dev_folder) if dev_folder.is_dir() else [])]
        sets.append(("own", [_question(q) for q in OWN_QUESTIONS]))
        total = sum(len(qs) for _, qs in sets) or 1
        counter = iter(range(1, total + 1))

        def tick(label: str) -> None:
            _tick(progress, 0.5 + 0.5 * next(counter) / total, label)

        scores = [_score_set(index, n, qs, writer, retrieval_only, tick) for n, qs in sets if qs]
        chunks = sum(d.chunks for d in index.list_documents(KB_NAME))
        return KbEvalReport(
            corpus_files=len(report.files),
            corpus_chunks=chunks,
            ingest_seconds=round(ingest_seconds, 1),
            answers="skipped" if retrieval_only else answers,
            sets=scores,
            targets=TARGETS,
        )
    finally:
        store.close()


def _tick(progress: Progress | None, fraction: float, label: str) -> None:
    if progress is not None:
        progress(min(fraction, 1.0), label)


def _require_ingested(report: IngestReport) -> None:
    failed = [f for f in report.files if f.outcome == "failed"]
    if failed and len(failed) == len(report.files):
        raise InputError(f"none of the statutes could be ingested: {failed[0].name}: {failed[0].error}")


def _score_set(
    index: KnowledgeIndex,
    name: str,
    questions: Sequence[EvalQuestion],
    writer: AnswerWriter | None,
    retrieval_only: bool,
    tick: Callable[[str], None],
) -> SetScore:
    results, timings = [], []
    for q in questions:
        started = time.perf_counter()
        hits = search(index, KB_NAME, q.question, roles=None, top_k=10)
        timings.append((time.perf_counter() - started) * 1000)
        answer = None if retrieval_only else ask(index, KB_NAME, q.question, roles=None, writer=writer)
        results.append(_result(q, hits, answer, _holding(index, answer) if answer else 0))
        tick(q.id)
    answerable = [r for r in results if not r.refuse]
    answered = [r for r in answerable if r.refused is False]
    cited = sum(r.citations for r in answered)
    judged = [r for r in results if r.refused is not None]
    timings.sort()
    return SetScore(
        name=name,
        answerable=len(answerable),
        must_refuse=len(results) - len(answerable),
        recall_at_5=_mean(r.recall_at_5 for r in answerable),
        mrr=_mean(r.reciprocal_rank for r in answerable),
        citation_precision=round(sum(r.holding_citations for r in answered) / cited, 4) if cited else None,
        gold_citations=round(sum(r.correct_citations for r in answered) / cited, 4) if cited else None,
        answer_support=_mean(1.0 if r.supported else 0.0 for r in answerable) if judged else None,
        refusal_accuracy=_mean(1.0 if r.refused == r.refuse else 0.0 for r in judged) if judged else None,
        search_p50_ms=round(timings[len(timings) // 2], 1) if timings else 0.0,
        questions=results,
    )


def _holding(index: KnowledgeIndex, answer: Answer) -> int:
    """How many of the answer's citations hold up against the stored chunks (see the module)."""
    splitter = SentenceSplitter()
    sentences = [*splitter.feed(answer.answer), *splitter.finish()]
    held = 0
    with index.store.engine.connect() as conn:
        for number, citation in enumerate(answer.citations, start=1):
            stored = conn.execute(
                select(KbChunk.text)
                .join(KbDocument, KbDocument.id == KbChunk.document_id)
                .where(KbDocument.name == citation.document, KbChunk.locator == citation.locator)
            ).scalars()
            if citation.text not in set(stored):
                continue
            citing = [s.text for s in sentences if number in s.cites]
            if citing and all(support(text, [citation.text]) >= MIN_SUPPORT for text in citing):
                held += 1
    return held


def _result(q: EvalQuestion, hits: list[Hit], answer: Answer | None, holding: int = 0) -> QuestionResult:
    relevant = [any(_supports(e, h.document, h.text) for e in q.evidence) for h in hits]
    recall = rank = None
    if q.evidence:
        found = [any(_supports(e, h.document, h.text) for h in hits[:5]) for e in q.evidence]
        recall = sum(found) / len(found)
        first = next((i for i, ok in enumerate(relevant) if ok), None)
        rank = 1.0 / (first + 1) if first is not None else 0.0
    correct = 0
    if answer is not None:
        correct = sum(any(_supports(e, c.document, c.text) for e in q.evidence) for c in answer.citations)
    return QuestionResult(
        id=q.id,
        question=q.question,
        refuse=q.refuse,
        recall_at_5=recall,
        reciprocal_rank=rank,
        refused=None if answer is None else answer.refused,
        mode=None if answer is None else answer.mode,
        citations=0 if answer is None else len(answer.citations),
        correct_citations=correct,
        holding_citations=holding,
        supported=None if answer is None else (not answer.refused and correct > 0),
        top=[f"{h.document} {h.locator}" for h in hits[:3]],
    )


def _supports(evidence: Evidence, document: str, text: str) -> bool:
    return document == evidence.kb_file and _plain(evidence.quote) in _plain(text)


def _plain(text: str) -> str:
    """Letters and digits only: a quote matches whatever its spacing, punctuation and width."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if c.isalnum())


def _mean(values: Iterable[float | None]) -> float:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 4) if present else 0.0


# text ---------------------------------------------------------------------------------------
def to_text(report: KbEvalReport, *, show_misses: bool = False) -> str:
    """The report as a table, the dev set's targets marked."""
    lines = [
        f"corpus: {report.corpus_files} statutes, {report.corpus_chunks} chunks "
        f"(ingest {report.ingest_seconds:.1f} s; answers: {report.answers})",
        "",
        f"{'set':<5} {'answerable':>10} {'refuse':>6} {'R@5':>6} {'MRR':>6} {'cit.prec':>8} "
        f"{'gold cit':>8} {'support':>7} {'refusal':>7} {'p50 ms':>7}",
    ]
    for s in report.sets:
        lines.append(
            f"{s.name:<5} {s.answerable:>10} {s.must_refuse:>6} {s.recall_at_5:>6.3f} {s.mrr:>6.3f} "
            f"{_opt(s.citation_precision):>8} {_opt(s.gold_citations):>8} {_opt(s.answer_support):>7} "
            f"{_opt(s.refusal_accuracy):>7} "
            f"{s.search_p50_ms:>7.1f}"
        )
    targets = ", ".join(f"{k} ≥ {v}" for k, v in report.targets.items())
    lines += ["", f"targets on dev: {targets} -> {'met' if report.ok else 'MISSED'}"]
    if show_misses:
        for s in report.sets:
            for r in s.questions:
                if _missed(r):
                    lines.append(
                        f"  {s.name} {r.id}: R@5={_opt(r.recall_at_5)} refused={r.refused} "
                        f"cited {r.correct_citations}/{r.citations} | {r.question} | top: {'; '.join(r.top)}"
                    )
    return "\n".join(lines)


def _missed(r: QuestionResult) -> bool:
    if r.refused is not None and r.refused != r.refuse:
        return True
    return (r.recall_at_5 is not None and r.recall_at_5 < 1.0) or r.correct_citations < r.citations


def _opt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
