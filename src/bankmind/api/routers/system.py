"""`/api/status` (health of every part) and `/api/me` (who is calling)."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from bankmind import __version__
from bankmind.api.deps import PrincipalDep, SettingsDep, StoreDep
from bankmind.health import Check, check_all
from bankmind.types import Principal

__all__ = ["StatusView", "router"]

router = APIRouter(prefix="/api", tags=["system"])


class StatusView(BaseModel):
    """What `/api/status` answers: the version and one check per part."""

    model_config = ConfigDict(frozen=True)

    version: str
    ok: bool
    checks: list[Check]


@router.get("/status")
def status(
    settings: SettingsDep,
    store: StoreDep,
    principal: PrincipalDep,
    probe: bool = Query(True, description="Ask each model and OCR to answer; `probe=0` for a quick check."),
) -> StatusView:
    """Which store, models and OCR are in use and whether each works (the checks of `bankmind doctor`)."""
    checks = check_all(settings, store, probe=probe)
    return StatusView(version=__version__, ok=all(c.ok for c in checks), checks=checks)


@router.get("/me")
def me(principal: PrincipalDep) -> Principal:
    """The principal behind the API key or session: user id, name, department and roles."""
    return principal
