"""合同质检 in a real browser: `python -m bankmind serve` and headless Chromium.

A credit officer uploads a loan contract (DOCX) with its guarantee (a 3-page scan, the guarantor's
seal on the signature page, the guaranteed principal written differently from the loan): the job
finishes, the inspection appears in the list without a reload, and its page shows the finding's
box over the page image exactly where the evidence box says, the seal outlined on page 3, the
DOCX's lines; clicking the finding highlights its box; the severity filter hides and shows it;
the export downloads the workbook. Any console error (a CSP refusal, a script error) fails it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import FloatRect, Locator, Page, expect

from bankmind.eval.contract_docs import make_group
from bankmind.eval.contract_render import write_docx, write_scanned_pdf

pytestmark = pytest.mark.slow

USER, PASSWORD = "liwei", "Hetong-2025-pw"
SCREENSHOT = Path("/tmp/bankmind-contracts-run.png")
JOB_TIMEOUT = 240_000  # a 3-page scan: OCR and seals, on 2 busy cores


@pytest.fixture(scope="module")
def accounts() -> list[tuple[str, str, str, str]]:
    """Who the served home holds (the `server` fixture in tests/web/conftest.py)."""
    return [(USER, PASSWORD, "credit", "授信审批部")]


def _rect(locator: Locator) -> FloatRect:
    box = locator.bounding_box()
    assert box is not None
    return box


def test_a_transaction_is_inspected_and_its_findings_are_boxed_on_the_page(
    page: Page, log_in: Callable[[Page, str, str], None], tmp_path: Path
) -> None:
    loan, guarantee = make_group(
        5, loan_kind="流动资金借款合同", securities=("保证合同",), inconsistent="amount",
        formats=("docx", "scanned_pdf"),
    )  # fmt: skip
    files = [
        str(write_docx(loan, tmp_path / "借款合同.docx").path),
        str(write_scanned_pdf(guarantee, tmp_path / "保证合同.pdf", seed=3).path),
    ]

    log_in(page, USER, PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="合同质检").click()
    expect(page).to_have_url("/contracts")
    expect(page.locator("#contracts-runs")).to_contain_text("还没有质检记录。")
    form = page.locator("form#contracts-upload")
    form.get_by_label("合同文件").set_input_files(files)
    form.get_by_role("button", name="开始质检").click()
    job = page.locator("#contracts-jobs .job").first
    expect(job).to_have_attribute("data-status", "succeeded", timeout=JOB_TIMEOUT)
    expect(form.get_by_label("合同文件")).to_have_value("")  # cleared once sent

    row = page.locator("#contracts-runs tr[data-run]")  # the list refreshed itself
    expect(row).to_have_count(1)
    expect(row).to_contain_text("借款合同.docx")
    expect(row.locator('[data-severity="high"]')).to_have_text(re.compile(r"^高 [1-9]"))
    run_id = row.get_attribute("data-run")
    row.get_by_role("link", name="查看").click()
    expect(page).to_have_url(f"/contracts/runs/{run_id}")

    run: dict[str, Any] = page.request.get(f"/api/contracts/runs/{run_id}").json()
    findings = run["inspections"][1]["findings"]
    n = next(i for i, f in enumerate(findings) if f["code"] == "amount_mismatch")
    evidence = findings[n]["evidence"]
    docx = page.locator('section.contract-file[data-file="1"]')
    expect(docx.locator(".contract-none")).to_have_text("未发现问题。")
    expect(docx.locator(".contract-lines li").first).to_have_text(loan.title)
    fields = docx.locator("details.contract-fields")
    expect(fields.get_by_role("table")).to_be_hidden()  # folded until asked for
    fields.locator("summary").click()
    expect(fields.get_by_role("row", name=re.compile("^借款人"))).to_contain_text(loan.fields.parties[1].name)
    scan = page.locator('section.contract-file[data-file="2"]')
    scan.locator("details.contract-fields summary").click()
    mark = page.locator("#mark-2-field-amount")
    expect(mark).to_be_hidden()  # a field's box is drawn only when its row is clicked
    scan.get_by_role("button", name="金额（小写）").click()
    expect(mark).to_be_visible()
    expect(page.locator("#row-2-field-amount")).to_have_class(re.compile(r"\bis-active\b"))

    item = page.locator(f"#finding-2-{n}")
    expect(item.locator(".contract-code")).to_have_text("金额不一致")
    expect(item.locator(".contract-sev")).to_have_text("高")
    item.get_by_role("button").click()
    box = page.locator(f"#box-2-{n}")
    expect(box).to_have_class(re.compile(r"\bis-active\b"))
    expect(item).to_have_class(re.compile(r"\bis-active\b"))
    sheet = page.locator(f"#page-2-{evidence['page']} .contract-sheet")
    image = sheet.locator("img")
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 800  # the PNG arrived (not a broken image)
    width, height = (float(v) for v in (sheet.get_attribute("data-size") or "").split())
    shown, drawn = _rect(image), _rect(box)
    assert shown["width"] / shown["height"] == pytest.approx(width / height, rel=0.01)
    x0, y0, x1, y1 = evidence["bbox"]
    sx, sy = shown["width"] / width, shown["height"] / height
    expected = (shown["x"] + x0 * sx, shown["y"] + y0 * sy, (x1 - x0) * sx, (y1 - y0) * sy)
    actual = (drawn["x"], drawn["y"], drawn["width"], drawn["height"])
    assert actual == pytest.approx(expected, abs=2.5), (actual, expected)

    seal = page.locator("#page-2-3 .contract-seal").first  # the guarantor's seal on the signature page
    expect(seal).to_be_attached()
    seal_box, page3 = _rect(seal), _rect(page.locator("#page-2-3 img"))
    assert page3["x"] < seal_box["x"] < seal_box["x"] + seal_box["width"] < page3["x"] + page3["width"]
    assert 60 < seal_box["width"] < 400 and seal_box["width"] == pytest.approx(seal_box["height"], rel=0.2)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    total = sum(len(i["findings"]) for i in run["inspections"])
    shown_count = page.locator("#contracts-shown")
    expect(shown_count).to_have_text(f"显示 {total} / {total} 个问题")
    high = sum(f["severity"] == "high" for i in run["inspections"] for f in i["findings"])
    page.locator("#contracts-filter").get_by_label("高").uncheck()
    expect(item).to_be_hidden()
    expect(box).to_be_hidden()
    expect(shown_count).to_have_text(f"显示 {total - high} / {total} 个问题")
    page.locator("#contracts-filter").get_by_label("高").check()
    expect(item).to_be_visible()
    expect(box).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    saved = tmp_path / "export.xlsx"
    download.value.save_as(saved)
    assert download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(saved).active
    assert book is not None
    sheet_rows = list(book.iter_rows(values_only=True))
    assert ("保证合同.pdf", "amount_mismatch", "金额不一致", "高") in [r[:4] for r in sheet_rows]
