"""Whether retrieved passages cover a question well enough to answer it at all.

    covered("资本充足率不得低于多少？", hits) -> the hits worth answering from ([] -> refuse)

Retrieval always returns its best chunks, even for a question the knowledge base knows nothing
about; fused rank scores are relative and say nothing about that. Two absolute signals do:

- `overlap`: the share of the question's specific words (longer words weigh more, question words
  such as 多少/哪些 and stopwords none) found in the chunk or its titles, or the share of its
  character pairs when that is higher (paraphrase splits words differently);
- `similarity`: the cosine between the question's and the chunk's E5 vectors.

A chunk covers the question when `overlap` is high, or when it is fair and the meaning is close
(`similarity`), or when the question names the chunk's own article. The thresholds were set on
bankmind's own question sets (`eval/kb_questions.py`) and checked on the dev set of
`bankmind eval kb`, where the must-refuse questions share topic words with the statutes (保险,
基金, 融资租赁) but not their specifics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bankmind.knowledge.chunking_statutes import chinese_numeral
from bankmind.knowledge.grounding import char_pairs
from bankmind.knowledge.index import segment
from bankmind.knowledge.search import Hit, cited_article, query_terms

__all__ = ["Signals", "covered", "signals"]

STRONG_OVERLAP = 0.75
FAIR_OVERLAP = 0.45
CLOSE_MEANING = 0.86
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
    terms = [t for t in query_terms(question) if t not in _QUESTION_WORDS]
    tokens = set(segment(f"{hit.title}\n{hit.context}\n{hit.text}"))
    weights = {t: min(len(t), 4) for t in terms}
    total = sum(weights.values())
    word_share = sum(w for t, w in weights.items() if t in tokens) / total if total else 0.0
    pairs = char_pairs("".join(terms))
    text_pairs = char_pairs(f"{hit.title}{hit.context}{hit.text}")
    pair_share = len(pairs & text_pairs) / len(pairs) if pairs else 0.0
    cited = cited_article(question)
    names = cited is not None and cited[0] is not None and hit.locator == f"第{chinese_numeral(cited[1])}条"
    return Signals(round(max(word_share, pair_share), 4), hit.similarity, names)


def covered(question: str, hits: Sequence[Hit]) -> list[Hit]:
    """The hits that cover `question`, best first; empty when the best one does not."""
    return [h for h in hits if _covers(signals(question, h))]


def _covers(s: Signals) -> bool:
    if s.names_article or s.overlap >= STRONG_OVERLAP:
        return True
    return s.overlap >= FAIR_OVERLAP and s.similarity is not None and s.similarity >= CLOSE_MEANING
