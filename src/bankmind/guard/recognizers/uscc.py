"""USCC: unified social credit codes of organisations (统一社会信用代码, GB 32100-2015).

18 characters: registration authority and type (2 digits), a region code that exists in the table
of administrative divisions (6 digits), the organisation code (9 characters, GB 11714, with its own
check character), and the GB 32100 check character (mod 31 over the alphabet without I, O, S, V, Z).
All three checks must pass; `91 110000 600037341L` with single spaces is accepted too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bankmind.guard.recognizers import Candidate, Recognizer

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_PATTERN = re.compile(  # the leading (?=...) lets `re` skip quickly to possible first characters
    r"(?=\d)(?<![0-9A-Za-z])"
    r"(?P<head>\d{2})(?P<s> ?)(?P<region>\d{6})(?P=s)"
    r"(?P<org>[0-9A-HJ-NPQRTUWXY]{9})(?P<check>[0-9A-HJ-NPQRTUWXY])"
    r"(?![0-9A-Za-z])"
)


def check_character(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_character(first8: str) -> str:
    """The GB 11714 check character of an organisation code's first 8 characters."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True)
    )
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


class UsccRecognizer(Recognizer):
    name = "uscc"
    entity = "USCC"

    def analyze(self, text: str) -> Iterator[Candidate]:
        regions = self.resources.places.codes
        for m in _PATTERN.finditer(text):
            org = m.group("org")
            code = m.group("head") + m.group("region") + org
            if (
                m.group("check") == check_character(code)
                and m.group("region") in regions
                and org[8] == org_check_character(org[:8])
            ):
                yield Candidate(m.start(), m.end(), 0.95, validated=True)
