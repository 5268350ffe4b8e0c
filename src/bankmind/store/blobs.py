"""Content-addressed file storage under HOME/blobs, and the `documents` rows that describe files."""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from bankmind.errors import NotFound
from bankmind.store import Store
from bankmind.store.schema import Document

__all__ = ["BlobStore", "DocumentView", "get_document", "record_document"]


class BlobStore:
    """Files kept once per SHA-256 under `root/ab/cdef...`; writes are atomic."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, content_hash: str) -> Path:
        if len(content_hash) != 64 or not all(c in "0123456789abcdef" for c in content_hash):
            raise NotFound(f"no stored file '{content_hash[:64]}'")
        return self.root / content_hash[:2] / content_hash[2:]

    def put(self, data: bytes) -> str:
        """Store bytes and return their SHA-256; storing the same bytes again costs nothing."""
        content_hash = hashlib.sha256(data).hexdigest()
        target = self.path(content_hash)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        return content_hash

    def read(self, content_hash: str) -> bytes:
        path = self.path(content_hash)
        if not path.exists():
            raise NotFound(f"no stored file '{content_hash}'")
        return path.read_bytes()


class DocumentView(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    content_hash: str
    size: int
    media_type: str
    kind: str
    filename: str
    owner_id: int | None
    acl: list[str]
    created_at: datetime

    def audit_fields(self) -> dict[str, str | int]:
        """What the audit log records about the document: never its name, which may hold personal data."""
        return {"document_id": self.id, "sha256": self.content_hash, "kind": self.kind, "size": self.size}


def record_document(
    store: Store,
    *,
    content_hash: str,
    size: int,
    media_type: str,
    kind: str,
    filename: str,
    owner_id: int | None,
    acl: list[str] | None = None,
) -> DocumentView:
    """Describe a stored file; the same owner uploading the same bytes under the same name reuses the row."""
    with store.session() as s:
        existing = s.scalar(
            select(Document).where(
                Document.content_hash == content_hash,
                Document.owner_id == owner_id,
                Document.filename == filename,
            )
        )
        if existing is not None:
            return DocumentView.model_validate(existing)
        doc = Document(
            content_hash=content_hash,
            size=size,
            media_type=media_type,
            kind=kind,
            filename=filename,
            owner_id=owner_id,
            acl=sorted(set(acl or [])),
        )
        s.add(doc)
        s.flush()
        return DocumentView.model_validate(doc)


def get_document(store: Store, document_id: int) -> DocumentView:
    with store.session() as s:
        doc = s.get(Document, document_id)
        if doc is None:
            raise NotFound(f"no document with id {document_id}")
        return DocumentView.model_validate(doc)
