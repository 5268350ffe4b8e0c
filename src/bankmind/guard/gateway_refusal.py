"""The gateway's refusal policy: requests a bank assistant must refuse, answered without any model.

    policy = RefusalPolicy.default()            # or RefusalPolicy.from_file("refusals.toml")
    refusal = policy.check("怎么查到客户王某的银行卡号？")
    refusal.topic, refusal.message               # "personal_data", "抱歉，…"

The deterministic part is data: *term sets* (word lists) and *topics*, each topic a list of rules.
A rule matches when every regex in `all` matches the text and none in `none` does; `@name` in a
regex stands for the term set `name` as a non-capturing alternation. A topic refuses when any of its
rules matches. The built-in topics:

    personal_data   other people's personal or account data (card and account numbers, balances,
                    transactions, ID and phone numbers, addresses, passwords, credit reports …)
    intrusion       breaking into systems or accounts, stealing passwords, removing traces
    fraud           forged documents, money laundering, terror financing, evading controls
    market_abuse    insider information, manipulation, invented news
    mis_selling     selling unsuitable products, promised returns, bypassing suitability checks
    confidential    another organisation's trade secrets or internal material
    conduct         account lending or entrustment, profit sharing, unlicensed advice, gifts to
                    officials, misleading promotion
    intellectual_property   others' works, trademarks or software without permission

The built-in term sets and rules live in `bankmind.guard.refusal_terms`: a request verb, someone
else and their data in one sentence (in either order, topicalised, or as a question), and per topic
a misconduct term unless the text asks what it is, how to recognise or prevent it, what the law or
the penalty is, or reports being its victim (the `defence` set; `protective` for personal data).

Searching every rule regex over a long prompt would cost a full scan each; the prefilter
(`bankmind.guard.refusal_prefilter`) reads off each regex the literals it needs and skips the ones
that cannot match, and a bare term set (`@fraud`) is searched term by term, only for the terms whose
literals occur. Answers are exactly those of searching everything; compiled policies are cached.

A model-based classifier (`ModelRefusalClassifier`, an internal chat model answering yes/no) can be
added for what the patterns miss; it only runs when configured, after the patterns.

The text is never logged or stored; a refusal names its topic (for the audit record) and carries a
fixed message in the request's language (Chinese when the text has Chinese characters).
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bankmind.errors import BankmindError, ConfigError
from bankmind.guard.refusal_prefilter import Guarded, Prefilter, Scan, refers_to_groups
from bankmind.guard.refusal_terms import COMMON_TEXT, GENERIC_MESSAGE, MESSAGES, TERMS, TOPIC_RULES
from bankmind.llm import ChatModel

__all__ = [
    "DEFAULT_TERMS",
    "DEFAULT_TOPICS",
    "ModelRefusalClassifier",
    "Refusal",
    "RefusalClassifier",
    "RefusalPolicy",
    "Rule",
    "Topic",
]

DEFAULT_TERMS: dict[str, list[str]] = {name: list(words) for name, words in TERMS.items()}
_GENERIC = GENERIC_MESSAGE
_MESSAGES = MESSAGES


@dataclass(frozen=True)
class Rule:
    """Matches when every regex in `all` matches and none in `none` does (`@set` = a term set)."""

    all: tuple[str, ...]
    none: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    """Something the gateway refuses, with the fixed answer in Chinese and English."""

    name: str
    rules: tuple[Rule, ...]
    message_zh: str
    message_en: str
    enabled: bool = True


def _topic(name: str, *rules: Rule) -> Topic:
    zh, en = _MESSAGES[name]
    return Topic(name=name, rules=rules, message_zh=zh, message_en=en)


DEFAULT_TOPICS: tuple[Topic, ...] = tuple(
    _topic(name, *(Rule(all=all_, none=none) for all_, none in rules)) for name, rules in TOPIC_RULES.items()
)


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused: the topic (audited) and the answer the client gets."""

    topic: str
    message: str
    by: str = "patterns"  # or "classifier"


class RefusalClassifier(Protocol):
    """A second opinion for what the patterns miss: the topic to refuse, or None."""

    def classify(self, text: str) -> str | None: ...


@dataclass(frozen=True)
class _CompiledRule:
    all: tuple[Guarded, ...]
    none: tuple[Guarded, ...]

    def matches(self, norm: str, scan: Scan | None) -> bool:
        """Whether the rule matches the normalised text; with a scan, only the regexes (or terms of
        a term set) that the prefilter allows are searched: the answer is the same."""
        if scan is None:
            return all(g.pattern.search(norm) for g in self.all) and not any(
                g.pattern.search(norm) for g in self.none
            )
        allowed = []
        for guarded in self.all:  # the rarest literals first (all must match: the order is free)
            candidates = guarded.candidates(scan)
            if not candidates:
                return False
            allowed.append(candidates)
        if not all(any(p.search(norm) for p in candidates) for candidates in allowed):
            return False
        return not any(p.search(norm) for g in self.none for p in g.candidates(scan))


# A term that can only start with a Latin letter: `\b` or nothing, then a letter that is not optional.
_LATIN_START = re.compile(r"(?:\\b)?[a-z](?![?*]|\{0)", re.IGNORECASE)


_TERM_SET = re.compile(r"@[a-z_]+")


def _latin(word: str) -> bool:
    return _LATIN_START.match(word) is not None and "|" not in word


def _alternation(words: Sequence[str]) -> str:
    """A term set as one group. Terms that start with a Latin letter sit behind a `(?=[a-z])` guard,
    so a Chinese text is not tried against every English word at every position."""
    latin = [w for w in words if _latin(w)]
    other = [w for w in words if w not in latin]
    branches = []
    if other:
        branches.append("|".join(other))
    if latin:
        branches.append(r"(?=[a-z])(?:" + "|".join(latin) + ")")
    return "(?:" + "|".join(branches) + ")"


# Full-width punctuation, letters and digits, and the ideographic space: NFKC maps each to one ASCII
# character, so replacing them first leaves NFKC's result unchanged and most Chinese text is then
# already normalised (the check is far cheaper than the normalisation).
_WIDE = re.compile("[\uff01-\uff5e\u3000]")
_NARROW = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
_COMMON_WIDE = [(wide, _NARROW[wide]) for wide in "，：；？！（）"]  # replaced in bulk, before the rest


def _normalise(text: str) -> str:
    for wide, narrow in _COMMON_WIDE:
        text = text.replace(wide, narrow)
    if _WIDE.search(text):
        text = _WIDE.sub(lambda m: _NARROW[m.group()], text)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class _Compiler:
    """Compiles topics: rule regexes with their term sets expanded, each under the prefilter."""

    def __init__(self, terms: Mapping[str, Sequence[str]]) -> None:
        self.terms = terms
        self.prefilter = Prefilter(common=COMMON_TEXT)
        self._guarded: dict[str, Guarded] = {}

    def topics(self, topics: Sequence[Topic]) -> list[tuple[Topic, list[_CompiledRule]]]:
        return [
            (
                topic,
                [
                    _CompiledRule(
                        tuple(sorted((self.guard(topic.name, r) for r in rule.all), key=Guarded.breadth)),
                        tuple(self.guard(topic.name, r) for r in rule.none),
                    )
                    for rule in topic.rules
                ],
            )
            for topic in topics
            if topic.enabled
        ]

    def guard(self, topic: str, regex: str) -> Guarded:
        """A rule regex under the prefilter (one per distinct regex). A bare term set (`@fraud`)
        keeps its terms apart too, each compiled as it stands in the alternation."""
        if regex not in self._guarded:
            pattern = self.compile(topic, regex)
            name = regex[1:]
            if _TERM_SET.fullmatch(regex) and not refers_to_groups(pattern):
                words = self.terms[name]
                terms = tuple(self._regex(topic, rf"(?=[a-z])(?:{w})" if _latin(w) else w) for w in words)
                self._guarded[regex] = Guarded(pattern, self.prefilter, terms)
            else:
                self._guarded[regex] = Guarded(pattern, self.prefilter)
        return self._guarded[regex]

    def compile(self, topic: str, regex: str) -> re.Pattern[str]:
        """A rule regex with each `@name` replaced by its term set."""

        def expand(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.terms:
                raise ConfigError(f"refusal topic '{topic}' uses unknown term set '@{name}'")
            return _alternation(self.terms[name])

        return self._regex(topic, re.sub(r"@([a-z_]+)", expand, regex))

    def _regex(self, topic: str, source: str) -> re.Pattern[str]:
        try:
            return re.compile(source, re.IGNORECASE)
        except re.error as exc:
            raise ConfigError(f"refusal topic '{topic}' has an invalid pattern: {exc}") from None


@functools.lru_cache(maxsize=4)
def _compile_policy(
    topics: tuple[Topic, ...], terms: tuple[tuple[str, tuple[str, ...]], ...]
) -> tuple[list[tuple[Topic, list[_CompiledRule]]], Prefilter]:
    """Compiled once per distinct policy (every gateway and test builds the default one)."""
    compiler = _Compiler(dict(terms))
    return compiler.topics(topics), compiler.prefilter


@dataclass
class RefusalPolicy:
    """Topics of requests to refuse; `check(text)` answers the first topic that matches, or None."""

    topics: Sequence[Topic] = DEFAULT_TOPICS
    terms: Mapping[str, Sequence[str]] = field(default_factory=lambda: dict(DEFAULT_TERMS))
    classifier: RefusalClassifier | None = None
    _compiled: list[tuple[Topic, list[_CompiledRule]]] = field(init=False, repr=False)
    _prefilter: Prefilter = field(init=False, repr=False)

    def __post_init__(self) -> None:
        topics = tuple(self.topics)
        terms = tuple((name, tuple(words)) for name, words in self.terms.items())
        try:
            hash((topics, terms))
        except TypeError:  # topics built by hand with lists: compile without the cache
            self._compiled, self._prefilter = _compile_policy.__wrapped__(topics, terms)
        else:
            self._compiled, self._prefilter = _compile_policy(topics, terms)

    @classmethod
    def default(cls, *, classifier: RefusalClassifier | None = None) -> RefusalPolicy:
        return cls(classifier=classifier)

    @classmethod
    def from_file(cls, path: Path, *, classifier: RefusalClassifier | None = None) -> RefusalPolicy:
        """Built-in topics and terms, changed by a TOML file:

        [terms]                       # replace or add term sets
        someone_else = ["他人", "客户"]
        [[topic]]                     # replace (same name) or add a topic
        name = "personal_data"
        enabled = true
        message_zh = "…"
        message_en = "…"
        rules = [{ all = ["@obtain", "@someone_else.{0,20}@personal_data"], none = ["@protective"] }]
        """
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read the refusal policy {path}: {exc}") from None
        return cls.from_mapping(data, source=str(path), classifier=classifier)

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, source: str = "policy", classifier: RefusalClassifier | None = None
    ) -> RefusalPolicy:
        terms = dict(DEFAULT_TERMS)
        for name, words in dict(data.get("terms", {})).items():
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise ConfigError(f"{source}: terms.{name} must be a list of strings")
            terms[name] = words
        topics = {t.name: t for t in DEFAULT_TOPICS}
        for raw in data.get("topic", []):
            try:
                name = str(raw["name"])
                base = topics.get(name)
                rules = tuple(
                    Rule(all=tuple(r["all"]), none=tuple(r.get("none", ()))) for r in raw.get("rules", [])
                ) or (base.rules if base else ())
                topics[name] = Topic(
                    name=name,
                    rules=rules,
                    message_zh=str(raw.get("message_zh", base.message_zh if base else _GENERIC[0])),
                    message_en=str(raw.get("message_en", base.message_en if base else _GENERIC[1])),
                    enabled=bool(raw.get("enabled", True)),
                )
            except (KeyError, TypeError) as exc:
                raise ConfigError(f"{source}: a [[topic]] entry is incomplete ({exc})") from None
        return cls(topics=tuple(topics.values()), terms=terms, classifier=classifier)

    @property
    def topic_names(self) -> list[str]:
        return [topic.name for topic, _ in self._compiled]

    def match(self, text: str) -> str | None:
        """The first topic whose patterns match `text` (the classifier is not asked)."""
        return self._match(text)

    def _match(self, text: str, *, prefilter: bool = True) -> str | None:
        """`match`; without the prefilter every regex is searched (the tests compare the two)."""
        norm = _normalise(text)
        scan = Scan(norm, self._prefilter) if prefilter else None
        for topic, rules in self._compiled:
            if any(rule.matches(norm, scan) for rule in rules):
                return topic.name
        return None

    def check(self, text: str) -> Refusal | None:
        """A refusal for `text`, or None: the patterns first, then the classifier if one is set."""
        name = self.match(text)
        by = "patterns"
        if name is None and self.classifier is not None and text.strip():
            name = self.classifier.classify(text)
            by = "classifier"
        if name is None:
            return None
        return Refusal(topic=name, message=self.message(name, text), by=by)

    def message(self, topic_name: str, text: str) -> str:
        topic = next((t for t, _ in self._compiled if t.name == topic_name), None)
        zh, en = (topic.message_zh, topic.message_en) if topic else _MESSAGES["personal_data"]
        return zh if _is_chinese(text) else en


_CLASSIFIER_PROMPT = (
    "你是银行的合规审查员。判断用户的请求是否属于以下任何一类："
    "（1）索取、查询、泄露他人的个人信息或账户信息；（2）入侵系统、窃取密码；"
    "（3）伪造材料、洗钱、规避监管；（4）内幕交易、操纵市场；（5）向投资者违规销售。"
    "只回答一个字：是 或 否。"
)


class ModelRefusalClassifier:
    """Asks a chat model (use an *internal* one: it sees the raw request) whether to refuse.

    Answers "personal_data" for a yes (the audit record says `by: classifier`), None otherwise or
    when the model fails: a classifier outage never blocks the gateway.
    """

    def __init__(self, model: ChatModel, *, topic: str = "personal_data") -> None:
        self.model = model
        self.topic = topic

    def classify(self, text: str) -> str | None:
        messages = [{"role": "system", "content": _CLASSIFIER_PROMPT}, {"role": "user", "content": text}]
        try:
            answer = self.model.complete(messages, max_tokens=3, temperature=0.0).content.strip().lower()
        except BankmindError:
            return None
        return self.topic if answer.startswith(("是", "yes")) else None
