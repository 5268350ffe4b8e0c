"""Uploads that start a job, the same way for every capability that takes them (recon, contracts):
each file accepted for the caller as one of the kinds the capability reads, and the 202 answer
that names the job to poll.

    document = accept_file(settings, store, principal, file, kinds=TABLE_KINDS)
    return job_accepted(submit_compare(...))    # the id of the job the route started
"""

from __future__ import annotations

from fastapi import UploadFile
from fastapi.responses import JSONResponse

from bankmind.api.routers.jobs import JobAccepted
from bankmind.api.routers.uploads import read_upload
from bankmind.config import Settings
from bankmind.documents import accept_upload, sanitize_filename
from bankmind.store import Store
from bankmind.store.blobs import DocumentView
from bankmind.types import Principal

__all__ = ["accept_file", "job_accepted"]


def accept_file(
    settings: Settings, store: Store, principal: Principal, file: UploadFile, *, kinds: frozenset[str]
) -> DocumentView:
    """Store the uploaded file as the caller's document (size limit, type sniffed, zip-bomb guard);
    a file that is not one of `kinds` is refused with the reason."""
    data = read_upload(file, settings)
    return accept_upload(
        settings, store, filename=sanitize_filename(file.filename), data=data,
        owner_id=principal.user_id, allowed_kinds=kinds,
    )  # fmt: skip


def job_accepted(job_id: str) -> JSONResponse:
    """202 with the job's id and URL (also in `Location`)."""
    body = JobAccepted(job_id=job_id, url=f"/api/jobs/{job_id}")
    return JSONResponse(body.model_dump(), status_code=202, headers={"Location": body.url})
