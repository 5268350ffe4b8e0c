"""`local`: a GGUF model run in-process by llama-cpp-python (no server needed).

The model file is `BANKMIND_LOCAL_MODEL` or the embedded model assembled by `bankmind models
install`. It is loaded on first use, once per process and file (a 0.5B model takes ~1 s and ~0.6 GB),
and generation is serialised with a lock: llama.cpp contexts are not thread-safe.

Every request evaluates its prompt from scratch (`Llama.reset()`): reusing the previous request's
cached prefix is faster for long shared prompts but changes the floating-point path, so the same
question at temperature 0 could get a different answer. A bank wants the same input to give the same
output (audits, tests), so bankmind trades the prefix cache for reproducibility.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bankmind.config import ModelSettings, Settings
from bankmind.errors import ConfigError, InputError, ModelNotInstalled
from bankmind.llm.base import ChatModel, ChatOptions, MessagesInput, history
from bankmind.llm.installer import embedded_model_path
from bankmind.llm.reasoning import ReasoningSplitter, is_r1_style, split_reasoning
from bankmind.llm.types import ChatChunk, ChatMessage, ChatResult, Usage

if TYPE_CHECKING:
    from bankmind.llm.registry import ProviderRegistry

__all__ = ["LocalChat", "LocalOptions", "register"]

log = logging.getLogger(__name__)


class LocalOptions(ChatOptions):
    """Options the local (llama.cpp) provider accepts in `extra=`."""

    top_p: float | None = None
    top_k: int | None = None
    min_p: float | None = None
    seed: int | None = None
    repeat_penalty: float | None = None


@dataclass
class _Loaded:
    llama: Any
    lock: threading.Lock


_loaded: dict[tuple[str, int, int], _Loaded] = {}
_loaded_lock = threading.Lock()


@atexit.register
def _close_loaded() -> None:
    """Free loaded models before interpreter teardown (llama.cpp's __del__ fails once modules are gone)."""
    with _loaded_lock:
        for loaded in _loaded.values():
            loaded.llama.close()
        _loaded.clear()


def default_threads() -> int:
    """All CPUs, up to 8 (llama-cpp-python's own default, half the CPUs, wastes small machines)."""
    return max(1, min(os.cpu_count() or 1, 8))


class LocalChat(ChatModel):
    """A chat model run in-process from a GGUF file."""

    provider = "local"
    Options = LocalOptions

    def __init__(
        self,
        model_path: Path,
        *,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        embedded: bool = False,
        implicit_reasoning: bool | None = None,
    ) -> None:
        self.path = Path(model_path)
        self.model = self.path.stem
        self.location = str(self.path)
        self.n_ctx = n_ctx
        self.n_threads = n_threads or default_threads()
        self.embedded = embedded
        self.implicit_reasoning = (
            is_r1_style(self.path.name) if implicit_reasoning is None else implicit_reasoning
        )

    @classmethod
    def from_settings(cls, model_settings: ModelSettings, settings: Settings) -> LocalChat:
        if settings.local_model is not None:
            path, embedded = settings.local_model.expanduser(), False
        else:
            path, embedded = embedded_model_path(settings), True
        return cls(
            path,
            n_ctx=settings.local_context,
            n_threads=settings.local_threads,
            embedded=embedded,
            implicit_reasoning=model_settings.implicit_reasoning,
        )

    # loading -----------------------------------------------------------------------------
    def problem(self) -> str | None:
        """Why the model file cannot be used, or None (a cheap check, for `bankmind models list`)."""
        if self.path.is_file():
            return None
        if self.embedded:
            return f"the embedded chat model is not installed at {self.path}; run `bankmind models install`"
        return f"BANKMIND_LOCAL_MODEL points to {self.path}, which does not exist; fix the path or unset it"

    def _load(self) -> _Loaded:
        key = (str(self.path.resolve()), self.n_ctx, self.n_threads)
        loaded = _loaded.get(key)
        if loaded is not None:
            return loaded
        with _loaded_lock:
            loaded = _loaded.get(key)
            if loaded is None:
                loaded = _Loaded(self._open(), threading.Lock())
                _loaded[key] = loaded
        return loaded

    def _open(self) -> Any:
        problem = self.problem()
        if problem is not None:
            if self.embedded:
                raise ModelNotInstalled(
                    problem + " (or set BANKMIND_CHAT__PROVIDER=none for extractive answers)"
                )
            raise ConfigError(problem)
        import llama_cpp

        started = time.monotonic()
        try:
            llama = llama_cpp.Llama(
                model_path=str(self.path), n_ctx=self.n_ctx, n_threads=self.n_threads, verbose=False
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ConfigError(
                f"cannot load {self.path} as a GGUF model ({type(exc).__name__}); "
                "point BANKMIND_LOCAL_MODEL at a valid GGUF file or run `bankmind models install`"
            ) from exc
        log.info(
            "llm.local.loaded",
            extra={
                "model_name": self.model,
                "n_ctx": self.n_ctx,
                "threads": self.n_threads,
                "duration_ms": int((time.monotonic() - started) * 1000),
            },
        )
        return llama

    def engine(self) -> Any:
        """The loaded `llama_cpp.Llama`, shared by the process (benchmarks, advanced use).

        Hold `engine_lock()` while calling it: llama.cpp contexts are not thread-safe.
        """
        return self._load().llama

    def engine_lock(self) -> threading.Lock:
        return self._load().lock

    # generation --------------------------------------------------------------------------
    def _kwargs(
        self,
        messages: MessagesInput,
        max_tokens: int | None,
        temperature: float | None,
        stop: Sequence[str] | None,
        extra: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "messages": [_plain(m) for m in history(messages)],
            "max_tokens": max_tokens,
        }
        if temperature is not None:
            kwargs["temperature"] = temperature
        if stop:
            kwargs["stop"] = list(stop)
        kwargs.update(self.options(extra))
        return kwargs

    def complete(
        self,
        messages: MessagesInput,
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> ChatResult:
        kwargs = self._kwargs(messages, max_tokens, temperature, stop, extra)
        loaded = self._load()
        started = time.monotonic()
        with loaded.lock:
            loaded.llama.reset()  # see the module docstring: same input, same answer
            try:
                response = loaded.llama.create_chat_completion(**kwargs)
            except ValueError as exc:
                raise self._input_error(exc) from exc
        choice = response["choices"][0]
        content, reasoning = split_reasoning(
            choice["message"].get("content") or "", implicit_open=self.implicit_reasoning
        )
        raw_usage = response.get("usage") or {}
        usage = Usage(
            tokens_in=raw_usage.get("prompt_tokens", 0), tokens_out=raw_usage.get("completion_tokens", 0)
        )
        log.info(
            "llm.chat.done",
            extra={
                "provider": self.provider,
                "model_name": self.model,
                "tokens_in": usage.tokens_in,
                "tokens_out": usage.tokens_out,
                "duration_ms": int((time.monotonic() - started) * 1000),
                "stream": False,
            },
        )
        return ChatResult(
            content=content,
            reasoning=reasoning,
            model=self.model,
            usage=usage,
            finish_reason=choice.get("finish_reason"),
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
        """Load the model now (errors surface here) and return an iterator over the answer."""
        kwargs = self._kwargs(messages, max_tokens, temperature, stop, extra)
        return self._iterate(self._load(), kwargs)

    def _iterate(self, loaded: _Loaded, kwargs: dict[str, Any]) -> Iterator[ChatChunk]:
        splitter = ReasoningSplitter(implicit_open=self.implicit_reasoning)
        started = time.monotonic()
        pieces = 0
        with loaded.lock:
            loaded.llama.reset()
            try:
                for event in loaded.llama.create_chat_completion(**kwargs, stream=True):
                    choices = event.get("choices") or []
                    text = choices[0].get("delta", {}).get("content") if choices else None
                    if text:
                        chunk = splitter.feed(text)
                        if chunk:
                            pieces += 1
                            yield chunk
            except ValueError as exc:
                raise self._input_error(exc) from exc
        tail = splitter.finish()
        if tail:
            yield tail
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

    def _input_error(self, exc: ValueError) -> InputError:
        if "context" in str(exc).lower():
            return InputError(
                f"the input is longer than the local model's context window ({self.n_ctx} tokens); "
                "send less text or raise BANKMIND_LOCAL_CONTEXT"
            )
        return InputError(
            f"the local model refused the request ({type(exc).__name__}); check the options passed"
        )


def _plain(message: ChatMessage) -> dict[str, str]:
    if message.has_images():
        raise InputError(
            "the local chat model cannot read images; configure a vision model "
            "(BANKMIND_VISION__PROVIDER=openai-compatible with a DeepSeek-VL2 server)"
        )
    return {"role": message.role, "content": message.text()}


def register(registry: ProviderRegistry) -> None:
    registry.register_chat("local", LocalChat.from_settings)
