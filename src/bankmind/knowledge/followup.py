"""Follow-up questions made standalone before retrieval, by the chat model only when there is one.

    standalone("那II类户呢？", [Turn("I类户每天能转多少钱？", "…")], writer) -> "II类户每天能转多少钱？"

A follow-up ("那II类户呢？", "这个要多久？") finds nothing by itself. With a chat model configured,
the model rewrites it into a complete question from the conversation; the rewrite is used for
retrieval only if it looks like a question (one line, not empty, not much longer than the
conversation warrants), otherwise the question is searched as typed. Without a chat model, or
when the chat model is a reasoning model (DeepSeek-R1: slow, and known to rewrite a query into
something retrieval cannot find), nothing is rewritten.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from bankmind.errors import BankmindError

__all__ = ["MAX_TURNS", "Turn", "standalone"]

MAX_TURNS = 4
"""Earlier turns shown to the model (the most recent ones)."""
_MAX_CHARS = 300
_PROMPT = (
    "把用户最后的追问改写成一个不依赖上文、可以单独检索的完整问题。只输出改写后的问题本身，"
    "不要回答问题，不要解释。如果追问本身已经完整，原样输出。"
)


@dataclass(frozen=True)
class Turn:
    """One earlier exchange: what was asked, and the answer shown."""

    question: str
    answer: str


class Rewriter(Protocol):
    def stream(self, messages: list[dict[str, str]], *, max_tokens: int) -> Iterator[str]: ...


def standalone(question: str, history: Sequence[Turn], writer: Rewriter | None) -> str:
    """`question` made complete from `history` by the chat model, or `question` as typed."""
    if not history or writer is None:
        return question
    lines = []
    for turn in history[-MAX_TURNS:]:
        lines += [f"用户：{turn.question[:500]}", f"助手：{turn.answer[:500]}"]
    lines.append(f"追问：{question}")
    messages = [{"role": "system", "content": _PROMPT}, {"role": "user", "content": "\n".join(lines)}]
    try:
        text = "".join(writer.stream(messages, max_tokens=120))
    except BankmindError:
        return question  # the model is down: search the question as typed
    rewritten = text.strip().strip("“”\"'").strip()
    if not rewritten or "\n" in rewritten or len(rewritten) > _MAX_CHARS:
        return question
    return rewritten
