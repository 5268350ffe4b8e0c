"""`/contracts` in-process: contracts uploaded through the page form are inspected in a job and
listed; a run shows each file's findings with severity and Chinese labels, the boxes of a PDF's
findings placed in percent of its page, a TXT's lines with the finding's line marked; refused
files are a notice in place; another department's run is not found. The form's model options: shown
disabled without a model (a job that asks anyway says so in its notes), and with models the choice
reaches the job, whose review findings the run shows; an English contract's clauses. Text contracts
only (fast): scans are covered by tests/api/test_api_contracts.py and the browser test. The chat and
vision models are the scripted upstream of tests/llm/upstream.py (no model runs offline here)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from tests.llm.upstream import FakeUpstream, Reply, completion

from bankmind.config import Settings, load_settings
from bankmind.contracts.preview import page_sizes
from bankmind.contracts.types import FindingCode
from bankmind.eval.contract_docs import make_contract
from bankmind.eval.contract_render import write_text_pdf, write_txt
from bankmind.guard.audit import list_entries
from bankmind.store import Store
from bankmind.store.users import create_user
from bankmind.types import Principal
from bankmind.web.i18n import MESSAGES
from bankmind.web.pages.contracts import CODE_LABELS, FIELD_LABELS

LoggedIn = tuple[TestClient, Principal, str]
HTMX = {"HX-Request": "true"}
PASSWORD = "correct-horse-42"  # as tests/web/conftest.py creates users
_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


@pytest.fixture
def settings(_isolated_home: Path, request: pytest.FixtureRequest) -> Settings:
    """No model; a test that takes `upstream` gets a chat and a vision model served by it."""
    if "upstream" not in request.fixturenames:
        return load_settings(home=_isolated_home, chat={"provider": "none"})
    url = request.getfixturevalue("upstream").url
    models = {
        role: {"provider": "openai-compatible", "base_url": url, "model": name}
        for role, name in (("chat", "deepseek-v3"), ("vision", "deepseek-vl2"))
    }
    return load_settings(home=_isolated_home, llm_retries=0, llm_timeout=5, **models)


@pytest.fixture
def contracts(tmp_path: Path) -> tuple[Path, Path]:
    """A loan contract as a text PDF and as a TXT, each with a blank key field."""
    contract = make_contract(8, "流动资金借款合同", ("blank_field",))
    return (
        write_text_pdf(contract, tmp_path / "借款合同.pdf").path,
        write_txt(contract, tmp_path / "借款合同.txt").path,
    )


def _inspect(client: TestClient, csrf: str, *paths: Path, **options: str) -> dict[str, Any]:
    """Upload through the page's form as htmx sends it (checked `options` as form fields); the
    finished job (JSON)."""
    files = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]
    headers = {**HTMX, "X-CSRF-Token": csrf}
    response = client.post("/contracts/inspect", files=files, data=options, headers=headers)
    assert response.status_code == 202, response.text
    assert 'hx-trigger="every 1s"' in response.text
    job_id = re.search(r'id="job-([0-9a-f-]+)"', response.text)
    assert job_id, response.text
    deadline = time.monotonic() + 60
    while True:
        job: dict[str, Any] = client.get(f"/api/jobs/{job_id.group(1)}").json()
        if job["status"] in ("succeeded", "failed"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def test_every_finding_code_and_field_has_a_label_in_both_languages() -> None:
    assert set(CODE_LABELS) == set(FindingCode.__args__)  # type: ignore[attr-defined]
    for key in [*CODE_LABELS.values(), *FIELD_LABELS.values()]:
        assert MESSAGES["zh"][key] and MESSAGES["en"][key] and MESSAGES["zh"][key] != MESSAGES["en"][key]


def test_the_page_offers_an_upload_of_several_files(logged_in: LoggedIn) -> None:
    client, _, _ = logged_in
    html = client.get("/contracts").text
    assert "<h1>合同质检</h1>" in html and 'href="/contracts" aria-current="page"' in html
    assert re.search(r'<input type="file" name="files" multiple required accept="\.pdf,\.docx,\.txt', html)
    assert "还没有质检记录。" in html and '<script src="/static/forms.js' in html
    assert "单个文件不超过 50 MB" in html
    assert "Contract inspection" in client.get("/contracts?lang=en").text


def test_a_run_shows_findings_boxes_on_the_pdf_page_and_marked_txt_lines(
    logged_in: LoggedIn, contracts: tuple[Path, Path]
) -> None:
    client, _, csrf = logged_in
    job = _inspect(client, csrf, *contracts)
    assert job["status"] == "succeeded", job
    run_id = job["result"]["run_id"]
    listed = client.get("/contracts/list", headers=HTMX).text
    row = re.search(rf'<tr data-run="{run_id}" data-findings="2">.*?</tr>', listed, re.S)
    assert row and "借款合同.pdf" in row.group(0) and "借款合同.txt" in row.group(0)
    assert 'data-severity="high">高 2</span>' in row.group(0)

    html = client.get(f"/contracts/runs/{run_id}").text
    run = client.get(f"/api/contracts/runs/{run_id}").json()
    pdf_finding = run["inspections"][0]["findings"][0]
    page = pdf_finding["evidence"]["page"]
    item = re.search(r'<li class="contract-finding" id="finding-1-0".*?</li>', html, re.S)
    assert item, html
    assert 'data-severity="high" data-code="blank_field"' in item.group(0)
    assert f'data-page="page-1-{page}" data-target="box-1-0"' in item.group(0)
    assert "要素空白" in item.group(0) and f"第 {page} 页" in item.group(0)
    assert pdf_finding["message"] in item.group(0)
    x0, y0, x1, y1 = pdf_finding["evidence"]["bbox"]
    figure = re.search(rf'<figure class="contract-page" id="page-1-{page}".*?</figure>', html, re.S)
    assert figure, html
    width, height = page_sizes(contracts[0].read_bytes(), "借款合同.pdf")[page - 1]
    assert f'data-size="{width} {height}"' in figure.group(0)
    assert f'src="/api/contracts/runs/{run_id}/files/1/pages/{page}.png"' in figure.group(0)
    box = " ".join(f"{100 * v:.3f}" for v in (x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height))
    assert re.search(
        rf'id="box-1-0" data-box="{box}"\s+data-finding="finding-1-0" data-severity="high"', figure.group(0)
    )

    txt_finding = run["inspections"][1]["findings"][0]
    marked = re.findall(r'<li id="(line-2-\d+)" class="contract-line-marked">([^<]*)</li>', html)
    assert len(marked) == 1 and txt_finding["evidence"]["text"] in marked[0][1]
    assert f'data-target="{marked[0][0]}"' in html
    assert f'href="/api/contracts/runs/{run_id}/files/2/report"' in html
    assert "该文件没有版面信息" in html and f'href="/api/contracts/runs/{run_id}/export"' in html

    fields = re.search(r'<details class="contract-fields" id="fields-1">.*?</details>', html, re.S)
    assert fields and "<summary>合同要素</summary>" in fields.group(0), html
    read = {name: f["value"] for name, f in run["inspections"][0]["fields"].items()}
    for party in run["inspections"][0]["parties"]:
        assert party["name"] in fields.group(0) and party["id_number"] in fields.group(0)
    amount = re.search(
        r'<tr class="contract-evidence-row" id="row-1-field-amount" data-page="page-1-1" '
        r'data-target="mark-1-field-amount">\s*<th scope="row">'
        r'<button type="button" class="contract-row-button">金额（小写）</button></th>'
        r"\s*<td>([^<]*)</td>\s*<td>第 1 页</td>",
        fields.group(0),
    )
    assert amount and amount.group(1) == f"{read['amount']:,.2f}", fields.group(0)
    first = re.search(r'<figure class="contract-page" id="page-1-1".*?</figure>', html, re.S)
    mark = r'class="contract-box contract-mark" id="mark-1-field-amount" data-box="[\d. ]+"'
    assert first and re.search(mark, first.group(0))
    txt = re.search(r'<details class="contract-fields" id="fields-2">.*?</details>', html, re.S)
    assert txt and re.search(
        r'id="row-2-field-amount" data-page="page-2-1" data-target="line-2-\d+"', txt.group(0)
    )
    assert f"<td>{read['dispute_resolution']}</td>" in fields.group(0) and "争议解决" in fields.group(0)


def test_refused_files_are_a_notice_in_place(logged_in: LoggedIn) -> None:
    client, _, csrf = logged_in
    exe = [("files", ("合同.pdf", b"MZ\x90\x00" + bytes(300), "application/pdf"))]
    refused = client.post("/contracts/inspect", files=exe, headers={**HTMX, "X-CSRF-Token": csrf})
    assert refused.status_code == 415
    assert 'data-error-code="unsupported_format"' in refused.text and "合同.pdf" in refused.text
    nothing = client.post("/contracts/inspect", data={"csrf_token": csrf})
    assert nothing.status_code == 422 and "<h1>合同质检</h1>" in nothing.text
    assert "no contract in the upload" in nothing.text


def test_another_department_cannot_open_the_run(
    logged_in: LoggedIn, contracts: tuple[Path, Path], web_store: Store
) -> None:
    client, _, csrf = logged_in
    run_id = _inspect(client, csrf, contracts[1])["result"]["run_id"]
    create_user(web_store, "bob", roles=["credit"], department="授信部", password=PASSWORD)
    client.cookies.clear()
    token = _TOKEN.search(client.get("/login").text)
    assert token
    form = {"name": "bob", "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    assert client.get(f"/contracts/runs/{run_id}").status_code == 404
    assert run_id not in client.get("/contracts").text


# --- models: the review and the vision check ----------------------------------------------------------

_OPTION = r'<div class="contract-model" data-option="{name}">.*?</div>'
ENGLISH = """DISTRIBUTION AGREEMENT

This Distribution Agreement is made as of March 3, 2023 by and between Kestrel Components Ltd. \
("Supplier") and Lakeside Trading Inc. ("Distributor").

1. Governing Law. This Agreement shall be governed by and construed in accordance with the laws of \
the State of New York, without regard to its conflict of laws principles.

2. Assignment. Neither party may assign or transfer this Agreement, in whole or in part, without the \
prior written consent of the other party.

3. Termination for Convenience. Either party may terminate this Agreement at any time upon ninety \
(90) days' prior written notice to the other party.
"""


def _option(html: str, name: str) -> str:
    found = re.search(_OPTION.format(name=name), html, re.S)
    assert found, html
    return found.group(0)


def test_without_models_the_options_are_shown_disabled_and_a_job_that_asks_says_so(
    logged_in: LoggedIn, contracts: tuple[Path, Path], web_store: Store
) -> None:
    client, _, csrf = logged_in
    html = client.get("/contracts").text
    review, vision = _option(html, "review"), _option(html, "vision")
    assert re.search(r'<input type="checkbox" name="review" value="true" [^>]*disabled>', review)
    assert "模型条款审查" in review and "未配置对话模型" in review
    assert re.search(r'<input type="checkbox" name="vision" value="true" [^>]*disabled>', vision)
    assert "视觉模型复核印章/签字" in vision and "未配置视觉模型" in vision
    job = _inspect(client, csrf, contracts[1], review="true", vision="true")  # a form from before
    assert job["status"] == "succeeded", job
    fragment = client.get(f"/api/jobs/{job['id']}", headers=HTMX).text
    notes = re.findall(r'<p class="hint contract-job-note">([^<]*)</p>', fragment)
    assert notes == [f"说明：{escape(note)}" for note in job["result"]["notes"]] and len(notes) == 2
    assert "no chat model is configured" in notes[0] and "no vision model is configured" in notes[1]
    assert f'href="/contracts/runs/{job["result"]["run_id"]}"' in fragment
    (entry,) = list_entries(web_store, action="contracts.inspect")
    assert entry.details and (entry.details["review"], entry.details["vision"]) == (False, False)
    english = client.get("/contracts?lang=en").text
    assert "No chat model configured" in english and "No vision model configured" in english


def test_with_models_the_choice_reaches_the_job_and_the_run_shows_the_review(
    logged_in: LoggedIn,
    contracts: tuple[Path, Path],
    web_store: Store,
    upstream: FakeUpstream,
) -> None:
    client, _, csrf = logged_in
    html = client.get("/contracts").text
    review, vision = _option(html, "review"), _option(html, "vision")
    assert "disabled" not in review and "deepseek-v3" in review
    assert "disabled" not in vision and "deepseek-vl2" in vision
    quote = "贷款人有权提前收回已发放的借款"
    assert quote in contracts[1].read_text(encoding="utf-8")
    item = {"quote": quote, "category": "other", "reason": "挪用即可提前收回", "clause": 9}
    upstream.queue(Reply(body=completion(json.dumps([item], ensure_ascii=False), model="deepseek-v3")))

    job = _inspect(client, csrf, contracts[1], review="true", vision="true")
    assert job["status"] == "succeeded" and job["result"]["notes"] == [], job
    sent = [r["json"]["model"] for r in upstream.requests if r["path"].endswith("/chat/completions")]
    assert sent and set(sent) == {"deepseek-v3"}  # a TXT has no seal to show the vision model
    (entry,) = list_entries(web_store, action="contracts.inspect")
    assert entry.details and (entry.details["review"], entry.details["vision"]) == (True, True)

    found = job["result"]["inspections"][0]["findings"]
    risky = [n for n, f in enumerate(found) if f["code"] == "risky_clause"]
    assert len(risky) == 1 and found[risky[0]]["severity"] == "low"
    page = client.get(f"/contracts/runs/{job['result']['run_id']}").text
    shown = re.search(rf'<li class="contract-finding" id="finding-1-{risky[0]}".*?</li>', page, re.S)
    assert shown, page
    assert 'data-severity="low" data-code="risky_clause"' in shown.group(0)
    assert "风险条款" in shown.group(0) and ">低</span>" in shown.group(0)
    assert str(escape(found[risky[0]]["message"])) in shown.group(0) and quote in shown.group(0)
    assert 'class="contract-line-marked"' in page


def test_an_english_contract_lists_its_clauses_under_the_findings(
    logged_in: LoggedIn, tmp_path: Path
) -> None:
    client, _, csrf = logged_in
    path = tmp_path / "distribution.txt"
    path.write_text(ENGLISH, encoding="utf-8")
    job = _inspect(client, csrf, path)
    assert job["status"] == "succeeded", job
    clauses = job["result"]["inspections"][0]["clauses"]
    assert "governing_law" in {c["category"] for c in clauses}

    html = client.get(f"/contracts/runs/{job['result']['run_id']}").text
    table = re.search(r'<table class="data contract-clauses" id="clauses-1">.*?</table>', html, re.S)
    assert table and html.index('class="contract-finding-list"') < html.index("clauses-1"), html
    assert "条款识别（英文合同）" in html
    rows = re.findall(
        r'<tr class="contract-evidence-row" id="row-1-clause-\d+" data-category="([a-z_]+)" '
        r'data-page="page-1-1" data-target="(line-1-\d+)">(.*?)</tr>',
        table.group(0),
        re.S,
    )
    assert [category for category, _, _ in rows] == [c["category"] for c in clauses]
    for (_, line, row), clause in zip(rows, clauses, strict=True):
        cells = [c.strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        evidence = clause["evidence"]
        shown = re.search(rf'<li id="{line}"[^>]*>([^<]*)</li>', html)
        assert shown and shown.group(1) and shown.group(1) in str(escape(evidence["text"]))
        assert cells == [
            f'<button type="button" class="contract-row-button">{escape(clause["label"])}</button>',
            f"{clause['score']:.2f}",
            f"第 {evidence['page']} 页",
            str(escape(evidence["text"])),
        ]
