"""Find personal information in text: `scan(text)` → sorted, non-overlapping `PiiSpan`s.

    >>> from bankmind.guard.pii import scan
    >>> [(s.type, s.text) for s in scan("客户张伟，手机13812345678")]
    [('PERSON', '张伟'), ('CN_MOBILE', '13812345678')]

An `Analyzer` holds the loaded recognizers (create it once and share it: `scan` is thread-safe and
never changes the analyzer). Per candidate it adds Presidio-style context-word boosting: a context
word of the entity shortly before (16 characters) or after (6) raises the score by 0.35; a nearer
negative word (订单号, 合同编号 ...) lowers weakly validated candidates by 0.35. Overlaps are resolved
deterministically: validated (a check digit, region code or birth date passed: CN_ID, BANK_CARD,
USCC) beats unvalidated, then the higher score, the longer span, the earlier start. Spans below
`min_score` (default 0.5) are dropped.

Offsets are character offsets into the text as given. Full-width digits and Latin letters
(１３８…) are read as their ASCII forms. Nothing here logs or stores the text.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bankmind.errors import InputError
from bankmind.guard.recognizers import Candidate, Recognizer, RecognizerRegistry, Resources, default_registry

__all__ = [
    "STRUCTURED",
    "Analyzer",
    "PiiConfig",
    "PiiSpan",
    "default_analyzer",
    "normalize",
    "partial_mask",
    "scan",
]

log = logging.getLogger(__name__)

STRUCTURED = ("CN_ID", "BANK_CARD", "CN_MOBILE", "CN_PHONE", "USCC", "EMAIL", "PASSPORT")
"""Entity types with a fixed format (checked by digits, not by language)."""

_BOOST = 0.35
_BEFORE = 16
_AFTER = 6
_CLAUSE_END = re.compile(r"[，。；;,\n]")
_NEGATIVE_BELOW = 0.8  # negative context applies to candidates scored below this (no check digit)
_WIDE = {0xFF10 + i: 0x30 + i for i in range(10)}
_WIDE.update({0xFF21 + i: 0x41 + i for i in range(26)})
_WIDE.update({0xFF41 + i: 0x61 + i for i in range(26)})
_WIDE.update({0xFF0B: 0x2B, 0xFF0D: 0x2D, 0xFF20: 0x40, 0xFF0E: 0x2E, 0xFF3F: 0x5F})


_HAS_WIDE = re.compile("[\uff0b\uff0d\uff0e\uff10-\uff19\uff20-\uff3a\uff3f\uff41-\uff5a]")


def normalize(text: str) -> str:
    """Full-width digits, Latin letters and + - @ . _ as ASCII; same length, so offsets carry over."""
    return text.translate(_WIDE) if _HAS_WIDE.search(text) else text


class PiiSpan(BaseModel):
    """One piece of personal information: entity type, character offsets, the text and a score."""

    model_config = ConfigDict(frozen=True)

    type: str = Field(description="Entity type, e.g. CN_ID, BANK_CARD, CN_MOBILE, PERSON.")
    start: int = Field(description="Offset of the first character in the input.")
    end: int = Field(description="Offset after the last character.")
    text: str = Field(description="The text of the span, exactly as in the input.")
    score: float = Field(description="Confidence in [0, 1].")
    recognizer: str = Field(description="Name of the recognizer that found it.")
    validated: bool = Field(description="A check digit or region code passed (CN_ID, BANK_CARD, USCC).")


class PiiConfig(BaseModel):
    """Which recognizers run and how; built from the `pii` settings (`PiiConfig.from_settings`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    recognizers: tuple[str, ...] | None = Field(
        default=None, description="Recognizer names to run (`bankmind pii recognizers`); unset: all."
    )
    min_score: float = Field(default=0.5, ge=0.0, le=1.0, description="Drop spans scored below this.")
    context_words: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="Extra context words per entity type, added to the built-in ones."
    )
    bank_card_bins: tuple[Path, ...] = Field(
        default=(), description="Extra BIN lists (text 'PREFIX BANK' lines or JSON [{'bin','bank'}])."
    )
    plugins: tuple[str, ...] = Field(
        default=(), description="Modules with register(registry) that add recognizers; only these load."
    )

    @classmethod
    def from_settings(cls, settings: Any) -> PiiConfig:
        """Read `settings.pii` when the settings carry one, else the defaults."""
        pii = getattr(settings, "pii", None)
        if pii is None:
            return cls()
        values = pii.model_dump() if isinstance(pii, BaseModel) else dict(pii)
        return cls.model_validate({k: v for k, v in values.items() if k in cls.model_fields})


def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


class _Loaded:
    """A recognizer instance with its context words resolved and compiled."""

    __slots__ = ("entity", "name", "negative", "negative_re", "positive", "positive_re", "recognizer")

    def __init__(self, recognizer: Recognizer, positive: tuple[str, ...], negative: tuple[str, ...]) -> None:
        self.recognizer = recognizer
        self.name = recognizer.name
        self.entity = recognizer.entity
        self.positive = positive
        self.negative = negative
        self.positive_re = _words_pattern(positive)
        self.negative_re = _words_pattern(negative)


class Analyzer:
    """Loaded recognizers plus context boosting and overlap resolution. Create once, share freely."""

    def __init__(
        self, config: PiiConfig | None = None, *, registry: RecognizerRegistry | None = None
    ) -> None:
        self.config = config or PiiConfig()
        registry = registry or default_registry(self.config.plugins)
        names = self.config.recognizers if self.config.recognizers is not None else registry.names()
        classes = [registry.get(name) for name in names]  # unknown names: ConfigError listing valid ones
        resources = Resources(self.config.bank_card_bins)
        loaded: list[_Loaded] = []
        for cls in classes:
            data = resources.context(cls.entity)
            extra = self.config.context_words.get(cls.entity, ())
            positive = tuple(dict.fromkeys((*data.get("context", ()), *cls.context, *extra)))
            negative = tuple(dict.fromkeys((*data.get("negative", ()), *cls.negative_context)))
            loaded.append(_Loaded(cls(resources), positive, negative))
        self._loaded = tuple(loaded)
        self.entities: tuple[str, ...] = tuple(dict.fromkeys(r.entity for r in loaded))
        self.recognizers: tuple[str, ...] = tuple(r.name for r in loaded)
        if "BANK_CARD" in self.entities:
            _ = resources.bins  # load everything now, not in the first request
        _ = resources.places

    def __repr__(self) -> str:
        return f"Analyzer(recognizers={list(self.recognizers)})"

    def context_words(self, entity: str) -> tuple[str, ...]:
        """The context words that raise the score of `entity` spans (built-in plus configured)."""
        for item in self._loaded:
            if item.entity == entity:
                return item.positive
        return ()

    def scan(
        self, text: str, *, entities: Collection[str] | None = None, min_score: float | None = None
    ) -> list[PiiSpan]:
        """Spans of personal information in `text`, sorted by start, never overlapping."""
        wanted = self._check_entities(entities)
        threshold = self.config.min_score if min_score is None else min_score
        if not text:
            return []
        norm = normalize(text)
        found: list[tuple[Candidate, float, _Loaded]] = []
        for item in self._loaded:
            if wanted is not None and item.entity not in wanted:
                continue
            for cand in item.recognizer.analyze(norm):
                score = _contextual_score(norm, cand, item)
                if score >= threshold:
                    found.append((cand, score, item))
        kept = _resolve(found)
        log.debug("pii.scan", extra={"chars": len(text), "spans": len(kept)})
        return [
            PiiSpan(
                type=item.entity,
                start=c.start,
                end=c.end,
                text=text[c.start : c.end],
                score=round(score, 2),
                recognizer=item.name,
                validated=c.validated,
            )
            for c, score, item in kept
        ]

    def _check_entities(self, entities: Collection[str] | None) -> frozenset[str] | None:
        if entities is None:
            return None
        wanted = frozenset(e.strip().upper() for e in entities if e.strip())
        unknown = sorted(wanted - set(self.entities))
        if unknown:
            raise InputError(
                f"unknown PII entity type {', '.join(unknown)}; use one of: {', '.join(self.entities)}"
            )
        return wanted


def _nearest(text: str, pattern: re.Pattern[str] | None, start: int, end: int) -> int:
    """End of the last match of `pattern` within text[start:end], or -1."""
    best = -1
    if pattern is not None:
        for m in pattern.finditer(text, start, end):
            best = m.end()
    return best


def _contextual_score(text: str, cand: Candidate, item: _Loaded) -> float:
    window = max(0, cand.start - _BEFORE)
    positive = _nearest(text, item.positive_re, window, cand.start)
    if positive < 0 and item.positive_re is not None:
        stop = _CLAUSE_END.search(text, cand.end, cand.end + _AFTER)  # 卡号…，联系电话 labels the next field
        if item.positive_re.search(text, cand.end, stop.start() if stop else cand.end + _AFTER):
            positive = 0
    negative = _nearest(text, item.negative_re, window, cand.start) if cand.score < _NEGATIVE_BELOW else -1
    if negative > positive:
        return max(0.0, cand.score - _BOOST)
    if positive >= 0:
        return min(1.0, cand.score + _BOOST)
    return cand.score


def _resolve(found: list[tuple[Candidate, float, _Loaded]]) -> list[tuple[Candidate, float, _Loaded]]:
    """Keep the best of overlapping spans: validated, then score, then length, then earliest."""
    order = sorted(
        found,
        key=lambda f: (not f[0].validated, -f[1], f[0].start - f[0].end, f[0].start, f[2].entity),
    )
    kept: list[tuple[Candidate, float, _Loaded]] = []
    starts: list[int] = []  # starts and ends of the kept spans, sorted; kept spans never overlap
    ends: list[int] = []
    for entry in order:
        c = entry[0]
        at = bisect.bisect_left(starts, c.end)  # kept spans starting before c ends ...
        if at and ends[at - 1] > c.start:  # ... the last of them must end before c starts
            continue
        starts.insert(at, c.start)
        ends.insert(at, c.end)
        kept.append(entry)
    kept.sort(key=lambda f: f[0].start)
    return kept


@lru_cache(maxsize=1)
def default_analyzer() -> Analyzer:
    """A process-wide analyzer with the built-in recognizers and default settings."""
    return Analyzer()


def scan(text: str, *, entities: Collection[str] | None = None) -> list[PiiSpan]:
    """Personal information in `text`, found by the default analyzer."""
    return default_analyzer().scan(text, entities=entities)


# partial masking for display ------------------------------------------------------------------
_DIGITISH = re.compile(r"[0-9A-Za-z]")


def _mask_chars(value: str, keep_first: int, keep_last: int) -> str:
    """Replace letters and digits with '*' except the first and last few; keep separators as they are."""
    positions = [i for i, ch in enumerate(value) if _DIGITISH.match(ch)]
    hidden = set(positions[keep_first : len(positions) - keep_last] if keep_last else positions[keep_first:])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(value))


def _mask_mobile(value: str) -> str:
    m = re.match(r"^(\(?(?:\+|00)?86\)?[ -]?)?(.*)$", value)
    prefix, number = (m.group(1) or "", m.group(2)) if m else ("", value)
    return prefix + _mask_chars(number, 3, 4)


def _mask_name(value: str) -> str:
    from bankmind.guard.recognizers.resources import load_surnames

    keep = 2 if value[:2] in load_surnames().compound and len(value) > 2 else 1
    return value[:keep] + "*" * (len(value) - keep)


def _mask_address(value: str) -> str:
    from bankmind.guard.recognizers.resources import load_places

    places = load_places()
    keep = 0
    pos = 0
    while pos < len(value):
        for k in range(min(places.max_len, len(value) - pos), 1, -1):
            piece = value[pos : pos + k]
            if piece in places.names or (piece in places.short and pos + k < len(value)):
                pos += k
                keep = pos
                break
        else:
            break
    keep = keep or min(len(value) // 3, 6)
    return value[:keep] + "*" * min(len(value) - keep, 8)


def partial_mask(value: str, type: str) -> str:
    """A display form that hides the middle: card `6222 **** **** 1234`, ID `1101**********123X`,
    mobile `138****5678`, name `张*` / `欧阳**`, e-mail `z***@example.com`, address `北京市朝阳区****`.
    """
    if not value:
        return value
    if type == "BANK_CARD":
        return _mask_chars(value, 4, 4)
    if type == "CN_ID":
        return _mask_chars(value, 4, 4)
    if type == "CN_MOBILE":
        return _mask_mobile(value)
    if type == "CN_PHONE":
        area = re.match(r"^\(?0(?:10|2\d|[3-9]\d{2})\)?[ -]?", value)
        head = area.group() if area else ""
        return head + _mask_chars(value[len(head) :], 0, 4)
    if type == "EMAIL" and "@" in value:
        local, domain = value.split("@", 1)
        return local[:1] + "***@" + domain
    if type == "USCC":
        return _mask_chars(value, 4, 4)
    if type == "PASSPORT":
        return _mask_chars(value, 1, 3)
    if type == "PERSON":
        return _mask_name(value)
    if type == "ADDRESS":
        return _mask_address(value)
    if len(value) <= 2:
        return value[0] + "*" * (len(value) - 1)
    return value[0] + "*" * (len(value) - 2) + value[-1]
