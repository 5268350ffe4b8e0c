"""ADDRESS: street addresses in the PRC (省/市/区/县 + 街道/镇/村 + 路/街 + 号 + 栋/单元/室).

An address starts at a place name from the table of administrative divisions (广东省, 深圳市,
南山区; short forms such as 广东 or 深圳 only right before another place name) and runs through a
street part: a town, street office or village (街道/镇/乡/村/社区), a road (路/街/大道/巷/弄/胡同), a
house number (88号, 88号院) and building parts (3号楼2单元501室). Place names alone are locations,
not addresses: two or more levels without a street part score 0.45 and are reported only near a
context word (住址, 地址 ...). After such a word, a road with a house number is an address too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bankmind.guard.recognizers import Candidate, Recognizer

_GLUE = "的了是在和与及为向于到从对把被将已请等其该此即"
_NUM = "0-9一二三四五六七八九十百零〇"
_STREET = re.compile(
    rf"(?P<town>(?:[^\W\d_{_GLUE}]{{1,8}}?(?:街道|镇|乡|村|社区|开发区|高新区|工业园区|工业园|园区|新区)){{1,2}})?"
    rf"(?P<road>[^\W_{_GLUE}]{{1,10}}?(?:大道|大街|路|街|巷|弄|胡同))?"
    rf"(?P<section>[{_NUM}]+段)?"
    rf"(?P<num>[{_NUM}]+(?:-[0-9]+)?(?:号院|号|弄|组))?"
    rf"(?P<bld>(?:[{_NUM}A-Za-z]+(?:-[0-9]+)?(?:号楼|栋|幢|座|单元|层|楼|室|号|户))*)"
)
_SUFFIX = re.compile(r"[省市区县旗州盟]")
_LEAD = re.compile(r"(?:地址|住址|家住|住所地?|居住地|现住址|通讯地址|联系地址|收件地址|邮寄地址)[：:\s]*")
_HAN = re.compile(r"[\u4e00-\u9fff]")


class AddressRecognizer(Recognizer):
    name = "address"
    entity = "ADDRESS"

    def analyze(self, text: str) -> Iterator[Candidate]:
        yield from self._from_places(text)
        yield from self._after_lead_words(text)

    def _place_tokens(self, text: str) -> list[tuple[int, int]]:
        """Spans of full place names, longest name per end position."""
        places = self.resources.places
        names, longest = places.names, places.max_len
        tokens: list[tuple[int, int]] = []
        for m in _SUFFIX.finditer(text):
            end = m.end()
            for k in range(min(longest, end), 1, -1):
                if text[end - k : end] in names:
                    tokens.append((end - k, end))
                    break
        return tokens

    def _from_places(self, text: str) -> Iterator[Candidate]:
        short = self.resources.places.short
        tokens = self._place_tokens(text)
        i = 0
        while i < len(tokens):
            start, end = tokens[i]
            levels = 1
            j = i + 1
            while j < len(tokens) and tokens[j][0] <= end:  # adjacent (or nested) place names
                if tokens[j][1] > end:
                    end = tokens[j][1]
                    levels += 1
                j += 1
            i = j
            while True:  # short forms before: 广东深圳南山区
                for k in (3, 2):
                    if start >= k and text[start - k : start] in short:
                        start -= k
                        levels += 1
                        break
                else:
                    break
            street = _STREET.match(text, end)
            tail = self._street_end(text, street) if street else None
            if tail is not None:
                yield Candidate(start, tail, 0.85 if levels >= 2 else 0.75)
            elif levels >= 2:
                yield Candidate(start, end, 0.45)

    def _after_lead_words(self, text: str) -> Iterator[Candidate]:
        for lead in _LEAD.finditer(text):
            street = _STREET.match(text, lead.end())
            if street and street.group("road") and (street.group("num") or street.group("bld")):
                tail = self._street_end(text, street)
                if tail is not None:
                    yield Candidate(lead.end(), tail, 0.7)

    @staticmethod
    def _street_end(text: str, m: re.Match[str]) -> int | None:
        """Where the street part ends, or None when it is not a street address."""
        if m.group("num") or m.group("bld") or m.group("town"):
            return m.end()
        if m.group("road"):
            after = text[m.end() : m.end() + 1]
            if not after or not _HAN.match(after):
                return m.end()
        return None
