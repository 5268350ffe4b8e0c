"""估值核对 in a real browser: `python -m bankmind serve` and headless Chromium.

A custody user uploads a generated pair whose manager's table holds 200 more shares of one stock:
the job finishes and the run appears in the summary (without a reload) as 轻微; the drill-down shows
both sides' quantities and their cells; marking the break explained without a comment shows the
reason in the row, with a comment the row changes in place; the export downloads the workbook. Any
console error (a CSP refusal, a script error) fails the test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from bankmind.eval.recon_tables import generate_pair

pytestmark = pytest.mark.slow

USER, PASSWORD = "zhaomin", "Guzhi-2025-pw"
SCREENSHOT = Path("/tmp/bankmind-recon-run.png")
SUMMARY_SCREENSHOT = Path("/tmp/bankmind-recon.png")
JOB_TIMEOUT = 30_000


@pytest.fixture(scope="module")
def accounts() -> list[tuple[str, str, str, str]]:
    """Who the served home holds (the `server` fixture in tests/web/conftest.py)."""
    return [(USER, PASSWORD, "custody", "资产托管部")]


def test_a_pair_is_reconciled_followed_up_and_exported(
    page: Page, log_in: Callable[[Page, str, str], None], tmp_path: Path
) -> None:
    (manager, custodian), truth = generate_pair(3, "std_xlsx", "text_csv", ("quantity",), out_dir=tmp_path)
    root = next(b for b in truth.breaks if b.root)
    assert truth.severity == "minor" and root.kind == "quantity"

    log_in(page, USER, PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="估值核对").click()
    expect(page).to_have_url("/recon")
    expect(page.locator("#recon-runs")).to_contain_text("还没有核对结果。")

    form = page.locator("form#recon-pair")
    form.get_by_label("管理人估值表").set_input_files(str(manager))
    form.get_by_label("托管人估值表").set_input_files(str(custodian))
    expect(form.get_by_label("金额容差（元）")).to_have_value("0.01")
    form.get_by_role("button", name="开始核对").click()
    job = page.locator("#recon-jobs .job").first
    expect(job).to_have_attribute("data-status", "succeeded", timeout=JOB_TIMEOUT)
    expect(job.locator(".recon-report .recon-sev")).to_have_text("轻微")
    expect(form.get_by_label("管理人估值表")).to_have_value("")  # cleared once sent

    # the summary refreshed itself when the job finished
    run = page.locator("#recon-runs tr[data-run]")
    expect(run).to_have_count(1)
    expect(run.locator(".recon-sev")).to_have_text("轻微")
    expect(run.locator("td.recon-open")).to_have_text(re.compile(r"^[1-9][0-9]*$"))  # open root breaks
    page.screenshot(path=str(SUMMARY_SCREENSHOT), full_page=True)
    run_id = run.get_attribute("data-run")
    run.get_by_role("link", name="查看差异").click()
    expect(page).to_have_url(f"/recon/runs/{run_id}")

    row = page.locator('#recon-breaks tr.recon-root[data-kind="quantity"]')
    expect(row.locator('[data-side="manager"]')).to_have_text(f"{root.manager:,.0f}")
    expect(row.locator('[data-side="custodian"]')).to_have_text(f"{root.custodian:,.0f}")
    expect(row.locator('[data-side="difference"]')).to_have_text("+200")
    expect(row.locator(".recon-cells")).to_have_text(
        re.compile(r"^管理人 [A-Z]+[0-9]+ / 托管人 [A-Z]+[0-9]+$")
    )
    expect(page.locator("#recon-breaks tr.recon-knock-on").first).to_be_visible()

    page.evaluate("window.reconNotReloaded = true")
    row.locator("summary", has_text="处理").click()
    row.get_by_role("button", name="保存").click()  # no comment: refused, shown in the row
    expect(row.locator(".recon-error")).to_have_text("请填写备注，写明为何标记为已说明或已解决。")
    expect(row).to_have_attribute("data-status", "open")
    row.locator('textarea[name="comment"]').fill("送股登记日差异，管理人次日补记")
    row.locator('select[name="status"]').select_option("explained")
    row.get_by_role("button", name="保存").click()
    expect(row).to_have_attribute("data-status", "explained")
    expect(row.locator(".recon-status")).to_have_text("已说明")
    expect(row.locator(".recon-comment")).to_have_text("送股登记日差异，管理人次日补记")
    expect(row.locator(".recon-follow")).to_contain_text(USER)
    assert page.evaluate("window.reconNotReloaded") is True
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    saved = tmp_path / "export.xlsx"
    download.value.save_as(saved)
    assert download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(saved)
    assert book.sheetnames[0] == "汇总" and book["汇总"]["C2"].value == "minor"
