"""`/api/contracts`: a loan contract (DOCX) and its guarantee (a scan with a seal whose principal
disagrees with the loan) uploaded as one transaction and inspected in a job; the stored run, its
page images (the finding's box lands on the text it names), the workbook export, who may see the
run, audit, and the refusals: an .exe named .pdf, an empty file, a zip bomb inside a DOCX.

The scan costs seconds of OCR, so the whole module shares one app and one inspected run.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from PIL import Image
from tests.llm.upstream import closed_port

from bankmind.api.app import create_app
from bankmind.config import load_settings
from bankmind.eval.contract_docs import make_contract, make_group
from bankmind.eval.contract_render import write_docx, write_scanned_pdf, write_txt
from bankmind.guard.audit import list_entries
from bankmind.store import Store
from bankmind.store.users import create_api_key, create_user

Headers = dict[str, str]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    home = tmp_path_factory.mktemp("contracts-api")
    settings = load_settings(home=home, chat={"provider": "none"})
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        yield client


@pytest.fixture(scope="module")
def store(app: TestClient) -> Store:
    return app.app.state.store  # type: ignore[attr-defined,no-any-return]


@pytest.fixture(scope="module")
def keys(store: Store) -> dict[str, Headers]:
    """API key headers: two colleagues of 授信部, someone of 托管部, an administrator."""
    users = {
        "liwei": ("credit", "授信部"),
        "chenjing": ("credit", "授信部"),
        "zhaomin": ("custody", "托管部"),
        "root": ("admin", None),
    }
    out = {}
    for name, (role, department) in users.items():
        create_user(store, name, roles=[role], department=department)
        out[name] = {"Authorization": f"Bearer {create_api_key(store, name)}"}
    return out


@pytest.fixture(scope="module")
def contracts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("contracts")
    loan, guarantee = make_group(
        5, loan_kind="流动资金借款合同", securities=("保证合同",), inconsistent="amount",
        formats=("docx", "scanned_pdf"),
    )  # fmt: skip
    blank = make_contract(8, "流动资金借款合同", ("blank_field",))
    return {
        "loan": write_docx(loan, out / "借款合同.docx").path,
        "guarantee": write_scanned_pdf(guarantee, out / "保证合同.pdf", seed=3).path,
        "txt": write_txt(blank, out / "借款合同.txt").path,
    }


def upload(app: TestClient, headers: Headers, *paths: Path) -> Any:
    files = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]
    return app.post("/api/contracts/inspect", files=files, headers=headers)


def finished(app: TestClient, url: str, headers: Headers) -> dict[str, Any]:
    deadline = time.monotonic() + 300
    while True:
        job: dict[str, Any] = app.get(url, headers=headers).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


@pytest.fixture(scope="module")
def job(app: TestClient, keys: dict[str, Headers], contracts: dict[str, Path]) -> dict[str, Any]:
    """The loan and its guarantee uploaded by liwei as one transaction, inspected."""
    response = upload(app, keys["liwei"], contracts["loan"], contracts["guarantee"])
    assert response.status_code == 202, response.text
    assert response.headers["location"] == response.json()["url"]
    done = finished(app, response.json()["url"], keys["liwei"])
    assert done["status"] == "succeeded", done
    return done


def test_a_transaction_is_inspected_in_a_job_and_stored(
    app: TestClient, keys: dict[str, Headers], job: dict[str, Any]
) -> None:
    assert job["kind"] == "contracts.inspect"
    loan, guarantee = job["result"]["inspections"]
    assert (loan["file"], loan["contract_type"], loan["findings"]) == ("借款合同.docx", "loan", [])
    assert guarantee["contract_type"] == "guarantee"
    [mismatch] = [f for f in guarantee["findings"] if f["code"] == "amount_mismatch"]
    assert mismatch["severity"] == "high" and mismatch["evidence"]["page"] == 1
    assert guarantee["seals"] and guarantee["seals"][0]["page"] == 3

    run = app.get(f"/api/contracts/runs/{job['result']['run_id']}", headers=keys["liwei"]).json()
    assert [f["filename"] for f in run["files"]] == ["借款合同.docx", "保证合同.pdf"]
    assert [f["kind"] for f in run["files"]] == ["docx", "pdf"]
    assert run["findings"] == job["result"]["findings"] >= 1 and run["high"] >= 1
    assert run["inspections"][1]["findings"][0]["evidence"]["bbox"] == mismatch["evidence"]["bbox"]
    listed = app.get("/api/contracts/runs", headers=keys["liwei"]).json()
    assert listed[0]["id"] == run["id"] and "inspections" not in listed[0]


def test_a_page_image_shows_the_finding_where_its_box_says(
    app: TestClient, keys: dict[str, Headers], job: dict[str, Any]
) -> None:
    run_id = job["result"]["run_id"]
    mismatch = job["result"]["inspections"][1]["findings"][0]
    response = app.get(f"/api/contracts/runs/{run_id}/files/2/pages/1.png", headers=keys["liwei"])
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    scale = float(response.headers["x-box-scale"])
    image = np.asarray(Image.open(io.BytesIO(response.content)).convert("L"))
    x0, y0, x1, y1 = (round(v * scale) for v in mismatch["evidence"]["bbox"])
    assert image[y0:y1, x0:x1].min() < 100  # the line's ink is inside the box

    docx = app.get(f"/api/contracts/runs/{run_id}/files/1/pages/1.png", headers=keys["liwei"])
    assert docx.status_code == 404 and "借款合同.docx" in docx.json()["error"]["message"]
    assert (
        app.get(f"/api/contracts/runs/{run_id}/files/2/pages/9.png", headers=keys["liwei"]).status_code == 404
    )
    assert (
        app.get(f"/api/contracts/runs/{run_id}/files/3/pages/1.png", headers=keys["liwei"]).status_code == 404
    )
    assert (
        app.get(f"/api/contracts/runs/{run_id}/files/0/pages/1.png", headers=keys["liwei"]).status_code == 422
    )


def test_the_findings_export_as_a_workbook(
    app: TestClient, keys: dict[str, Headers], job: dict[str, Any]
) -> None:
    run_id = job["result"]["run_id"]
    response = app.get(f"/api/contracts/runs/{run_id}/export", headers=keys["liwei"])
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("文件", "代码", "问题", "严重程度", "说明", "页", "依据原文", "当事人")
    found = [r for r in rows[1:] if r[1] == "amount_mismatch"]
    assert (
        found and found[0][:4] == ("保证合同.pdf", "amount_mismatch", "金额不一致", "高") and found[0][5] == 1
    )
    assert found[0][6] == job["result"]["inspections"][1]["findings"][0]["evidence"]["text"]


def test_each_file_downloads_annotated(
    app: TestClient, keys: dict[str, Headers], job: dict[str, Any]
) -> None:
    run_id = job["result"]["run_id"]
    scan = app.get(f"/api/contracts/runs/{run_id}/files/2/report", headers=keys["liwei"])
    assert scan.status_code == 200, scan.text
    assert scan.headers["content-type"] == "application/pdf" and scan.content.startswith(b"%PDF")
    assert quote("保证合同.checked.pdf") in scan.headers["content-disposition"]
    docx = app.get(f"/api/contracts/runs/{run_id}/files/1/report", headers=keys["liwei"])
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert docx.headers["content-type"].endswith("wordprocessingml.document")
    assert app.get(f"/api/contracts/runs/{run_id}/files/3/report", headers=keys["liwei"]).status_code == 404


def test_a_run_is_seen_by_the_department_and_admins_only(
    app: TestClient, store: Store, keys: dict[str, Headers], job: dict[str, Any]
) -> None:
    run_id = job["result"]["run_id"]
    for name in ("chenjing", "root"):
        assert app.get(f"/api/contracts/runs/{run_id}", headers=keys[name]).status_code == 200
    other = keys["zhaomin"]
    assert app.get("/api/contracts/runs", headers=other).json() == []
    for path in ("", "/export", "/files/2/pages/1.png", "/files/1/report"):
        assert app.get(f"/api/contracts/runs/{run_id}{path}", headers=other).status_code == 404
    assert app.get("/api/contracts/runs").status_code == 401
    [entry] = [e for e in list_entries(store, action="contracts.inspect") if e.outcome == "ok"][:1]
    details = entry.details or {}
    assert entry.principal == "liwei" and details["via"] == "api" and len(details["documents"]) == 2
    assert "借款合同" not in str(entry.details)  # names may hold personal data; ids only


def _zip_bomb(docx: bytes) -> bytes:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in source.infolist():
            out.writestr(item, source.read(item))
        out.writestr("word/media/padding.xml", b" " * (16 * 1024 * 1024))
    return buffer.getvalue()


def test_hostile_and_wrong_files_are_refused_with_the_reason(
    app: TestClient, store: Store, keys: dict[str, Headers], contracts: dict[str, Path]
) -> None:
    headers = keys["liwei"]
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)
    cases = [
        ("合同.pdf", exe, 415, "unsupported_format"),
        ("空白.pdf", b"", 422, "empty_file"),
        ("借款合同.docx", _zip_bomb(contracts["loan"].read_bytes()), 422, "zip_bomb"),
        ("估值表.csv", "科目代码,科目名称\n1002,银行存款\n".encode(), 415, "unsupported_format"),
    ]
    for name, data, status, code in cases:
        response = app.post("/api/contracts/inspect", files=[("files", (name, data))], headers=headers)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), response.text
        message = response.json()["error"]["message"]
        assert f"'{name}'" in message and "Traceback" not in message
    # one refused file refuses the transaction: nothing is started
    mixed = [("files", ("借款合同.txt", contracts["txt"].read_bytes())), ("files", ("合同.pdf", exe))]
    assert app.post("/api/contracts/inspect", files=mixed, headers=headers).status_code == 415
    assert app.post("/api/contracts/inspect", headers=headers).status_code == 422
    refused = [e.outcome for e in list_entries(store, action="contracts.inspect") if e.outcome != "ok"]
    assert {"unsupported_format", "empty_file", "zip_bomb"} <= set(refused)


def test_a_txt_contract_is_inspected_without_page_images(
    app: TestClient, keys: dict[str, Headers], contracts: dict[str, Path]
) -> None:
    response = upload(app, keys["zhaomin"], contracts["txt"])
    job = finished(app, response.json()["url"], keys["zhaomin"])
    [inspection] = job["result"]["inspections"]
    assert [f["code"] for f in inspection["findings"]] == ["blank_field"]
    assert inspection["findings"][0]["evidence"]["bbox"] is None
    run_id = job["result"]["run_id"]
    assert (
        app.get(f"/api/contracts/runs/{run_id}/files/1/pages/1.png", headers=keys["zhaomin"]).status_code
        == 404
    )
    assert [r["id"] for r in app.get("/api/contracts/runs", headers=keys["zhaomin"]).json()] == [run_id]


# --- models: review and vision ----------------------------------------------------------------------


def upload_with(app: TestClient, headers: Headers, path: Path, **fields: str) -> Any:
    files = [("files", (path.name, path.read_bytes(), "application/octet-stream"))]
    return app.post("/api/contracts/inspect", files=files, data=fields, headers=headers)


def test_models_that_are_not_configured_are_noted_and_the_inspection_goes_on(
    app: TestClient, keys: dict[str, Headers], contracts: dict[str, Path]
) -> None:
    plain = finished(app, upload(app, keys["root"], contracts["txt"]).json()["url"], keys["root"])
    response = upload_with(app, keys["root"], contracts["txt"], review="true", vision="true")
    assert response.status_code == 202, response.text
    job = finished(app, response.json()["url"], keys["root"])
    assert job["status"] == "succeeded" and plain["result"]["notes"] == []
    assert job["result"]["inspections"] == plain["result"]["inspections"]
    review, vision = job["result"]["notes"]
    assert review.startswith("review: no chat model is configured")
    assert vision.startswith("vision: no vision model is configured")


@pytest.mark.parametrize(
    ("fields", "wrong"), [({"review": "maybe"}, "review"), ({"review": "true", "vision": "2"}, "vision")]
)
def test_review_and_vision_must_be_booleans(
    app: TestClient, keys: dict[str, Headers], contracts: dict[str, Path], fields: dict[str, str], wrong: str
) -> None:
    response = upload_with(app, keys["root"], contracts["txt"], **fields)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "input_error"
    assert (
        error["message"]
        == f"invalid request: body.{wrong}: Input should be a valid boolean, unable to interpret input"
    )


@pytest.fixture(scope="module")
def failing_model_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app whose chat model cannot be reached (an outside failure: its server is down)."""
    home = tmp_path_factory.mktemp("contracts-api-model")
    chat = {
        "provider": "openai-compatible",
        "base_url": f"http://127.0.0.1:{closed_port()}/v1",
        "model": "deepseek-v3",
    }
    settings = load_settings(home=home, chat=chat, llm_retries=0, llm_timeout=0.5)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        yield client


def test_the_review_asks_through_the_gateway_as_the_caller(
    failing_model_app: TestClient, contracts: dict[str, Path]
) -> None:
    app = failing_model_app
    store: Store = app.app.state.store  # type: ignore[attr-defined]
    create_user(store, "sunli", roles=["credit"], department="授信部")
    headers = {"Authorization": f"Bearer {create_api_key(store, 'sunli')}"}
    plain = finished(app, upload(app, headers, contracts["txt"]).json()["url"], headers)

    job = finished(app, upload_with(app, headers, contracts["txt"], review="true").json()["url"], headers)

    assert job["status"] == "succeeded" and job["result"]["notes"] == []
    assert job["result"]["inspections"] == plain["result"]["inspections"]  # the model failed: rules alone
    calls = list_entries(store, action="gateway.chat")
    assert calls and {(e.principal, e.outcome) for e in calls} == {("sunli", "upstream_error")}
    inspected = list_entries(store, action="contracts.inspect")
    assert [(e.details or {}).get("review") for e in inspected] == [True, False]
