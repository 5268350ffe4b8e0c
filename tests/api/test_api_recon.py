"""`/api/recon`: a pair or a batch uploaded as a job, the stored runs and their breaks, follow-up
(audited), the workbook export, and the refusals — wrong file types, a missing side, another
department's run, wrong types in the body."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from bankmind.eval.recon_tables import generate_pair
from bankmind.guard.audit import list_entries
from bankmind.store import Store
from bankmind.types import Principal

Headers = Callable[[Principal], dict[str, str]]


@pytest.fixture
def custody(make_user: Callable[..., Principal]) -> Principal:
    return make_user("wangfang", "custody", department="托管运营部")


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    (manager, custodian), _ = generate_pair(
        5, "std_xlsx", "two_row_xls", ("price",), out_dir=tmp_path / "pair"
    )
    return manager, custodian


@pytest.fixture
def headers(custody: Principal, key_for: Headers) -> dict[str, str]:
    return key_for(custody)


@pytest.fixture
def run_id(
    client: TestClient,
    headers: dict[str, str],
    pair: tuple[Path, Path],
    finished_job: Callable[..., dict[str, Any]],
) -> str:
    """A pair uploaded through the API by the custody user and reconciled: the stored run's id."""
    job = finished_job(upload_pair(client, headers, *pair).json()["url"], headers)
    return str(job["result"]["runs"][0]["id"])


def upload_pair(client: TestClient, headers: dict[str, str], manager: Path, custodian: Path) -> Any:
    files = {
        "manager": (manager.name, manager.read_bytes(), "application/octet-stream"),
        "custodian": (custodian.name, custodian.read_bytes(), "application/octet-stream"),
    }
    return client.post("/api/recon/compare", files=files, data={"abs_tol": "0.01"}, headers=headers)


def test_a_pair_is_reconciled_as_a_job_and_stored_with_its_breaks(
    client: TestClient,
    custody: Principal,
    key_for: Headers,
    pair: tuple[Path, Path],
    finished_job: Callable[..., dict[str, Any]],
) -> None:
    headers = key_for(custody)
    response = upload_pair(client, headers, *pair)
    assert response.status_code == 202, response.text
    assert response.headers["location"] == response.json()["url"]
    job = finished_job(response.json()["url"], headers)
    assert job["status"] == "succeeded" and job["kind"] == "recon.compare", job
    (stored,) = job["result"]["runs"]
    assert stored["severity"] in ("minor", "report", "announce") and stored["breaks"] >= 1
    assert stored["new_breaks"] == stored["breaks"] and job["result"]["unpaired"] == []

    runs = client.get("/api/recon/runs", headers=headers).json()
    assert [r["id"] for r in runs] == [stored["id"]]
    detail = client.get(f"/api/recon/runs/{stored['id']}", headers=headers).json()
    assert detail["manager_file"] == pair[0].name and detail["custodian_file"] == pair[1].name
    assert detail["header"]["manager"]["product"] == detail["header"]["custodian"]["product"]
    root = next(b for b in detail["breaks_list"] if not b["knock_on"])
    assert root["kind"] == "price" and root["manager"] != root["custodian"]
    assert root["manager_cell"] and root["custodian_cell"] and root["status"] == "open"


def test_break_follow_up_needs_a_comment_and_is_audited(
    client: TestClient, app_store: Store, headers: dict[str, str], run_id: str
) -> None:
    root = client.get(f"/api/recon/runs/{run_id}", headers=headers).json()["breaks_list"][0]
    url = f"/api/recon/breaks/{root['id']}"
    refused = client.patch(url, json={"status": "resolved"}, headers=headers)
    assert refused.status_code == 422 and "needs a comment" in refused.json()["error"]["message"]
    wrong = client.patch(url, json={"status": "done", "comment": "x"}, headers=headers)
    assert wrong.status_code == 422 and "status" in wrong.text
    comment = "停牌股票按指数收益法估值，管理人沿用收盘价，已电话确认"
    done = client.patch(url, json={"status": "explained", "comment": comment}, headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "explained" and done.json()["status_by"] == "wangfang"
    entries = [e for e in list_entries(app_store) if e.action == "recon.break"]
    outcomes = {(e.details["status"], e.outcome == "ok") for e in entries}
    assert outcomes == {("resolved", False), ("explained", True)}  # the refusal is audited too
    assert all(comment not in str(e.details) for e in entries)
    assert {e.action for e in list_entries(app_store)} >= {"recon.compare", "recon.break"}


def test_another_department_sees_nothing(
    client: TestClient, alice: Principal, admin: Principal, key_for: Headers, run_id: str
) -> None:
    other = key_for(alice)
    assert client.get("/api/recon/runs", headers=other).json() == []
    assert client.get(f"/api/recon/runs/{run_id}", headers=other).status_code == 404
    assert client.get(f"/api/recon/export?run_id={run_id}", headers=other).status_code == 404
    assert client.get(f"/api/recon/runs/{run_id}", headers=key_for(admin)).status_code == 200


def test_a_batch_pairs_by_product_and_lists_what_it_could_not_pair(
    client: TestClient,
    custody: Principal,
    key_for: Headers,
    tmp_path: Path,
    finished_job: Callable[..., dict[str, Any]],
) -> None:
    files = []
    for seed in range(3):
        (m, c), _ = generate_pair(
            seed, "text_csv", "std_xlsx", ("fee",) if seed else (), out_dir=tmp_path / str(seed)
        )
        files += [
            ("files", (f"{seed}_管理人{m.suffix}", m.read_bytes(), "text/csv")),
            ("files", (f"{seed}_托管人{c.suffix}", c.read_bytes(), "application/octet-stream")),
        ]
    files.pop()  # fund 2 has no custodian table
    files.append(("files", ("说明.exe", b"MZ\x90\x00" + bytes(range(256)) * 4, "application/octet-stream")))
    headers = key_for(custody)
    response = client.post("/api/recon/batch", files=files, headers=headers)
    assert response.status_code == 202, response.text
    job = finished_job(response.json()["url"], headers)
    assert job["status"] == "succeeded", job
    result = job["result"]
    assert len(result["runs"]) == 2
    assert {r["severity"] for r in result["runs"]} >= {"ok"}
    unpaired = {u["file"]: u["reason"] for u in result["unpaired"]}
    assert set(unpaired) == {"2_管理人.csv", "说明.exe"}
    assert unpaired["说明.exe"].startswith("refused:")
    listed = client.get(f"/api/recon/runs?batch_id={result['batch_id']}", headers=headers).json()
    assert len(listed) == 2

    export = client.get(f"/api/recon/export?batch_id={result['batch_id']}", headers=headers)
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(export.content))
    summary = list(book["汇总"].iter_rows(values_only=True))
    assert summary[0][:3] == ("产品", "估值日期", "严重程度") and len(summary) == 3
    sheets = [book[name] for name in book.sheetnames if name != "汇总"]
    assert sheets and next(iter(sheets[0].iter_rows(values_only=True)))[-4:] == (
        "新增/延续",
        "状态",
        "备注",
        "处理人",
    )


def test_refusals_are_precise(
    client: TestClient, custody: Principal, key_for: Headers, pair: tuple[Path, Path]
) -> None:
    headers = key_for(custody)
    only_one = client.post(
        "/api/recon/compare", files={"manager": ("m.xlsx", pair[0].read_bytes())}, headers=headers
    )
    assert only_one.status_code == 422 and "custodian" in only_one.text
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n"
    wrong = client.post(
        "/api/recon/compare",
        files={"manager": ("m.pdf", pdf), "custodian": ("c.xlsx", pair[1].read_bytes())},
        headers=headers,
    )
    assert wrong.status_code == 415, wrong.text
    assert "m.pdf" in wrong.json()["error"]["message"]
    bad_tol = client.post(
        "/api/recon/compare",
        files={"manager": ("m.xlsx", pair[0].read_bytes()), "custodian": ("c.xls", pair[1].read_bytes())},
        data={"abs_tol": "-1"},
        headers=headers,
    )
    assert bad_tol.status_code == 422 and "abs_tol" in bad_tol.text
    assert client.get("/api/recon/export", headers=headers).status_code == 422
    assert client.get("/api/recon/runs/nope", headers=headers).status_code == 404
    assert client.patch("/api/recon/breaks/abc", json={"status": "open"}, headers=headers).status_code == 422


def test_a_table_that_cannot_be_read_fails_the_job_with_the_reason(
    client: TestClient,
    custody: Principal,
    key_for: Headers,
    pair: tuple[Path, Path],
    finished_job: Callable[..., dict[str, Any]],
) -> None:
    headers = key_for(custody)
    text = "这不是估值表\n只是一段说明文字\n".encode("gbk")
    files = {"manager": ("管理人.csv", text), "custodian": (pair[1].name, pair[1].read_bytes())}
    response = client.post("/api/recon/compare", files=files, headers=headers)
    assert response.status_code == 202, response.text
    job = finished_job(response.json()["url"], headers)
    assert job["status"] == "failed" and "管理人.csv" in (job["error"] or ""), job
    assert "Traceback" not in (job["error"] or "")


def test_narratives_without_a_chat_model_say_so(
    client: TestClient, headers: dict[str, str], run_id: str
) -> None:
    response = client.post(f"/api/recon/runs/{run_id}/narratives", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["narrated"] == 0 and "no chat model" in body["note"]
    assert all(b["narrative"] is None for b in body["run"]["breaks_list"])
