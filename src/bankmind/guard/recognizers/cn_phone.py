"""CN_PHONE: mainland landline numbers with an area code.

`010-62345678`, `(021)52345678`, `0755-8888 8888`, `0571 8765432`, with an optional extension
(`转123`, `-123`). The area code is 010, 02x or a three-digit code starting 3-9 after the 0; the
subscriber number has 7 or 8 digits and does not start with 0 or 1. Written without any separator
the number scores lower (it could be any 11-12-digit number).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bankmind.guard.recognizers import Candidate, Recognizer

_AREA = r"0(?:10|2\d|[3-9]\d{2})"
_PATTERN = re.compile(  # the leading (?=...) lets `re` skip quickly to possible first characters
    r"(?=[0(])(?<![0-9A-Za-z+])(?<!\d[.,])"
    rf"(?:\((?P<paren>{_AREA})\)[ -]?|(?P<area>{_AREA})(?P<sep>[ -]?))"
    r"(?P<sub>[2-9]\d{2,3}(?P<s2>[ -]?)\d{4})"
    r"(?:(?:转|分机|ext\.?|-)\d{1,5})?"
    r"(?![0-9A-Za-z])(?!\.\d)"
)


class CnPhoneRecognizer(Recognizer):
    name = "cn_phone"
    entity = "CN_PHONE"

    def analyze(self, text: str) -> Iterator[Candidate]:
        for m in _PATTERN.finditer(text):
            area = m.group("paren") or m.group("area")
            sub = m.group("sub").replace(" ", "").replace("-", "")
            if len(area) == 3 and len(sub) != 8:  # 010 and 02x areas have 8-digit numbers
                continue
            separated = bool(m.group("paren") or m.group("sep") or m.group("s2"))
            yield Candidate(m.start(), m.end(), 0.7 if separated else 0.5)
