"""`/docs`: the OpenAPI page, served from vendored Swagger UI (no CDN; strict CSP, no inline script)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bankmind.web.render import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class DocsPage:
    """Context of `api_docs.html`."""

    openapi_url: str


@router.get("/docs")
def docs(request: Request) -> HTMLResponse:
    """Swagger UI over `/openapi.json`."""
    return render(request, "api_docs.html", DocsPage(openapi_url=request.app.openapi_url or "/openapi.json"))
