"""`bankmind eval pii`: how well the PII guard finds what it must and leaves alone what it must not.

Two parts, computed in one run:

1. The generated banking texts (`bankmind.eval.pii_corpus`, fixed seed): per-entity precision,
   recall and F1 with exact span matching, structured-entity precision and recall (CN_ID,
   BANK_CARD, CN_MOBILE, CN_PHONE, USCC, EMAIL, PASSPORT), false positives on injected near misses,
   person-name recall.
2. The published reference data under `<data>/pii` when present: python-stdnum, id-validator and
   Presidio recognizer vectors (each case right or wrong), the Luhn vectors, and person-name
   recall/precision on ResumeNER dev and WeiboNER dev (a name written with its honorific in the gold
   data, 张先生, counts as found when the name part is found: bankmind's spans leave titles out).

Targets (issue 3): structured recall ≥ 0.99 with precision ≥ 0.98, no near-miss false positives,
person-name recall ≥ 0.85 on the generated texts and on ResumeNER dev. WeiboNER (social-media
nicknames, transliterated foreign names) is reported without a target.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from bankmind.eval import pii_reference as ref
from bankmind.eval.pii_corpus import DEFAULT_SEED, generate
from bankmind.guard.pii import STRUCTURED, Analyzer, PiiConfig
from bankmind.guard.recognizers.bank_card import luhn_valid

TARGETS = {
    "structured_recall": 0.99,
    "structured_precision": 0.98,
    "near_miss_false_positives": 0,
    "person_recall": 0.85,
    "resume_person_recall": 0.85,
}
_TITLES = ("先生", "女士", "小姐", "老板", "老师", "经理", "爷爷", "奶奶", "姐姐", "哥哥", "大人", "同学")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Score(_Frozen):
    """Counts and rates for one entity type or group."""

    name: str
    gold: int
    predicted: int
    true_positives: int
    precision: float
    recall: float
    f1: float


class NearMisses(_Frozen):
    total: int
    false_positives: int
    by_kind: dict[str, int]
    false_positives_by_kind: dict[str, int]


class GeneratedResult(_Frozen):
    texts: int
    seed: int
    characters: int
    entities: list[Score]
    structured: Score
    person: Score
    near_misses: NearMisses


class VectorScore(_Frozen):
    source: str
    entity: str
    cases: int
    correct: int
    wrong: list[str]  # the case texts that went wrong (published test vectors, not personal data)


class NameScore(_Frozen):
    dataset: str
    sentences: int
    gold: int
    found: int
    predicted: int
    recall: float
    precision: float


class ReferenceResult(_Frozen):
    data: str
    vectors: list[VectorScore]
    luhn_cases: int
    luhn_correct: int
    out_of_scope: int
    names: list[NameScore]


class Target(_Frozen):
    name: str
    value: float
    threshold: float
    met: bool


class PiiEvalReport(_Frozen):
    generated: GeneratedResult
    reference: ReferenceResult | None
    reference_note: str | None
    bank_card_bins: list[str]
    targets: list[Target]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(t.met for t in self.targets)


def _score(name: str, gold: int, predicted: int, tp: int) -> Score:
    precision = tp / predicted if predicted else 1.0
    recall = tp / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(
        name=name, gold=gold, predicted=predicted, true_positives=tp,
        precision=round(precision, 4), recall=round(recall, 4), f1=round(f1, 4),
    )  # fmt: skip


def evaluate_generated(analyzer: Analyzer, *, texts: int = 300, seed: int = DEFAULT_SEED) -> GeneratedResult:
    corpus = generate(texts, seed=seed)
    gold: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    near_total: Counter[str] = Counter()
    near_fp: Counter[str] = Counter()
    for item in corpus:
        spans = analyzer.scan(item.text)
        found = {(s.type, s.start, s.end) for s in spans}
        expected = {(g.type, g.start, g.end) for g in item.spans}
        gold.update(t for t, _, _ in expected)
        predicted.update(t for t, _, _ in found)
        hits.update(t for t, _, _ in expected & found)
        for miss in item.near_misses:
            near_total[miss.kind] += 1
            if any(s.start < miss.end and miss.start < s.end for s in spans):
                near_fp[miss.kind] += 1
    names = sorted(set(gold) | set(predicted))
    entities = [_score(e, gold[e], predicted[e], hits[e]) for e in names]
    structured = _score(
        "structured",
        sum(gold[e] for e in STRUCTURED),
        sum(predicted[e] for e in STRUCTURED),
        sum(hits[e] for e in STRUCTURED),
    )
    return GeneratedResult(
        texts=len(corpus),
        seed=seed,
        characters=sum(len(c.text) for c in corpus),
        entities=entities,
        structured=structured,
        person=_score("PERSON", gold["PERSON"], predicted["PERSON"], hits["PERSON"]),
        near_misses=NearMisses(
            total=sum(near_total.values()),
            false_positives=sum(near_fp.values()),
            by_kind=dict(sorted(near_total.items())),
            false_positives_by_kind=dict(sorted(near_fp.items())),
        ),
    )


def _vector_scores(analyzer: Analyzer, vectors: Iterable[ref.Vector]) -> list[VectorScore]:
    groups: dict[tuple[str, str], list[tuple[ref.Vector, bool]]] = {}
    for vector in vectors:
        found = {(s.start, s.end) for s in analyzer.scan(vector.text) if s.type == vector.entity}
        groups.setdefault((vector.source, vector.entity), []).append((vector, found == set(vector.expected)))
    return [
        VectorScore(
            source=source,
            entity=entity,
            cases=len(results),
            correct=sum(ok for _, ok in results),
            wrong=[v.text for v, ok in results if not ok],
        )
        for (source, entity), results in groups.items()
    ]


def _strip_title(text: str, span: tuple[int, int]) -> tuple[int, int]:
    start, end = span
    for title in _TITLES:
        if end - start > len(title) and text[start:end].endswith(title):
            return start, end - len(title)
    return span


def _name_score(analyzer: Analyzer, dataset: str, sentences: list[ref.NerSentence]) -> NameScore:
    gold = found = predicted = 0
    for sentence in sentences:
        spans = {(s.start, s.end) for s in analyzer.scan(sentence.text, entities=["PERSON"])}
        expected = {_strip_title(sentence.text, g) for g in sentence.names}
        gold += len(expected)
        predicted += len(spans)
        found += len(expected & spans)
    return NameScore(
        dataset=dataset,
        sentences=len(sentences),
        gold=gold,
        found=found,
        predicted=predicted,
        recall=round(found / gold, 4) if gold else 1.0,
        precision=round(found / predicted, 4) if predicted else 1.0,
    )


def evaluate_reference(analyzer: Analyzer, data: Path) -> ReferenceResult:
    pii = data / "pii"
    vectors: list[ref.Vector] = []
    luhn: list[tuple[str, bool]] = []
    out_of_scope = 0
    if (pii / "cn_id_vectors").is_dir():
        id_vectors, luhn = ref.cn_id_vectors(pii / "cn_id_vectors")
        vectors += id_vectors
    if (pii / "presidio_vectors").is_dir():
        presidio, out_of_scope = ref.presidio_vectors(pii / "presidio_vectors")
        vectors += presidio
    names: list[NameScore] = []
    ner = pii / "cn_ner_dev"
    if (ner / "dev.char.bmes").is_file():
        names.append(_name_score(analyzer, "ResumeNER dev", ref.resume_dev(ner)))
    if (ner / "weiboNER_2nd_conll.dev").is_file():
        names.append(_name_score(analyzer, "WeiboNER dev", ref.weibo_dev(ner)))
    return ReferenceResult(
        data=str(pii),
        vectors=_vector_scores(analyzer, vectors),
        luhn_cases=len(luhn),
        luhn_correct=sum(luhn_valid(number) == valid for number, valid in luhn),
        out_of_scope=out_of_scope,
        names=names,
    )


def reference_bins(data: Path | None) -> Path | None:
    """The published BIN table under `<data>/pii`, when it is there."""
    if data is None:
        return None
    path = data / "pii" / "cn_pii_reference" / "bank_card_bins.json"
    return path if path.is_file() else None


def evaluate_pii(
    data: Path | None,
    *,
    config: PiiConfig | None = None,
    texts: int = 300,
    seed: int = DEFAULT_SEED,
) -> PiiEvalReport:
    """Run both parts; `data` None (or without a `pii` folder) evaluates the generated texts only."""
    started = time.perf_counter()
    config = config or PiiConfig()
    analyzer = Analyzer(config)
    generated = evaluate_generated(analyzer, texts=texts, seed=seed)
    reference: ReferenceResult | None = None
    note: str | None = None
    if data is not None and (data / "pii").is_dir():
        reference = evaluate_reference(analyzer, data)
    else:
        note = "reference data not found; pass --data DIR (the folder that holds pii/) to include it"
    targets = [
        Target(name="structured recall", value=generated.structured.recall,
               threshold=TARGETS["structured_recall"],
               met=generated.structured.recall >= TARGETS["structured_recall"]),
        Target(name="structured precision", value=generated.structured.precision,
               threshold=TARGETS["structured_precision"],
               met=generated.structured.precision >= TARGETS["structured_precision"]),
        Target(name="near-miss false positives", value=generated.near_misses.false_positives,
               threshold=TARGETS["near_miss_false_positives"],
               met=generated.near_misses.false_positives <= TARGETS["near_miss_false_positives"]),
        Target(name="person-name recall (generated)", value=generated.person.recall,
               threshold=TARGETS["person_recall"], met=generated.person.recall >= TARGETS["person_recall"]),
    ]  # fmt: skip
    resume = next((n for n in reference.names if n.dataset == "ResumeNER dev"), None) if reference else None
    if resume is not None:
        targets.append(
            Target(
                name="person-name recall (ResumeNER dev)",
                value=resume.recall,
                threshold=TARGETS["resume_person_recall"],
                met=resume.recall >= TARGETS["resume_person_recall"],
            )
        )
    return PiiEvalReport(
        generated=generated,
        reference=reference,
        reference_note=note,
        bank_card_bins=["built-in", *(str(p) for p in config.bank_card_bins)],
        targets=targets,
        seconds=round(time.perf_counter() - started, 2),
    )


def to_text(report: PiiEvalReport) -> str:
    """The report as the plain-text table `bankmind eval pii` prints."""
    g = report.generated
    lines = [
        f"generated banking texts: {g.texts} texts, {g.characters:,} characters, seed {g.seed}",
        f"bank-card BIN lists: {', '.join(report.bank_card_bins)}",
        "",
        f"{'entity':<12}{'gold':>6}{'found':>7}{'tp':>6}{'precision':>11}{'recall':>8}{'f1':>8}",
    ]
    for s in [*g.entities, g.structured]:
        lines.append(
            f"{s.name:<12}{s.gold:>6}{s.predicted:>7}{s.true_positives:>6}"
            f"{s.precision:>11.4f}{s.recall:>8.4f}{s.f1:>8.4f}"
        )
    nm = g.near_misses
    kinds = ", ".join(f"{k} {v}" for k, v in nm.by_kind.items())
    lines += ["", f"near misses: {nm.total} injected ({kinds}); false positives: {nm.false_positives}"]
    if nm.false_positives_by_kind:
        lines.append(
            "  false positives by kind: "
            + ", ".join(f"{k} {v}" for k, v in nm.false_positives_by_kind.items())
        )
    r = report.reference
    if r is not None:
        lines += ["", f"reference data: {r.data}"]
        for v in r.vectors:
            lines.append(f"  {v.source:<32} {v.entity:<10} {v.correct}/{v.cases} correct")
            lines += [f"      wrong: {text}" for text in v.wrong[:5]]
        lines.append(f"  {'stdnum luhn':<32} {'':<10} {r.luhn_correct}/{r.luhn_cases} correct")
        lines.append(f"  out of scope (IBAN, non-Chinese phone numbers): {r.out_of_scope} cases")
        for n in r.names:
            lines.append(
                f"  {n.dataset:<32} PERSON     recall {n.recall:.4f} ({n.found}/{n.gold}), "
                f"precision {n.precision:.4f} ({n.found}/{n.predicted}), {n.sentences} sentences"
            )
    elif report.reference_note:
        lines += ["", report.reference_note]
    lines += ["", "targets:"]
    for t in report.targets:
        op = "≤" if t.name.startswith("near-miss") else "≥"
        value = f"{t.value:g}" if t.name.startswith("near-miss") else f"{t.value:.4f}"
        lines.append(f"  {'ok  ' if t.met else 'MISS'} {t.name}: {value} (target {op} {t.threshold:g})")
    lines.append(f"\n{report.seconds:.1f} s")
    return "\n".join(lines)
