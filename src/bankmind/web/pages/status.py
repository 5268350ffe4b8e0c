"""`/status`: which store, models and OCR are in use and whether each answers.

The page appears at once; the checks (which may take a few seconds) load into it through htmx
from `/status/checks`, which also works as a plain page without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bankmind.api.deps import PrincipalDep, SettingsDep, StoreDep
from bankmind.health import Check, check_all
from bankmind.web.render import is_htmx, render, shell_for

__all__ = ["StatusPage", "router"]

router = APIRouter()


@dataclass(frozen=True)
class StatusPage:
    """Context of `status/index.html` and `status/_checks.html` (`checks` None: still loading)."""

    checks: list[Check] | None = None

    @property
    def ok(self) -> bool:
        return self.checks is not None and all(c.ok for c in self.checks)


@router.get("/status")
def status_page(request: Request, principal: PrincipalDep) -> HTMLResponse:
    return render(request, "status/index.html", StatusPage(), shell=shell_for(request, principal))


@router.get("/status/checks")
def status_checks(
    request: Request, settings: SettingsDep, store: StoreDep, principal: PrincipalDep
) -> HTMLResponse:
    page = StatusPage(checks=check_all(settings, store, probe=True))
    if is_htmx(request):
        return render(request, "status/_checks.html", page)
    return render(request, "status/index.html", page, shell=shell_for(request, principal))
