"""One gateway call's bookkeeping: the audit record it writes, token estimates, hashes, and the
masking of request messages (one vault per request).

The audit record holds SHA-256 digests of the *masked* prompt and answer, never their text (unless
the department keeps masked text), so a digest cannot be matched against guessed ID numbers.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import Connection

from bankmind.errors import BankmindError, PermissionDenied
from bankmind.guard import audit
from bankmind.guard.audit import sha256_text
from bankmind.guard.gateway_types import RequestMessage
from bankmind.guard.masking import Vault
from bankmind.guard.quotas import Reservation, charge
from bankmind.store import Store
from bankmind.store.departments import DepartmentPolicy
from bankmind.types import Principal

__all__ = [
    "CallRecord",
    "audited_message",
    "canonical_json",
    "estimate_prompt_tokens",
    "estimate_tokens",
    "mask_text",
    "mask_tool_call",
    "new_completion_id",
    "new_vault",
    "record_answer",
    "response_digest",
    "sha256_text",
    "unmask_tool_call",
    "upstream_message",
]

log = logging.getLogger(__name__)


def estimate_tokens(text: str) -> int:
    """A deterministic token estimate when the model server reports none (streams, embeddings):
    one token per CJK character, one per four other characters (rounded up)."""
    cjk = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff")
    rest = len(text) - cjk
    return cjk + (rest + 3) // 4


def estimate_prompt_tokens(messages: Sequence[Mapping[str, Any]]) -> int:
    """`estimate_tokens` over a conversation: each message's text and tool-call arguments, plus 4
    tokens per message for the chat template around it."""
    total = 0
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            content = "".join(str(p.get("text", "")) for p in content if p.get("type") == "text")
        total += 4 + estimate_tokens(str(content or ""))
        for tool_call in message.get("tool_calls") or ():
            total += estimate_tokens(str((tool_call.get("function") or {}).get("arguments", "")))
    return total


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def response_digest(content: str, tool_calls: Sequence[Mapping[str, Any]] | None) -> str:
    """SHA-256 of an answer as the model gave it (masked): its text, or text and tool calls as JSON."""
    if not tool_calls:
        return sha256_text(content)
    return sha256_text(canonical_json({"content": content, "tool_calls": list(tool_calls)}))


# --- masking -------------------------------------------------------------------------------------------


def new_vault() -> Vault:
    """The vault of one request (placeholders and the originals behind them)."""
    return Vault()


# --- the audit record of one call --------------------------------------------------------------------


@dataclass
class CallRecord:
    """What one gateway call will write to the audit log; `finish()` writes it exactly once."""

    store: Store
    principal: Principal
    action: str
    model: str
    stream: bool = False
    started: float = field(default_factory=time.perf_counter)
    department: DepartmentPolicy | None = None
    reservation: Reservation | None = None
    pii: dict[str, int] = field(default_factory=dict)
    prompt_sha256: str | None = None
    response_sha256: str | None = None
    masked_prompt: str | None = None
    masked_response: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    prompt_tokens_estimate: int = 0
    outcome: str = "ok"
    details: dict[str, Any] = field(default_factory=dict)
    writes: AbstractContextManager[Any] = field(default_factory=nullcontext)
    """Held while charging and appending (the gateway's store-write lock, see `Gateway`)."""
    _done: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, exc: BaseException) -> None:
        if isinstance(exc, PermissionDenied):
            self.outcome = "denied"
        elif isinstance(exc, BankmindError):
            self.outcome = exc.code
        else:
            self.outcome = "internal_error"
        self.details["error"] = exc.code if isinstance(exc, BankmindError) else type(exc).__name__

    def finish(self) -> None:
        """Charge the department and append the audit record (once; later calls do nothing)."""
        with self._lock:
            if self._done:
                return
            self._done = True
        latency_ms = int((time.perf_counter() - self.started) * 1000)
        with self.writes:
            self._append(latency_ms)
        log.info(
            self.action + ".done",
            extra={
                "principal_id": self.principal.user_id,
                "model_name": self.model,
                "outcome": self.outcome,
                "stream": self.stream,
                "tokens_in": self.tokens_in,
                "tokens_out": self.tokens_out,
                "pii_types": sorted(self.pii),
                "duration_ms": latency_ms,
            },
        )

    def _append(self, latency_ms: int) -> None:
        """The audit record: hashes and counts (the masked text is kept only if the department says
        so), and in the same transaction the tokens charged to the department."""
        reservation = self.reservation if (self.tokens_in or self.tokens_out) else None
        audit.append(
            self.store,
            principal=self.principal,
            action=self.action,
            model=self.model,
            tokens_in=self.tokens_in,
            tokens_out=self.tokens_out,
            latency_ms=latency_ms,
            pii=dict(self.pii),
            prompt_sha256=self.prompt_sha256,
            response_sha256=self.response_sha256,
            masked_prompt=self.masked_prompt,
            masked_response=self.masked_response,
            outcome=self.outcome,
            details=dict(self.details),
            policy=self.department,
            together=None if reservation is None else partial(self._charge, reservation),
        )

    def _charge(self, reservation: Reservation, conn: Connection) -> None:
        charge(conn, reservation, tokens_in=self.tokens_in, tokens_out=self.tokens_out)


def record_answer(
    call: CallRecord, vault: Vault, content: str, tool_calls: Sequence[Mapping[str, Any]] | None
) -> None:
    """Put the answer's hash (and masked text) on the audit record: masked with the request's
    vault, so an answer that quotes personal data is hashed as placeholders too."""
    masked = vault.mask(content) if content else content
    masked_calls = [mask_tool_call(tc, vault) for tc in tool_calls] if tool_calls else None
    call.response_sha256 = response_digest(masked, masked_calls)
    call.masked_response = (
        masked if not masked_calls else canonical_json({"content": masked, "tool_calls": masked_calls})
    )


def new_completion_id() -> str:
    return "chatcmpl-" + secrets.token_hex(12)


def mask_text(text: str, vault: Vault | None) -> str:
    return vault.mask(text) if vault is not None and text else text


def upstream_message(message: RequestMessage, vault: Vault | None) -> dict[str, Any]:
    """The message as the model layer takes it, its text masked (image parts pass unchanged)."""
    role = "system" if message.role == "developer" else message.role
    content: str | list[dict[str, Any]]
    if isinstance(message.content, list):
        content = [
            {**part, "text": mask_text(str(part.get("text", "")), vault)}
            if part.get("type") == "text"
            else part
            for part in message.content
        ]
    else:
        content = mask_text(message.content or "", vault)
    out: dict[str, Any] = {"role": role, "content": content}
    if message.tool_calls:
        out["tool_calls"] = [mask_tool_call(tc, vault) for tc in message.tool_calls]
    if message.tool_call_id is not None:
        out["tool_call_id"] = message.tool_call_id
    return out


def audited_message(message: dict[str, Any]) -> dict[str, Any]:
    """An upstream message as the audit record keeps it: an image cannot be masked, so its data is
    replaced by its SHA-256 (enough to prove later which image was sent, nothing to leak)."""
    content = message.get("content")
    if not isinstance(content, list):
        return message
    parts = []
    for part in content:
        image = part.get("image_url") if part.get("type") == "image_url" else None
        if isinstance(image, dict) and isinstance(image.get("url"), str):
            part = {**part, "image_url": {**image, "url": "sha256:" + sha256_text(image["url"])}}
        parts.append(part)
    return {**message, "content": parts}


def mask_tool_call(tool_call: Mapping[str, Any], vault: Vault | None) -> dict[str, Any]:
    out = dict(tool_call)
    function = dict(out.get("function") or {})
    if isinstance(function.get("arguments"), str):
        function["arguments"] = mask_text(function["arguments"], vault)
    out["function"] = function
    return out


def unmask_tool_call(tool_call: Mapping[str, Any], vault: Vault | None) -> dict[str, Any]:
    out = dict(tool_call)
    function = dict(out.get("function") or {})
    if vault is not None and isinstance(function.get("arguments"), str):
        function["arguments"] = vault.unmask(function["arguments"])
    out["function"] = function
    return out
