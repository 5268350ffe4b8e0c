"""Workbench pages, one module per capability; `router` holds them all (left out of the OpenAPI spec)."""

from __future__ import annotations

from fastapi import APIRouter

from bankmind.web.pages import home, jobs, login, status, uploads

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
for _module in (login, home, status, jobs, uploads):
    router.include_router(_module.router)
