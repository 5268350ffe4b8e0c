"""PERSON: Chinese personal names (张伟, 欧阳娜娜, and a bare surname before a title: 王先生).

A candidate starts at a surname (single or compound, `guard/data/surnames.txt`) followed by one or
two given-name characters. Evidence, from strongest:
- a cue word before it (客户, 借款人, 户名：, 联系人 ...);
- after it: an honorific (先生, 女士), a personal fact ("，男，", "，汉族"), a speaker label at the
  start of a line (`张伟：您好`), or, weaker because firms carry them too, a job title (经理, 董事);
- a verb right after it (来电, 表示, 签字), or a three-character `nr` (person name) entry of jieba's
  dictionary;
- the name stands alone between punctuation.
Candidates that would split or be an ordinary word (由于, 谢谢, 高兴, 马上, 工商, 公司) or sit right
before a firm or place word (康恩贝制药, 宁德市) are dropped unless the evidence says otherwise.
Surnames that are everyday words (于, 和, 任, 成 ...) need a cue word or an honorific. Scores: cue
before and after 0.95, one strong cue 0.85, a bare surname with a title 0.8 (0.9 with a cue before),
verb or dictionary 0.7 (0.75 between punctuation), a lone three-character name 0.6.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bankmind.guard.recognizers import Candidate, Recognizer, Resources
from bankmind.guard.recognizers.resources import NAME_STOP_CHARS

_COMMON_WORD = 100  # a dictionary word this frequent is an ordinary word, not part of a name
_VERY_COMMON = 1000  # ... and this frequent even next to a cue word (客户高兴地表示)
_SPEAKER_MARKS = "：:"
_SOFT_BREAKS = " \u3000\n\r"


def _alternation(words: tuple[str, ...] | frozenset[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)"


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _open_before(text: str, i: int) -> bool:
    """Position `i` starts a piece of text: after punctuation, a digit, or at the start. A space or
    line break between two Han characters is no boundary (PDF extraction puts them inside words)."""
    if i == 0:
        return True
    ch = text[i - 1]
    if _is_han(ch):
        return False
    return not (ch in _SOFT_BREAKS and i >= 2 and _is_han(text[i - 2]))


def _open_after(text: str, end: int) -> bool:
    """Position `end` ends a piece of text (the mirror of `_open_before`)."""
    if end >= len(text):
        return True
    ch = text[end]
    if _is_han(ch):
        return False
    return not (ch in _SOFT_BREAKS and end + 1 < len(text) and _is_han(text[end + 1]))


class PersonRecognizer(Recognizer):
    name = "person"
    entity = "PERSON"

    def __init__(self, resources: Resources) -> None:
        super().__init__(resources)
        surnames = resources.surnames
        lexicon = resources.person_lexicon
        context = resources.context("PERSON")
        self._names = lexicon.names
        self._words = lexicon.words
        self._predicates = lexicon.predicates
        self._given = lexicon.given_chars
        self._cue_only = surnames.cue_only
        self._compound = surnames.compound
        # one character class (single surnames and the first characters of compound ones) is much faster
        # for `re` than an alternation; analyze() tells the compound surnames apart
        self._single = surnames.single
        self._surname_at = re.compile(
            rf"[{''.join(sorted(surnames.single | {c[0] for c in surnames.compound}))}](?=[\u4e00-\u9fff])"
        )
        self._before = re.compile(
            rf"(?P<cue>{_alternation(context.get('context', ()))})(?P<label>[：:\s]*(?:是|为)?)"
        )
        self._naming = frozenset(context.get("naming", ()))
        self._honorific = re.compile(_alternation(context.get("honorifics", ())))
        titles = context.get("titles", ())
        self._title = re.compile(_alternation(titles))
        self._short_titles = frozenset(t for t in titles if len(t) == 1)
        self._facts = re.compile(_alternation(context.get("facts", ())))
        self._after = re.compile(_alternation(context.get("after", ())))
        self._place_or_org = re.compile(_alternation(context.get("not_after", ())))
        every_end = (
            *context.get("honorifics", ()),
            *titles,
            *context.get("facts", ()),
            *context.get("after", ()),
        )
        self._end_first = frozenset(w[0] for w in every_end) | frozenset(_SPEAKER_MARKS)
        self._any_end = re.compile(rf"{_alternation(every_end)}|[{_SPEAKER_MARKS}]")

    def analyze(self, text: str) -> Iterator[Candidate]:
        starts = [m.start() for m in self._surname_at.finditer(text)]
        if not starts:
            return
        cue_ends: dict[int, bool] = {}  # end of a cue word -> followed by ：/为/是 (a label)
        for m in self._before.finditer(text):
            cue_ends[m.end()] = bool(m.group("label")) or m.group("cue") in self._naming
        n = len(text)
        words, names, compound, single = self._words, self._names, self._compound, self._single
        end_first, any_end, honorific = self._end_first, self._any_end, self._honorific
        last_end = 0
        for i in starts:
            if i < last_end:
                continue
            cue = cue_ends.get(i)
            if (
                cue is None
                and i > 0
                and (
                    words.get(text[i - 1 : i + 1], 0) >= _COMMON_WORD
                    or (i > 1 and words.get(text[i - 2 : i + 1], 0) >= _COMMON_WORD)
                )
            ):
                continue  # 由于 / 工商 / 关于: the surname character belongs to the word before
            first_two = text[i : i + 2]
            surname_len = 2 if first_two in compound else 1
            if surname_len == 1 and text[i] not in single:
                continue  # 上 of 上官 without 官
            if (
                not cue  # a label (户名：, 我叫) may introduce any name
                and surname_len == 1
                and words.get(first_two, 0) >= _VERY_COMMON
                and not (honorific.match(text, i + 2) or honorific.match(text, i + 3))
            ):
                continue  # 谢谢 / 高兴 / 马上 / 公司: an everyday word (but 高峰女士, 陆军荣女士, 我叫王国孝)
            if (
                cue is None
                and not any(
                    text[j] in end_first and any_end.match(text, j) for j in range(i + 1, min(i + 5, n))
                )
                and text[i : i + 3] not in names
                and (
                    not _open_before(text, i)  # not alone on the left
                    or not any(_open_after(text, e) for e in range(i + 2, min(i + 5, n + 1)))  # nor right
                )
            ):
                continue  # no cue word before or after, not a dictionary name, not alone: not a name
            found = self._candidate(text, i, cue, surname_len)
            if found is not None:
                last_end = found.end
                yield found

    # evidence ------------------------------------------------------------------------------------
    def _word(self, piece: str, at_least: int = _COMMON_WORD) -> bool:
        return self._words.get(piece, 0) >= at_least

    def _title_at(self, text: str, pos: int, *, short: bool = True) -> bool:
        """A job title at `pos`; one-character titles (王总) only with `short` and not in a word (总行)."""
        m = self._title.match(text, pos)
        if m is None:
            return False
        if m.group() in self._short_titles:
            return short and not (self._word(text[pos : pos + 2]) or self._word(text[pos : pos + 3]))
        return True

    def _personal_end(self, text: str, i: int, end: int) -> bool:
        """What only follows a person: an honorific, a personal fact, a speaker label."""
        if self._honorific.match(text, end) or self._facts.match(text, end):
            return True
        if (i == 0 or text[i - 1] == "\n") and text[end : end + 1] in _SPEAKER_MARKS:
            label = text[i:end]  # 张伟：您好 is a speaker; 付款人：/ 经办人： are form labels
            return label not in self._words and not any(c in NAME_STOP_CHARS for c in label)
        return False

    @staticmethod
    def _given_length(text: str, start: int) -> tuple[int, int]:
        """Up to two Han characters, and how many come before the first glue character (的, 和 ...)."""
        loose = strict = 0
        for ch in text[start : start + 2]:
            if not _is_han(ch):
                break
            loose += 1
            if strict == loose - 1 and ch not in NAME_STOP_CHARS:
                strict += 1
        return loose, strict

    # decision --------------------------------------------------------------------------------------
    def _candidate(self, text: str, i: int, cue: bool | None, surname_len: int) -> Candidate | None:
        """The name starting at `i`, if any. `cue` is None without a cue word right before, True after
        a label (户名：), else False. `analyze` has already dropped starts inside ordinary words."""
        cue_before = cue is not None
        n = len(text)
        cue_only = text[i : i + surname_len] in self._cue_only
        given_at = i + surname_len
        honorific = self._honorific.match(text, given_at) is not None
        if honorific or self._title_at(text, given_at):  # 王先生, 李经理
            if not (honorific or cue) and (cue_only or self._place_or_org.match(text, given_at)):
                return None  # 任副总经理 is a job, not Mr Ren; 凯文律师事务所 is a firm
            return Candidate(i, given_at, 0.9 if cue_before else 0.8)

        loose_len, strict_len = self._given_length(text, given_at)
        loose = [given_at + g for g in range(loose_len, 0, -1)]
        strict = loose[loose_len - strict_len :]
        if not loose:
            return None
        end = next((e for e in loose if self._personal_end(text, i, e)), None)
        personal = end is not None
        if end is None:
            end = next((e for e in strict if self._title_at(text, e, short=False)), None)
        titled = end is not None and not personal
        if end is None:
            end = next((e for e in strict if self._after.match(text, e)), None)
        verb = end is not None and not (personal or titled)
        if end is None and strict:
            if strict[0] == n or not _is_han(text[strict[0]]):
                end = strict[0]  # the longest name that ends at punctuation
            else:
                end = next((e for e in strict if text[i:e] in self._names), None)
            if end is None:
                end = strict[0]
                if len(strict) == 2 and self._word(text[end - 1 : end + 1]):
                    end = strict[1]  # 张伟明天 -> 张伟
        if end is None:
            return None

        candidate = text[i:end]
        given = candidate[surname_len:]
        known = candidate in self._names
        strong = cue_before or personal
        honorific = self._honorific.match(text, end) is not None
        alone_left = _open_before(text, i)
        alone_right = _open_after(text, end)
        if cue_only and not (cue or honorific or (cue_before and (alone_right or personal or verb))):
            return None  # 借款人：于洋 / 于先生 / 柜员于洋，but not 出借人向人民法院 or 债务人和担保人
        if candidate in self._words and not (
            honorific
            or (cue_before and alone_right and candidate not in self._predicates and (cue or not cue_only))
        ):
            return None  # an ordinary word: 来电, 方案, 法人解散 (but 法定代表人：江宁，/ 借款人高明（配偶）)
        if len(given) == 2 and self._word(given, _VERY_COMMON) and not strong:
            return None  # 利大学博士 / 任公司董事: the "given name" is an everyday word
        if surname_len == 1 and len(given) == 2 and self._word(text[i : i + 2]) and not strong:
            return None  # 信托副董事长 / 马上来: surname + first given character form a word
        if not strong and self._place_or_org.match(text, end):
            return None  # 康恩贝制药, 宁德市, 金杜律师事务所: a brand, a firm or a place
        if not all(c in self._given for c in given) and not known and not (strong or titled):
            return None
        if cue is False and not (
            known or personal or titled or verb or alone_right or text[end] in NAME_STOP_CHARS
        ):
            return None  # 当事人迟延履行: after a bare role word the name must end visibly
        if cue_before and (personal or titled or verb):
            return Candidate(i, end, 0.95)
        if strong or titled:
            return Candidate(i, end, 0.85)
        if verb or (known and given not in self._words):  # jieba's 付定金, 林权证 are no names
            return Candidate(i, end, 0.75 if alone_left and alone_right else 0.7)
        if alone_left and alone_right and len(candidate) >= 3 and candidate not in self._words:
            return Candidate(i, end, 0.6)  # 吴重阳（离任）; two characters alone are too often words (白银)
        return None
