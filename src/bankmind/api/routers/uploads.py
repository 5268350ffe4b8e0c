"""`POST /api/uploads`: the one place files enter bankmind (size limit, type sniffed, stored by hash)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from bankmind.api.deps import PrincipalDep, SettingsDep, StoreDep
from bankmind.config import Settings
from bankmind.documents.uploads import accept_upload, read_limited
from bankmind.guard.audit import audited
from bankmind.store.blobs import DocumentView

__all__ = ["read_upload", "router"]

router = APIRouter(prefix="/api/uploads", tags=["uploads"])


def read_upload(file: UploadFile, settings: Settings) -> bytes:
    """The uploaded bytes, reading at most the size limit plus one byte (more is refused)."""
    return read_limited(file.file, settings.upload_max_bytes, filename=file.filename)


@router.post("", status_code=201)
def upload(
    settings: SettingsDep,
    store: StoreDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="The file; its type is recognised from the content.")],
    acl: Annotated[
        list[str] | None, Form(description="Roles allowed to read it (repeat the field); empty: owner only.")
    ] = None,
) -> DocumentView:
    """Store a file for later use by any capability; refusals say why (too large, empty, wrong type, …)."""
    with audited(store, principal, "document.upload", via="api") as details:
        data = read_upload(file, settings)
        owner, name = principal.user_id, file.filename or "upload"
        document = accept_upload(settings, store, filename=name, data=data, owner_id=owner, acl=acl)
        details.update(document.audit_fields())
    return document
