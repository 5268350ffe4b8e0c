"""DeepSeek-R1 reasoning: keep `<think>…</think>` and `reasoning_content` out of answers.

R1-style models think before they answer, in one of three shapes:

1. `<think>\\nreasoning\\n</think>\\n\\nanswer` in `content`;
2. `reasoning\\n</think>\\n\\nanswer`: the chat template already put `<think>` in the prompt, so the
   server (vLLM, llama.cpp) never sends the opening tag;
3. a separate `reasoning_content` (or `reasoning`) field beside `content` (vLLM/SGLang with a reasoning
   parser, DeepSeek's API).

Providers run every answer through this module, so `ChatResult.content` and `ChatChunk.content` never
hold reasoning and no later layer sees `<think>` text. The reasoning stays available separately; it
must not be fed back into the conversation history.

Streaming cannot look ahead. For shape 2 the splitter must know that the answer *starts* inside the
reasoning (`implicit_open=True`); providers set it for R1-style model names (`is_r1_style`).
Otherwise text before a lone `</think>` in a stream has already gone out as answer text; the tag
itself is still removed. Non-streaming splitting (`split_reasoning`) sees the whole text and needs no
hint.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from bankmind.llm.types import ChatChunk

__all__ = ["CLOSE_TAG", "OPEN_TAG", "ReasoningSplitter", "collect", "is_r1_style", "split_reasoning"]

OPEN_TAG = "<think>"
CLOSE_TAG = "</think>"
_R1_NAME = re.compile(r"(?i)(?:^|[^a-z0-9])(?:r1|reasoner|qwq)(?:[^a-z0-9]|$)|thinking")


def is_r1_style(model_name: str | None) -> bool:
    """Whether a model name says it is an R1-style reasoning model (deepseek-r1:7b, DeepSeek-R1-Distill-…)."""
    return bool(model_name and _R1_NAME.search(model_name))


def _partial_tag(text: str) -> int:
    """Length of the longest suffix of `text` that could be the start of a tag."""
    for k in range(min(len(text), len(CLOSE_TAG) - 1), 0, -1):
        tail = text[-k:]
        if OPEN_TAG.startswith(tail) or CLOSE_TAG.startswith(tail):
            return k
    return 0


class ReasoningSplitter:
    """Splits a streamed answer into content and reasoning, also when tags are cut across chunks.

    splitter = ReasoningSplitter(implicit_open=is_r1_style(model))
    for delta in deltas:
        chunk = splitter.feed(delta)          # ChatChunk(content=..., reasoning=...)
    last = splitter.finish()
    """

    def __init__(self, *, implicit_open: bool = False) -> None:
        self._state: Literal["content", "reasoning"] = "reasoning" if implicit_open else "content"
        self._buf = ""
        self._section_start = True  # leading whitespace of a section is dropped
        self._held_ws = ""  # trailing whitespace of reasoning, dropped if `</think>` follows
        self._content_seen = False
        self.saw_reasoning = False

    # public ------------------------------------------------------------------------------
    def feed(self, text: str) -> ChatChunk:
        """Take the next piece of `content` text; return what can be released now."""
        self._buf += text
        content: list[str] = []
        reasoning: list[str] = []
        while self._step(content, reasoning):
            pass
        return ChatChunk(content="".join(content), reasoning="".join(reasoning))

    def feed_reasoning(self, text: str) -> ChatChunk:
        """Take a piece of a separate `reasoning_content` field (the server already split it)."""
        if self._state == "reasoning" and not self._buf and not self._content_seen:
            # The server separates reasoning itself, so the content that follows is the answer.
            self._state = "content"
            self._section_start = True
        if not self.saw_reasoning:
            text = text.lstrip()
        if text:
            self.saw_reasoning = True
        return ChatChunk(reasoning=text)

    def finish(self) -> ChatChunk:
        """Release what is still held back at the end of the stream."""
        rest, self._buf = self._buf, ""
        content: list[str] = []
        reasoning: list[str] = []
        if self._state == "content":
            self._emit_content(rest, content)
        else:
            self._emit_reasoning(rest, reasoning)
            self._held_ws = ""
        return ChatChunk(content="".join(content), reasoning="".join(reasoning))

    # internals ---------------------------------------------------------------------------
    def _step(self, content: list[str], reasoning: list[str]) -> bool:
        """Consume the buffer up to the next tag; False when it must wait for more text."""
        buf = self._buf
        i_open, i_close = buf.find(OPEN_TAG), buf.find(CLOSE_TAG)
        if self._state == "content":
            hits = [i for i in (i_open, i_close) if i >= 0]
            if not hits:
                keep = _partial_tag(buf)
                self._emit_content(buf[: len(buf) - keep], content)
                self._buf = buf[len(buf) - keep :]
                return False
            i = min(hits)
            self._emit_content(buf[:i], content)
            if i == i_open:
                self._state = "reasoning"
                self._buf = buf[i + len(OPEN_TAG) :]
            else:  # a stray `</think>`: drop the tag
                self._buf = buf[i + len(CLOSE_TAG) :]
            self._section_start = True
            return True
        # reasoning
        if i_open >= 0 and (i_close < 0 or i_open < i_close):  # explicit or repeated opening tag
            self._emit_reasoning(buf[:i_open], reasoning)
            self._buf = buf[i_open + len(OPEN_TAG) :]
            return True
        if i_close >= 0:
            self._emit_reasoning(buf[:i_close], reasoning)
            self._held_ws = ""
            self._state = "content"
            self._section_start = True
            self._buf = buf[i_close + len(CLOSE_TAG) :]
            return True
        keep = _partial_tag(buf)
        self._emit_reasoning(buf[: len(buf) - keep], reasoning)
        self._buf = buf[len(buf) - keep :]
        return False

    def _emit_content(self, piece: str, out: list[str]) -> None:
        if self._section_start:
            piece = piece.lstrip()
        if piece:
            self._section_start = False
            self._content_seen = True
            out.append(piece)

    def _emit_reasoning(self, piece: str, out: list[str]) -> None:
        if self._section_start:
            piece = piece.lstrip()
        if not piece:
            return
        self._section_start = False
        self.saw_reasoning = True
        body = piece.rstrip()
        if body:
            out.append(self._held_ws + body)
            self._held_ws = piece[len(body) :]
        else:
            self._held_ws += piece


def collect(chunks: Iterable[ChatChunk]) -> tuple[str, str | None]:
    """Join streamed chunks into (content, reasoning or None)."""
    content: list[str] = []
    reasoning: list[str] = []
    for chunk in chunks:
        content.append(chunk.content)
        reasoning.append(chunk.reasoning)
    joined = "".join(reasoning)
    return "".join(content), (joined or None)


def split_reasoning(
    content: str, reasoning_content: str | None = None, *, implicit_open: bool = False
) -> tuple[str, str | None]:
    """Split a whole answer into (answer, reasoning or None).

    `reasoning_content` is the server's separate field, if any. Text before a lone `</think>` is
    reasoning even without `implicit_open`; with it, an answer that never closes its thinking (cut
    off by max_tokens) is all reasoning.
    """
    implicit = CLOSE_TAG in content or (implicit_open and not reasoning_content)
    splitter = ReasoningSplitter(implicit_open=implicit)
    answer, thought = collect([splitter.feed(content), splitter.finish()])
    parts = [p for p in ((reasoning_content or "").strip(), thought or "") if p]
    return answer, ("\n\n".join(parts) or None)
