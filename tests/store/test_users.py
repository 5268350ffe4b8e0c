"""Users, passwords and API keys on both store backends."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bankmind.errors import AuthenticationFailed, InputError, NotFound
from bankmind.store import Store
from bankmind.store.schema import ApiKey, User
from bankmind.store.users import (
    authenticate,
    create_api_key,
    create_user,
    get_principal,
    list_users,
    resolve_api_key,
    set_password,
)


def test_create_and_authenticate(store: Store) -> None:
    created = create_user(
        store, "zhang.wei", roles=["custody", "admin"], department="托管部", password="s3cret-pass"
    )
    assert created.roles == ("admin", "custody")
    assert created.department == "托管部"
    assert authenticate(store, "zhang.wei", "s3cret-pass") == created
    assert get_principal(store, created.user_id) == created
    assert [u.name for u in list_users(store)] == ["zhang.wei"]


def test_password_is_stored_as_argon2_hash(store: Store) -> None:
    create_user(store, "li", roles=["credit"], password="another-pass")
    with store.session() as s:
        stored = s.scalar(select(User.password_hash).where(User.name == "li"))
    assert stored is not None and stored.startswith("$argon2id$")
    assert "another-pass" not in stored


@pytest.mark.parametrize("name, password", [("zhang.wei", "wrong-password"), ("nobody", "s3cret-pass")])
def test_wrong_password_and_unknown_user_get_the_same_error(store: Store, name: str, password: str) -> None:
    create_user(store, "zhang.wei", roles=["custody"], password="s3cret-pass")
    with pytest.raises(AuthenticationFailed) as info:
        authenticate(store, name, password)
    assert info.value.message == "wrong user name or password"


def test_user_without_password_cannot_log_in(store: Store) -> None:
    create_user(store, "recon-batch", roles=["system"])
    with pytest.raises(AuthenticationFailed):
        authenticate(store, "recon-batch", "")


def test_duplicate_and_bad_names_are_refused(store: Store) -> None:
    create_user(store, "wang", roles=["credit"], password="password-1")
    with pytest.raises(InputError, match="already exists"):
        create_user(store, "wang", roles=["credit"], password="password-2")
    with pytest.raises(InputError, match="may only hold"):
        create_user(store, "bad name; drop", roles=["credit"], password="password-3")
    with pytest.raises(InputError, match="at least 8"):
        create_user(store, "short", roles=["credit"], password="1234")


def test_set_password(store: Store) -> None:
    create_user(store, "chen", roles=["credit"], password="old-password")
    set_password(store, "chen", "new-password")
    authenticate(store, "chen", "new-password")
    with pytest.raises(AuthenticationFailed):
        authenticate(store, "chen", "old-password")
    with pytest.raises(NotFound):
        set_password(store, "ghost", "new-password")


def test_api_key_is_shown_once_and_stored_hashed(store: Store) -> None:
    user = create_user(store, "core-banking", roles=["system"], department="科技部")
    key = create_api_key(store, "core-banking", name="ESB")
    assert key.startswith("bm-") and len(key) > 40
    with store.session() as s:
        row = s.scalar(select(ApiKey))
        assert row is not None and key not in (row.key_hash, row.prefix) and row.last_used_at is None
    assert resolve_api_key(store, key) == user
    with store.session() as s:
        assert s.scalar(select(ApiKey.last_used_at)) is not None


def test_unknown_revoked_or_disabled_keys_are_refused(store: Store) -> None:
    create_user(store, "esb", roles=["system"])
    key = create_api_key(store, "esb")
    with pytest.raises(AuthenticationFailed):
        resolve_api_key(store, key + "x")
    with store.session() as s:
        user = s.scalar(select(User).where(User.name == "esb"))
        assert user is not None
        user.disabled = True
    with pytest.raises(AuthenticationFailed):
        resolve_api_key(store, key)
    with pytest.raises(NotFound):
        create_api_key(store, "ghost")
