"""The chat model for grounded answers, reached through the gateway like every other model call.

    writer = GatewayWriter(gateway, principal)        # None when no chat model is configured
    for text in writer.stream(messages, max_tokens=600): ...

Going through the gateway means a knowledge-base answer is policed, masked, charged to the
department and audited exactly like a `/v1/chat/completions` call, and that DeepSeek-R1 reasoning
is stripped before the answer is read here.
"""

from __future__ import annotations

from collections.abc import Iterator

from bankmind.guard.chat import model_for_role, reasons
from bankmind.guard.gateway import Gateway
from bankmind.guard.gateway_types import ChatCompletionRequest, RequestMessage
from bankmind.knowledge.answer import PolicyRefusal
from bankmind.types import Principal

__all__ = ["GatewayWriter", "gateway_writer"]

TEMPERATURE = 0.1


class GatewayWriter:
    """An `AnswerWriter` that streams the gateway's chat model as `principal`."""

    def __init__(self, gateway: Gateway, principal: Principal, model: str, *, request_id: str | None = None):
        self.gateway = gateway
        self.principal = principal
        self.model = model
        self.request_id = request_id
        self.reasons = reasons(gateway, model)
        """A reasoning model (DeepSeek-R1 style): answers, but never rewrites a follow-up."""

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int) -> Iterator[str]:
        """The answer's text as it arrives; `PolicyRefusal` when the gateway's policy declines it."""
        request = ChatCompletionRequest(
            model=self.model,
            messages=[RequestMessage.model_validate(m) for m in messages],
            max_tokens=max_tokens,
            temperature=TEMPERATURE,
        )
        stream = self.gateway.chat_stream(self.principal, request, request_id=self.request_id)
        try:
            for chunk in stream:
                for choice in chunk.choices:
                    if choice.delta.refusal:
                        raise PolicyRefusal(choice.delta.refusal)
                    if choice.delta.content:
                        yield choice.delta.content
        finally:
            stream.close()


def gateway_writer(
    gateway: Gateway, principal: Principal, *, request_id: str | None = None
) -> GatewayWriter | None:
    """The writer over the configured chat model, or None when there is none (extractive answers)."""
    model = model_for_role(gateway, "chat")
    return GatewayWriter(gateway, principal, model, request_id=request_id) if model else None
