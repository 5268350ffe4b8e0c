"""`/admin/users` and `/admin/keys`: accounts, passwords and API keys (a new key is shown once)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from bankmind.api.deps import StoreDep
from bankmind.errors import InputError
from bankmind.store import Store
from bankmind.store.departments import list_departments
from bankmind.store.keys import IssuedKey, KeyInfo, issue_key, list_keys, revoke_key
from bankmind.store.users import create_user, list_users, set_password
from bankmind.types import Principal
from bankmind.web.pages.admin import AdminDep, Notice, record, respond
from bankmind.web.render import render, shell_for

__all__ = ["KeysPage", "UsersPage", "router"]

router = APIRouter()

_ROLE_SEPARATORS = re.compile(r"[\s,，、;；]+")


@dataclass(frozen=True)
class UsersPage:
    """Context of `admin/users.html`, `admin/_users.html` and `admin/_users_done.html`."""

    users: list[Principal]
    departments: list[str]
    notice: Notice | None = None


@dataclass(frozen=True)
class KeysPage:
    """Context of `admin/keys.html`, `admin/_keys.html` and `admin/_keys_done.html`.

    `issued` holds a key just created: the only time its whole value is on a page.
    """

    keys: list[KeyInfo]
    users: list[Principal]
    issued: IssuedKey | None = None
    notice: Notice | None = None


def _users_page(store: Store, notice: Notice | None = None) -> UsersPage:
    return UsersPage(list_users(store), [d.name for d in list_departments(store)], notice)


def _keys_page(store: Store, *, issued: IssuedKey | None = None, notice: Notice | None = None) -> KeysPage:
    return KeysPage(list(reversed(list_keys(store))), list_users(store), issued, notice)


def _roles(text: str) -> list[str]:
    roles = sorted({r for r in _ROLE_SEPARATORS.split(text) if r})
    if not roles:
        raise InputError("give the user at least one role, e.g. custody (several: custody, credit)")
    return roles


@router.get("/admin/users")
def users_page(request: Request, store: StoreDep, admin: AdminDep) -> HTMLResponse:
    return render(request, "admin/users.html", _users_page(store), shell=shell_for(request, admin))


@router.post("/admin/users")
def add_user(
    request: Request,
    store: StoreDep,
    admin: AdminDep,
    name: Annotated[str, Form(max_length=100)],
    roles: Annotated[str, Form(max_length=500)],
    password: Annotated[str, Form(max_length=1024)],
    department: Annotated[str, Form(max_length=100)] = "",
) -> HTMLResponse:
    user = create_user(
        store, name.strip(), roles=_roles(roles), department=department.strip() or None, password=password
    )
    record(store, admin, "user.add", user=user.name, roles=list(user.roles), department=user.department)
    page = _users_page(store, Notice("admin.users.added", {"name": user.name}))
    return respond(
        request, admin, page, full="admin/users.html", fragment="admin/_users_done.html", status_code=201
    )


@router.post("/admin/users/password")
def reset_password(
    request: Request,
    store: StoreDep,
    admin: AdminDep,
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1024)],
) -> HTMLResponse:
    set_password(store, name, password)
    record(store, admin, "user.password", user=name)
    page = _users_page(store, Notice("admin.users.password_set", {"name": name}))
    return respond(request, admin, page, full="admin/users.html", fragment="admin/_users_done.html")


@router.get("/admin/keys")
def keys_page(request: Request, store: StoreDep, admin: AdminDep) -> HTMLResponse:
    return render(request, "admin/keys.html", _keys_page(store), shell=shell_for(request, admin))


@router.post("/admin/keys")
def create_key(
    request: Request,
    store: StoreDep,
    admin: AdminDep,
    user: Annotated[str, Form(max_length=100)],
    name: Annotated[str, Form(max_length=100)] = "",
) -> HTMLResponse:
    label = name.strip() or None
    issued = issue_key(store, user, name=label)
    record(store, admin, "key.create", user=user, prefix=issued.prefix, name=label, created_user=False)
    page = _keys_page(store, issued=issued)
    return respond(
        request, admin, page, full="admin/keys.html", fragment="admin/_keys_done.html", status_code=201
    )


@router.post("/admin/keys/revoke")
def revoke(
    request: Request,
    store: StoreDep,
    admin: AdminDep,
    prefix: Annotated[str, Form(max_length=100)],
) -> HTMLResponse:
    info, newly = revoke_key(store, prefix)
    if newly:
        record(store, admin, "key.revoke", user=info.user, prefix=info.prefix)
    key = "admin.keys.revoked_now" if newly else "admin.keys.revoked_before"
    page = _keys_page(store, notice=Notice(key, {"prefix": info.prefix, "user": info.user}))
    return respond(request, admin, page, full="admin/keys.html", fragment="admin/_keys_done.html")
