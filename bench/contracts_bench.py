"""Contract inspection speed: seconds per page for text PDFs and for scanned pages, against the plain
reading a peer pipeline would do on the same files in the same run.

    .venv/bin/python bench/contracts_bench.py [--contracts 6] [--seed 3]

Contracts come from `bankmind.eval.contract_docs.make_contract` (every kind, clean), each written as a
text PDF and as a scanned PDF (150 dpi page images with seals and signatures) outside the timing.
Timed per file, after one warm-up inspection:

* bankmind `inspect_files([path])`: reading (text layer, or render + red removal + OCR), fields,
  rules, seals (detection and ring OCR), signature slots, findings;
* the peer: what a plain pipeline does to get the text alone — pdfplumber's `extract_text()` for a
  text PDF; for a scan, pypdfium2 rendering at the same 150 dpi and RapidOCR as it ships (the same
  bundled models bankmind uses, RapidOCR's default settings) on each page, without seals,
  signatures or checks.

The ratio is bankmind's time over the peer's: what seals, signatures, red removal and the checks
add to reading. Target (the issue): ≤ 2 s per scanned page on 2 cores.
"""

from __future__ import annotations

import argparse
import functools
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2

from bankmind.contracts.inspect import inspect_files
from bankmind.contracts.pages import SCAN_DPI
from bankmind.contracts.rules import load_rules
from bankmind.documents.ocr import model_paths
from bankmind.eval.contract_docs import make_contract
from bankmind.eval.contract_render import write
from bankmind.eval.contract_truth import KINDS

_T0 = time.perf_counter()


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


@functools.cache
def plain_ocr() -> Any:
    """RapidOCR with its default settings on the bundled model files (nothing downloaded)."""
    from rapidocr import RapidOCR

    paths = {f"{stage}.model_path": str(path) for stage, path in model_paths().items()}
    return RapidOCR(params={"Global.log_level": "error", **paths})


def peer(path: Path, scanned: bool) -> int:
    """Read the file's text the plain way; return the number of characters (so it is not optimised away)."""
    data = path.read_bytes()
    if not scanned:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return sum(len(page.extract_text() or "") for page in pdf.pages)
    document = pypdfium2.PdfDocument(data)
    try:
        chars = 0
        for page in document:
            image = page.render(scale=SCAN_DPI / 72).to_pil().convert("RGB")
            chars += sum(len(text) for text in plain_ocr()(image).txts or ())
        return chars
    finally:
        document.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=6, help="contracts per format (default 6)")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    rules = load_rules()
    with tempfile.TemporaryDirectory(prefix="bankmind-bench-contracts-") as tmp:
        files: dict[str, list[tuple[Path, int]]] = {"text_pdf": [], "scanned_pdf": []}
        for i in range(args.contracts):
            contract = make_contract(args.seed + i, KINDS[i % len(KINDS)])
            for fmt in files:
                folder = Path(tmp) / f"{i}-{fmt}"
                folder.mkdir()
                rendering = write(contract, folder, fmt)  # type: ignore[arg-type]
                files[fmt].append((rendering.path, rendering.pages))
        log(f"wrote {args.contracts} contracts as text and scanned PDFs")
        print(f"# contract bench: {args.contracts} contracts per format, seed {args.seed}, 2 cores")
        print(f"{'format':<12} {'pages':>5} {'bankmind s/page':>16} {'peer s/page':>12} {'ratio':>6}  target")
        for fmt, items in files.items():
            scanned = fmt == "scanned_pdf"
            inspect_files([items[0][0]], rules=rules)  # warm-up: OCR models, fonts, rules
            peer(items[0][0], scanned)
            ours: list[float] = []
            theirs: list[float] = []
            pages = 0
            for path, count in items:
                t0 = time.perf_counter()
                inspect_files([path], rules=rules)
                t1 = time.perf_counter()
                peer(path, scanned)
                t2 = time.perf_counter()
                ours.append((t1 - t0) / count)
                theirs.append((t2 - t1) / count)
                pages += count
            mine, other = statistics.mean(ours), statistics.mean(theirs)
            target = ("≤ 2 s: met" if mine <= 2 else "≤ 2 s: NOT met") if scanned else ""
            print(f"{fmt:<12} {pages:>5} {mine:>16.2f} {other:>12.2f} {mine / other:>6.1f}  {target}")
            log(f"{fmt}: done")


if __name__ == "__main__":
    main()
