"""Workbench pages, one module per capability; `router` holds them all (left out of the OpenAPI spec)."""

from __future__ import annotations

from fastapi import APIRouter

from bankmind.web.pages import (
    admin,
    admin_audit,
    admin_departments,
    admin_users,
    contracts,
    home,
    jobs,
    kb,
    login,
    recon,
    status,
    uploads,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_PAGES = (
    login, home, status, jobs, uploads, kb, recon, contracts,
    admin, admin_users, admin_departments, admin_audit,
)  # fmt: skip
for _module in _PAGES:
    router.include_router(_module.router)
