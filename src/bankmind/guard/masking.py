"""Reversible masking for one request: `Vault.mask` before the model, `Vault.unmask` after.

    vault = Vault()
    masked = vault.mask("客户张伟，身份证110101199003071237")   # '客户<PERSON_1>，身份证<CN_ID_1>'
    reply = model(masked)                                      # '<PERSON_1>的证件已核实'
    vault.unmask(reply)                                        # '张伟的证件已核实'

Placeholders are typed and numbered per type. Within one vault the same value always gets the same
placeholder, across every message of the request; a different value gets the next number. Card,
ID and phone numbers are compared by their digits (`6222 0202 …` and `62220202…` are one card).
Placeholder-like text already in an input (`<CN_ID_1>` typed by a user) is never reused for a real
value, so it cannot be turned into someone's data on the way back.

`StreamUnmasker` restores placeholders in a streamed answer, also when one is split across chunks
(`<CN_` + `ID_1>`): it holds back only a trailing `<…` that could still become a placeholder of this
vault and emits everything else at once.

A vault lives in memory for one request. It is never logged, and its `repr()` shows entity types
and counts only, never the values.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import Counter
from collections.abc import Collection

from bankmind.guard.pii import Analyzer, default_analyzer, partial_mask

__all__ = ["PLACEHOLDER", "StreamUnmasker", "Vault", "mask_for_display"]

PLACEHOLDER = re.compile(r"<([A-Z][A-Z0-9_]*?)_([1-9][0-9]*)>")
"""A typed placeholder such as `<CN_ID_1>` or `<BANK_CARD_12>`."""

_NUMERIC = frozenset({"CN_ID", "BANK_CARD", "CN_MOBILE", "CN_PHONE", "USCC", "PASSPORT"})
_SEPARATORS = re.compile(r"[\s\-()]")
_COUNTRY = re.compile(r"^(?:\+|00)?86(?=1[3-9]\d{9}$)")


def _canonical(type: str, value: str) -> str:
    """The form two mentions of one value share: digits only for numbers, lower case for e-mail."""
    if type in _NUMERIC:
        compact = _SEPARATORS.sub("", value).upper()
        return _COUNTRY.sub("", compact) if type == "CN_MOBILE" else compact
    if type == "EMAIL":
        return value.strip().lower()
    return value.strip()


class Vault:
    """Placeholders and the originals behind them, for one request only."""

    __slots__ = (
        "_analyzer",
        "_by_key",
        "_counts",
        "_entities",
        "_lock",
        "_min_score",
        "_next",
        "_originals",
        "_reserved",
    )

    def __init__(
        self,
        analyzer: Analyzer | None = None,
        *,
        entities: Collection[str] | None = None,
        min_score: float | None = None,
    ) -> None:
        self._analyzer = analyzer or default_analyzer()
        self._entities = tuple(entities) if entities is not None else None
        self._min_score = min_score
        self._by_key: dict[tuple[str, str], str] = {}
        self._originals: dict[str, str] = {}
        self._next: Counter[str] = Counter()
        self._reserved: set[str] = set()
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        types = ", ".join(f"{t}={n}" for t, n in sorted(self.counts().items()))
        return f"Vault({types})" if types else "Vault(empty)"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Vault holds personal data for one request and cannot be pickled or copied")

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The placeholders handed out so far (not the values behind them)."""
        return tuple(self._originals)

    def counts(self) -> dict[str, int]:
        """How many entities of each type were masked (occurrences, over all `mask` calls)."""
        return dict(self._counts)

    def mask(self, text: str) -> str:
        """`text` with each entity replaced by its typed placeholder.

        Values this vault already holds are masked wherever they appear again, also where the
        analyzer alone would not flag them (张伟 named as 客户张伟 in one message, bare in the next).
        """
        spans = self._analyzer.scan(text, entities=self._entities, min_score=self._min_score)
        with self._lock:
            self._reserved.update(
                m.group() for m in PLACEHOLDER.finditer(text) if m.group() not in self._originals
            )
            found = [(s.start, s.end, s.type, s.text) for s in spans]
            for span in spans:
                self._placeholder(span.type, span.text)
            found += self._repeats(text, found)
            if not found:
                return text
            found.sort()
            out: list[str] = []
            pos = 0
            for start, end, type, value in found:
                out.append(text[pos:start])
                out.append(self._placeholder(type, value))
                self._counts[type] += 1
                pos = end
            out.append(text[pos:])
            return "".join(out)

    def _repeats(self, text: str, found: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
        """Occurrences of values already in this vault (two characters or more) outside `found`."""
        types: dict[str, str] = {}
        for placeholder, value in self._originals.items():
            if len(value) > 1:
                types.setdefault(value, placeholder[1:].rsplit("_", 1)[0])
        if not types:
            return []
        pattern = re.compile("|".join(re.escape(v) for v in sorted(types, key=len, reverse=True)))
        taken = sorted((start, end) for start, end, _, _ in found)
        starts = [start for start, _ in taken]
        repeats: list[tuple[int, int, str, str]] = []
        for m in pattern.finditer(text):
            at = bisect.bisect_left(starts, m.end())
            if at and taken[at - 1][1] > m.start():
                continue  # inside or across a span the analyzer found
            repeats.append((m.start(), m.end(), types[m.group()], m.group()))
        return repeats

    def _placeholder(self, type: str, value: str) -> str:
        key = (type, _canonical(type, value))
        found = self._by_key.get(key)
        if found is not None:
            return found
        while True:
            self._next[type] += 1
            candidate = f"<{type}_{self._next[type]}>"
            if candidate not in self._reserved:
                break
        self._by_key[key] = candidate
        self._originals[candidate] = value
        return candidate

    def unmask(self, text: str) -> str:
        """`text` with this vault's placeholders replaced by the originals; other text untouched."""
        if "<" not in text or not self._originals:
            return text
        originals = self._originals
        return PLACEHOLDER.sub(lambda m: originals.get(m.group(), m.group()), text)

    def could_become_placeholder(self, tail: str) -> bool:
        """True when `tail` (starting with '<') is the beginning of one of this vault's placeholders."""
        return any(p.startswith(tail) for p in self._originals)


class StreamUnmasker:
    """Unmasks a streamed answer chunk by chunk; call `finish()` at the end of the stream."""

    __slots__ = ("_buffer", "_vault")

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._buffer = ""

    def __repr__(self) -> str:
        return f"StreamUnmasker(held={len(self._buffer)})"

    def feed(self, chunk: str) -> str:
        """The text that can be shown now; a trailing piece that may be a split placeholder waits."""
        buffer = self._buffer + chunk
        cut = len(buffer)
        start = buffer.rfind("<")
        if start >= 0 and ">" not in buffer[start:] and self._vault.could_become_placeholder(buffer[start:]):
            cut = start
        self._buffer = buffer[cut:]
        return self._vault.unmask(buffer[:cut])

    def finish(self) -> str:
        """Whatever is still held back (a `<…` that never became a placeholder), unmasked."""
        rest, self._buffer = self._buffer, ""
        return self._vault.unmask(rest)


def mask_for_display(
    text: str, *, analyzer: Analyzer | None = None, entities: Collection[str] | None = None
) -> str:
    """`text` with each entity partially hidden for display (`138****5678`, `张*`); not reversible."""
    spans = (analyzer or default_analyzer()).scan(text, entities=entities)
    out: list[str] = []
    pos = 0
    for span in spans:
        out.append(text[pos : span.start])
        out.append(partial_mask(span.text, span.type))
        pos = span.end
    out.append(text[pos:])
    return "".join(out)
