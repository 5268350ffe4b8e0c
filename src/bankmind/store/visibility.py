"""Who may see a stored run: its owner, the owner's department and administrators.

Reconciliation runs and contract inspections follow the same rule, so it is written once:

    query = visible_to(select(ReconRun), ReconRun, principal)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_

from bankmind.types import Principal

__all__ = ["visible_to"]


def visible_to(query: Select[Any], table: Any, viewer: Principal | None) -> Select[Any]:
    """`query` limited to the rows of `table` (a mapped class with `owner_id` and `department`)
    that `viewer` may see: all of them for an administrator or no viewer."""
    if viewer is None or viewer.is_admin:
        return query
    mine = table.owner_id == viewer.user_id
    if viewer.department:
        return query.where(or_(mine, table.department == viewer.department))
    return query.where(mine)
