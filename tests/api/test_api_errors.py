"""One error shape per kind of path, checked on every route of the app."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from bankmind.api.app import create_app
from bankmind.config import Settings
from bankmind.errors import ALL_ERRORS, QuotaExceeded, UpstreamTimeout
from bankmind.types import Principal

STATUS_OF = {cls.code: cls.http_status for cls in ALL_ERRORS} | {
    "internal_error": 500,
    "method_not_allowed": 405,
}


def assert_error_shape(path: str, response: httpx.Response, *, htmx: bool = False) -> str:
    """Check the error's shape for where it was sent; return its code."""
    rid = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", rid)
    content_type = response.headers["content-type"]
    if path.startswith("/v1/"):
        error = response.json()["error"]
        assert set(error) == {"message", "type", "code", "param"}
        code = str(error["code"])
    elif htmx:
        assert content_type.startswith("text/html")
        assert not response.text.lstrip().lower().startswith("<!doctype")
        match = re.search(r'data-error-code="([a-z_]+)"', response.text)
        assert match, response.text
        code = match.group(1)
    elif path.startswith("/api/"):
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "request_id"}
        assert body["error"]["request_id"] == rid and body["error"]["message"]
        code = body["error"]["code"]
    else:
        assert content_type.startswith("text/html")
        assert response.text.lstrip().lower().startswith("<!doctype html>")
        match = re.search(r'data-error-code="([a-z_]+)"', response.text)
        assert match, response.text
        code = match.group(1)
        assert rid in response.text
    assert response.status_code == STATUS_OF[code], (path, code, response.status_code)
    return code


def _routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    for route in iter_route_contexts(app.routes):
        if not route.methods or route.path is None:
            continue  # the /static mount
        for method in sorted(route.methods - {"HEAD"}):
            yield method, route.path.replace("{job_id}", "no-such-job")


def test_every_route_answers_errors_in_its_shape(
    client: TestClient, alice: Principal, key_for: Callable[[Principal], dict[str, str]]
) -> None:
    routes = list(_routes(client.app))  # type: ignore[arg-type]
    assert len(routes) >= 15
    headers = key_for(alice)
    seen: dict[str, set[str]] = {}
    for method, path in routes:
        codes = seen.setdefault(f"{method} {path}", set())
        # 1. no credentials (and no CSRF token)
        anonymous = client.request(method, path, follow_redirects=False)
        if anonymous.status_code == 303:  # a page that needs a login sends the browser there
            assert anonymous.headers["location"].startswith("/login?next=")
            htmx = client.request(method, path, headers={"HX-Request": "true"})
            assert htmx.headers["HX-Redirect"] == "/login"
            codes.add(assert_error_shape(path, htmx, htmx=True))
        elif anonymous.status_code >= 400:
            codes.add(assert_error_shape(path, anonymous))
        # 2. with an API key, a request that cannot succeed: a method the route does not take
        wrong = client.request("PATCH", path, headers=headers)
        codes.add(assert_error_shape(path, wrong))
        # 3. the same as an htmx request
        codes.add(
            assert_error_shape(
                path, client.request("PATCH", path, headers={**headers, "HX-Request": "true"}), htmx=True
            )
        )
        # 4. with an API key and nothing else: a missing job, missing form fields
        if "no-such-job" in path or (method == "POST" and path != "/logout"):
            codes.add(assert_error_shape(path, client.request(method, path, headers=headers)))
    assert seen["GET /api/jobs/no-such-job"] >= {"authentication_failed", "not_found", "method_not_allowed"}
    assert seen["POST /api/uploads"] >= {"authentication_failed", "input_error"}
    assert seen["POST /login"] >= {"input_error", "method_not_allowed"}
    assert seen["GET /jobs/no-such-job"] >= {"authentication_failed", "not_found"}
    assert seen["POST /uploads"] >= {"authentication_failed", "input_error"}


@pytest.mark.parametrize("path", ["/nowhere", "/api/nowhere", "/v1/nowhere", "/static/nowhere.css"])
def test_unknown_addresses_are_404_in_their_shape(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert assert_error_shape(path, response) == "not_found"


def test_openai_error_object_under_v1(client: TestClient) -> None:
    error = client.post("/v1/no-such-endpoint", json={"model": "x"}).json()["error"]
    assert error["type"] == "not_found_error" and error["code"] == "not_found" and error["param"] is None
    unauthenticated = client.post("/v1/chat/completions", json={"model": "x"})
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["error"]["type"] == "authentication_error"


@pytest.fixture
def failing_client(app_settings: Settings) -> Iterator[TestClient]:
    """The app plus routes that fail in the ways the handler must render."""
    app = create_app(app_settings)

    def crash() -> None:
        raise RuntimeError("bug near 110101199003074578")

    def quota() -> None:
        raise QuotaExceeded(
            "department 授信部 used its daily token quota; try again tomorrow", retry_after=30
        )

    def timeout() -> None:
        raise UpstreamTimeout("the chat model at http://127.0.0.1:8001/v1 did not answer within 120 s")

    for prefix in ("/api", "/v1", ""):
        app.add_api_route(f"{prefix}/test/crash", crash)
        app.add_api_route(f"{prefix}/test/quota", quota)
        app.add_api_route(f"{prefix}/test/timeout", timeout)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.mark.parametrize("prefix", ["/api", "/v1", ""])
def test_an_unexpected_exception_is_500_with_a_request_id(
    failing_client: TestClient, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = f"{prefix}/test/crash"
    with caplog.at_level(logging.ERROR, logger="bankmind.api.middleware"):
        response = failing_client.get(path)
    assert assert_error_shape(path, response) == "internal_error"
    rid = response.headers["X-Request-ID"]
    assert rid in response.text
    assert "110101199003074578" not in response.text and "Traceback" not in response.text
    record = next(r for r in caplog.records if r.getMessage() == "http.crashed")
    assert record.request_id == rid  # type: ignore[attr-defined]
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("prefix", ["/api", "/v1", ""])
def test_quota_exceeded_says_when_to_retry(failing_client: TestClient, prefix: str) -> None:
    path = f"{prefix}/test/quota"
    response = failing_client.get(path)
    assert assert_error_shape(path, response) == "quota_exceeded"
    assert response.headers["Retry-After"] == "30"
    if prefix == "/v1":
        assert response.json()["error"]["type"] == "rate_limit_error"


def test_upstream_timeout_is_504_server_error_under_v1(failing_client: TestClient) -> None:
    response = failing_client.get("/v1/test/timeout")
    assert response.status_code == 504
    assert response.json()["error"] == {
        "message": "the chat model at http://127.0.0.1:8001/v1 did not answer within 120 s",
        "type": "server_error",
        "code": "upstream_timeout",
        "param": None,
    }


def test_error_pages_are_chinese_by_default_and_english_on_request(client: TestClient) -> None:
    assert "未找到" in client.get("/nowhere").text
    assert "Not found" in client.get("/nowhere?lang=en").text
