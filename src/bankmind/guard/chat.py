"""A model as a plain callable for capabilities: messages in, the answer's text out, through the gateway.

    chat = gateway_chat(gateway, principal, max_tokens=300)                 # None: no chat model
    vision = gateway_chat(gateway, principal, role="vision", max_tokens=120)  # None: no vision model
    text = chat([{"role": "user", "content": "…"}])
    text = vision([{"role": "user", "content": [{"type": "text", "text": "…"},
                                                {"type": "image_url", "image_url": {"url": "data:…"}}]}])

Why: recon narratives, the contract clause review, seal and signature confirmation and English clause
confirmation all ask a model the same way, and every such call must be policed, masked, charged to
the department and audited like any `/v1/chat/completions` call (design principle 3). Capabilities
may not import each other, so the one adapter lives here; each capability keeps its own budgets
(`max_tokens`) and prompts. An R1-style model thinks before it answers and its thinking counts
against max_tokens, so it gets `thinking_tokens` more; its reasoning is stripped by the gateway and
never returned. An answer the caller cannot use raises `ChatUnavailable` (cut off by max_tokens, no
choice) or `ChatRefused` (the refusal policy declined this request); an outside failure raises what
the gateway raises (`BankmindError` such as upstream_error, quota_exceeded, permission_denied, or
an `OSError`). Capabilities treat the model as a courtesy: they catch these and go on without it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal, TypeVar

from bankmind.errors import BankmindError
from bankmind.guard.gateway import Gateway
from bankmind.guard.gateway_types import ChatCompletionRequest, RequestMessage
from bankmind.llm.reasoning import is_r1_style
from bankmind.types import Principal

__all__ = [
    "TEMPERATURE",
    "THINKING_TOKENS",
    "Chat",
    "ChatRefused",
    "ChatRole",
    "ChatUnavailable",
    "GatewayChat",
    "Message",
    "ask_each",
    "gateway_chat",
    "model_for_role",
    "reasons",
]

log = logging.getLogger(__name__)
Key = TypeVar("Key")

Message = dict[str, Any]
"""An OpenAI-style message: `role` and `content`, a string or a list of text and image_url parts."""
ChatRole = Literal["chat", "reasoning", "vision"]
Chat = Callable[[list[Message]], str]
"""A model: messages in, the answer's text out (never its reasoning); see the module docstring for
what it raises."""

THINKING_TOKENS = 1024
"""Added to max_tokens for an R1-style model: its thinking counts against the limit."""
TEMPERATURE = 0.1


class ChatUnavailable(Exception):
    """The model gave no usable answer to this request (cut off by max_tokens, no choice)."""


class ChatRefused(ChatUnavailable):
    """The gateway's refusal policy declined this one request; others may still be asked."""


def reasons(gateway: Gateway, model: str) -> bool:
    """Whether `model` thinks before answering (DeepSeek-R1 style): configured so, or by its name."""
    entry = gateway.catalog().get(model)
    return (entry is not None and entry.settings.reasoning_format == "r1") or is_r1_style(model)


def model_for_role(gateway: Gateway, role: ChatRole) -> str | None:
    """The served name of the gateway's model for `role`, or None when none is configured; the
    reasoning role falls back to the chat model, as the router does."""
    if role in ("chat", "reasoning") and not gateway.router.has_chat():
        return None
    return gateway.model_for(role) or (gateway.model_for("chat") if role == "reasoning" else None)


class GatewayChat:
    """A `Chat` through the gateway as `principal` (see the module docstring)."""

    def __init__(
        self,
        gateway: Gateway,
        principal: Principal,
        model: str,
        *,
        max_tokens: int,
        thinking_tokens: int = THINKING_TOKENS,
        temperature: float = TEMPERATURE,
        request_id: str | None = None,
    ) -> None:
        self.gateway = gateway
        self.principal = principal
        self.model = model
        self.temperature = temperature
        self.request_id = request_id
        self.max_tokens = max_tokens + (thinking_tokens if reasons(gateway, model) else 0)

    def __call__(self, messages: list[Message]) -> str:
        request = ChatCompletionRequest(
            model=self.model,
            messages=[RequestMessage.model_validate(m) for m in messages],
            max_tokens=self.max_tokens,
            temperature=self.temperature,
        )
        completion = self.gateway.chat(self.principal, request, request_id=self.request_id)
        if not completion.choices:
            raise ChatUnavailable(f"the model '{self.model}' answered without a choice")
        choice = completion.choices[0]
        if choice.message.refusal:
            raise ChatRefused(choice.message.refusal)
        if choice.finish_reason == "length":
            raise ChatUnavailable(f"the answer of '{self.model}' was cut off at {self.max_tokens} tokens")
        return choice.message.content or ""


def gateway_chat(
    gateway: Gateway,
    principal: Principal,
    *,
    role: ChatRole = "chat",
    max_tokens: int,
    thinking_tokens: int = THINKING_TOKENS,
    request_id: str | None = None,
) -> GatewayChat | None:
    """The gateway's model for `role` (chat, reasoning or vision) as a `Chat`, or None when none is
    configured (the capability then works without a model)."""
    model = model_for_role(gateway, role)
    if model is None:
        return None
    return GatewayChat(
        gateway,
        principal,
        model,
        max_tokens=max_tokens,
        thinking_tokens=thinking_tokens,
        request_id=request_id,
    )


def ask_each(
    chat: Chat, requests: Iterable[tuple[Key, list[Message]]], *, event: str
) -> Iterator[tuple[Key, str]]:
    """Ask `chat` each request in turn and yield `(key, answer)`: the courtesy every capability owes
    a model it does not depend on. An unusable answer (refused, cut off) skips its request; the
    first outside failure (`BankmindError` such as upstream_error or quota_exceeded, an `OSError`
    such as a timeout) ends the asking, since the next request would fail the same way. Both are
    logged as `<event>_unavailable` / `<event>_model_failed`, never raised."""
    for key, messages in requests:
        try:
            answer = chat(messages)
        except ChatUnavailable as exc:
            log.info(f"{event}_unavailable", extra={"error": type(exc).__name__})
            continue
        except (BankmindError, OSError) as exc:
            code = exc.code if isinstance(exc, BankmindError) else type(exc).__name__
            log.warning(f"{event}_model_failed", extra={"error": code})
            return
        yield key, answer
