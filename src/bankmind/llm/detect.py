"""Find model servers already running on this machine, for newcomers (`bankmind doctor`).

Probes 127.0.0.1 only, with a short timeout: Ollama on 11434 (`/api/tags`, then `/v1/models`) and
vLLM/SGLang on 8000 and 8001 (`/v1/models`), skipping the port bankmind itself serves on. Each hit
comes with the exact settings that would use it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

__all__ = ["DEFAULT_CANDIDATES", "Candidate", "DetectedServer", "detect_servers"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    """A place a model server often listens."""

    port: int
    kind: str  # "ollama" or "openai-compatible" (vLLM, SGLang, llama.cpp)
    host: str = "127.0.0.1"


DEFAULT_CANDIDATES: tuple[Candidate, ...] = (
    Candidate(11434, "ollama"),
    Candidate(8000, "openai-compatible"),
    Candidate(8001, "openai-compatible"),
)

_EMBEDDING_HINTS = ("embed", "bge", "e5", "gte", "m3e")
_OWNERS = {
    "vllm": "vLLM",
    "sglang": "SGLang",
    "llamacpp": "llama.cpp",
    "ollama": "Ollama",
    "library": "Ollama",
}


class DetectedServer(BaseModel):
    """A server that answered, its models, and the settings that would use it."""

    model_config = ConfigDict(frozen=True)

    kind: str  # Ollama, vLLM, SGLang, llama.cpp or "OpenAI-compatible server"
    base_url: str  # the OpenAI-compatible base URL, ending in /v1
    models: list[str]
    chat_model: str | None  # a DeepSeek model if there is one, never an embedding model
    settings: list[str]  # KEY=VALUE lines that make it the chat model
    embedding_settings: list[str]  # KEY=VALUE lines for its embedding model (empty if none)

    @classmethod
    def build(cls, kind: str, base_url: str, models: Sequence[str]) -> DetectedServer:
        chat = [m for m in models if not _is_embedding(m)]
        deepseek = [m for m in chat if "deepseek" in m.lower()]
        chat_model = next(iter(deepseek or chat), None)
        embedding_model = next((m for m in models if _is_embedding(m)), None)
        settings = [
            "BANKMIND_CHAT__PROVIDER=openai-compatible",
            f"BANKMIND_CHAT__BASE_URL={base_url}",
            f"BANKMIND_CHAT__MODEL={chat_model or '<model name>'}",
        ]
        embedding = (
            [
                "BANKMIND_EMBEDDING__PROVIDER=openai-compatible",
                f"BANKMIND_EMBEDDING__BASE_URL={base_url}",
                f"BANKMIND_EMBEDDING__MODEL={embedding_model}",
            ]
            if embedding_model
            else []
        )
        return cls(
            kind=kind,
            base_url=base_url,
            models=list(models),
            chat_model=chat_model,
            settings=settings,
            embedding_settings=embedding,
        )


def _is_embedding(name: str) -> bool:
    lower = name.lower()
    return any(hint in lower for hint in _EMBEDDING_HINTS)


def detect_servers(
    *,
    skip_ports: Iterable[int] = (),
    timeout: float = 0.5,
    candidates: Sequence[Candidate] = DEFAULT_CANDIDATES,
) -> list[DetectedServer]:
    """Probe the candidates in parallel; return those that answered like a model server.

    Pass the port bankmind serves on in `skip_ports` so it does not find itself.
    """
    skip = set(skip_ports)
    todo = [c for c in candidates if c.port not in skip]
    if not todo:
        return []
    with (
        httpx.Client(timeout=timeout, trust_env=False, follow_redirects=False) as client,
        ThreadPoolExecutor(max_workers=len(todo), thread_name_prefix="bankmind-detect") as pool,
    ):
        found = list(pool.map(lambda c: _probe(client, c), todo))
    return [server for server in found if server is not None]


def _probe(client: httpx.Client, candidate: Candidate) -> DetectedServer | None:
    root = f"http://{candidate.host}:{candidate.port}"
    try:
        if candidate.kind == "ollama":
            tags = _get_json(client, f"{root}/api/tags")
            if isinstance(tags, dict) and isinstance(tags.get("models"), list):
                names = [str(m.get("name") or m.get("model")) for m in tags["models"] if isinstance(m, dict)]
                return DetectedServer.build("Ollama", f"{root}/v1", names)
        listing = _get_json(client, f"{root}/v1/models")
    except httpx.HTTPError:  # nothing listens, it does not answer in time, or not in HTTP
        return None
    if not (isinstance(listing, dict) and isinstance(listing.get("data"), list)):
        return None
    entries = [m for m in listing["data"] if isinstance(m, dict) and m.get("id")]
    owners = {str(m.get("owned_by", "")).lower() for m in entries}
    kind = next((_OWNERS[o] for o in sorted(owners) if o in _OWNERS), None)
    if kind is None:
        kind = "Ollama" if candidate.kind == "ollama" else "OpenAI-compatible server"
    return DetectedServer.build(kind, f"{root}/v1", [str(m["id"]) for m in entries])


def _get_json(client: httpx.Client, url: str) -> Any:
    """The JSON body of a 200 answer, else None; transport errors propagate."""
    response = client.get(url)
    if response.status_code != 200:
        return None
    try:
        return response.json()
    except ValueError:
        return None
