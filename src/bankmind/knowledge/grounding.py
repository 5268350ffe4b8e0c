"""Checking a generated answer against the passages it cites, sentence by sentence.

    sentences = SentenceSplitter()            # fed the model's text as it streams
    for s in sentences.feed("商业银行资本充足率不得低于百分之八[1]。另"): ...
    support(s.text, passage_text)             # -> 0.0 … 1.0

A sentence is kept only when it cites at least one passage by number (`[1]`, `[1][2]`, `[1,2]`,
`【1】`), every number it cites exists, the words of the sentence are found in the cited passages
(`support` ≥ `MIN_SUPPORT`: the share of its content words, and of its character pairs, that the
passages contain), and every figure it states (`10亿元`, `30日`, `百分之八`) and every word that
decides its sense (不得, 无需, 可以, 低于, 超过 …) appears in them. A
model cannot add a fact, a figure or a citation this way: what it writes around the passages
either comes from them or is dropped.

The check is lexical on purpose: small models paraphrase little when told to quote, a banker
expects the article's own words, and an embedding similarity would let a fluent sentence that
contradicts the passage ("不得低于" vs "不得高于") pass.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bankmind.knowledge.chunking_statutes import chinese_numeral
from bankmind.knowledge.index import segment

__all__ = [
    "MIN_SUPPORT",
    "Sentence",
    "SentenceSplitter",
    "char_pairs",
    "figures",
    "overlap",
    "strip_markers",
    "support",
]

MIN_SUPPORT = 0.6
"""A sentence needs this share of its content words (or character pairs) in the cited passages."""

_MARKER = re.compile(
    r"\[\^?\s*(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\s*\]|【\s*(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\s*】"
)
_ENDS = "。！？!?；;\n"
_TRAILING = "”’」』）)\"' \t"
_PARTIAL_MARKER = re.compile(r"(?:\[\^?[\d\s,，、]*|【[\d\s,，、]*)$")
_FILLER_TEXT = (
    "的 了 是 在 和 与 及 或 并 其 之 为 对 于 以 由 将 把 被 而 也 都 就 所 该 此 等 应 应当 可以 "
    "根据 依据 按照 规定 规定了 条文 资料 上述 以上 如下 因此 所以 即 则 需 需要 要 the a an of to "
    "in on for and or is are be by with as that this it "
)
_FILLER = frozenset(_FILLER_TEXT.split())
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_UNITS = "个工作日|工作日|周岁|小时|日|天|年|月|周|万|亿|元|倍|次|岁|人|家|项|笔|张|条|款"
_CN_FIGURE = re.compile(
    rf"(?:百分之|千分之)?[{_CN_DIGITS}]{{2,}}|百分之[{_CN_DIGITS}]+|(?<![{_CN_DIGITS}])[{_CN_DIGITS}](?=(?:{_UNITS}))"
)


# Words that turn a sentence's meaning around: each one a sentence uses must be in the passages too,
# or "应当核对身份证件" would support "无需核对身份证件" on shared words alone.
_POLARITY = re.compile(
    r"不得|不能|不可|不应|不需要?|无需|无须|不必|禁止|严禁|免于|不予|无权|没有|应当|必须|可以|有权|"
    r"不超过|不低于|不高于|不少于|低于|高于|超过|少于|多于|以上|以下|以内|之前|之后|"
    r"\b(?:not|no|never|without|must|may|shall|cannot|at least|at most|more than|less than)\b"
)


@dataclass(frozen=True)
class Sentence:
    """One sentence of an answer: its text without citation markers, and the numbers it cites."""

    text: str
    cites: tuple[int, ...]
    raw: str = field(repr=False, default="")


def strip_markers(text: str) -> tuple[str, tuple[int, ...]]:
    """`'不得低于百分之八[1][2]。'` -> (`'不得低于百分之八。'`, (1, 2))."""
    cited: list[int] = []
    for match in _MARKER.finditer(text):
        for number in re.split(r"[,，、\s]+", (match.group(1) or match.group(2)).strip()):
            if number.isdigit() and int(number) not in cited:
                cited.append(int(number))
    return _MARKER.sub("", text).strip(), tuple(cited)


class SentenceSplitter:
    """Cuts streamed text into sentences, each with the citation markers that close it.

    A sentence ends at 。！？； or a line break, and takes along the markers, closing quotes and
    spaces that follow (`…百分之八。[1]` cites 1); it is released once the next character shows
    that nothing more belongs to it, or at `finish()`.
    """

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, text: str) -> list[Sentence]:
        self._buffer += text
        out: list[Sentence] = []
        while True:
            cut = self._complete_end()
            if cut is None:
                return out
            piece, self._buffer = self._buffer[:cut], self._buffer[cut:]
            out.extend(_sentence(piece))

    def finish(self) -> list[Sentence]:
        piece, self._buffer = self._buffer, ""
        return list(_sentence(piece))

    def _complete_end(self) -> int | None:
        text = self._buffer
        for i, char in enumerate(text):
            if char not in _ENDS:
                continue
            end = _extend(text, i + 1)
            if end < len(text) and not _PARTIAL_MARKER.search(text[i + 1 :]):
                return end
            return None
        return None


def _extend(text: str, start: int) -> int:
    """The end of a sentence ending before `start`: past markers, closing quotes and spaces."""
    pos = start
    while pos < len(text):
        match = _MARKER.match(text, pos)
        if match:
            pos = match.end()
        elif text[pos] in _TRAILING:
            pos += 1
        else:
            break
    return pos


def _sentence(piece: str) -> Iterable[Sentence]:
    text, cites = strip_markers(piece)
    if text.strip("".join(_ENDS) + _TRAILING + "，,、:："):
        yield Sentence(text=text, cites=cites, raw=piece)


def support(sentence: str, passages: Sequence[str]) -> float:
    """How much of `sentence` the `passages` contain (`overlap`); 0.0 when a figure it states, or
    a word that decides its sense, is missing from them."""
    joined = _norm("\n".join(passages))
    text = _norm(sentence)
    if not all(_figure_in(f, joined) for f in figures(text)):
        return 0.0
    if not all(w in joined.lower() for w in _POLARITY.findall(text.lower())):
        return 0.0
    return overlap(text, [joined])


def overlap(text: str, passages: Sequence[str]) -> float:
    """The better of the share of `text`'s content words, and of its Chinese character pairs,
    found in `passages` (0.0 … 1.0): how much two texts share, whatever they state."""
    joined = _norm("\n".join(passages))
    text = _norm(text)
    words = [w for w in segment(text) if w not in _FILLER]
    have = set(segment(joined))
    word_share = sum(w in have for w in words) / len(words) if words else 0.0
    pairs = char_pairs(text)
    pair_share = len(pairs & char_pairs(joined)) / len(pairs) if pairs else 0.0
    return round(max(word_share, pair_share), 4)


def figures(text: str) -> list[str]:
    """The figures a sentence states: digit runs (`10`, `0.25`) and Chinese numerals of two or more
    characters, with 百分之, or before a unit (`三十`, `百分之八`, `五日`); other single characters
    such as the 一 of 一般 are words."""
    return [*_FIGURE.findall(text), *_CN_FIGURE.findall(text)]


def _figure_in(figure: str, passage: str) -> bool:
    """Whether the passage states `figure` as a whole number (十 is not found inside 三十)."""
    digits = _CN_DIGITS if not figure[0].isascii() else "0123456789.,"
    whole = rf"(?<![{digits}]){re.escape(figure)}(?![{digits}])"
    if re.search(whole, passage):
        return True
    plain = figure.replace(",", "")
    if plain.isdigit() and len(plain) <= 4:  # 30 stated, 三十 written
        return (
            re.search(rf"(?<![{_CN_DIGITS}]){chinese_numeral(int(plain))}(?![{_CN_DIGITS}])", passage)
            is not None
        )
    return False


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def char_pairs(text: str) -> set[str]:
    """The adjacent pairs of Chinese characters in `text` (other characters skipped): the unit of
    overlap for Chinese, where word boundaries are a segmenter's guess. Latin text is compared by
    words only; its letter pairs would match almost anything."""
    chars = [c for c in text if "\u3400" <= c <= "\u9fff"]
    return {a + b for a, b in itertools.pairwise(chars)}
