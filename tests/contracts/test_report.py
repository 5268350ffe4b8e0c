"""The annotated report (`contracts.report`) of generated contracts, reopened and rendered to PNG.

PDF reports: one Highlight per finding with a box, carrying the finding's note, on the right page;
rendered with and without annotations, every pixel inside a finding's box is the page multiplied
by its severity colour (PDFium draws highlights in Multiply mode) and no pixel outside the marks
changes. DOCX reports: each comment is anchored at exactly the evidence text, which is highlighted;
LibreOffice (when installed) converts the report to PDF, where the yellow shows. Tests that run OCR
are `slow`; the fast ones place evidence where the generator drew the text.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import docx
import numpy as np
import pdfplumber
import pypdfium2 as pdfium
import pytest
from docx.enum.text import WD_COLOR_INDEX
from docx.text.paragraph import Paragraph

from bankmind.config import Settings, load_settings
from bankmind.contracts.inspect import inspect_bytes
from bankmind.contracts.report import AUTHOR, note, report_name, report_target, write_report
from bankmind.contracts.report_pdf import SEAL_COLOUR, SEVERITY_COLOURS
from bankmind.contracts.rules import load_rules
from bankmind.contracts.types import BBox, Evidence, Finding, Inspection
from bankmind.documents.pdf_writer import PdfBuilder
from bankmind.errors import UnsupportedFormat
from bankmind.eval.contract_docs import make_contract
from bankmind.eval.contract_render import write_docx, write_scanned_pdf, write_text_pdf, write_txt

SCALE = 2.0
"""Render scale: pixels per point."""
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def module_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return load_settings(home=tmp_path_factory.mktemp("home"), chat={"provider": "none"})


def inspect(data: bytes, name: str, settings: Settings) -> Inspection:
    inspection, _ = inspect_bytes(data, name, rules=load_rules(), settings=settings)
    return inspection


# reading a PDF report back -----------------------------------------------------------------------
@dataclass(frozen=True)
class Annotation:
    subtype: str
    contents: str
    author: str
    colour: tuple[int, int, int]
    box: BBox
    """In points from the page's top-left corner, as evidence boxes are."""


def read_annotations(report: bytes) -> list[list[Annotation]]:
    """Every page's annotations, in order, as pdfplumber reads them."""
    with pdfplumber.open(io.BytesIO(report)) as pdf:
        return [
            [
                Annotation(
                    a["data"]["Subtype"].name,
                    a["contents"],
                    a["title"],
                    tuple(round(c * 255) for c in a["data"]["C"]),
                    (a["x0"], a["top"], a["x1"], a["bottom"]),
                )
                for a in page.annots
            ]
            for page in pdf.pages
        ]


def render(pdf: bytes, index: int, *, annots: bool) -> np.ndarray:
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[index]
        image = page.render(scale=SCALE, draw_annots=annots).to_pil().convert("RGB")
        page.close()
    finally:
        document.close()
    return np.asarray(image).astype(float)


def page_texts(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def pixels(box: BBox, unit: float = 1.0) -> tuple[int, int, int, int]:
    return tuple(round(v * unit * SCALE) for v in box)  # type: ignore[return-value]


def assert_marked(
    report: bytes, inspection: Inspection, *, unit: float = 1.0, pages: Sequence[int] | None = None
) -> None:
    """Inside each finding's box the page is multiplied by its severity colour(s); outside every
    finding and seal box nothing changed."""
    marks: dict[int, dict[BBox, list[tuple[int, int, int]]]] = {}
    for finding in inspection.findings:
        if finding.evidence is not None and finding.evidence.bbox is not None:
            boxes = marks.setdefault(finding.evidence.page, {})
            boxes.setdefault(finding.evidence.bbox, []).append(SEVERITY_COLOURS[finding.severity])
    outlines = [(s.page, s.bbox) for s in inspection.seals]
    for number in pages or range(1, inspection.pages + 1):
        plain = render(report, number - 1, annots=False)
        marked = render(report, number - 1, annots=True)
        untouched = np.ones(plain.shape[:2], dtype=bool)
        for box, colours in marks.get(number, {}).items():
            x0, y0, x1, y1 = pixels(box, unit)
            tint = np.prod(np.array(colours, dtype=float) / 255, axis=0)
            inside = (slice(y0 + 2, y1 - 2), slice(x0 + 2, x1 - 2))
            error = np.abs(marked[inside] - plain[inside] * tint)
            assert np.median(error) <= 6, f"page {number} box {box}: not the severity colour"
            assert np.abs(marked[inside] - plain[inside]).mean() > 15, (
                f"page {number} box {box}: no highlight"
            )
            untouched[y0 - 3 : y1 + 3, x0 - 3 : x1 + 3] = False
        for page, box in outlines:
            if page == number:
                x0, y0, x1, y1 = pixels(box, unit)
                untouched[y0 - 6 : y1 + 6, x0 - 6 : x1 + 6] = False
        changed = np.abs(marked - plain).max(axis=2) > 8
        assert not changed[untouched].any(), f"page {number}: pixels changed outside the marked boxes"


def assert_annotated(report: bytes, inspection: Inspection, *, unit: float = 1.0) -> None:
    """One Highlight per finding with a box, on its page, over that box, with the finding's note,
    author and colour; one outline per seal."""
    found = read_annotations(report)
    for number in range(1, inspection.pages + 1):
        expected = sorted(
            (note(f), SEVERITY_COLOURS[f.severity], tuple(v * unit for v in f.evidence.bbox))
            for f in inspection.findings
            if f.evidence and f.evidence.bbox and f.evidence.page == number
        )
        highlights = sorted(
            (a.contents, a.colour, a.box) for a in found[number - 1] if a.subtype == "Highlight"
        )
        assert [h[:2] for h in highlights] == [e[:2] for e in expected]
        assert [h[2] for h in highlights] == [pytest.approx(e[2], abs=0.3) for e in expected], "over its box"
        assert all(a.author == AUTHOR for a in found[number - 1])
        seals = [a for a in found[number - 1] if a.subtype == "Square"]
        assert len(seals) == sum(s.page == number for s in inspection.seals)
        assert all(a.colour == SEAL_COLOUR and a.contents.startswith("印章") for a in seals)
    assert not any(found[inspection.pages :]), "the summary page has no annotations"


# text PDF ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    data: bytes
    name: str
    inspection: Inspection
    report: bytes


@pytest.fixture(scope="module")
def text_pdf(tmp_path_factory: pytest.TempPathFactory, module_settings: Settings) -> Case:
    contract = make_contract(4, "流动资金借款合同", ("amount_mismatch", "missing_clause"), format="text_pdf")
    data = write_text_pdf(contract, tmp_path_factory.mktemp("pdf") / "loan.pdf").path.read_bytes()
    inspection = inspect(data, "loan.pdf", module_settings)
    assert {"amount_mismatch", "missing_clause"} <= {f.code for f in inspection.findings}
    return Case(data, "loan.pdf", inspection, write_report(data, "loan.pdf", inspection, "pdf"))


def test_text_pdf_report_keeps_the_pages_and_adds_a_summary(text_pdf: Case) -> None:
    original, report = page_texts(text_pdf.data), page_texts(text_pdf.report)
    assert report[: len(original)] == original and len(report) == len(original) + 1
    assert not any(read_annotations(text_pdf.data)), "the original is not changed"
    summary = compact(report[-1])
    assert summary.startswith(compact("质检结果 文件：loan.pdf"))
    for finding in text_pdf.inspection.findings:
        assert compact(f"{finding.code}（第 1 页）：{finding.message}") in summary


def test_text_pdf_findings_are_highlighted_in_their_boxes(text_pdf: Case) -> None:
    assert_annotated(text_pdf.report, text_pdf.inspection)
    assert_marked(text_pdf.report, text_pdf.inspection)


def test_a_long_list_of_findings_continues_on_more_summary_pages(text_pdf: Case) -> None:
    findings = [
        Finding(code="missing_clause", severity="medium", message=f"缺少必备条款「第{n}项」（本行合同范本）")
        for n in range(1, 61)
    ]
    inspection = text_pdf.inspection.model_copy(update={"findings": findings})
    report = page_texts(write_report(text_pdf.data, "loan.pdf", inspection, "pdf"))
    summary = compact("".join(report[inspection.pages :]))
    assert len(report) > inspection.pages + 1
    assert all(compact(f.message) in summary for f in findings)


@pytest.mark.parametrize(
    ("rotation", "crop"), [(90, None), (180, (20.0, 30.0, 560.0, 800.0)), (270, (20.0, 30.0, 560.0, 800.0))]
)
def test_highlights_follow_page_rotation_and_crop_box(rotation: int, crop: BBox | None) -> None:
    """Boxes as pdfplumber reads them on a rotated, cropped page land on that text as displayed."""
    pdf = PdfBuilder().new_page()
    pdf.text("借款金额：人民币壹佰万元整", 14, x=120, top=300)
    document = pdfium.PdfDocument(pdf.save())
    page = document[0]
    page.set_rotation(rotation)
    if crop:
        page.set_cropbox(*crop)
    page.close()
    buffer = io.BytesIO()
    document.save(buffer)
    document.close()
    data = buffer.getvalue()
    with pdfplumber.open(io.BytesIO(data)) as opened:
        [line] = opened.pages[0].extract_text_lines()
    box = (line["x0"], line["top"], line["x1"], line["bottom"])
    finding = Finding(
        code="amount_mismatch",
        severity="high",
        message="金额不一致",
        evidence=Evidence(page=1, text="x", bbox=box),
    )
    inspection = Inspection(file="r.pdf", contract_type="loan", findings=[finding])
    report = write_report(data, "r.pdf", inspection, "pdf")
    plain, marked = render(report, 0, annots=False), render(report, 0, annots=True)
    ink = np.argwhere(plain.max(axis=2) < 128)
    changed = np.argwhere(np.abs(marked - plain).max(axis=2) > 8)
    (iy0, ix0), (iy1, ix1) = ink.min(axis=0), ink.max(axis=0)
    (cy0, cx0), (cy1, cx1) = changed.min(axis=0), changed.max(axis=0)
    slack = 4  # glyph ink may poke out of the font box by a pixel or two
    assert cy0 <= iy0 + slack and cx0 <= ix0 + slack and cy1 >= iy1 - slack and cx1 >= ix1 - slack
    assert (cy1 - cy0) * (cx1 - cx0) < 2 * (iy1 - iy0) * (ix1 - ix0), "and not much more than the text"


# scanned PDF and image ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, BBox]:
    """Page 1 of a generated scan (as a one-page PDF) and the box, in points, of its amount line."""
    contract = make_contract(12, "保证合同", ("amount_mismatch",), format="scanned_pdf")
    rendering = write_scanned_pdf(contract, tmp_path_factory.mktemp("scan") / "g.pdf", seed=3)
    [line] = [ln for ln in rendering.lines if ln.page == 1 and "小写" in ln.text]
    source, single = pdfium.PdfDocument(rendering.path), pdfium.PdfDocument.new()
    single.import_pages(source, [0])
    buffer = io.BytesIO()
    single.save(buffer)
    source.close()
    single.close()
    assert line.bbox is not None
    return buffer.getvalue(), line.bbox


def scan_png(scan_pdf: bytes) -> bytes:
    """The scanned page as a 150 dpi PNG, cut below the amount line so OCR has less to read."""
    document = pdfium.PdfDocument(scan_pdf)
    image = document[0].render(scale=150 / 72).to_pil().convert("RGB")
    document.close()
    buffer = io.BytesIO()
    image.crop((0, 0, image.width, int(image.height * 0.55))).save(buffer, format="PNG", dpi=(150, 150))
    return buffer.getvalue()


def _one_finding(box: BBox, severity: str = "medium") -> Inspection:
    finding = Finding.model_validate(
        {"code": "amount_mismatch", "severity": severity, "message": "金额大小写不一致",
         "evidence": {"page": 1, "text": "主债权本金", "bbox": box}}
    )  # fmt: skip
    return Inspection(file="g", contract_type="guarantee", scanned_pages=[1], findings=[finding])


def test_a_scanned_page_is_highlighted_where_the_text_was_printed(scan: tuple[bytes, BBox]) -> None:
    data, box = scan
    inspection = _one_finding(box)
    report = write_report(data, "g.pdf", inspection, "pdf")
    assert_annotated(report, inspection)
    assert_marked(report, inspection)


def test_an_image_becomes_a_pdf_page_with_its_boxes_in_pixels(scan: tuple[bytes, BBox]) -> None:
    data, box = scan
    png = scan_png(data)
    inspection = _one_finding(tuple(v * 150 / 72 for v in box), "low")  # type: ignore[arg-type]
    report = write_report(png, "g.png", inspection, "pdf")
    assert len(page_texts(report)) == 2
    document = pdfium.PdfDocument(report)
    assert document[0].get_size() == pytest.approx((595, 842 * 0.55), abs=1), "printed at 150 dpi"
    document.close()
    assert_annotated(report, inspection, unit=72 / 150)
    assert_marked(report, inspection, unit=72 / 150)


@pytest.mark.slow
def test_an_inspected_scan_and_image_are_highlighted(
    scan: tuple[bytes, BBox], module_settings: Settings
) -> None:
    data, _ = scan
    for name, unit, payload in (("g.pdf", 1.0, data), ("g.png", 72 / 150, scan_png(data))):
        inspection = inspect(payload, name, module_settings)
        assert "amount_mismatch" in {f.code for f in inspection.findings}
        report = write_report(payload, name, inspection, "pdf")
        assert_annotated(report, inspection, unit=unit)
        assert_marked(report, inspection, unit=unit)


@pytest.mark.slow
def test_seals_are_outlined_and_a_missing_seal_highlighted(tmp_path: Path, module_settings: Settings) -> None:
    contract = make_contract(12, "保证合同", ("missing_seal",))
    data = write_scanned_pdf(contract, tmp_path / "g.pdf", seed=2).path.read_bytes()
    inspection = inspect(data, "g.pdf", module_settings)
    assert inspection.seals and "missing_seal" in {f.code for f in inspection.findings}
    report = write_report(data, "g.pdf", inspection, "pdf")
    assert_annotated(report, inspection)
    assert_marked(report, inspection, pages=[inspection.pages])


# DOCX and TXT ------------------------------------------------------------------------------------
def anchored(document: docx.document.Document) -> dict[int, str]:
    """Each comment's id → the text between its range start and end, in document order."""
    open_ids: set[str] = set()
    texts: dict[str, str] = {}
    for element in document.element.body.iter():
        if element.tag == f"{W}commentRangeStart":
            open_ids.add(element.get(f"{W}id"))
            texts[element.get(f"{W}id")] = ""
        elif element.tag == f"{W}commentRangeEnd":
            open_ids.discard(element.get(f"{W}id"))
        elif element.tag == f"{W}t":
            for key in open_ids:
                texts[key] += element.text or ""
    return {int(k): v for k, v in texts.items()}


def highlighted_runs(document: docx.document.Document) -> Iterator[str]:
    for paragraph in _all_paragraphs(document):
        for run in paragraph.runs:
            if run.font.highlight_color == WD_COLOR_INDEX.YELLOW:
                yield run.text


def _all_paragraphs(document: docx.document.Document) -> Iterator[Paragraph]:
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def compact(text: str) -> str:
    """Without whitespace (the DOCX loader joins table cells with a space and collapses runs of spaces)
    and NFKC-normalised (PDFium reads some glyphs of the CJK font as compatibility ideographs)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def assert_commented(report: bytes, inspection: Inspection) -> docx.document.Document:
    document = docx.Document(io.BytesIO(report))
    comments = list(document.comments)
    assert [c.text for c in comments] == [note(f) for f in inspection.findings]
    assert all(c.author == AUTHOR for c in comments)
    texts = anchored(document)
    for comment, finding in zip(comments, inspection.findings, strict=True):
        assert finding.evidence is not None
        assert compact(texts[comment.comment_id]) == compact(finding.evidence.text)
    assert compact("".join(highlighted_runs(document))), "the evidence is highlighted"
    return document


@pytest.fixture(scope="module")
def word(tmp_path_factory: pytest.TempPathFactory, module_settings: Settings) -> Case:
    """A company loan whose defects sit in body paragraphs and in the signature table's rows."""
    contract = make_contract(
        0, "流动资金借款合同", ("missing_signature", "party_mismatch", "blank_field"), format="docx"
    )
    data = write_docx(contract, tmp_path_factory.mktemp("docx") / "loan.docx").path.read_bytes()
    inspection = inspect(data, "loan.docx", module_settings)
    assert {"missing_signature", "party_mismatch", "blank_field"} <= {f.code for f in inspection.findings}
    return Case(data, "loan.docx", inspection, write_report(data, "loan.docx", inspection, "docx"))


def test_docx_comments_are_anchored_at_the_evidence_text(word: Case) -> None:
    document = assert_commented(word.report, word.inspection)
    original = docx.Document(io.BytesIO(word.data))
    assert [p.text for p in _all_paragraphs(document)] == [p.text for p in _all_paragraphs(original)]
    assert any(f.evidence and " " in f.evidence.text for f in word.inspection.findings), "a row across cells"


def test_txt_becomes_a_docx_with_the_same_comments(tmp_path: Path, module_settings: Settings) -> None:
    contract = make_contract(
        3, "个人借款合同", ("missing_signature", "invalid_id", "amount_mismatch"), format="txt"
    )
    data = write_txt(contract, tmp_path / "loan.txt").path.read_bytes()
    inspection = inspect(data, "loan.txt", module_settings)
    assert len(inspection.findings) >= 3
    assert (
        report_target(data, "loan.txt") == "docx" and report_name("loan.txt", "docx") == "loan.checked.docx"
    )
    document = assert_commented(write_report(data, "loan.txt", inspection, "docx"), inspection)
    lines = [line for line in data.decode("utf-8").splitlines() if line.strip()]
    assert [p.text for p in document.paragraphs] == lines
    assert document.paragraphs[0].runs[0].bold, "the title stands out"


def test_a_comment_covers_exactly_its_text_inside_runs() -> None:
    """Evidence that starts and ends inside runs: the runs are split, their formatting kept."""
    source = docx.Document()
    source.add_paragraph("借款合同")
    paragraph = source.add_paragraph()
    paragraph.add_run("借款金额：人民币（大写）").bold = True
    paragraph.add_run("壹佰万元整")
    paragraph.add_run("（小写）¥1,000,000.00元。").italic = True
    buffer = io.BytesIO()
    source.save(buffer)
    evidence = Evidence(page=1, text="大写）壹佰万元整（小")
    finding = Finding(code="amount_mismatch", severity="high", message="金额不一致", evidence=evidence)
    inspection = Inspection(file="a.docx", contract_type="loan", title="借款合同", findings=[finding])
    report = docx.Document(io.BytesIO(write_report(buffer.getvalue(), "a.docx", inspection, "docx")))
    [comment] = report.comments
    assert anchored(report)[comment.comment_id] == evidence.text
    runs = report.paragraphs[1].runs
    assert report.paragraphs[1].text == "借款金额：人民币（大写）壹佰万元整（小写）¥1,000,000.00元。"
    assert [
        (r.text, r.bold, r.italic, r.font.highlight_color == WD_COLOR_INDEX.YELLOW) for r in runs if r.text
    ] == [
        ("借款金额：人民币（", True, None, False),
        ("大写）", True, None, True),
        ("壹佰万元整", None, None, True),
        ("（小", None, True, True),
        ("写）¥1,000,000.00元。", None, True, False),
    ]


def test_a_finding_without_evidence_is_commented_on_the_title(word: Case) -> None:
    finding = Finding(code="missing_clause", severity="medium", message="缺少必备条款「争议解决」")
    inspection = word.inspection.model_copy(update={"findings": [finding]})
    report = docx.Document(io.BytesIO(write_report(word.data, "loan.docx", inspection, "docx")))
    [comment] = report.comments
    assert anchored(report)[comment.comment_id] == word.inspection.title
    assert not list(highlighted_runs(report)), "nothing in the text is at fault"


SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(
    SOFFICE is None,
    reason="no LibreOffice (soffice); scripts/test-services.sh installs libreoffice-writer-nogui",
)
def test_docx_report_renders_with_its_highlights(word: Case, tmp_path: Path) -> None:
    """LibreOffice converts the report to PDF: yellow shows in the report and nowhere in the original."""
    (tmp_path / "report.docx").write_bytes(word.report)
    (tmp_path / "original.docx").write_bytes(word.data)
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [str(SOFFICE), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(tmp_path / "report.docx"), str(tmp_path / "original.docx")],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip

    def yellow(pdf: Path) -> int:
        data = pdf.read_bytes()
        count = 0
        for index in range(len(page_texts(data))):
            image = render(data, index, annots=True)
            count += int(((image[..., 0] > 230) & (image[..., 1] > 230) & (image[..., 2] < 80)).sum())
        return count

    assert yellow(tmp_path / "report.pdf") > 2000
    assert yellow(tmp_path / "original.pdf") == 0


# errors ------------------------------------------------------------------------------------------
def test_a_pdf_gets_a_pdf_report_and_a_docx_a_docx_report(text_pdf: Case, word: Case) -> None:
    with pytest.raises(
        UnsupportedFormat, match=r"'loan.pdf' is a PDF: its report is a PDF .*ending in \.pdf"
    ):
        write_report(text_pdf.data, "loan.pdf", text_pdf.inspection, "docx")
    with pytest.raises(
        UnsupportedFormat, match=r"'loan.docx' is a Word document: its report is a DOCX .*\.docx"
    ):
        write_report(word.data, "loan.docx", word.inspection, "pdf")
    with pytest.raises(UnsupportedFormat, match=r"'a\.csv' is not a contract bankmind can inspect"):
        report_target(b"a,b\n1,2\n3,4\n", "a.csv")
