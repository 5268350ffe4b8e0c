"""Workbench pages, one module per capability; `router` holds them all (left out of the OpenAPI spec)."""

from __future__ import annotations

from fastapi import APIRouter

from bankmind.web.pages import (
    admin,
    admin_audit,
    admin_departments,
    admin_users,
    home,
    jobs,
    kb,
    login,
    status,
    uploads,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
for _module in (login, home, status, jobs, uploads, kb, admin, admin_users, admin_departments, admin_audit):
    router.include_router(_module.router)
