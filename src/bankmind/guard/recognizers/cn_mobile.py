"""CN_MOBILE: mainland mobile numbers (11 digits, 1[3-9]x), with +86 / 0086 and separators.

`13812345678`, `138-1234-5678`, `138 1234 5678`, `+86 138 1234 5678`, `(+86)13812345678`. The
first three digits must be an allocated number segment (号段); the number must not be part of a
longer digit run or an amount (`13812345678.00`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bankmind.guard.recognizers import Candidate, Recognizer

# Number segments in use (MIIT allocations: mobile, data-only and virtual-operator ranges).
SEGMENTS = frozenset(
    [f"13{d}" for d in range(10)]
    + ["145", "146", "147", "148", "149"]
    + [f"15{d}" for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)]
    + ["162", "165", "166", "167"]
    + [f"17{d}" for d in range(9)]
    + [f"18{d}" for d in range(10)]
    + [f"19{d}" for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)]
)
_PATTERN = re.compile(  # the leading (?=...) lets `re` skip quickly to possible first characters
    r"(?=[0-9+(])(?<![0-9A-Za-z+])(?<!\d[.,])"
    r"(?:(?:\+|00)86[ -]?|\(\+?86\)[ -]?)?"
    r"(?P<n>1[3-9]\d)(?P<s>[ -]?)\d{4}(?P=s)\d{4}"
    r"(?![0-9A-Za-z])(?!\.\d)"
)


class CnMobileRecognizer(Recognizer):
    name = "cn_mobile"
    entity = "CN_MOBILE"

    def analyze(self, text: str) -> Iterator[Candidate]:
        for m in _PATTERN.finditer(text):
            if m.group("n") in SEGMENTS:
                yield Candidate(m.start(), m.end(), 0.75)
