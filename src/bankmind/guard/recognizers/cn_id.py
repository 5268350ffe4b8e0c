"""CN_ID: resident identity card numbers (居民身份证号码, GB 11643).

18 digits (the last may be X): a region code that exists (or existed) in the table of PRC
administrative divisions, a birth date between 1900-01-01 and today, a 3-digit sequence and the
ISO 7064 MOD 11-2 check character. 15-digit numbers (issued before 1999) carry no check digit: the
region and the 19YYMMDD birth date must be valid, and they score lower.
Residence permits of HK, Macau and Taiwan residents (810000/820000/830000) follow the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from bankmind.guard.recognizers import Candidate, Recognizer

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_PATTERN = re.compile(  # the leading (?=...) lets `re` skip quickly to possible first characters
    r"(?=\d)(?<![0-9A-Za-z])(?<!\d[.,])"
    r"(?:(?P<r18>\d{6})(?P<s>[ -]?)(?P<d18>\d{8})(?P=s)(?P<q18>\d{3}[0-9Xx])"
    r"|(?P<r15>\d{6})(?P<d15>\d{6})\d{3})"
    r"(?![0-9A-Za-z])(?!\.\d)"
)


def check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def valid_birth_date(yyyymmdd: str, *, today: date | None = None) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= (today or date.today())


class CnIdRecognizer(Recognizer):
    name = "cn_id"
    entity = "CN_ID"

    def analyze(self, text: str) -> Iterator[Candidate]:
        regions = self.resources.places.codes
        for m in _PATTERN.finditer(text):
            if m.group("r18"):
                digits = m.group("r18") + m.group("d18") + m.group("q18").upper()
                if (
                    digits[17] == check_character(digits[:17])
                    and digits[:6] in regions
                    and valid_birth_date(digits[6:14])
                ):
                    yield Candidate(m.start(), m.end(), 0.95, validated=True)
            elif m.group("r15") in regions and valid_birth_date("19" + m.group("d15")):
                yield Candidate(m.start(), m.end(), 0.6, validated=True)
