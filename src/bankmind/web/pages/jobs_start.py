"""Start a job from an upload form, the same way on every page that has one (recon, contracts);
the size limit every upload form shows (`upload_mb`, also on the knowledge base and upload pages).

htmx gets the job's fragment (`jobs/_job.html`, which polls until the job is done), a plain form
post the whole page with the job in it; a refused upload (wrong type, too large, no file) is a
notice in the same place, never a traceback. The page's context inherits `UploadForm`, which is
what `templates/_upload.html` shows around the form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from starlette.requests import Request
from starlette.responses import HTMLResponse

from bankmind.api.routers.jobs import JobFragment
from bankmind.config import Settings
from bankmind.errors import BankmindError
from bankmind.store import Store
from bankmind.store.jobs import JobView, get_job
from bankmind.types import Principal
from bankmind.web.render import Refusal, is_htmx, render, shell_for

__all__ = ["UploadForm", "start_job", "upload_mb"]


@dataclass(frozen=True, kw_only=True)
class UploadForm:
    """The part of a page's context its upload form needs: the size limit in MB, and the job a plain
    form post started or why the upload was refused."""

    max_mb: str
    job: JobView | None = None
    refusal: Refusal | None = None


def upload_mb(settings: Settings) -> str:
    """The largest accepted upload in MB, as a form's hint shows it (`50`, `0.5`)."""
    return f"{settings.upload_max_bytes / 1048576:g}"


def start_job(
    request: Request,
    store: Store,
    principal: Principal,
    start: Callable[[], str],
    *,
    template: str,
    page: Callable[[], UploadForm],
) -> HTMLResponse:
    """Call `start` (it submits the job and returns its id) and answer as the module says; a whole
    page is `template` rendered with `page()`, the job or the refusal set in it."""
    shell = shell_for(request, principal)
    try:
        job = get_job(store, start())
    except BankmindError as exc:
        refusal = Refusal.of(exc, request)
        if is_htmx(request):
            return render(request, "_error.html", refusal, shell=shell, status_code=refusal.status)
        full = replace(page(), refusal=refusal)
        return render(request, template, full, shell=shell, status_code=refusal.status)
    if is_htmx(request):
        return render(request, "jobs/_job.html", JobFragment(job), shell=shell, status_code=202)
    return render(request, template, replace(page(), job=job), shell=shell, status_code=202)
