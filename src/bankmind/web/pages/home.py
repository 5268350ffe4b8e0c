"""`/`: the home page, one card per registered place in the workbench."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bankmind.api.deps import PrincipalDep
from bankmind.web.nav import NavEntry, entries
from bankmind.web.render import render, shell_for

__all__ = ["HomePage", "router"]

router = APIRouter()


@dataclass(frozen=True)
class HomePage:
    """Context of `home/index.html`."""

    entries: tuple[NavEntry, ...]


@router.get("/")
def home(request: Request, principal: PrincipalDep) -> HTMLResponse:
    return render(
        request,
        "home/index.html",
        HomePage(tuple(e for e in entries() if e.visible_to(principal))),
        shell=shell_for(request, principal),
    )
