"""Per-knowledge-base indexes built from the store, kept in memory and on disk until it changes.

    cache = RevisionCache(folder, "lexicon", build=..., encode=..., decode=...)
    index = cache.get(conn, kb_id, revision)      # built, loaded from `<folder>/<kb id>.lexicon.npz`,
                                                  # or the one in memory if the revision matches

The store is the source of truth; a knowledge base's `revision` changes with every document added,
replaced or removed, so an index labelled with the current revision is current. The file is an
optimisation (a restart need not rebuild): unreadable or stale, it is ignored and rebuilt.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
from sqlalchemy import Connection

__all__ = ["RevisionCache"]

log = logging.getLogger(__name__)

T = TypeVar("T")
Arrays = Mapping[str, Any]


class RevisionCache(Generic[T]):
    """One `T` per knowledge base, rebuilt by `build` when the knowledge base's revision changes."""

    def __init__(
        self,
        folder: Path | None,
        name: str,
        *,
        build: Callable[[Connection, int], T],
        encode: Callable[[T], Arrays],
        decode: Callable[[Arrays], T],
    ) -> None:
        self.folder = folder
        self.name = name
        self._build, self._encode, self._decode = build, encode, decode
        self._cache: dict[int, tuple[str, T]] = {}
        self._lock = threading.Lock()

    def get(self, conn: Connection, kb_id: int, revision: str) -> T:
        cached = self._cache.get(kb_id)
        if cached is not None and cached[0] == revision:
            return cached[1]
        value = self._load(kb_id, revision)
        if value is None:
            # `revision` was read before the rows: a change committed in between leaves the index
            # newer than its label, and the next call simply builds it again.
            started = time.monotonic()
            value = self._build(conn, kb_id)
            duration = int((time.monotonic() - started) * 1000)
            log.info(f"knowledge.{self.name}.built", extra={"kb_id": kb_id, "duration_ms": duration})
            self._save(kb_id, revision, value)
        with self._lock:
            self._cache[kb_id] = (revision, value)
        return value

    def forget(self, kb_id: int) -> None:
        """Drop a knowledge base's index (memory and file)."""
        with self._lock:
            self._cache.pop(kb_id, None)
        path = self._path(kb_id)
        if path is not None:
            path.unlink(missing_ok=True)

    def _path(self, kb_id: int) -> Path | None:
        return self.folder / f"{kb_id}.{self.name}.npz" if self.folder is not None else None

    def _load(self, kb_id: int, revision: str) -> T | None:
        path = self._path(kb_id)
        if path is None or not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["revision"]) != revision:
                    return None
                return self._decode({key: data[key] for key in data.files if key != "revision"})
        except (OSError, ValueError, KeyError) as exc:
            log.warning(
                f"knowledge.{self.name}.unreadable", extra={"kb_id": kb_id, "error": type(exc).__name__}
            )
            return None

    def _save(self, kb_id: int, revision: str, value: T) -> None:
        path = self._path(kb_id)
        if path is None:
            return
        tmp: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
            with os.fdopen(fd, "wb") as sink:
                np.savez(sink, revision=np.array(revision), **self._encode(value))
            os.replace(tmp, path)
        except OSError as exc:  # the file is an optimisation: the store still has everything
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            log.warning(
                f"knowledge.{self.name}.not_saved", extra={"kb_id": kb_id, "error": type(exc).__name__}
            )
