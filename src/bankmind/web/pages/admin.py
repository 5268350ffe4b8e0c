"""`/admin`: what every admin page shares: admins only, the tabs, notices, auditing, responses.

The pages themselves live in `admin_users.py` (users, keys), `admin_departments.py` (departments,
usage) and `admin_audit.py` (the audit log viewer). Each form posts with htmx into a `#…-result`
element above its section: a success answers with a notice there and the section (`_users.html`,
`_keys.html`, `_departments.html`) swapped out-of-band, so an error (rendered by the one handler in
`api.errors` as `_error.html`) lands in the result element and leaves the forms as they were
filled in. Without JavaScript the same posts answer with the whole page.

Changes made here are audited like the CLI's (`key.create`, `department.update`, …) with the
administrator as the principal and `"via": "web"` in the details.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from bankmind.api.deps import PrincipalDep
from bankmind.errors import PermissionDenied
from bankmind.guard import audit
from bankmind.store import Store
from bankmind.types import Principal
from bankmind.web.render import is_htmx, render, shell_for

__all__ = ["AdminDep", "Notice", "record", "require_admin", "respond", "router"]

router = APIRouter()


async def require_admin(principal: PrincipalDep) -> Principal:
    """The principal, if it holds the admin role; otherwise 403 (the page-style error)."""
    if not principal.is_admin:
        raise PermissionDenied(
            f"the admin pages are for administrators and '{principal.name}' is not one; "
            "ask an administrator for the admin role"
        )
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]


@dataclass(frozen=True)
class Notice:
    """A one-line success message: a message id of `web/i18n.py` and its parameters."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


def record(store: Store, admin: Principal, action: str, **details: Any) -> None:
    """Audit a change made on these pages (the same action names as the CLI uses)."""
    audit.append(store, principal=admin, action=action, details={**details, "via": "web"})


def respond(
    request: Request,
    admin: Principal,
    page: Any,
    *,
    full: str,
    fragment: str,
    status_code: int = 200,
) -> HTMLResponse:
    """The fragment for htmx, the whole page (`full`) otherwise; both get the shell (the CSRF token
    of the forms in an out-of-band section)."""
    shell = shell_for(request, admin)
    return render(request, fragment if is_htmx(request) else full, page, shell=shell, status_code=status_code)


@router.get("/admin")
def admin_home(request: Request, admin: AdminDep) -> RedirectResponse:
    query = request.url.query
    return RedirectResponse("/admin/users" + (f"?{query}" if query else ""), status_code=303)
