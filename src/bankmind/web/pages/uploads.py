"""`/uploads`: the upload form; shows the stored document or why the file was refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse

from bankmind.api.deps import PrincipalDep, SettingsDep, StoreDep
from bankmind.api.routers.uploads import read_upload
from bankmind.documents.sniff import KINDS
from bankmind.documents.uploads import accept_upload
from bankmind.guard.audit import audited
from bankmind.store.blobs import DocumentView
from bankmind.web.pages.jobs_start import upload_mb
from bankmind.web.render import is_htmx, render, shell_for

__all__ = ["UploadPage", "router"]

router = APIRouter()


_KINDS = " ".join(kind.extensions[0] for kind in KINDS.values())


@dataclass(frozen=True)
class UploadPage:
    """Context of `uploads/index.html` and `uploads/_result.html`."""

    max_mb: str
    kinds: str
    document: DocumentView | None = None


@router.get("/uploads")
def upload_page(request: Request, settings: SettingsDep, principal: PrincipalDep) -> HTMLResponse:
    page = UploadPage(max_mb=upload_mb(settings), kinds=_KINDS)
    return render(request, "uploads/index.html", page, shell=shell_for(request, principal))


@router.post("/uploads")
def upload(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File()],
) -> HTMLResponse:
    with audited(store, principal, "document.upload", via="web") as details:
        data = read_upload(file, settings)
        document = accept_upload(
            settings, store, filename=file.filename or "upload", data=data, owner_id=principal.user_id
        )
        details.update(document.audit_fields())
    page = UploadPage(max_mb=upload_mb(settings), kinds=_KINDS, document=document)
    if is_htmx(request):
        return render(request, "uploads/_result.html", page, status_code=201)
    return render(request, "uploads/index.html", page, shell=shell_for(request, principal), status_code=201)
