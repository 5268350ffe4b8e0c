"""`POST /api/uploads`: accepted files, and each refusal with its code, status and message."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bankmind.api.app import create_app
from bankmind.config import Settings, load_settings
from bankmind.guard import audit, audit_verify
from bankmind.store import Store
from bankmind.store.users import create_api_key, create_user
from bankmind.types import Principal

CONTRACT = "个人借款合同\n甲方（贷款人）：某某农村商业银行股份有限公司\n借款金额：人民币壹拾万元整\n".encode()


def _xlsx_bomb() -> bytes:
    """A zip that claims to be an xlsx and holds one highly compressible 2 MB sheet."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (2 * 1024 * 1024))
    return buffer.getvalue()


def test_a_text_file_is_stored_by_content_hash(
    client: TestClient,
    alice: Principal,
    key_for: Callable[[Principal], dict[str, str]],
    app_settings: Settings,
) -> None:
    response = client.post(
        "/api/uploads",
        headers=key_for(alice),
        files={"file": ("借款合同.txt", CONTRACT, "application/octet-stream")},
        data={"acl": ["credit", "risk"]},
    )
    assert response.status_code == 201, response.text
    doc = response.json()
    digest = hashlib.sha256(CONTRACT).hexdigest()
    assert doc["content_hash"] == digest
    assert doc["kind"] == "txt" and doc["media_type"] == "text/plain"
    assert doc["size"] == len(CONTRACT) and doc["filename"] == "借款合同.txt"
    assert doc["owner_id"] == alice.user_id and doc["acl"] == ["credit", "risk"]
    assert (app_settings.blobs_dir / digest[:2] / digest[2:]).read_bytes() == CONTRACT


def test_the_type_comes_from_the_content_not_the_name(
    client: TestClient, alice: Principal, key_for: Callable[[Principal], dict[str, str]]
) -> None:
    response = client.post(
        "/api/uploads",
        headers=key_for(alice),
        files={"file": ("scan.pdf", b"a,b\n1,2\n3,4\n", "application/pdf")},
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "csv"


@pytest.mark.parametrize(
    "filename, data, status, code, words",
    [
        ("setup.exe", b"MZ\x90\x00" + bytes(range(256)) * 8, 415, "unsupported_format", "'setup.exe'"),
        ("空文件.txt", b"", 422, "empty_file", "'空文件.txt' is empty"),
        ("估值表.xlsx", _xlsx_bomb(), 422, "zip_bomb", "估值表.xlsx"),
    ],
    ids=["wrong-type", "empty", "zip-bomb"],
)
def test_refusals_have_a_code_and_say_what_to_do(
    client: TestClient,
    alice: Principal,
    key_for: Callable[[Principal], dict[str, str]],
    filename: str,
    data: bytes,
    status: int,
    code: str,
    words: str,
) -> None:
    response = client.post("/api/uploads", headers=key_for(alice), files={"file": (filename, data)})
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert words in error["message"]
    assert set(error) == {"code", "message", "request_id"}
    assert error["request_id"] == response.headers["X-Request-ID"]


def test_a_request_without_a_file_is_422(
    client: TestClient, alice: Principal, key_for: Callable[[Principal], dict[str, str]]
) -> None:
    response = client.post("/api/uploads", headers=key_for(alice), data={"acl": "credit"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "input_error"
    assert "file" in error["message"] and "Field required" in error["message"]


# --- size limits: a small limit so the tests stay fast ------------------------------------------
LIMIT = 1000


@pytest.fixture
def small(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = load_settings(home=tmp_path / "small", chat={"provider": "none"}, upload_max_bytes=LIMIT)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as c:
        store = c.app.state.store  # type: ignore[attr-defined]
        create_user(store, "carol", roles=["credit"])
        yield c, {"Authorization": f"Bearer {create_api_key(store, 'carol')}"}


def test_a_file_one_byte_over_the_limit_is_413(small: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = small
    assert (
        client.post("/api/uploads", headers=headers, files={"file": ("a.txt", b"x" * LIMIT)}).status_code
        == 201
    )
    response = client.post("/api/uploads", headers=headers, files={"file": ("b.txt", b"x" * (LIMIT + 1))})
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "file_too_large"
    assert "'b.txt'" in error["message"] and "BANKMIND_UPLOAD_MAX_BYTES" in error["message"]


def test_a_huge_body_is_refused_before_it_is_read(small: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = small
    huge = b"x" * (2 * 1024 * 1024)
    response = client.post("/api/uploads", headers=headers, files={"file": ("huge.txt", huge)})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert response.json()["error"]["message"].startswith("the request is larger than the upload limit")


def test_a_huge_chunked_body_is_cut_off(small: tuple[TestClient, dict[str, str]]) -> None:
    """Without a Content-Length the body is counted as it arrives."""
    client, headers = small
    boundary = "bankmindboundary"

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        for _ in range(64):
            yield b"x" * 65536
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post(
        "/api/uploads",
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        content=body(),
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert response.json()["error"]["message"].startswith("the request is larger than the upload limit")


def test_uploads_are_audited_without_the_file_name(
    client: TestClient, app_store: Store, alice: Principal, key_for: Callable[[Principal], dict[str, str]]
) -> None:
    accepted = client.post(
        "/api/uploads", headers=key_for(alice), files={"file": ("张伟身份证.txt", CONTRACT)}
    ).json()
    client.post("/api/uploads", headers=key_for(alice), files={"file": ("估值表.xlsx", _xlsx_bomb())})
    refused, ok = audit.list_entries(app_store, action="document.upload")  # newest first
    assert (ok.principal, ok.outcome) == (alice.name, "ok")
    assert ok.details == {
        "via": "api",
        "document_id": accepted["id"],
        "sha256": hashlib.sha256(CONTRACT).hexdigest(),
        "kind": "txt",
        "size": len(CONTRACT),
    }
    assert (refused.outcome, refused.details) == ("zip_bomb", {"via": "api"})
    assert "张伟" not in repr(audit.list_entries(app_store))
    assert audit_verify.verify(app_store).ok
