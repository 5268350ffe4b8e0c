"""The model router: which model serves each role.

    router = ModelRouter(settings)
    router.chat().complete([...])            # BANKMIND_CHAT__*
    router.reasoning()                       # BANKMIND_REASONING__*, else the chat model
    router.vision()                          # BANKMIND_VISION__*, else None
    router.embedding().embed([...], kind="passage")

Models are created on first use and cached; `describe()` lists the configuration without
contacting anything (`bankmind models list`), `check(role)` sends a tiny real request
(`bankmind doctor`, the status page). Do not route query rewriting or other short utility prompts
through `reasoning()`: R1-style models think for hundreds of tokens first.
"""

from __future__ import annotations

import threading
from typing import Literal

from bankmind.config import ModelSettings, Settings
from bankmind.errors import BankmindError, InputError
from bankmind.llm.base import ChatModel, EmbeddingModel
from bankmind.llm.registry import ProviderRegistry
from bankmind.llm.registry import registry as default_registry
from bankmind.llm.types import ROLES, ModelStatus

__all__ = ["ModelRouter"]

ChatRole = Literal["chat", "reasoning", "vision"]


class ModelRouter:
    """Maps roles (chat, reasoning, vision, embedding) to model instances, created lazily."""

    def __init__(self, settings: Settings, *, registry: ProviderRegistry | None = None) -> None:
        self.settings = settings
        self.registry = registry or default_registry
        for module in settings.plugins:
            self.registry.load(module)
        self._chat_models: dict[ChatRole, ChatModel] = {}
        self._embedding: EmbeddingModel | None = None
        self._lock = threading.Lock()

    # roles -------------------------------------------------------------------------------
    def settings_for(self, role: str) -> ModelSettings | None:
        """The settings that configure `role` (reasoning falls back to chat; vision may be None)."""
        if role == "chat":
            return self.settings.chat
        if role == "reasoning":
            return self.settings.reasoning or self.settings.chat
        if role == "vision":
            return self.settings.vision
        if role == "embedding":
            return self.settings.embedding
        raise InputError(f"unknown model role '{role}'; use one of: {', '.join(ROLES)}")

    def has_chat(self) -> bool:
        """Whether a chat model is configured (False means capabilities answer extractively)."""
        return self.settings.chat.provider != "none"

    def chat(self) -> ChatModel:
        return self._chat_model("chat")

    def reasoning(self) -> ChatModel:
        """The R1-style model for long analyses; the chat model when none is configured."""
        if self.settings.reasoning is None:
            return self.chat()
        return self._chat_model("reasoning")

    def vision(self) -> ChatModel | None:
        """The VL2-style model that reads images, or None when none is configured."""
        if self.settings.vision is None:
            return None
        return self._chat_model("vision")

    def embedding(self) -> EmbeddingModel:
        if self._embedding is None:
            with self._lock:
                if self._embedding is None:
                    self._embedding = self.registry.create_embedding(self.settings.embedding, self.settings)
        return self._embedding

    def _chat_model(self, role: ChatRole) -> ChatModel:
        model = self._chat_models.get(role)
        if model is None:
            with self._lock:
                model = self._chat_models.get(role)
                if model is None:
                    model_settings = self.settings_for(role)
                    assert model_settings is not None
                    model = self.registry.create_chat(model_settings, self.settings)
                    self._chat_models[role] = model
        return model

    def _model(self, role: str) -> ChatModel | EmbeddingModel | None:
        if role == "embedding":
            return self.embedding()
        if role == "reasoning":
            return self.reasoning()
        if role == "vision":
            return self.vision()
        if role == "chat":
            return self.chat()
        raise InputError(f"unknown model role '{role}'; use one of: {', '.join(ROLES)}")

    def close(self) -> None:
        """Close the models created so far (their connections); the router can be used again after."""
        with self._lock:
            models: list[ChatModel | EmbeddingModel] = list(self._chat_models.values())
            if self._embedding is not None:
                models.append(self._embedding)
            self._chat_models.clear()
            self._embedding = None
        for model in models:
            model.close()

    # status ------------------------------------------------------------------------------
    def describe(self) -> list[ModelStatus]:
        """One row per role from the configuration only: nothing is contacted or loaded.

        `ok` is False when a problem is known without contacting the model (a missing model file,
        an unknown provider, a missing base URL); `latency_ms` is None.
        """
        rows: list[ModelStatus] = []
        for role in ROLES:
            model_settings = self.settings_for(role)
            if model_settings is None:
                detail = f"not configured (optional); set BANKMIND_{role.upper()}__PROVIDER to use one"
                rows.append(ModelStatus(role=role, provider="none", ok=True, detail=detail))
                continue
            try:
                model = self._model(role)
            except BankmindError as exc:
                rows.append(
                    ModelStatus(
                        role=role,
                        provider=model_settings.provider,
                        model=model_settings.model,
                        ok=False,
                        detail=exc.message,
                    )
                )
                continue
            assert model is not None
            problem = model.problem()
            if problem is not None:
                detail = problem
            elif role == "reasoning" and self.settings.reasoning is None:
                detail = "same as chat (BANKMIND_REASONING__* unset)"
            elif model.provider == "none":
                detail = "no chat model: capabilities answer extractively"
            else:
                detail = "configured (not contacted)"
            rows.append(
                ModelStatus(
                    role=role,
                    provider=model.provider,
                    model=None if model.provider == "none" else model.model,
                    location=model.location or None,
                    ok=problem is None,
                    detail=detail,
                )
            )
        return rows

    def check(self, role: str) -> ModelStatus:
        """Send a tiny real request to the model serving `role` and report the outcome."""
        model_settings = self.settings_for(role)
        if model_settings is None:
            return ModelStatus(
                role=role, provider="none", ok=True, detail=f"no {role} model configured (optional)"
            )
        try:
            model = self._model(role)
        except BankmindError as exc:
            return ModelStatus(
                role=role,
                provider=model_settings.provider,
                model=model_settings.model,
                ok=False,
                detail=exc.message,
            )
        assert model is not None
        return model.check(role=role)

    def check_all(self) -> list[ModelStatus]:
        """`check()` for every role; an unconfigured reasoning role reports the chat model's probe."""
        statuses: list[ModelStatus] = []
        for role in ROLES:
            if role == "reasoning" and self.settings.reasoning is None:
                chat = statuses[0]
                update = {"role": "reasoning", "detail": f"same as chat: {chat.detail}"}
                statuses.append(chat.model_copy(update=update))
            else:
                statuses.append(self.check(role))
        return statuses
