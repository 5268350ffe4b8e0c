"""The refusal policy's prefilter: skip every rule regex that cannot match a text, cheaply.

Python's `re` tries every branch of an alternation at every position, so each rule regex costs a
full scan of a long text, and most rules cannot match most texts. A regex needs literal strings:
`@obtain…@someone_else…@personal_data` needs one request verb, one person word and one data word.
`needs()` reads that off the parsed regex, per top-level alternative (a term set is an alternation
of terms), as *clauses*: the match contains one literal of each clause. `Scan` checks clauses with
plain case-sensitive alternations of the literals on a folded (lower-cased) copy of the text, which
`re` runs far faster than the rules. An alternative that cannot consume a sentence end (`。` or a
line break: the rules' gaps exclude them) must find all its clauses within one sentence.

The prefilter only ever skips a regex that cannot match: `RefusalPolicy.match` answers exactly
what searching every regex answers (`tests/guard/test_gateway_refusal.py` compares the two).
`re._parser` is the parser `re.compile` itself uses; Python has no public one.
"""

from __future__ import annotations

import bisect
import importlib
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Alternative", "Guarded", "Needs", "Prefilter", "Scan", "fold", "needs", "refers_to_groups"]

_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

SENTENCE_ENDS = "。\n"
_ENDS = re.compile(f"[{SENTENCE_ENDS}]")
_MAX_EXACT = 256  # the most strings an exact set may hold before it is given up
_MAX_CLAUSES = 3  # the most selective clauses kept per alternative
_MAX_OVERLAPS = 5000  # literals in a union up to which hidden overlaps are worked out

# Characters outside ASCII that `re.IGNORECASE` takes for an ASCII letter: İ ı ſ K. The folded text
# maps them to that letter, so a lower-cased literal is found wherever a regex could match it.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_FOLDED = re.compile("[\u0130\u0131\u017f\u212a]")
_LATIN_WORD = re.compile("[a-z]{2}")


def fold(text: str) -> str:
    """The text as literals are compared with it: lower-cased, the four letters above made ASCII."""
    return (text.translate(_FOLD) if _FOLDED.search(text) else text).lower()


def _foldable(char: str) -> bool:
    """Whether a literal character matches, ignoring case, only characters that fold to its fold."""
    return char.isascii() or char.lower() == char == char.upper()


# --- what a regex needs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Alternative:
    """One way a regex can match: a literal of each clause (the first is the most selective), all
    in one sentence when `one_sentence`."""

    clauses: tuple[frozenset[str], ...]
    one_sentence: bool


@dataclass(frozen=True)
class Needs:
    """A regex can match only where one of its alternatives can; `first` unites their first clauses."""

    alternatives: tuple[Alternative, ...]
    first: frozenset[str]


@dataclass
class _Info:
    exact: frozenset[str] | None  # every string the node can match, when few (None: unknown)
    clauses: list[frozenset[str]]  # each: the node's match contains one of these strings
    bounded: bool  # the node cannot consume a sentence end


def _product(left: frozenset[str] | None, right: frozenset[str] | None) -> frozenset[str] | None:
    if left is None or right is None or len(left) * len(right) > _MAX_EXACT:
        return None
    return frozenset(a + b for a in left for b in right)


class _Reader:
    """Reads clauses off a parsed regex. `common` is a sample of ordinary text: its words make a
    clause less selective (the gateway's texts are full of 账户、客户、流水)."""

    def __init__(self, common: str = "") -> None:
        self.common = fold(common)

    def rank(self, clause: frozenset[str]) -> tuple[float, list[str]]:
        """The most selective and cheapest clause first: few literals, long and uncommon ones. A
        literal of n characters counts 30^(1-n) (roughly how often it occurs; 1 when it is in the
        common sample), each distinct first character 1/20 (what it adds to the scan); then a fixed
        order. Only speed depends on the ranking, never a result."""
        often = sum(1.0 if s in self.common else 30.0 ** (1 - len(s)) for s in clause)
        return (often + 0.05 * len({s[0] for s in clause}), sorted(clause))

    def clauses(self, info: _Info) -> list[frozenset[str]]:
        found = set(info.clauses)
        if info.exact is not None and "" not in info.exact:
            found.add(info.exact)
        return sorted(found, key=self.rank)

    def sequence(self, items: Any) -> _Info:
        """Consecutive exact items join into longer literals; the rest add their own clauses."""
        clauses: list[frozenset[str]] = []
        bounded = True
        whole: frozenset[str] | None = frozenset({""})
        run: frozenset[str] | None = frozenset({""})
        for op, av in items:
            info = self.node(op, av)
            bounded = bounded and info.bounded
            if op is not _c.LITERAL and info.exact is not None and "" not in info.exact:
                clauses.append(info.exact)  # a group on its own may be more selective than its run
            whole = _product(whole, info.exact)
            joined = _product(run, info.exact)
            if joined is None:
                if run is not None and "" not in run:
                    clauses.append(run)
                clauses.extend(info.clauses)
                run = info.exact
            else:
                run = joined
        if run is not None and "" not in run:
            clauses.append(run)
        return _Info(whole, clauses, bounded)

    def node(self, op: Any, av: Any) -> _Info:
        if op is _c.LITERAL:
            char = chr(av)
            return _Info(frozenset({fold(char)}) if _foldable(char) else None, [], char not in SENTENCE_ENDS)
        if op is _c.IN:
            return _charset(av)
        if op is _c.ASSERT:  # consumes nothing, but what it looks at must be there, next to the match
            inner = self.sequence(av[1])
            return _Info(frozenset({""}), self.clauses(inner)[:1] if inner.bounded else [], True)
        if op in (_c.AT, _c.ASSERT_NOT):
            return _Info(frozenset({""}), [], True)
        if op is _c.SUBPATTERN:
            return self.sequence(av[-1])
        if op is _c.ATOMIC_GROUP:
            return self.sequence(av)
        if op is _c.BRANCH:
            alternatives = [self.sequence(alt) for alt in av[1]]
            firsts = [self.clauses(info)[:1] for info in alternatives]
            exact: frozenset[str] | None = frozenset()
            for info in alternatives:
                exact = None if exact is None or info.exact is None else exact | info.exact
            if exact is not None and len(exact) > _MAX_EXACT:
                exact = None
            united = [frozenset().union(*(f[0] for f in firsts))] if all(firsts) else []
            return _Info(exact, united, all(info.bounded for info in alternatives))
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            low, high, item = av
            info = self.sequence(item)
            if low == 0:
                optional = frozenset({""}) | info.exact if high == 1 and info.exact is not None else None
                return _Info(optional, [], info.bounded)
            return _Info(info.exact if low == high == 1 else None, self.clauses(info)[:1], info.bounded)
        return _Info(None, [], False)  # any character, a back-reference …: nothing known


def _charset(items: Any) -> _Info:
    """A character class: exact when it lists a few foldable characters."""
    if any(op is _c.NEGATE for op, _ in items):
        listed = {chr(av) for op, av in items if op is _c.LITERAL}
        return _Info(None, [], all(end in listed for end in SENTENCE_ENDS))
    chars: set[str] = set()
    exact = bounded = True
    for op, av in items:
        if op is _c.LITERAL:
            chars.add(chr(av))
        elif op is _c.RANGE:
            low, high = av
            exact = exact and high - low < _MAX_EXACT
            chars.update(chr(i) for i in range(low, min(high, low + _MAX_EXACT) + 1))
            bounded = bounded and not any(low <= ord(end) <= high for end in SENTENCE_ENDS)
        else:  # a category: \d, \w, \s …
            exact = False
            bounded = bounded and av in (_c.CATEGORY_DIGIT, _c.CATEGORY_WORD, _c.CATEGORY_UNI_DIGIT)
    bounded = bounded and not chars & set(SENTENCE_ENDS)
    if exact and len(chars) <= _MAX_EXACT and all(map(_foldable, chars)):
        return _Info(frozenset(map(fold, chars)), [], bounded)
    return _Info(None, [], bounded)


def _alternatives(items: Any) -> list[Any]:
    """The top-level alternatives of a parsed regex, through groups and around lookarounds."""
    core = [(op, av) for op, av in items if op not in (_c.AT, _c.ASSERT, _c.ASSERT_NOT)]
    if len(core) == 1:
        op, av = core[0]
        if op is _c.SUBPATTERN:
            return _alternatives(av[-1])
        if op is _c.ATOMIC_GROUP:
            return _alternatives(av)
        if op is _c.BRANCH:
            return [alt for branch in av[1] for alt in _alternatives(branch)]
    return [items]


def _parse(pattern: re.Pattern[str]) -> Any | None:
    """The parsed regex, or None if this Python's private parser differs from 3.11-3.13's: the
    regex is then always searched (slower, never wrong)."""
    try:
        return _parser.parse(pattern.pattern, pattern.flags)
    except Exception:
        return None


def needs(pattern: re.Pattern[str], *, common: str = "") -> Needs | None:
    """What a compiled regex needs to match, or None when some alternative needs nothing known.
    `common`: a sample of ordinary text, to prefer clauses of uncommon words (`_Reader`)."""
    parsed = _parse(pattern)
    if parsed is None:
        return None
    reader = _Reader(common)
    alternatives = []
    for items in _alternatives(parsed):
        info = reader.sequence(items)
        clauses = reader.clauses(info)[:_MAX_CLAUSES]
        if not clauses:
            return None
        alternatives.append(Alternative(tuple(clauses), info.bounded))
    return Needs(tuple(alternatives), frozenset().union(*(a.clauses[0] for a in alternatives)))


# --- checking a text ------------------------------------------------------------------------------

# Which literals can occur in a text: in an ASCII text no literal with other characters, in a text
# without two adjacent Latin letters no literal with them (so Chinese text skips English terms).
_KINDS = ("ascii", "plain", "mixed")


def _fits(literal: str, kind: str) -> bool:
    if kind == "ascii":
        return literal.isascii()
    return kind == "mixed" or not _LATIN_WORD.search(literal)


def _trie(literals: list[str]) -> str:
    """An alternation of literals as a trie (`账(?:户|号)`): `re` then tries one branch per distinct
    first character rather than one per literal, and still finds the longest literal at a place."""
    root: dict[str, Any] = {}
    for literal in literals:
        node = root
        for char in literal:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


class _Finder:
    """A clause's literals as plain alternations, longest first, one per kind of text."""

    def __init__(self, literals: frozenset[str]) -> None:
        self.literals = sorted(literals, key=lambda s: (-len(s), s))
        self._regex: dict[str, re.Pattern[str] | None] = {}
        self._overlaps: dict[str, frozenset[str]] | None = None

    def regex(self, kind: str) -> re.Pattern[str] | None:
        """The literals that can occur in this kind of text, as one regex (None: no literal can)."""
        if kind not in self._regex:
            fitting = [s for s in self.literals if _fits(s, kind)]
            self._regex[kind] = re.compile(_trie(fitting)) if fitting else None
        return self._regex[kind]

    def overlaps(self) -> dict[str, frozenset[str]] | None:
        """For each literal, the others an occurrence of it can hide from `finditer` (they start
        inside it), or None for a union too large to work out."""
        if self._overlaps is None and len(self.literals) <= _MAX_OVERLAPS:
            known = set(self.literals)
            ordered = sorted(known)
            overlaps = {}
            for a in self.literals:
                inside = {a[i:j] for i in range(len(a)) for j in range(i + 1, len(a) + 1)} & known
                for i in range(1, len(a)):  # literals that start with a suffix of `a`
                    suffix = a[i:]
                    at = bisect.bisect_left(ordered, suffix)
                    while at < len(ordered) and ordered[at].startswith(suffix):
                        inside.add(ordered[at])
                        at += 1
                overlaps[a] = frozenset(inside - {a})
            self._overlaps = overlaps
        return self._overlaps


class Prefilter:
    """The clauses of a policy's regexes, each compiled once."""

    def __init__(self, *, common: str = "") -> None:
        self.common = common
        self._finders: dict[frozenset[str], _Finder] = {}
        self._clauses: dict[frozenset[str], frozenset[str]] = {}
        self._alternatives: dict[Alternative, Alternative] = {}

    def add(self, pattern: re.Pattern[str]) -> Needs | None:
        """What `pattern` needs, its clauses compiled. Equal clauses and alternatives are shared
        (one object each), so a scan's caches find them by identity, not by comparing sets."""
        found = needs(pattern, common=self.common)
        if found is None:
            return None
        alternatives = []
        for alt in found.alternatives:
            alt = Alternative(tuple(map(self.register, alt.clauses)), alt.one_sentence)
            alternatives.append(self._alternatives.setdefault(alt, alt))
        return Needs(tuple(alternatives), self.register(found.first))

    def register(self, clause: frozenset[str]) -> frozenset[str]:
        """The shared copy of `clause`, compiled."""
        shared = self._clauses.setdefault(clause, clause)
        if shared not in self._finders:
            self._finders[shared] = _Finder(shared)
        return shared

    def finder(self, clause: frozenset[str]) -> _Finder:
        return self._finders[clause]


class Scan:
    """One text under the prefilter: its fold, and what was learnt about clauses (cached)."""

    def __init__(self, norm: str, prefilter: Prefilter) -> None:
        self.folded = fold(norm)
        self.kind = (
            "ascii" if self.folded.isascii() else "mixed" if _LATIN_WORD.search(self.folded) else "plain"
        )
        self._prefilter = prefilter
        self._single_sentence: bool | None = None
        self._present: dict[frozenset[str], bool] = {}
        self._firsts: dict[frozenset[str], frozenset[str]] = {}
        self._sentences: dict[frozenset[str], list[tuple[int, int]]] = {}
        self._possible_alternatives: dict[Alternative, bool] = {}

    def may_match(self, needs: Needs) -> bool:
        if len(needs.alternatives) == 1:
            return self._possible(needs.alternatives[0])
        firsts = self.first_literals(needs.first)
        return any(self._possible(alt) for alt in needs.alternatives if not firsts.isdisjoint(alt.clauses[0]))

    def _regex(self, clause: frozenset[str]) -> re.Pattern[str] | None:
        return self._prefilter.finder(clause).regex(self.kind)

    def first_literals(self, union: frozenset[str]) -> frozenset[str]:
        """The literals of `union` that may occur: those found, and those a found one may hide."""
        known = self._firsts.get(union)
        if known is None:
            regex, finder = self._regex(union), self._prefilter.finder(union)
            found = {m.group() for m in regex.finditer(self.folded)} if regex else set()
            overlaps = finder.overlaps()
            if overlaps is None:
                known = frozenset(finder.literals) if found else frozenset()
            else:
                known = frozenset(found).union(*(overlaps[s] for s in found))
            self._firsts[union] = known
        return known

    def _has(self, clause: frozenset[str]) -> bool:
        known = self._present.get(clause)
        if known is None:
            regex = self._regex(clause)
            known = self._present[clause] = regex is not None and regex.search(self.folded) is not None
        return known

    def _possible(self, alternative: Alternative) -> bool:
        known = self._possible_alternatives.get(alternative)
        if known is None:
            known = self._possible_alternatives[alternative] = self._work_out(alternative)
        return known

    def _work_out(self, alternative: Alternative) -> bool:
        clauses = alternative.clauses
        if not all(self._has(c) for c in clauses):
            return False
        if not alternative.one_sentence or len(clauses) < 2:
            return True
        if self._single_sentence is None:
            self._single_sentence = _ENDS.search(self.folded) is None
        if self._single_sentence:
            return True
        # the sentences of one clause (whose sentences are known, else with the fewest literals),
        # kept while they hold the others
        known = self._sentences
        first, *others = sorted(clauses, key=lambda c: (c not in known, len(known.get(c, ())), len(c)))
        sentences = self._in_sentences(first)
        for clause in others:
            regex = self._regex(clause)
            assert regex is not None  # _has() found it
            sentences = [bounds for bounds in sentences if regex.search(self.folded, *bounds)]
            if not sentences:
                return False
        return True

    def _in_sentences(self, clause: frozenset[str]) -> list[tuple[int, int]]:
        """Where the sentences holding a literal of `clause` start and end (the end excluded)."""
        found = self._sentences.get(clause)
        if found is None:
            regex = self._regex(clause)
            assert regex is not None  # _has() found it
            text, found, end = self.folded, [], -1
            for match in regex.finditer(text):
                at = match.start()
                if at < end:
                    continue  # in the sentence found last
                start = max(text.rfind(char, 0, at) for char in SENTENCE_ENDS) + 1
                ends = [i for i in (text.find(char, at) for char in SENTENCE_ENDS) if i >= 0]
                end = min(ends) if ends else len(text)
                found.append((start, end))
            self._sentences[clause] = found
        return found


# --- guarded regexes ------------------------------------------------------------------------------


def refers_to_groups(pattern: re.Pattern[str]) -> bool:
    """Whether a regex uses back-references or conditionals (its parts then depend on each other)."""

    def walk(items: Any) -> bool:
        for op, av in items:
            if op in (_c.GROUPREF, _c.GROUPREF_EXISTS, _c.GROUPREF_IGNORE, _c.GROUPREF_LOC_IGNORE):
                return True
            if op is _c.GROUPREF_UNI_IGNORE:
                return True
            children = (
                av[-1] if op in (_c.SUBPATTERN, _c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT) else None
            )
            if op in (_c.ASSERT, _c.ASSERT_NOT):
                children = av[1]
            elif op is _c.ATOMIC_GROUP:
                children = av
            if children is not None and walk(children):
                return True
            if op is _c.BRANCH and any(walk(alt) for alt in av[1]):
                return True
        return False

    parsed = _parse(pattern)
    return True if parsed is None else walk(parsed)


class Guarded:
    """A rule's regex, searched only where the prefilter allows a match.

    With `terms` (the regex is an alternation of them, each compiled alone, e.g. the term set
    `@fraud`), the regex matches exactly when one term does, so only the terms whose literals occur
    are searched: a long text is not scanned once per term set, but only for a few candidates."""

    def __init__(
        self, pattern: re.Pattern[str], prefilter: Prefilter, terms: tuple[re.Pattern[str], ...] = ()
    ) -> None:
        self.pattern = pattern
        self._terms = [(term, prefilter.add(term)) for term in terms]
        self._needs = None if terms else prefilter.add(pattern)
        self._always = [i for i, (_, needs) in enumerate(self._terms) if needs is None]
        self._by_literal: dict[str, list[int]] = {}
        for i, (_, needs) in enumerate(self._terms):
            for alternative in needs.alternatives if needs else ():
                for literal in alternative.clauses[0]:
                    self._by_literal.setdefault(literal, []).append(i)
        self._union = prefilter.register(frozenset(self._by_literal)) if self._by_literal else None

    def breadth(self) -> int:
        """How many literals the first check looks for (a sort key: narrow checks first)."""
        if self._union is not None:
            return len(self._union)
        return len(self._needs.first) if self._needs is not None else 1_000_000

    def candidates(self, scan: Scan) -> list[re.Pattern[str]]:
        """The regexes to search for this one (none: it cannot match)."""
        if not self._terms:
            return [self.pattern] if self._needs is None or scan.may_match(self._needs) else []
        chosen = set(self._always)
        if self._union is not None:
            for literal in scan.first_literals(self._union):
                chosen.update(self._by_literal[literal])
        found = []
        for i in sorted(chosen):
            term, needs = self._terms[i]
            if needs is None or scan.may_match(needs):
                found.append(term)
        return found
