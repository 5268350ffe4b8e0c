"""`/api/jobs`: long-running work and its progress. A user sees their own jobs; admins see all.

`GET /api/jobs/{id}` answers JSON, or the `jobs/_job.html` fragment when htmx asks (the jobs page
polls it every second until the job has finished). A finished job's fragment comes with the htmx
event `job-finished` (`HX-Trigger`), so a page can refresh what the job changed (`hx-trigger=
"job-finished from:body"`); a job kind may show its result with `jobs/results/<kind>.html`.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from bankmind.api.deps import PrincipalDep, StoreDep
from bankmind.errors import NotFound
from bankmind.store import Store
from bankmind.store.jobs import JobView, get_job, list_jobs
from bankmind.types import Principal
from bankmind.web.render import is_htmx, render

__all__ = ["JobAccepted", "JobFragment", "router", "visible_job", "visible_jobs"]

router = APIRouter(prefix="/api/jobs", tags=["jobs"])


class JobAccepted(BaseModel):
    """The answer to a request that started a job (202)."""

    job_id: str
    url: str = Field(description="Poll it for progress and the result.")


@dataclass(frozen=True)
class JobFragment:
    """Context of `jobs/_job.html`."""

    job: JobView


def visible_jobs(store: Store, principal: Principal, *, limit: int = 50) -> list[JobView]:
    """Newest first: all jobs for an admin, the principal's own otherwise."""
    return list_jobs(store, owner_id=None if principal.is_admin else principal.user_id, limit=limit)


def visible_job(store: Store, principal: Principal, job_id: str) -> JobView:
    """One job, if the principal may see it; someone else's job is reported as not found."""
    job = get_job(store, job_id)
    if not principal.is_admin and job.owner_id != principal.user_id:
        raise NotFound(f"no job with id '{job_id[:40]}'")
    return job


@router.get("")
def jobs(
    store: StoreDep,
    principal: PrincipalDep,
    limit: int = Query(50, ge=1, le=500, description="How many, newest first."),
) -> list[JobView]:
    """Jobs the caller may see, newest first."""
    return visible_jobs(store, principal, limit=limit)


@router.get("/{job_id}", response_model=JobView, responses={200: {"content": {"text/html": {}}}})
def job(job_id: str, request: Request, store: StoreDep, principal: PrincipalDep) -> JobView | HTMLResponse:
    """One job: status (queued, running, succeeded, failed), progress 0-1, message, result or error."""
    view = visible_job(store, principal, job_id)
    if is_htmx(request):
        response = render(request, "jobs/_job.html", JobFragment(view))
        if view.status in ("succeeded", "failed"):  # pages may refresh what the job changed
            response.headers["HX-Trigger"] = "job-finished"
        return response
    return view
