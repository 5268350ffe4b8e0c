"""`openai-compatible`: any server speaking the OpenAI API (vLLM, SGLang, Ollama's /v1, llama.cpp).

Uses the official `openai` client with `BANKMIND_LLM_TIMEOUT` as the timeout and
`BANKMIND_LLM_RETRIES` retries with exponential backoff (0.5 s, 1 s, 2 s …, honouring Retry-After)
on connection errors, timeouts, 408/409/429 and 5xx. Failures become `UpstreamError` /
`UpstreamTimeout` naming the redacted URL and the setting to change; API keys, prompts and answers
never appear in messages or logs.
"""

from __future__ import annotations

import logging
import socket
import ssl
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bankmind.config import ModelSettings, Settings
from bankmind.errors import ConfigError, UpstreamError, UpstreamTimeout
from bankmind.llm.base import (
    ChatModel,
    ChatOptions,
    EmbeddingModel,
    MessagesInput,
    history,
    redact_url,
    setting_prefix,
)
from bankmind.llm.reasoning import ReasoningSplitter, is_r1_style, split_reasoning
from bankmind.llm.types import ChatChunk, ChatResult, EmbeddingKind, Usage

if TYPE_CHECKING:
    import openai

    from bankmind.llm.registry import ProviderRegistry

__all__ = ["OpenAICompatibleChat", "OpenAICompatibleEmbedding", "OpenAIOptions", "register"]

log = logging.getLogger(__name__)
_EMBED_BATCH = 64


class OpenAIOptions(ChatOptions):
    """Options the openai-compatible chat provider accepts in `extra=`."""

    top_p: float | None = None
    seed: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    response_format: dict[str, Any] | None = None
    extra_body: dict[str, Any] | None = None
    """Server-specific request fields, e.g. vLLM's `{"chat_template_kwargs": {...}}`."""
    tools: list[dict[str, Any]] | None = None
    """Tool (function) definitions, passed to the server as they are."""
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None


class _Upstream:
    """The client and error wording shared by the chat and embedding providers."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None,
        timeout: float,
        retries: int,
        prefix: str,
    ) -> None:
        import openai

        self.url = redact_url(base_url)
        self.timeout = timeout
        self.retries = retries
        self.prefix = prefix
        self.label = prefix.removeprefix("BANKMIND_").lower() + " model"
        self.client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",
            organization=None,
            project=None,
            timeout=openai.Timeout(timeout, connect=min(timeout, 10.0)),
            max_retries=retries,
        )

    def chat(self, body: dict[str, Any], *, stream: bool) -> Any:
        """POST the finished body to /chat/completions: `ChatCompletion`, or a `Stream` of chunks.

        `chat.completions.create(**body)` would walk the whole body again to convert its typed
        parameters (about 0.4 ms for a 2 KB prompt); `_body` already built plain JSON values.
        """
        from openai import Stream
        from openai.types.chat import ChatCompletion, ChatCompletionChunk

        fields = {k: v for k, v in body.items() if k != "extra_body"}
        fields.update(body.get("extra_body") or {})  # merged into the JSON, as `create` does
        if stream:
            fields["stream"] = True
        return self.client.post(
            "/chat/completions",
            body=fields,
            cast_to=ChatCompletion,
            stream=stream,
            stream_cls=Stream[ChatCompletionChunk],
        )

    def error(self, exc: Exception, model: str) -> UpstreamError:
        """Turn an `openai` exception into an error that says what failed and what to do."""
        import openai

        attempts = f"{self.retries + 1} attempt{'s' if self.retries else ''}"
        if isinstance(exc, openai.APITimeoutError):
            return UpstreamTimeout(
                f"the {self.label} at {self.url} did not answer within {self.timeout:g} s ({attempts}); "
                "check that the server is not overloaded or raise BANKMIND_LLM_TIMEOUT"
            )
        if isinstance(exc, openai.APIConnectionError):
            return UpstreamError(
                f"cannot reach the {self.label} at {self.url} ({_connection_reason(exc)}); "
                f"start the server or change {self.prefix}__BASE_URL"
            )
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            if status in (401, 403):
                return UpstreamError(
                    f"the {self.label} at {self.url} refused the request (HTTP {status}); "
                    f"check {self.prefix}__API_KEY"
                )
            if status == 404:
                return UpstreamError(
                    f"the {self.label} at {self.url} has no model '{model}' or no such endpoint (HTTP 404); "
                    f"check {self.prefix}__MODEL and {self.prefix}__BASE_URL (it usually ends in /v1)"
                )
            if status == 429:
                return UpstreamError(
                    f"the {self.label} at {self.url} is busy (HTTP 429, {attempts}); try again later"
                )
            if status >= 500:
                return UpstreamError(
                    f"the {self.label} at {self.url} failed (HTTP {status}, {attempts}); "
                    "see the model server's log"
                )
            if _mentions_context(exc):
                return UpstreamError(
                    f"the {self.label} at {self.url} refused the request (HTTP {status}): the input is "
                    "longer than the model's context window; send less text or raise the server's "
                    "context length"
                )
            return UpstreamError(
                f"the {self.label} at {self.url} refused the request (HTTP {status}); "
                "see the model server's log for the reason"
            )
        return UpstreamError(
            f"the {self.label} at {self.url} answered with something that is not an OpenAI-style "
            f"response ({type(exc).__name__}); check that {self.prefix}__BASE_URL is an OpenAI-compatible /v1"
        )


def _connection_reason(exc: BaseException) -> str:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cur, socket.gaierror):
            return "host name not found"
        if isinstance(cur, ssl.SSLError):
            return "TLS error"
        if isinstance(cur, ConnectionResetError):
            return "connection reset"
        text = str(cur).lower()
        for needle, reason in (
            ("connection refused", "connection refused"),
            ("name or service not known", "host name not found"),
            ("nodename nor servname", "host name not found"),
            ("connection reset", "connection reset"),
            ("server disconnected", "the server closed the connection"),
            ("incomplete chunked read", "the server closed the connection mid-answer"),
            ("peer closed connection", "the server closed the connection mid-answer"),
        ):
            if needle in text:
                return reason
        cur = cur.__cause__ or cur.__context__
    return "connection failed"


def _mentions_context(exc: Exception) -> bool:
    text = str(getattr(exc, "message", "")).lower()
    return "context length" in text or "context window" in text or "maximum context" in text


def _reasoning_field(obj: object) -> str | None:
    """`reasoning_content` (vLLM, SGLang, DeepSeek API) or `reasoning` (newer vLLM, Ollama)."""
    for name in ("reasoning_content", "reasoning"):
        value = getattr(obj, name, None)
        if isinstance(value, str) and value:
            return value
    return None


class OpenAICompatibleChat(ChatModel):
    """A chat model behind an OpenAI-compatible `/v1/chat/completions`."""

    provider = "openai-compatible"
    Options = OpenAIOptions
    supports_images = True

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 120.0,
        retries: int = 2,
        setting: str = "BANKMIND_CHAT",
        implicit_reasoning: bool | None = None,
    ) -> None:
        self._upstream = _Upstream(
            base_url=base_url, api_key=api_key, timeout=timeout, retries=retries, prefix=setting
        )
        self.model = model
        self.location = self._upstream.url
        self.implicit_reasoning = is_r1_style(model) if implicit_reasoning is None else implicit_reasoning

    def close(self) -> None:
        self._upstream.client.close()

    @classmethod
    def from_settings(cls, model_settings: ModelSettings, settings: Settings) -> OpenAICompatibleChat:
        prefix = setting_prefix(model_settings, settings)
        base_url, model = _require(model_settings, prefix)
        return cls(
            base_url=base_url,
            model=model,
            api_key=model_settings.api_key,
            timeout=settings.llm_timeout,
            retries=settings.llm_retries,
            setting=prefix,
            implicit_reasoning=model_settings.implicit_reasoning,
        )

    def _body(
        self,
        messages: MessagesInput,
        max_tokens: int | None,
        temperature: float | None,
        stop: Sequence[str] | None,
        extra: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [m.model_dump(exclude_none=True) for m in history(messages)],
        }
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        if temperature is not None:
            body["temperature"] = temperature
        if stop:
            body["stop"] = list(stop)
        body.update(self.options(extra))
        return body

    def complete(
        self,
        messages: MessagesInput,
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> ChatResult:
        import openai

        body = self._body(messages, max_tokens, temperature, stop, extra)
        started = time.monotonic()
        try:
            response = self._upstream.chat(body, stream=False)
        except openai.OpenAIError as exc:
            raise self._upstream.error(exc, self.model) from exc
        if not response.choices:
            raise UpstreamError(f"the {self._upstream.label} at {self.location} answered without a choice")
        choice = response.choices[0]
        content, reasoning = split_reasoning(
            choice.message.content or "",
            _reasoning_field(choice.message),
            implicit_open=self.implicit_reasoning,
        )
        usage = None
        if response.usage is not None:
            usage = Usage(tokens_in=response.usage.prompt_tokens, tokens_out=response.usage.completion_tokens)
        log.info(
            "llm.chat.done",
            extra={
                "provider": self.provider,
                "model_name": self.model,
                "tokens_in": usage.tokens_in if usage else None,
                "tokens_out": usage.tokens_out if usage else None,
                "duration_ms": int((time.monotonic() - started) * 1000),
                "stream": False,
            },
        )
        tool_calls = [tc.model_dump(exclude_none=True) for tc in choice.message.tool_calls or ()]
        return ChatResult(
            content=content,
            reasoning=reasoning,
            model=response.model or self.model,
            usage=usage,
            finish_reason=choice.finish_reason,
            tool_calls=tool_calls or None,
        )

    def stream(
        self,
        messages: MessagesInput,
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Iterator[ChatChunk]:
        """Start the request now (errors surface here) and return an iterator over the answer."""
        import openai

        body = self._body(messages, max_tokens, temperature, stop, extra)
        try:
            response = self._upstream.chat(body, stream=True)
        except openai.OpenAIError as exc:
            raise self._upstream.error(exc, self.model) from exc
        return self._iterate(response)

    def _iterate(self, response: openai.Stream[Any]) -> Iterator[ChatChunk]:
        import openai

        splitter = ReasoningSplitter(implicit_open=self.implicit_reasoning)
        started = time.monotonic()
        pieces = 0
        finish_reason: str | None = None
        try:
            with response:
                for event in response:
                    if not event.choices:
                        continue
                    delta = event.choices[0].delta
                    thought = _reasoning_field(delta)
                    if thought:
                        yield splitter.feed_reasoning(thought)
                    if delta.content:
                        chunk = splitter.feed(delta.content)
                        if chunk:
                            pieces += 1
                            yield chunk
                    if delta.tool_calls:
                        calls = [tc.model_dump(exclude_none=True) for tc in delta.tool_calls]
                        yield ChatChunk(tool_calls=calls)
                    if event.choices[0].finish_reason:
                        finish_reason = event.choices[0].finish_reason
        except openai.OpenAIError as exc:
            raise self._upstream.error(exc, self.model) from exc
        tail = splitter.finish()
        if tail:
            yield tail
        if finish_reason:
            yield ChatChunk(finish_reason=finish_reason)
        log.info(
            "llm.chat.done",
            extra={
                "provider": self.provider,
                "model_name": self.model,
                "chunks": pieces,
                "duration_ms": int((time.monotonic() - started) * 1000),
                "stream": True,
            },
        )


class OpenAICompatibleEmbedding(EmbeddingModel):
    """An embedding model behind an OpenAI-compatible `/v1/embeddings` (e.g. bge-m3 on vLLM)."""

    provider = "openai-compatible"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 120.0,
        retries: int = 2,
        setting: str = "BANKMIND_EMBEDDING",
    ) -> None:
        self._upstream = _Upstream(
            base_url=base_url, api_key=api_key, timeout=timeout, retries=retries, prefix=setting
        )
        self.model = model
        self.location = self._upstream.url
        self.dim = None
        # E5-family models expect "query: " / "passage: " prefixes; others (bge-m3) do not.
        self._prefix_kind = "e5" in model.lower()

    def close(self) -> None:
        self._upstream.client.close()

    @classmethod
    def from_settings(cls, model_settings: ModelSettings, settings: Settings) -> OpenAICompatibleEmbedding:
        prefix = setting_prefix(model_settings, settings)
        base_url, model = _require(model_settings, prefix)
        return cls(
            base_url=base_url,
            model=model,
            api_key=model_settings.api_key,
            timeout=settings.llm_timeout,
            retries=settings.llm_retries,
            setting=prefix,
        )

    def embed(self, texts: Sequence[str], *, kind: EmbeddingKind) -> list[list[float]]:
        import openai

        inputs = [f"{kind}: {t}" for t in texts] if self._prefix_kind else list(texts)
        vectors: list[list[float]] = []
        for start in range(0, len(inputs), _EMBED_BATCH):
            batch = inputs[start : start + _EMBED_BATCH]
            try:
                response = self._upstream.client.embeddings.create(
                    model=self.model, input=batch, encoding_format="float"
                )
            except openai.OpenAIError as exc:
                raise self._upstream.error(exc, self.model) from exc
            data = sorted(response.data, key=lambda d: d.index)
            if len(data) != len(batch):
                raise UpstreamError(
                    f"the {self._upstream.label} at {self.location} returned {len(data)} vectors "
                    f"for {len(batch)} texts"
                )
            vectors.extend([float(x) for x in d.embedding] for d in data)
        if vectors:
            self.dim = len(vectors[0])
        return vectors


def _require(model_settings: ModelSettings, prefix: str) -> tuple[str, str]:
    if not model_settings.base_url:
        raise ConfigError(
            f"{prefix}__BASE_URL is not set; the openai-compatible provider needs the server's URL, "
            "e.g. http://127.0.0.1:8001/v1 (vLLM/SGLang) or http://127.0.0.1:11434/v1 (Ollama)"
        )
    if not model_settings.model:
        raise ConfigError(
            f"{prefix}__MODEL is not set; use the name the server lists at "
            f"{redact_url(model_settings.base_url)}/models (`bankmind doctor` shows what it finds)"
        )
    return model_settings.base_url, model_settings.model


def register(registry: ProviderRegistry) -> None:
    registry.register_chat("openai-compatible", OpenAICompatibleChat.from_settings)
    registry.register_embedding("openai-compatible", OpenAICompatibleEmbedding.from_settings)
