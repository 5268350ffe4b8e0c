"""Sessions, CSRF, login without user enumeration, security headers, and no secrets in logs."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from bankmind.api.app import create_app
from bankmind.api.middleware import CONTENT_SECURITY_POLICY
from bankmind.api.sessions import SESSION_COOKIE
from bankmind.config import Settings, load_settings
from bankmind.store import Store
from bankmind.store.users import create_user, set_password
from bankmind.types import Principal

ID_NUMBER = "110101199003074578"
MOBILE = "13800138000"


def _set_cookies(response_headers: list[tuple[str, str]]) -> dict[str, SimpleCookie]:
    cookies: dict[str, SimpleCookie] = {}
    for name, value in response_headers:
        if name.lower() == "set-cookie":
            jar: SimpleCookie = SimpleCookie()
            jar.load(value)
            cookies.update({key: jar for key in jar})
    return cookies


def test_security_headers_on_pages_api_and_static(client: TestClient) -> None:
    for path in ("/login", "/api/me", "/static/bankmind.css", "/docs"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "http" not in CONTENT_SECURITY_POLICY
    assert client.get("/login").headers["Cache-Control"] == "no-store"


def test_the_session_cookie_is_httponly_lax_and_expires(
    client: TestClient, alice: Principal, form_token: Callable[[str], str], app_settings: Settings
) -> None:
    token = form_token(client.get("/login").text)
    response = client.post(
        "/login",
        data={"name": "alice", "password": "correct-horse-42", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = _set_cookies(response.headers.multi_items())[SESSION_COOKIE][SESSION_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() == "lax"
    assert int(cookie["max-age"]) == app_settings.session_hours * 3600
    assert not cookie["secure"]  # plain HTTP unless BANKMIND_SECURE_COOKIES


def test_cookies_are_secure_behind_https(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "h", chat={"provider": "none"}, secure_cookies=True)
    with TestClient(create_app(settings), base_url="https://127.0.0.1") as client:
        response = client.get("/login")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        cookies = _set_cookies(response.headers.multi_items())
        assert all(jar[name]["secure"] for name, jar in cookies.items())


@pytest.mark.parametrize("name, password", [("alice", "wrong-password"), ("nobody", "correct-horse-42")])
def test_wrong_password_and_unknown_user_get_the_same_answer(
    client: TestClient, alice: Principal, form_token: Callable[[str], str], name: str, password: str
) -> None:
    token = form_token(client.get("/login").text)
    response = client.post("/login", data={"name": name, "password": password, "csrf_token": token})
    assert response.status_code == 401
    assert "用户名或密码错误。" in response.text
    assert SESSION_COOKIE not in response.cookies
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_needs_the_form_token(
    client: TestClient, alice: Principal, form_token: Callable[[str], str]
) -> None:
    data = {"name": "alice", "password": "correct-horse-42"}
    missing = client.post("/login", data=data)
    assert missing.status_code == 403
    assert "CSRF" in missing.text and "reload the page" in missing.text

    client.get("/login")  # a login cookie, but a token that is not its own
    forged = client.post("/login", data={**data, "csrf_token": "forged"})
    assert forged.status_code == 403

    token = form_token(TestClient(client.app).get("/login").text)  # another browser's token
    assert client.post("/login", data={**data, "csrf_token": token}).status_code == 403


def test_state_changes_with_a_session_need_its_csrf_token(
    client: TestClient, alice: Principal, login: Callable[..., str]
) -> None:
    token = login("alice")
    files = {"file": ("a.txt", "借款合同".encode())}
    refused = client.post("/uploads", files=files)
    assert refused.status_code == 403
    assert refused.text.lstrip().lower().startswith("<!doctype html>")
    assert "csrf_failed" in refused.text
    assert client.post("/uploads", files=files, data={"csrf_token": "x" + token}).status_code == 403
    assert client.post("/uploads", files=files, headers={"X-CSRF-Token": token}).status_code == 201
    assert client.post("/uploads", files=files, data={"csrf_token": token}).status_code == 201
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.get("/api/me").status_code == 200  # still logged in


def test_logout_ends_the_session(client: TestClient, alice: Principal, login: Callable[..., str]) -> None:
    token = login("alice")
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/status", follow_redirects=False).headers["location"] == "/login?next=%2Fstatus"


def test_logout_ends_the_session_for_a_copied_cookie_too(
    client: TestClient, alice: Principal, login: Callable[..., str]
) -> None:
    token = login("alice")
    copied = client.cookies[SESSION_COOKIE]
    client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, copied)
    assert client.get("/api/me").status_code == 401


def test_a_password_change_ends_open_sessions(
    client: TestClient, alice: Principal, app_store: Store, login: Callable[..., str]
) -> None:
    login("alice")
    assert client.get("/api/me").status_code == 200
    set_password(app_store, "alice", "a-brand-new-password")
    assert client.get("/api/me").status_code == 401


def test_repeated_wrong_passwords_lock_the_account_for_a_while(
    client: TestClient, alice: Principal, form_token: Callable[[str], str]
) -> None:
    def attempt(password: str) -> int:
        token = form_token(client.get("/login").text)
        data = {"name": "alice", "password": password, "csrf_token": token}
        return client.post("/login", data=data, follow_redirects=False).status_code

    assert [attempt("wrong-password") for _ in range(5)] == [401] * 5  # the form again, with a message
    token = form_token(client.get("/login").text)
    data = {"name": "alice", "password": "correct-horse-42", "csrf_token": token}
    locked = client.post("/login", data=data, follow_redirects=False)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert "too many failed logins" in locked.text


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "status"])
def test_login_never_redirects_off_site(
    client: TestClient, alice: Principal, form_token: Callable[[str], str], target: str
) -> None:
    token = form_token(client.get(f"/login?next={target}").text)
    response = client.post(
        "/login",
        data={"name": "alice", "password": "correct-horse-42", "csrf_token": token, "next": target},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_login_returns_to_the_page_asked_for(client: TestClient, alice: Principal) -> None:
    page = client.get("/jobs", follow_redirects=True)
    assert 'name="next" value="/jobs"' in page.text


def test_a_tampered_or_expired_session_is_not_a_login(
    client: TestClient, alice: Principal, app_settings: Settings, login: Callable[..., str]
) -> None:
    login("alice")
    value = client.cookies[SESSION_COOKIE]
    payload, _, signature = value.rpartition(".")
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, f"{payload}.{signature[::-1]}")
    assert client.get("/api/me").status_code == 401

    class Yesterday(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - app_settings.session_hours * 3600 - 60

    old = URLSafeTimedSerializer(app_settings.session_secret(), salt="bankmind.session", signer=Yesterday)
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, old.dumps(value))
    assert client.get("/api/me").status_code == 401
    # even with the signing key, a cookie is worthless without a session the store issued
    fresh = URLSafeTimedSerializer(app_settings.session_secret(), salt="bankmind.session")
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, fresh.dumps("a-token-the-store-never-issued"))
    assert client.get("/api/me").status_code == 401
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, value)
    assert client.get("/api/me").status_code == 200


def test_no_passwords_document_text_or_personal_data_in_logs(
    client: TestClient, alice: Principal, login: Callable[..., str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_password = "Very-Secret-Pa55"
    create_user(client.app.state.store, "dave", roles=["credit"], password=secret_password)  # type: ignore[attr-defined]
    token = login("dave", secret_password)
    text = f"借款人张三，身份证号{ID_NUMBER}，手机{MOBILE}。".encode()
    client.post("/uploads", files={"file": (f"张三_{ID_NUMBER}.txt", text)}, headers={"X-CSRF-Token": token})
    form = client.get("/login?lang=en")
    assert form.status_code in (200, 303)
    for leaked in (secret_password, ID_NUMBER, MOBILE, "张三"):
        assert leaked not in caplog.text
    assert "http.request" in caplog.text  # requests are logged, just without those
