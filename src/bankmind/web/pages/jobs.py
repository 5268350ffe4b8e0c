"""`/jobs` and `/jobs/{id}`: background jobs; unfinished ones poll `/api/jobs/{id}` every second."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bankmind.api.deps import PrincipalDep, StoreDep
from bankmind.api.routers.jobs import visible_job, visible_jobs
from bankmind.store.jobs import JobView
from bankmind.web.render import render, shell_for

__all__ = ["JobsPage", "router"]

router = APIRouter()


@dataclass(frozen=True)
class JobsPage:
    """Context of `jobs/index.html`: the jobs to show, newest first."""

    jobs: list[JobView]
    single: bool = False


@router.get("/jobs")
def jobs_page(request: Request, store: StoreDep, principal: PrincipalDep) -> HTMLResponse:
    page = JobsPage(visible_jobs(store, principal))
    return render(request, "jobs/index.html", page, shell=shell_for(request, principal))


@router.get("/jobs/{job_id}")
def job_page(job_id: str, request: Request, store: StoreDep, principal: PrincipalDep) -> HTMLResponse:
    page = JobsPage([visible_job(store, principal, job_id)], single=True)
    return render(request, "jobs/index.html", page, shell=shell_for(request, principal))
