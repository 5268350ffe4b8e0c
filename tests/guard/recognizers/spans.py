"""The shared check of the recognizer tables (Presidio's `assert_result`, for bankmind spans)."""

from __future__ import annotations

from collections.abc import Sequence

from bankmind.guard.pii import default_analyzer

Expected = tuple[str, int, int, tuple[float, float]]
"""(entity, start, end, (lowest score, highest score))"""


def assert_spans(text: str, expected: Sequence[Expected], *, entities: Sequence[str]) -> None:
    """The spans of `entities` found in `text` are exactly `expected`, with scores in range."""
    found = default_analyzer().scan(text, entities=entities)
    got = [(s.type, s.start, s.end) for s in found]
    want = [(e, start, end) for e, start, end, _ in expected]
    assert got == want, f"{text!r}: found {[(s.type, s.text, s.score) for s in found]}"
    for span, (_, _, _, (low, high)) in zip(found, expected, strict=True):
        assert low <= span.score <= high, f"{span.text!r} scored {span.score}, expected {low}-{high}"
