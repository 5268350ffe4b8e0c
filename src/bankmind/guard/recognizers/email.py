"""EMAIL: e-mail addresses (local part @ domain with a top-level domain of letters or punycode)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bankmind.guard.recognizers import Candidate, Recognizer

_PATTERN = re.compile(  # the leading (?=...) lets `re` skip quickly to possible first characters
    r"(?=[A-Za-z0-9])(?<![A-Za-z0-9._%+\-])"
    r"[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+"
    r"(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9\-]{2,59})"
    r"(?![A-Za-z0-9\-]|\.[A-Za-z0-9])"
)


class EmailRecognizer(Recognizer):
    name = "email"
    entity = "EMAIL"

    def analyze(self, text: str) -> Iterator[Candidate]:
        if "@" not in text:
            return
        for m in _PATTERN.finditer(text):
            local = m.group().split("@", 1)[0]
            if ".." in local or local.endswith("."):
                continue
            yield Candidate(m.start(), m.end(), 0.9)
