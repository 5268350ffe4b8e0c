"""Value types of the model layer: messages, results, stream chunks and model status rows.

Reasoning (DeepSeek-R1 `<think>` text or `reasoning_content`) has its own field everywhere; `content`
never holds it, so no later layer can mistake it for the answer, a citation or audit text.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "ROLES",
    "ChatChunk",
    "ChatMessage",
    "ChatResult",
    "ContentPart",
    "EmbeddingKind",
    "MessageRole",
    "ModelRole",
    "ModelStatus",
    "Usage",
]

MessageRole = Literal["system", "user", "assistant", "tool"]
ModelRole = Literal["chat", "reasoning", "vision", "embedding"]
EmbeddingKind = Literal["query", "passage"]
ROLES: tuple[ModelRole, ...] = ("chat", "reasoning", "vision", "embedding")

ContentPart = dict[str, Any]
"""One OpenAI content part, e.g. `{"type": "text", "text": "..."}` or
`{"type": "image_url", "image_url": {"url": "data:image/png;base64,..."}}` (vision models)."""


class ChatMessage(BaseModel):
    """One message of a conversation, in the OpenAI shape."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: MessageRole
    content: str | list[ContentPart]
    tool_calls: list[dict[str, Any]] | None = None
    """Tool calls an assistant message made, in the OpenAI shape (providers that pass tools)."""
    tool_call_id: str | None = None
    """The tool call a `tool` message answers."""

    def text(self) -> str:
        """The message's text (text parts joined; image parts left out)."""
        if isinstance(self.content, str):
            return self.content
        return "".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")

    def has_images(self) -> bool:
        return not isinstance(self.content, str) and any(p.get("type") != "text" for p in self.content)


class Usage(BaseModel):
    """Token counts reported by the model server (audit records and quotas use them)."""

    model_config = ConfigDict(frozen=True)

    tokens_in: int = 0
    tokens_out: int = 0


class ChatResult(BaseModel):
    """A finished answer. `reasoning` holds R1-style thinking, kept out of `content`."""

    model_config = ConfigDict(frozen=True)

    content: str
    reasoning: str | None = None
    model: str
    usage: Usage | None = None
    finish_reason: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    """Tool calls the model asked for (OpenAI shape, `function.arguments` a JSON string)."""


class ChatChunk(BaseModel):
    """A piece of a streamed answer: new answer text and/or new reasoning text, tool-call deltas
    (OpenAI shape, with `index`), and at the end the finish reason."""

    model_config = ConfigDict(frozen=True)

    content: str = ""
    reasoning: str = ""
    tool_calls: list[dict[str, Any]] | None = None
    finish_reason: str | None = None

    def __bool__(self) -> bool:
        return bool(self.content or self.reasoning or self.tool_calls or self.finish_reason)


class ModelStatus(BaseModel):
    """A model's configuration and health for one role.

    From `ModelRouter.check()` (a tiny real request: `bankmind doctor`, the status page) or from
    `ModelRouter.describe()` (configuration only, nothing contacted: `latency_ms` is None and `ok`
    means no problem is known, e.g. the model file exists).
    """

    model_config = ConfigDict(frozen=True)

    role: str
    provider: str
    model: str | None = None
    location: str | None = None
    ok: bool
    detail: str
    latency_ms: int | None = None
