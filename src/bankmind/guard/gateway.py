"""The gateway: every model call passes here, from the bank's other systems (`/v1`) and from bankmind.

    gateway = Gateway(settings, store, ModelRouter(settings))
    completion = gateway.chat(principal, ChatCompletionRequest(model="deepseek-v3", messages=[...]))
    for chunk in gateway.chat_stream(principal, request): ...        # ChatCompletionChunk
    gateway.embeddings(principal, EmbeddingRequest(model="bge-m3", input=["…"]))
    gateway.models(principal)                                          # names and aliases

Each call runs one pipeline, and appends exactly one audit record whatever happens:

1. resolve the model by name or alias (`model_not_found`, 404, otherwise);
2. department policy for the model's exposure (`permission_denied`, 403, for a `no_external`
   department asking an external model);
3. quotas: requests per minute per API key, then tokens per day per department (`quota_exceeded`,
   429 with Retry-After);
4. refusal policy on the last user message (`gateway_refusal`): an OpenAI-shaped refusal, no model;
5. masking of every message's text, tool-call arguments and tool results with one vault per request
   (always toward external models; toward internal ones per department);
6. the model, through the router (`ChatModel.complete/stream`, `EmbeddingModel.embed`);
7. unmasking of the answer (across streamed chunks too), R1 reasoning stripped unless the request
   says `include_reasoning`;
8. the tokens charged to the department, and the audit record: principal, action, model, tokens,
   latency, PII types and counts, SHA-256 of the masked prompt and of the masked answer, outcome.

Prompts and answers are never logged; reasoning never reaches the audit record or the next turn.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import struct
import threading
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal

from bankmind.config import ModelSettings, Settings
from bankmind.errors import BankmindError, ConfigError, InputError, ModelNotFound, PermissionDenied
from bankmind.guard.gateway_call import (
    CallRecord,
    audited_message,
    canonical_json,
    estimate_prompt_tokens,
    estimate_tokens,
    new_completion_id,
    new_vault,
    record_answer,
    sha256_text,
    unmask_tool_call,
    upstream_message,
)
from bankmind.guard.gateway_refusal import ModelRefusalClassifier, Refusal, RefusalPolicy
from bankmind.guard.gateway_stream import GatewayStream
from bankmind.guard.gateway_types import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionRequest,
    Choice,
    CompletionUsage,
    Embedding,
    EmbeddingList,
    EmbeddingRequest,
    EmbeddingUsage,
    ModelCard,
    ModelList,
)
from bankmind.guard.masking import Vault
from bankmind.guard.policy import Decision, decide, department_policy
from bankmind.guard.quotas import RateLimiter, reserve
from bankmind.llm import ChatModel, ChatResult, ModelRouter
from bankmind.llm.types import ModelRole
from bankmind.store import Store
from bankmind.store.sql import transaction
from bankmind.types import Principal

__all__ = ["CatalogEntry", "Gateway", "GatewayStream", "ModelNotFound", "refusal_policy"]

log = logging.getLogger(__name__)

_ALL_ROLES: tuple[ModelRole, ...] = ("chat", "reasoning", "vision", "embedding")


@dataclass(frozen=True)
class CatalogEntry:
    """A model name clients may use, the role it serves and that role's settings."""

    name: str
    role: ModelRole
    settings: ModelSettings
    canonical: str

    @property
    def exposure(self) -> Literal["internal", "external"]:
        return self.settings.exposure


@dataclass
class _Prepared:
    """A chat request after policy, quotas, refusal check and masking: ready for the model."""

    entry: CatalogEntry
    model: ChatModel
    decision: Decision
    vault: Vault
    messages: list[dict[str, Any]]
    refusal: Refusal | None
    extra: dict[str, Any]

    @property
    def unmasker(self) -> Vault | None:
        """The vault that restores the answer, or None when the model saw the real values."""
        return self.vault if self.decision.mask else None


class Gateway:
    """The governed way to every model: see the module docstring for the pipeline."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        router: ModelRouter,
        *,
        refusals: RefusalPolicy | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.router = router
        self.refusals = refusals if refusals is not None else refusal_policy(settings, router)
        self.limiter = limiter if limiter is not None else RateLimiter.from_settings(settings)
        self._catalog: dict[str, CatalogEntry] | None = None
        self._catalog_lock = threading.Lock()
        # SQLite has one writer at a time and makes waiting writers sleep in steps of 1, 2, 5, 10 …
        # ms; taking turns on a lock here hands the store over at once instead (PostgreSQL needs none).
        self._writes: AbstractContextManager[Any] = (
            threading.Lock() if store.backend == "sqlite" else contextlib.nullcontext()
        )

    # models --------------------------------------------------------------------------------------
    def catalog(self) -> dict[str, CatalogEntry]:
        """Model names and aliases by role, from the configuration (built once, nothing contacted)."""
        if self._catalog is None:
            with self._catalog_lock:
                if self._catalog is None:
                    self._catalog = self._build_catalog()
        return self._catalog

    def _build_catalog(self) -> dict[str, CatalogEntry]:
        entries: dict[str, CatalogEntry] = {}
        for role in _ALL_ROLES:
            if role == "reasoning" and self.settings.reasoning is None:
                continue  # the chat model serves it, under the chat model's names
            model_settings = self.router.settings_for(role)
            if model_settings is None or model_settings.provider == "none":
                continue
            try:
                served = model_settings.model or self._served_name(role)
            except BankmindError as exc:
                log.warning("gateway.model_unavailable", extra={"role": role, "error": exc.code})
                continue
            names = [served, *model_settings.aliases]
            for name in names:
                entries.setdefault(name, CatalogEntry(name, role, model_settings, served))
        return entries

    def _served_name(self, role: ModelRole) -> str:
        if role == "embedding":
            return self.router.embedding().model
        return self._chat_model(role).model

    def _chat_model(self, role: ModelRole) -> ChatModel:
        if role == "reasoning":
            return self.router.reasoning()
        if role == "vision":
            vision = self.router.vision()
            if vision is None:  # pragma: no cover - the catalog lists vision only when configured
                raise ModelNotFound("no vision model is configured; set BANKMIND_VISION__PROVIDER")
            return vision
        return self.router.chat()

    def resolve(self, name: str, *, kind: Literal["chat", "embedding"]) -> CatalogEntry:
        """The catalog entry for a requested model name, or `ModelNotFound` naming the valid ones."""
        catalog = self.catalog()
        entry = catalog.get(name)
        fits = [n for n, e in catalog.items() if (e.role == "embedding") == (kind == "embedding")]
        valid = ", ".join(fits) or "none configured"
        shown = name[:80]
        if entry is None:
            raise ModelNotFound(
                f"the model '{shown}' does not exist here; use one of: {valid} (listed at GET /v1/models)"
            )
        if (entry.role == "embedding") != (kind == "embedding"):
            other = "an embedding model: use /v1/embeddings" if kind == "chat" else "a chat model"
            raise ModelNotFound(f"the model '{shown}' is {other}; for this endpoint use one of: {valid}")
        return entry

    def model_for(self, role: ModelRole) -> str | None:
        """The served name of the model configured for `role`, or None (capabilities then work
        without one: extractive answers, rule findings)."""
        return next((n for n, e in self.catalog().items() if e.role == role and n == e.canonical), None)

    def models(self, principal: Principal) -> ModelList:
        """The names and aliases this principal may use (external models hidden from no_external)."""
        department = department_policy(self.store, principal)
        cards = [
            ModelCard(id=name)
            for name, entry in self.catalog().items()
            if not (entry.exposure == "external" and department is not None and department.no_external)
        ]
        return ModelList(data=cards)

    # audit ---------------------------------------------------------------------------------------
    def begin(
        self, principal: Principal, action: str, model: str, *, stream: bool = False, request_id: str | None
    ) -> CallRecord:
        """The audit record of a new call (written by `CallRecord.finish()`)."""
        call = CallRecord(self.store, principal, action, model[:200], stream=stream, writes=self._writes)
        if request_id:
            call.details["request_id"] = request_id[:64]
        return call

    # shared steps --------------------------------------------------------------------------------
    def _admit(
        self, call: CallRecord, principal: Principal, entry: CatalogEntry, key_id: str | None
    ) -> Decision:
        """Department policy, then the per-key rate and the department's daily tokens."""
        call.model = entry.canonical
        call.details["exposure"] = entry.exposure
        if entry.name != entry.canonical:
            call.details["alias"] = entry.name
        # One transaction: a denied or rate-limited request rolls back and is not counted.
        with self._writes, transaction(self.store) as conn:
            department = department_policy(conn, principal)
            call.department = department
            decision = decide(principal, department, exposure=entry.exposure, model=entry.canonical)
            call.details["masked"] = decision.mask
            self.limiter.hit(key_id or f"user:{principal.user_id}")
            call.reservation = reserve(conn, department)
        return decision

    # chat ----------------------------------------------------------------------------------------
    def chat(
        self,
        principal: Principal,
        request: ChatCompletionRequest,
        *,
        key_id: str | None = None,
        request_id: str | None = None,
    ) -> ChatCompletion:
        """One whole answer (the request's `stream` flag is ignored: see `chat_stream`)."""
        call = self.begin(principal, "gateway.chat", request.model, request_id=request_id)
        try:
            prepared = self._prepare(call, principal, request, key_id)
            if prepared.refusal is not None:
                return self._refusal_completion(call, prepared)
            result = prepared.model.complete(
                prepared.messages,
                max_tokens=request.output_limit,
                temperature=request.temperature,
                stop=request.stops,
                extra=prepared.extra or None,
            )
            return self._completion(call, prepared, request, result)
        except BaseException as exc:
            call.fail(exc)
            raise
        finally:
            call.finish()

    def chat_stream(
        self,
        principal: Principal,
        request: ChatCompletionRequest,
        *,
        key_id: str | None = None,
        request_id: str | None = None,
    ) -> GatewayStream:
        """Start a streamed answer: policy, quotas and the upstream's first answer are checked now
        (errors raise here, before any byte is sent); iterate for `ChatCompletionChunk`s and
        `close()` when done (the audit record is written at the end of the stream or on close)."""
        call = self.begin(principal, "gateway.chat", request.model, stream=True, request_id=request_id)
        try:
            prepared = self._prepare(call, principal, request, key_id)
            include_usage = bool(request.stream_options and request.stream_options.include_usage)
            if prepared.refusal is not None:
                return GatewayStream(
                    call, None, vault=None, unmask=False, model=prepared.entry.name,
                    refusal=prepared.refusal.message, include_reasoning=False, include_usage=include_usage,
                )  # fmt: skip
            chunks = prepared.model.stream(
                prepared.messages,
                max_tokens=request.output_limit,
                temperature=request.temperature,
                stop=request.stops,
                extra=prepared.extra or None,
            )
        except BaseException as exc:
            call.fail(exc)
            call.finish()
            raise
        return GatewayStream(
            call,
            chunks,
            vault=prepared.vault,
            unmask=prepared.decision.mask,
            model=prepared.entry.name,
            refusal=None,
            include_reasoning=request.include_reasoning,
            include_usage=include_usage,
        )

    def _prepare(
        self, call: CallRecord, principal: Principal, request: ChatCompletionRequest, key_id: str | None
    ) -> _Prepared:
        entry = self.resolve(request.model, kind="chat")
        decision = self._admit(call, principal, entry, key_id)
        model = self._chat_model(entry.role)
        # One vault per request. The audit record always gets the masked prompt's hash and PII
        # counts; the model gets the masked messages when policy says so.
        vault = new_vault()
        masked = [upstream_message(m, vault) for m in request.messages]
        call.pii = dict(vault.counts())
        prompt = canonical_json(masked)
        call.prompt_sha256 = sha256_text(prompt)
        call.masked_prompt = canonical_json([audited_message(m) for m in masked])
        last_user = next((m.text() for m in reversed(request.messages) if m.role == "user"), "")
        refusal = self.refusals.check(last_user) if last_user else None
        if refusal is not None:
            call.outcome = "refused"
            call.details["refusal_topic"] = refusal.topic
            call.details["refused_by"] = refusal.by
            call.response_sha256 = sha256_text(refusal.message)
            return _Prepared(entry, model, decision, vault, [], refusal, {})
        if entry.exposure == "external" and any(m.has_images() for m in request.messages):
            raise PermissionDenied(
                f"the model '{entry.canonical}' is external and images cannot be masked; "
                "send images to an internal (vision) model"
            )
        extra = _extra_options(model, request)
        sent = masked if decision.mask else [upstream_message(m, None) for m in request.messages]
        call.prompt_tokens_estimate = estimate_prompt_tokens(sent)
        return _Prepared(entry, model, decision, vault, sent, None, extra)

    def _refusal_completion(self, call: CallRecord, prepared: _Prepared) -> ChatCompletion:
        assert prepared.refusal is not None
        text = prepared.refusal.message
        return ChatCompletion(
            id=new_completion_id(),
            created=int(time.time()),
            model=prepared.entry.name,
            choices=[
                Choice(
                    message=AssistantMessage(content=text, refusal=text),
                    finish_reason="content_filter",
                )
            ],
            usage=CompletionUsage(prompt_tokens=0, completion_tokens=0, total_tokens=0),
        )

    def _completion(
        self, call: CallRecord, prepared: _Prepared, request: ChatCompletionRequest, result: ChatResult
    ) -> ChatCompletion:
        raw_calls: list[dict[str, Any]] | None = getattr(result, "tool_calls", None) or None
        record_answer(call, prepared.vault, result.content, raw_calls)
        if result.usage is not None:
            call.tokens_in, call.tokens_out = result.usage.tokens_in, result.usage.tokens_out
        else:
            call.tokens_in = call.prompt_tokens_estimate
            call.tokens_out = estimate_tokens(result.content) + estimate_tokens(result.reasoning or "")
        call.details["finish_reason"] = result.finish_reason
        vault = prepared.unmasker
        content = vault.unmask(result.content) if vault is not None else result.content
        reasoning = None
        if request.include_reasoning and result.reasoning:
            reasoning = vault.unmask(result.reasoning) if vault is not None else result.reasoning
        tool_calls = [unmask_tool_call(tc, vault) for tc in raw_calls] if raw_calls else None
        return ChatCompletion(
            id=new_completion_id(),
            created=int(time.time()),
            model=prepared.entry.name,
            choices=[
                Choice(
                    message=AssistantMessage(
                        content=content if (content or not tool_calls) else None,
                        reasoning_content=reasoning,
                        tool_calls=tool_calls,
                    ),
                    finish_reason=result.finish_reason or ("tool_calls" if tool_calls else "stop"),
                )
            ],
            usage=CompletionUsage(
                prompt_tokens=call.tokens_in,
                completion_tokens=call.tokens_out,
                total_tokens=call.tokens_in + call.tokens_out,
            ),
        )

    # embeddings ----------------------------------------------------------------------------------
    def embeddings(
        self,
        principal: Principal,
        request: EmbeddingRequest,
        *,
        key_id: str | None = None,
        request_id: str | None = None,
    ) -> EmbeddingList:
        """Vectors for the request's texts, masked first like chat prompts."""
        call = self.begin(principal, "gateway.embeddings", request.model, request_id=request_id)
        try:
            entry = self.resolve(request.model, kind="embedding")
            texts = _embedding_texts(request.input)
            decision = self._admit(call, principal, entry, key_id)
            vault = new_vault()
            masked = [str(vault.mask(t)) for t in texts]
            call.pii = dict(vault.counts())
            call.prompt_sha256 = sha256_text(canonical_json(masked))
            sent = masked if decision.mask else texts
            vectors = self.router.embedding().embed(sent, kind=request.input_type)
            packed = b"".join(struct.pack(f"<{len(v)}f", *v) for v in vectors)
            call.response_sha256 = hashlib.sha256(packed).hexdigest()
            call.tokens_in = sum(estimate_tokens(t) for t in sent)
            call.details["inputs"] = len(texts)
            encoding = request.encoding_format
            data = [Embedding(index=i, embedding=_encode(v, encoding)) for i, v in enumerate(vectors)]
            usage = EmbeddingUsage(prompt_tokens=call.tokens_in, total_tokens=call.tokens_in)
            return EmbeddingList(data=data, model=entry.name, usage=usage)
        except BaseException as exc:
            call.fail(exc)
            raise
        finally:
            call.finish()


# --- helpers ---------------------------------------------------------------------------------------


def refusal_policy(settings: Settings, router: ModelRouter) -> RefusalPolicy:
    """The refusal policy the settings ask for: built-in or from `refusal_policy`'s TOML file, with
    the chat model as classifier when `refusal_classifier` is on (only an internal one: the
    classifier sees the request before masking)."""
    classifier = None
    if settings.refusal_classifier:
        chat = router.settings_for("chat")
        if chat is None or chat.provider == "none":
            raise ConfigError("BANKMIND_REFUSAL_CLASSIFIER needs a chat model; set BANKMIND_CHAT__PROVIDER")
        if chat.exposure == "external":
            raise ConfigError(
                "BANKMIND_REFUSAL_CLASSIFIER needs an internal chat model: the classifier sees requests "
                "before masking, and the chat model is external (BANKMIND_CHAT__EXPOSURE=external)"
            )
        classifier = _ChatModelClassifier(router)
    if settings.refusal_policy is not None:
        return RefusalPolicy.from_file(settings.refusal_policy, classifier=classifier)
    return RefusalPolicy.default(classifier=classifier)


class _ChatModelClassifier:
    """`ModelRefusalClassifier` on the router's chat model, loaded on first use, not at start-up."""

    def __init__(self, router: ModelRouter) -> None:
        self._router = router
        self._classifier: ModelRefusalClassifier | None = None

    def classify(self, text: str) -> str | None:
        if self._classifier is None:
            try:
                self._classifier = ModelRefusalClassifier(self._router.chat())
            except BankmindError as exc:  # like a failing model: the patterns alone decide
                log.warning("gateway.refusal_classifier_unavailable", extra={"error": exc.code})
                return None
        return self._classifier.classify(text)


_PASSED_OPTIONS = ("top_p", "seed", "presence_penalty", "frequency_penalty", "response_format")
_TOOL_OPTIONS = ("tools", "tool_choice", "parallel_tool_calls")


def _extra_options(model: ChatModel, request: ChatCompletionRequest) -> dict[str, Any]:
    """OpenAI request fields the provider accepts; sampling fields it does not know are left out."""
    accepted = model.Options.model_fields
    extra = {
        k: getattr(request, k) for k in _PASSED_OPTIONS if k in accepted and getattr(request, k) is not None
    }
    if request.uses_tools:
        if "tools" not in accepted:
            raise InputError(
                f"the {model.provider} chat provider serving '{request.model[:80]}' cannot pass tools "
                "(tools, tool_choice, tool messages); use a model served by an openai-compatible server"
            )
        extra.update({k: getattr(request, k) for k in _TOOL_OPTIONS if getattr(request, k) is not None})
    return extra


def _embedding_texts(value: str | list[str] | list[int] | list[list[int]]) -> list[str]:
    if isinstance(value, str):
        return [value]
    if all(isinstance(v, str) for v in value):
        return [str(v) for v in value]
    raise InputError(
        "token arrays cannot be checked for personal data; "
        "send the input as text (a string or a list of strings)"
    )


def _encode(vector: Sequence[float], encoding: str) -> list[float] | str:
    if encoding == "base64":
        return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")
    return [float(x) for x in vector]
