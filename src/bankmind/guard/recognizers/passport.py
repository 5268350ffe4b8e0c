"""PASSPORT: passport numbers of the People's Republic of China.

Ordinary passports: `E` + 8 digits, `E` + a letter + 7 digits (since 2019), older `G` + 8 digits;
diplomatic, service and public-affairs passports: `D`, `S`, `P` (optionally followed by `E`) +
7 digits. A passport number has no check digit and looks like many product or order codes, so it
scores 0.4 alone and is reported only near a context word (护照, passport, 证件号码 ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bankmind.guard.recognizers import Candidate, Recognizer

_PATTERN = re.compile(  # the leading (?=...) lets `re` skip quickly to possible first characters
    r"(?=[DEGPS])(?<![0-9A-Za-z])(?:[EG]\d{8}|E[A-HJ-NP-Z]\d{7}|[DSP]E?\d{7})(?![0-9A-Za-z])(?!\.\d)"
)


class PassportRecognizer(Recognizer):
    name = "passport"
    entity = "PASSPORT"

    def analyze(self, text: str) -> Iterator[Candidate]:
        for m in _PATTERN.finditer(text):
            yield Candidate(m.start(), m.end(), 0.4)
