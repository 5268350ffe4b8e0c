"""`bankmind pii scan|mask|recognizers`: find and mask personal information in text on stdin.

Exit codes follow the CLI contract: `scan` exits 0 when nothing is found and 1 when personal
information is found; `mask` is a transformation and exits 0 whenever it produced the masked text;
both exit 2 when the input could not be read (not UTF-8, GBK/GB18030 or UTF-16 text) or on a bad option.
"""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

import typer

from bankmind.cli.output import Format, emit_json, emit_table, err
from bankmind.config import load_settings
from bankmind.errors import InputError
from bankmind.guard.masking import Vault, mask_for_display
from bankmind.guard.pii import Analyzer, PiiConfig, partial_mask
from bankmind.guard.recognizers import default_registry

app = typer.Typer(
    help="Find and mask personal information (PII) in text read from stdin.", no_args_is_help=True
)

_ENTITIES = typer.Option(
    None, "--entities", help="Only these entity types, comma-separated (CN_ID,BANK_CARD)."
)
_MIN_SCORE = typer.Option(None, "--min-score", min=0.0, max=1.0, help="Drop spans scored below this (0.5).")
_BINS = typer.Option(None, "--bins", help="Extra bank-card BIN list (text 'PREFIX BANK' lines or JSON).")
_FORMAT = typer.Option(Format.text, "--format", help="text or json.")

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_UNREADABLE = (
    "standard input is not text in UTF-8, GBK/GB18030 or UTF-16; convert it first, "
    "e.g. iconv -f GBK -t UTF-8 FILE | bankmind pii scan"
)


def _mostly_chinese(text: str) -> bool:
    wide = [ord(c) for c in text if ord(c) > 0x7F]
    cjk = sum(1 for c in wide if 0x4E00 <= c <= 0x9FFF or 0x3000 <= c <= 0x303F or 0xFF00 <= c <= 0xFFEF)
    return not wide or cjk >= 0.9 * len(wide)


def decode_input(raw: bytes) -> str:
    """Text from bytes in UTF-8 (with or without BOM), GBK/GB18030 or UTF-16/32 (BOM or not)."""
    if not raw:
        return ""
    try:
        for bom, codec in _BOMS:
            if raw.startswith(bom):
                return raw.decode(codec)
        if b"\x00" in raw:  # UTF-16 without a byte-order mark: ASCII characters leave zero bytes
            big_endian = raw[0::2].count(0) > raw[1::2].count(0)
            return raw.decode("utf-16-be" if big_endian else "utf-16-le")
    except UnicodeDecodeError:
        raise InputError(_UNREADABLE) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
        if _mostly_chinese(text):
            return text
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise InputError(_UNREADABLE)
    return str(best)


def _read_stdin() -> str:
    stream = sys.stdin
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        return decode_input(buffer.read())
    return stream.read()  # an already decoded text stream (tests, embedding)


def _analyzer(min_score: float | None, bins: list[Path] | None) -> Analyzer:
    config = PiiConfig.from_settings(load_settings())
    update: dict[str, object] = {}
    if min_score is not None:
        update["min_score"] = min_score
    if bins:
        missing = [str(p) for p in bins if not p.is_file()]
        if missing:
            raise InputError(f"BIN list {', '.join(missing)} not found; check the --bins path")
        update["bank_card_bins"] = (*config.bank_card_bins, *bins)
    return Analyzer(config.model_copy(update=update) if update else config)


def _entities(value: str | None) -> list[str] | None:
    return [e for e in value.split(",") if e.strip()] if value else None


@app.command("scan")
def scan(
    format: Format = _FORMAT,
    entities: str | None = _ENTITIES,
    min_score: float | None = _MIN_SCORE,
    bins: list[Path] | None = _BINS,
) -> None:
    """List the personal information in stdin; exit 1 when there is any, 0 when none."""
    analyzer = _analyzer(min_score, bins)
    text = _read_stdin()
    spans = analyzer.scan(text, entities=_entities(entities))
    if format is Format.json:
        emit_json(spans)
    elif spans:
        rows = [
            {"type": s.type, "start": s.start, "end": s.end, "score": f"{s.score:.2f}",
             "value": partial_mask(s.text, s.type)}
            for s in spans
        ]  # fmt: skip
        emit_table(rows, ["type", "start", "end", "score", "value"])
    else:
        err.print("no personal information found", markup=False)
    raise typer.Exit(1 if spans else 0)


@app.command("mask")
def mask(
    format: Format = _FORMAT,
    entities: str | None = _ENTITIES,
    min_score: float | None = _MIN_SCORE,
    bins: list[Path] | None = _BINS,
    partial: bool = typer.Option(
        False, "--partial", help="Hide the middle of each value (138****5678) instead of placeholders."
    ),
) -> None:
    """Print stdin with each entity replaced by a placeholder such as <CN_ID_1> (exit 0)."""
    analyzer = _analyzer(min_score, bins)
    text = _read_stdin()
    wanted = _entities(entities)
    vault = Vault(analyzer, entities=wanted)
    if partial:
        masked = mask_for_display(text, analyzer=analyzer, entities=wanted)
        counts: dict[str, int] = {}
        for span in analyzer.scan(text, entities=wanted):
            counts[span.type] = counts.get(span.type, 0) + 1
    else:
        masked = vault.mask(text)
        counts = vault.counts()
    if format is Format.json:
        emit_json({"text": masked, "counts": counts})
    else:
        sys.stdout.write(masked)
        sys.stdout.flush()
    raise typer.Exit(0)


@app.command("recognizers")
def recognizers(format: Format = _FORMAT) -> None:
    """List the recognizers, their entity types and context words, and whether they run."""
    config = PiiConfig.from_settings(load_settings())
    registry = default_registry(config.plugins)
    analyzer = Analyzer(config, registry=registry)
    rows = []
    for name in registry.names():
        cls = registry.get(name)
        rows.append(
            {
                "name": name,
                "entity": cls.entity,
                "enabled": name in analyzer.recognizers,
                "module": cls.__module__,
                "context_words": analyzer.context_words(cls.entity),
            }
        )
    if format is Format.json:
        emit_json(rows)
    else:
        emit_table(
            [{**r, "context_words": len(r["context_words"])} for r in rows],  # type: ignore[arg-type]
            ["name", "entity", "enabled", "context_words"],
        )
