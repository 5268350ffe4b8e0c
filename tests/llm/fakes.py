"""A tiny provider registered through the real registry (the plugin path), used by several tests."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from bankmind.config import ModelSettings, Settings
from bankmind.llm import ChatChunk, ChatModel, ChatOptions, MessagesInput
from bankmind.llm.base import history


class EchoOptions(ChatOptions):
    shout: bool = False


class EchoChat(ChatModel):
    """Answers with the last user message, streamed one character at a time."""

    provider = "echo"
    Options = EchoOptions

    def __init__(self, model: str = "echo") -> None:
        self.model = model
        self.location = "in-process"

    @classmethod
    def from_settings(cls, model_settings: ModelSettings, settings: Settings) -> EchoChat:
        return cls(model_settings.model or "echo")

    def stream(
        self,
        messages: MessagesInput,
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Iterator[ChatChunk]:
        opts = self.options(extra)
        text = history(messages)[-1].text()
        if opts.get("shout"):
            text = text.upper()
        for ch in text[: max_tokens or None]:
            yield ChatChunk(content=ch)
