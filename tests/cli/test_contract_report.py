"""`bankmind contract inspect … --report PATH`: the usual output and exit codes, one stderr line per
report written, and clear refusals (exit 2, nothing inspected) when a report cannot be written."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pdfplumber
import pytest

from bankmind.eval.contract_docs import make_contract
from bankmind.eval.contract_render import write_docx, write_text_pdf, write_txt

Run = Callable[..., Any]
"""The `run` fixture of tests/conftest.py: the `bankmind` command in-process."""


@pytest.fixture(scope="module")
def loan_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    contract = make_contract(4, "流动资金借款合同", ("amount_mismatch",), format="text_pdf")
    return write_text_pdf(contract, tmp_path_factory.mktemp("loan") / "loan.pdf").path.read_bytes()


@pytest.fixture
def loan_pdf(loan_bytes: bytes, tmp_path: Path) -> Path:
    """A loan contract with an amount mismatch as `loan.pdf` in the test's folder (the working directory)."""
    path = tmp_path / "loan.pdf"
    path.write_bytes(loan_bytes)
    return path


def test_report_beside_the_normal_output(run: Run, loan_pdf: Path) -> None:
    original = loan_pdf.read_bytes()
    plain = run("contract", "inspect", str(loan_pdf))
    result = run("contract", "inspect", str(loan_pdf), "--report", "loan.checked.pdf")
    assert (result.exit_code, result.stdout) == (1, plain.stdout) and plain.exit_code == 1
    assert result.stderr.splitlines()[0] == "report written: loan.checked.pdf"
    assert loan_pdf.read_bytes() == original, "the contract itself is not touched"
    with pdfplumber.open("loan.checked.pdf") as pdf:
        notes = [a["contents"] for page in pdf.pages for a in page.annots]
    assert any(n.startswith("[high] amount_mismatch: ") for n in notes)


def test_json_output_and_exit_0_for_a_clean_contract(run: Run, tmp_path: Path) -> None:
    clean = write_txt(make_contract(1, "保证合同", format="txt"), tmp_path / "guarantee.txt").path
    result = run("contract", "inspect", str(clean), "--format", "json", "--report", str(tmp_path))
    assert result.exit_code == 0 and '"findings": []' in result.stdout
    assert result.stderr.strip() == f"report written: {tmp_path / 'guarantee.checked.docx'}"
    assert not docx.Document(str(tmp_path / "guarantee.checked.docx")).comments


def test_several_files_get_one_report_each_in_a_folder(run: Run, loan_pdf: Path, tmp_path: Path) -> None:
    word = write_docx(
        make_contract(3, "个人借款合同", ("invalid_id",), format="docx"), tmp_path / "p.docx"
    ).path
    (tmp_path / "out").mkdir()
    result = run("contract", "inspect", str(loan_pdf), str(word), "--report", "out")
    assert result.exit_code == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["loan.checked.pdf", "p.checked.docx"]
    assert result.stderr.count("report written: ") == 2
    comments = docx.Document(io.BytesIO((tmp_path / "out" / "p.checked.docx").read_bytes())).comments
    assert any(c.text.startswith("[high] invalid_id: ") for c in comments)


@pytest.mark.parametrize(
    ("report", "message"),
    [
        ("no/a.pdf", "cannot write the report 'no/a.pdf': folder 'no' does not exist; create it first."),
        ("a.docx", "'loan.pdf' is a PDF: its report is a PDF (its pages with the findings highlighted), "
                   "not a DOCX; give a report path ending in .pdf."),
        ("a.txt", "--report 'a.txt' is neither an existing folder nor a path ending in .pdf or .docx."),
        ("loan.pdf", "--report 'loan.pdf' would overwrite a contract; choose another path."),
    ],
)  # fmt: skip
def test_a_report_that_cannot_be_written_is_refused_before_inspecting(
    run: Run, loan_pdf: Path, report: str, message: str
) -> None:
    original = loan_pdf.read_bytes()
    result = run("contract", "inspect", "loan.pdf", "--report", report)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"error: {message}")
    assert loan_pdf.read_bytes() == original


def test_several_files_need_a_folder(run: Run, loan_pdf: Path, tmp_path: Path) -> None:
    other = write_txt(make_contract(1, "保证合同", format="txt"), tmp_path / "g.txt").path
    result = run("contract", "inspect", str(loan_pdf), str(other), "--report", "both.pdf")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "--report 'both.pdf' is not an existing folder; with several files give a folder" in result.stderr


def test_a_docx_report_path_for_a_docx(run: Run, tmp_path: Path) -> None:
    word = write_docx(
        make_contract(3, "个人借款合同", ("invalid_id",), format="docx"), tmp_path / "p.docx"
    ).path
    result = run("contract", "inspect", str(word), "--report", "p.checked.pdf")
    assert result.exit_code == 2
    assert "'p.docx' is a Word document: its report is a DOCX" in result.stderr
