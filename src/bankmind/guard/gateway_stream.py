"""A streamed gateway answer: the model's chunks, unmasked across chunk boundaries, as OpenAI
`chat.completion.chunk`s; the audit record is written when the stream ends, fails or is closed.

    stream = gateway.chat_stream(principal, request)     # errors before the first chunk raise here
    try:
        for chunk in stream: send(chunk)
    finally:
        stream.close()                                    # a client that hung up: outcome "cancelled"

A placeholder the model splits over two chunks (`<CN_` + `ID_1>`) is held back until it is complete
and restored (`StreamUnmasker`); reasoning gets its own unmasker and is sent only when asked for.
Iteration and `close()` may come from different threads (a web server's worker and its event loop):
a lock keeps them apart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from bankmind.guard.gateway_call import CallRecord, estimate_tokens, new_completion_id, record_answer
from bankmind.guard.gateway_types import ChatCompletionChunk, ChunkChoice, CompletionUsage, Delta
from bankmind.guard.masking import StreamUnmasker, Vault
from bankmind.llm.types import ChatChunk

__all__ = ["GatewayStream"]


class _Plain:
    """Stands in for a `StreamUnmasker` when the model saw the real values."""

    def feed(self, text: str) -> str:
        return text

    def finish(self) -> str:
        return ""


class GatewayStream:
    """Iterate for `ChatCompletionChunk`s; `close()` ends it early. See the module docstring."""

    def __init__(
        self,
        call: CallRecord,
        chunks: Iterator[ChatChunk] | None,
        *,
        vault: Vault | None,
        unmask: bool,
        model: str,
        refusal: str | None,
        include_reasoning: bool,
        include_usage: bool,
    ) -> None:
        self.call = call
        self.id = new_completion_id()
        self.created = int(time.time())
        self.model = model
        self._chunks = chunks
        self._vault = vault
        self._unmask = unmask and vault is not None
        self._refusal = refusal
        self._include_reasoning = include_reasoning
        self._include_usage = include_usage
        self._lock = threading.Lock()
        self._iterator: Iterator[ChatCompletionChunk] | None = None
        self._finished = False
        # what the model sent (masked when the model saw placeholders), for the audit record
        self._content: list[str] = []
        self._reasoning_tokens = 0
        self._tool_calls: dict[int, dict[str, Any]] = {}

    # the iterator protocol, guarded by the lock ---------------------------------------------------
    def __iter__(self) -> GatewayStream:
        return self

    def __next__(self) -> ChatCompletionChunk:
        with self._lock:
            if self._finished:
                raise StopIteration
            if self._iterator is None:
                self._iterator = self._generate()
            try:
                return next(self._iterator)
            except StopIteration:
                self._finished = True
                raise
            except BaseException as exc:
                self._finished = True
                self._settle()
                self.call.fail(exc)
                self.call.finish()
                raise

    def close(self) -> None:
        """Stop early (the client left): close the upstream stream and write the audit record."""
        with self._lock:
            if not self._finished:
                self._finished = True
                if self.call.outcome == "ok":
                    self.call.outcome = "cancelled"
                close = getattr(self._chunks, "close", None)
                if callable(close):
                    close()
                self._settle()
            self.call.finish()

    # generation ---------------------------------------------------------------------------------------
    def _chunk(self, delta: Delta, finish_reason: str | None = None) -> ChatCompletionChunk:
        return ChatCompletionChunk(
            id=self.id,
            created=self.created,
            model=self.model,
            choices=[ChunkChoice(delta=delta, finish_reason=finish_reason)],
        )

    def _generate(self) -> Iterator[ChatCompletionChunk]:
        yield self._chunk(Delta(role="assistant", content=""))
        if self._refusal is not None:
            yield self._chunk(Delta(content=self._refusal, refusal=self._refusal))
            yield self._chunk(Delta(), "content_filter")
            yield from self._usage()
            self.call.finish()
            return
        assert self._chunks is not None
        content = self._new_unmasker()
        reasoning = self._new_unmasker() if self._include_reasoning else None
        arguments: dict[int, Any] = {}
        finish_reason: str | None = None
        usage: Any = None
        for piece in self._chunks:
            if piece.reasoning:
                self._reasoning_tokens += estimate_tokens(piece.reasoning)
                if reasoning is not None:
                    text = reasoning.feed(piece.reasoning)
                    if text:
                        yield self._chunk(Delta(reasoning_content=text))
            if piece.content:
                self._content.append(piece.content)
                text = content.feed(piece.content)
                if text:
                    yield self._chunk(Delta(content=text))
            deltas = getattr(piece, "tool_calls", None)
            if deltas:
                out = [self._tool_delta(d, arguments) for d in deltas]
                yield self._chunk(Delta(tool_calls=out))
            finish_reason = getattr(piece, "finish_reason", None) or finish_reason
            usage = getattr(piece, "usage", None) or usage
        if reasoning is not None:
            text = reasoning.finish()
            if text:
                yield self._chunk(Delta(reasoning_content=text))
        text = content.finish()
        if text:
            yield self._chunk(Delta(content=text))
        tails = [(i, str(u.finish())) for i, u in sorted(arguments.items())]
        rest: list[dict[str, Any]] = [{"index": i, "function": {"arguments": t}} for i, t in tails if t]
        if rest:
            yield self._chunk(Delta(tool_calls=rest))
        if usage is not None:
            self.call.tokens_in, self.call.tokens_out = usage.tokens_in, usage.tokens_out
        self._settle(estimate=usage is None)
        reason = finish_reason or ("tool_calls" if self._tool_calls else "stop")
        self.call.details["finish_reason"] = reason
        yield self._chunk(Delta(), reason)
        yield from self._usage()
        self._finished = True
        self.call.finish()

    def _new_unmasker(self) -> StreamUnmasker | _Plain:
        return StreamUnmasker(self._vault) if self._unmask and self._vault is not None else _Plain()

    def _tool_delta(self, delta: dict[str, Any], arguments: dict[int, Any]) -> dict[str, Any]:
        """Record a tool-call delta (masked) and pass it on with its argument text unmasked."""
        index = int(delta.get("index", 0))
        seen = self._tool_calls.setdefault(index, {"id": None, "type": "function", "function": {}})
        out = {k: v for k, v in delta.items() if k != "function"}
        if delta.get("id"):
            seen["id"] = delta["id"]
        function = dict(delta.get("function") or {})
        if function.get("name"):
            seen["function"]["name"] = function["name"]
        fragment = function.get("arguments")
        if isinstance(fragment, str):
            seen["function"]["arguments"] = seen["function"].get("arguments", "") + fragment
            unmasker = arguments.setdefault(index, self._new_unmasker())
            function["arguments"] = unmasker.feed(fragment)
        if function:
            out["function"] = function
        out["index"] = index
        return out

    def _usage(self) -> Iterator[ChatCompletionChunk]:
        if self._include_usage:
            tokens_in, tokens_out = self.call.tokens_in, self.call.tokens_out
            yield ChatCompletionChunk(
                id=self.id,
                created=self.created,
                model=self.model,
                choices=[],
                usage=CompletionUsage(
                    prompt_tokens=tokens_in, completion_tokens=tokens_out, total_tokens=tokens_in + tokens_out
                ),
            )

    def _settle(self, *, estimate: bool = True) -> None:
        """Put what the model sent so far on the audit record: answer hash, token counts."""
        if self._refusal is not None or self._vault is None:
            return
        content = "".join(self._content)
        calls = [self._tool_calls[i] for i in sorted(self._tool_calls)] or None
        record_answer(self.call, self._vault, content, calls)
        if estimate:
            self.call.tokens_in = self.call.prompt_tokens_estimate
            self.call.tokens_out = estimate_tokens(content) + self._reasoning_tokens
