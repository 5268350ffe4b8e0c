"""`none`: no chat model. Capabilities answer extractively; asking this model to generate is an error."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bankmind.config import ModelSettings, Settings
from bankmind.errors import ConfigError
from bankmind.llm.base import ChatModel, MessagesInput, setting_prefix
from bankmind.llm.types import ChatChunk, ChatResult, ModelStatus

if TYPE_CHECKING:
    from bankmind.llm.registry import ProviderRegistry

__all__ = ["NoChatModel", "register"]


class NoChatModel(ChatModel):
    """Stands in when `BANKMIND_CHAT__PROVIDER=none`; callers check `router.has_chat()` first."""

    provider = "none"
    can_stream = False

    def __init__(self, setting: str = "BANKMIND_CHAT") -> None:
        self.model = "none"
        self.location = ""
        self.setting = setting

    @classmethod
    def from_settings(cls, model_settings: ModelSettings, settings: Settings) -> NoChatModel:
        return cls(setting_prefix(model_settings, settings))

    def _refuse(self) -> ConfigError:
        return ConfigError(
            f"no chat model configured ({self.setting}__PROVIDER=none), so nothing can be generated; "
            f"set {self.setting}__PROVIDER=local (embedded model) or openai-compatible"
        )

    def complete(
        self,
        messages: MessagesInput,
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> ChatResult:
        raise self._refuse()

    def stream(
        self,
        messages: MessagesInput,
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Iterator[ChatChunk]:
        raise self._refuse()

    def check(self, *, role: str = "chat") -> ModelStatus:
        return ModelStatus(
            role=role,
            provider=self.provider,
            model=None,
            location=None,
            ok=True,
            detail="no chat model configured: capabilities answer extractively",
            latency_ms=None,
        )


def register(registry: ProviderRegistry) -> None:
    registry.register_chat("none", NoChatModel.from_settings)
