"""Cross-cutting value types shared by every layer (capability results live in `<cap>/types.py`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Principal(BaseModel):
    """Who is acting: resolved from a web session or an API key, in exactly one place per interface."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    name: str
    department: str | None = None
    roles: tuple[str, ...] = Field(default=())

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles
