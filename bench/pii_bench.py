"""PII scan throughput (MB/s) and recall: bankmind vs presidio-analyzer, on the same texts, in one run.

    .venv/bin/python bench/pii_bench.py [--texts 600] [--rounds 3] [--format json]

The texts are bankmind's generated banking texts (chat transcripts, loan and KYC notes, complaint
records, transfer instructions; `bankmind.eval.pii_corpus`, fixed seed) with gold spans and near
misses. Presidio is configured offline with its own pattern recognizers: the predefined
CreditCardRecognizer, EmailRecognizer and PhoneRecognizer (region CN), plus PatternRecognizers for
the Chinese resident ID, USCC and passport numbers written the way a bank would configure them
(Presidio ships no Chinese recognizers). Its NLP engine is a blank spaCy "zh" pipeline (no model
download); tldextract is pointed at its bundled suffix list, so nothing touches the network.

Reported per engine: MB/s (UTF-8 bytes scanned per second, best of the rounds, both engines
interleaved), recall per structured entity type (a gold span counts as found when a span of a
matching type overlaps it), and false positives on the injected near misses.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""  # presidio's e-mail check: bundled list, no download

from bankmind.eval.pii_corpus import DEFAULT_SEED, LabeledText, generate
from bankmind.guard.pii import STRUCTURED, Analyzer, PiiConfig

Found = list[tuple[str, int, int]]
PRESIDIO_TYPES = {
    "CREDIT_CARD": ("BANK_CARD",),
    "EMAIL_ADDRESS": ("EMAIL",),
    "PHONE_NUMBER": ("CN_MOBILE", "CN_PHONE"),
    "CN_ID": ("CN_ID",),
    "USCC": ("USCC",),
    "PASSPORT": ("PASSPORT",),
}


def presidio_engine() -> Callable[[str], Found]:
    import spacy
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SlimSpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        PhoneRecognizer,
    )

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)

    class BlankChinese(SlimSpacyNlpEngine):
        """Presidio's slim engine on spacy.blank('zh'): tokens only, nothing downloaded."""

        def load(self) -> None:
            self.nlp = {"zh": spacy.blank("zh")}  # type: ignore[assignment]

    nlp = BlankChinese(models=[{"lang_code": "zh", "model_name": "blank"}])
    nlp.load()
    registry = RecognizerRegistry(supported_languages=["zh"])
    for recognizer in (
        CreditCardRecognizer(supported_language="zh"),
        EmailRecognizer(supported_language="zh"),
        PhoneRecognizer(supported_language="zh", supported_regions=("CN",)),
        PatternRecognizer(
            "CN_ID",
            supported_language="zh",
            patterns=[Pattern("cn_id", r"(?<!\d)\d{17}[\dXx](?!\d)", 0.5)],
            context=["身份证", "证件号"],
        ),
        PatternRecognizer(
            "USCC",
            supported_language="zh",
            patterns=[Pattern("uscc", r"(?<![0-9A-Z])\d{8}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])", 0.5)],
            context=["统一社会信用代码", "信用代码"],
        ),
        PatternRecognizer(
            "PASSPORT",
            supported_language="zh",
            patterns=[Pattern("passport", r"(?<![0-9A-Z])(?:[EG]\d{8}|E[A-HJ-NP-Z]\d{7})(?![0-9A-Z])", 0.3)],
            context=["护照"],
        ),
    ):
        registry.add_recognizer(recognizer)
    engine = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["zh"])

    def scan(text: str) -> Found:
        return [(r.entity_type, r.start, r.end) for r in engine.analyze(text, language="zh")]

    return scan


def bankmind_engine(recognizers: tuple[str, ...] | None = None) -> Callable[[str], Found]:
    analyzer = Analyzer(PiiConfig(recognizers=recognizers))

    def scan(text: str) -> Found:
        return [(s.type, s.start, s.end) for s in analyzer.scan(text)]

    return scan


def _compatible(found_type: str, gold_type: str) -> bool:
    return gold_type in PRESIDIO_TYPES.get(found_type, (found_type,))


def quality(texts: Sequence[LabeledText], results: Sequence[Found]) -> dict[str, object]:
    gold: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    near_fp = 0
    near_total = 0
    for item, found in zip(texts, results, strict=True):
        for g in item.spans:
            if g.type not in STRUCTURED:
                continue
            gold[g.type] += 1
            if any(_compatible(t, g.type) and s < g.end and g.start < e for t, s, e in found):
                hit[g.type] += 1
        for miss in item.near_misses:
            near_total += 1
            near_fp += any(s < miss.end and miss.start < e for _, s, e in found)
    recall = {t: round(hit[t] / gold[t], 4) for t in STRUCTURED if gold[t]}
    total = sum(gold.values())
    return {
        "structured_recall": round(sum(hit.values()) / total, 4) if total else 1.0,
        "recall": recall,
        "near_miss_false_positives": near_fp,
        "near_misses": near_total,
    }


def measure(
    engines: dict[str, Callable[[str], Found]], texts: Sequence[LabeledText], rounds: int
) -> dict[str, dict[str, object]]:
    size = sum(len(t.text.encode("utf-8")) for t in texts)
    plain = [t.text for t in texts]
    times: dict[str, list[float]] = {name: [] for name in engines}
    results: dict[str, list[Found]] = {}
    for scan in engines.values():  # warm up: load models, fill caches
        scan(plain[0])
    for _ in range(rounds):  # interleaved, so a busy machine slows both alike
        for name, scan in engines.items():
            started = time.perf_counter()
            out = [scan(t) for t in plain]
            times[name].append(time.perf_counter() - started)
            results[name] = out
    report: dict[str, dict[str, object]] = {}
    for name in engines:
        best = min(times[name])
        report[name] = {
            "mb_per_s": round(size / best / 1e6, 3),
            "seconds_best": round(best, 3),
            "seconds_median": round(statistics.median(times[name]), 3),
            **quality(texts, results[name]),
        }
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=600, help="generated texts to scan (default 600)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per engine (default 3)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--join", type=int, default=5, help="texts per document in the second pass (default 5)"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)

    texts = generate(args.texts, seed=args.seed)
    engines = {
        "bankmind (all 9 recognizers)": bankmind_engine(),
        "bankmind (structured only)": bankmind_engine(
            ("cn_id", "bank_card", "cn_mobile", "cn_phone", "email", "uscc", "passport")
        ),
        "presidio-analyzer (patterns)": presidio_engine(),
    }
    passes = {
        "one text per call": texts,
        f"{args.join} texts per call": join(texts, args.join),
    }
    results = {}
    for label, docs in passes.items():
        report = measure(engines, docs, args.rounds)
        size = sum(len(d.text.encode("utf-8")) for d in docs)
        presidio = float(report["presidio-analyzer (patterns)"]["mb_per_s"])  # type: ignore[arg-type]
        ratio = round(float(report["bankmind (all 9 recognizers)"]["mb_per_s"]) / presidio, 1)  # type: ignore[arg-type]
        results[label] = {"documents": len(docs), "bytes": size, "engines": report, "ratio": ratio}
    if args.format == "json":
        print(json.dumps(results, ensure_ascii=False))
        return 0
    for label, res in results.items():
        docs_n, size = res["documents"], int(res["bytes"])  # type: ignore[call-overload]
        print(
            f"{label}: {docs_n} documents, {size / 1e6:.2f} MB UTF-8 ({size / docs_n / 1000:.1f} KB each), "
            f"best of {args.rounds} rounds"
        )
        print(f"{'engine':<30}{'MB/s':>8}{'recall':>8}{'near-miss FP':>14}   recall by type")
        for name, row in res["engines"].items():  # type: ignore[attr-defined]
            by_type = " ".join(f"{t}={v:.2f}" for t, v in row["recall"].items())
            fp = f"{row['near_miss_false_positives']}/{row['near_misses']}"
            print(f"{name:<30}{row['mb_per_s']:>8.3f}{row['structured_recall']:>8.3f}{fp:>14}   {by_type}")
        print(f"throughput ratio bankmind (all recognizers) / presidio: {res['ratio']}x (target >= 5x)\n")
    return 0


def join(texts: Sequence[LabeledText], size: int) -> list[LabeledText]:
    """Consecutive texts joined into documents (a prompt of about 2 KB), spans shifted to match."""
    docs: list[LabeledText] = []
    for at in range(0, len(texts), size):
        parts, spans, misses, offset = [], [], [], 0
        for item in texts[at : at + size]:
            spans += [replace(g, start=g.start + offset, end=g.end + offset) for g in item.spans]
            misses += [replace(m, start=m.start + offset, end=m.end + offset) for m in item.near_misses]
            parts.append(item.text + "\n")
            offset += len(item.text) + 1
        docs.append(LabeledText("document", "".join(parts), tuple(spans), tuple(misses)))
    return docs


if __name__ == "__main__":
    sys.exit(main())
