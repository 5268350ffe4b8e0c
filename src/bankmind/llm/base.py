"""The model contract: `ChatModel` and `EmbeddingModel`, and the helpers every provider shares.

A provider is a class with one streaming method (`ChatModel.stream`) or one embedding method
(`EmbeddingModel.embed`); `complete` and `check` have working defaults. Provider-specific options go
through `extra=` and are validated by the provider's `Options` model, which rejects unknown keys.
Register a provider with `bankmind.llm.registry.register_chat` / `register_embedding`.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, ValidationError

from bankmind.config import ModelSettings, Settings
from bankmind.errors import BankmindError, InputError
from bankmind.llm.reasoning import collect, split_reasoning
from bankmind.llm.types import ChatChunk, ChatMessage, ChatResult, EmbeddingKind, ModelStatus

__all__ = [
    "ChatModel",
    "ChatOptions",
    "EmbeddingModel",
    "MessagesInput",
    "history",
    "redact_url",
    "setting_prefix",
]

log = logging.getLogger(__name__)

MessagesInput = Sequence[ChatMessage | Mapping[str, Any]]


class ChatOptions(BaseModel):
    """Provider options passed as `extra=`; a provider subclasses this to accept more keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def redact_url(url: str | None) -> str:
    """A URL fit for messages and logs: no user, password, query or fragment."""
    if not url:
        return ""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def setting_prefix(model_settings: ModelSettings, settings: Settings | None) -> str:
    """The environment prefix that configures this model, e.g. `BANKMIND_CHAT` (for error messages)."""
    if settings is not None:
        for role in ("chat", "reasoning", "vision", "embedding"):
            if getattr(settings, role) is model_settings:
                return f"BANKMIND_{role.upper()}"
        for role in ("chat", "reasoning", "vision", "embedding"):
            if getattr(settings, role) == model_settings:
                return f"BANKMIND_{role.upper()}"
    return "BANKMIND_CHAT"


def history(messages: MessagesInput) -> list[ChatMessage]:
    """Validate messages; strip reasoning from earlier assistant turns (it is never fed back)."""
    out: list[ChatMessage] = []
    for raw in messages:
        try:
            msg = raw if isinstance(raw, ChatMessage) else ChatMessage.model_validate(raw)
        except ValidationError as exc:
            raise InputError(
                f"message {len(out) + 1} is not a valid chat message: {_first_error(exc)}"
            ) from None
        if msg.role == "assistant" and isinstance(msg.content, str):
            answer, _ = split_reasoning(msg.content)
            if answer != msg.content:
                msg = msg.model_copy(update={"content": answer})
        out.append(msg)
    if not out:
        raise InputError("no messages to send to the model; pass at least one user message")
    return out


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else str(err["msg"])


class _Model:
    """What chat and embedding models share: identity, offline problems, status rows."""

    provider: ClassVar[str] = "base"
    model: str
    location: str

    def problem(self) -> str | None:
        """Why this model cannot work, found without contacting it (None when nothing is known)."""
        return None

    def close(self) -> None:
        """Release connections (a no-op for in-process models, which stay loaded for the process)."""
        return None

    def _status(self, role: str, *, ok: bool, detail: str, started: float) -> ModelStatus:
        return ModelStatus(
            role=role,
            provider=self.provider,
            model=self.model,
            location=self.location,
            ok=ok,
            detail=detail,
            latency_ms=int((time.monotonic() - started) * 1000),
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} provider={self.provider} model={self.model} at {self.location}>"


class ChatModel(_Model, ABC):
    """A chat model. Subclasses implement `stream`; `complete` collects it unless overridden."""

    Options: ClassVar[type[ChatOptions]] = ChatOptions
    can_stream: ClassVar[bool] = True
    supports_images: ClassVar[bool] = False

    @abstractmethod
    def stream(
        self,
        messages: MessagesInput,
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Iterator[ChatChunk]:
        """Yield the answer as it is generated; reasoning arrives in `ChatChunk.reasoning`."""

    def complete(
        self,
        messages: MessagesInput,
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> ChatResult:
        """The whole answer at once; reasoning in `ChatResult.reasoning`, never in `content`."""
        chunks = self.stream(messages, max_tokens=max_tokens, temperature=temperature, stop=stop, extra=extra)
        content, reasoning = collect(chunks)
        return ChatResult(content=content, reasoning=reasoning, model=self.model)

    def options(self, extra: Mapping[str, Any] | None) -> dict[str, Any]:
        """Validate `extra` against this provider's `Options`; unknown keys are refused."""
        if not extra:
            return {}
        try:
            opts = self.Options.model_validate(dict(extra))
        except ValidationError as exc:
            unknown = sorted(str(e["loc"][0]) for e in exc.errors() if e["type"] == "extra_forbidden")
            valid = ", ".join(sorted(self.Options.model_fields)) or "none"
            if unknown:
                raise InputError(
                    f"unknown option {', '.join(repr(u) for u in unknown)} for the {self.provider} chat "
                    f"provider; valid options: {valid}"
                ) from None
            raise InputError(
                f"invalid option for the {self.provider} chat provider: {_first_error(exc)}"
            ) from None
        return opts.model_dump(exclude_none=True)

    def check(self, *, role: str = "chat") -> ModelStatus:
        """Send a one-token request and report whether the model answered, and how fast."""
        started = time.monotonic()
        try:
            self.complete([ChatMessage(role="user", content="ping")], max_tokens=1, temperature=0.0)
        except BankmindError as exc:
            return self._status(role, ok=False, detail=exc.message, started=started)
        return self._status(role, ok=True, detail="answers", started=started)


class EmbeddingModel(_Model, ABC):
    """An embedding model: texts in, one vector per text out."""

    dim: int | None = None

    @abstractmethod
    def embed(self, texts: Sequence[str], *, kind: EmbeddingKind) -> list[list[float]]:
        """Embed `texts` as search queries (`kind="query"`) or as indexed passages (`"passage"`)."""

    def check(self, *, role: str = "embedding") -> ModelStatus:
        """Embed one short text and report whether it worked, and how fast."""
        started = time.monotonic()
        try:
            vectors = self.embed(["ping"], kind="query")
        except BankmindError as exc:
            return self._status(role, ok=False, detail=exc.message, started=started)
        if len(vectors) != 1 or not vectors[0]:
            return self._status(role, ok=False, detail="answered without a vector", started=started)
        return self._status(role, ok=True, detail=f"answers ({len(vectors[0])} dimensions)", started=started)
