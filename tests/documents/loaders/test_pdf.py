"""PDF loading: reading order, headings and levels, ruled tables, CJK line joining, scanned pages.

Tests that OCR a page are marked `slow` (about 1 s per page on 2 cores, plus model loading).
"""

from __future__ import annotations

import pytest

from bankmind.documents.content import LoadedDocument
from bankmind.documents.loaders import pdf as pdf_loader
from bankmind.documents.loading import load_document
from bankmind.documents.sniff import sniff
from bankmind.errors import EmptyFile, EncryptedFile, UnsupportedFormat

from .. import factories as base
from . import factories as f


@pytest.fixture(scope="module")
def text_only() -> LoadedDocument:
    return load_document(f.handbook_pdf(scanned_page=False), "员工手册.pdf")


@pytest.fixture(scope="module")
def with_scan() -> LoadedDocument:
    return load_document(f.handbook_pdf(), "员工手册.pdf")


def test_blocks_come_in_reading_order_with_pages(text_only: LoadedDocument) -> None:
    assert [(b.kind, b.page, b.text) for b in text_only.blocks] == [
        ("heading", 1, "员工手册"),
        ("heading", 1, "第一章 总则"),
        ("paragraph", 1, f.POLICY_INTRO),
        ("paragraph", 1, f.POLICY_MIXED),
        ("table", 1, "| 产品 | 年费 |\n|---|---|\n| 借记卡 | 0 |\n| 信用卡 | 200元/年 |"),
        ("paragraph", 1, "第一条 以上标准自2025年1月1日起执行。"),
        ("paragraph", 1, "第二条 本手册由人力资源部负责解释。"),
        ("heading", 2, "第二章 附则"),
        ("heading", 2, "第一节 施行"),
        ("paragraph", 2, "本手册自发布之日起施行。"),
    ]
    assert text_only.pages == 2 and text_only.ocr_pages == [] and text_only.kind == "pdf"
    assert text_only.title == "员工手册"


def test_the_fixture_paragraphs_really_wrap_mid_sentence() -> None:
    """So the exact paragraph texts above prove lines are joined (without spaces between CJK)."""
    lines = f.wrap(f.POLICY_INTRO, 12)
    assert len(lines) >= 2 and not lines[0].endswith("。")  # the paragraph really wraps mid-sentence
    mixed = f.wrap(f.POLICY_MIXED, 12)
    assert len(mixed) >= 2


def test_heading_levels_follow_size_then_statute_words(text_only: LoadedDocument) -> None:
    headings = [(b.text, b.level) for b in text_only.blocks if b.kind == "heading"]
    # the 22 pt title is above every 章; 第二章 at body size is still level 2 like 第一章 at 16 pt
    assert headings == [("员工手册", 1), ("第一章 总则", 2), ("第二章 附则", 2), ("第一节 施行", 3)]


def test_a_ruled_table_is_a_table_block_and_not_also_text(text_only: LoadedDocument) -> None:
    tables = [b for b in text_only.blocks if b.kind == "table"]
    assert len(tables) == 1
    assert tables[0].rows == f.FEE_ROWS
    others = " ".join(b.text for b in text_only.blocks if b.kind != "table")
    assert "借记卡" not in others and "200元/年" not in others


def test_page_numbers_in_the_margin_are_dropped(text_only: LoadedDocument) -> None:
    assert all("- 1 -" not in b.text for b in text_only.blocks)


@pytest.mark.slow
def test_a_scanned_page_is_read_by_ocr_and_flagged(with_scan: LoadedDocument) -> None:
    assert with_scan.pages == 3 and with_scan.ocr_pages == [2]
    scanned = [b for b in with_scan.blocks if b.page == 2]
    assert scanned and all(b.ocr and b.kind == "paragraph" for b in scanned)
    read = [b.text.replace(" ", "") for b in scanned]
    assert read == [line.replace(" ", "") for line in f.SCANNED_LINES]
    assert not any(b.ocr for b in with_scan.blocks if b.page != 2)
    assert [b.page for b in with_scan.blocks] == sorted(b.page or 0 for b in with_scan.blocks)


def test_with_ocr_off_a_scanned_page_is_skipped_and_listed() -> None:
    doc = load_document(f.handbook_pdf(), "员工手册.pdf", ocr=False)
    assert doc.skipped_pages == [2] and doc.ocr_pages == []
    assert {b.page for b in doc.blocks} == {1, 3}


def test_a_scan_only_pdf_with_ocr_off_is_empty_and_says_why() -> None:
    with pytest.raises(EmptyFile, match=r"'scan\.pdf' has no text layer .* OCR is off"):
        load_document(f.scanned_pdf(1), "scan.pdf", ocr=False)


def test_a_blank_pdf_is_empty() -> None:
    with pytest.raises(EmptyFile, match=r"^'blank\.pdf' holds no text"):
        load_document(f.blank_pdf(), "blank.pdf")


def test_an_encrypted_pdf_is_refused_by_name() -> None:
    with pytest.raises(EncryptedFile, match=r"^'secret\.pdf' is an encrypted or password-protected PDF"):
        load_document(base.encrypted_pdf(), "secret.pdf")


def test_the_loader_itself_refuses_an_encrypted_pdf() -> None:
    """Even when called past `sniff` (which refuses it first), the loader names the file."""
    data = base.encrypted_pdf()
    sniffed = sniff(base.text_pdf(), "x.pdf")
    with pytest.raises(EncryptedFile, match=r"^'secret\.pdf' is an encrypted"):
        pdf_loader.load(data, sniffed, who="'secret.pdf'", ocr=True)


def test_a_damaged_pdf_is_refused_by_name() -> None:
    with pytest.raises(
        UnsupportedFormat, match=r"^'broken\.pdf' cannot be read as a PDF document .*Save as PDF"
    ):
        load_document(f.damaged_pdf(), "broken.pdf")


def test_a_hand_written_helvetica_pdf_reads() -> None:
    doc = load_document(base.text_pdf("Valuation report 2025-06-30"), "report.pdf")
    assert [(b.kind, b.text, b.page) for b in doc.blocks] == [("paragraph", "Valuation report 2025-06-30", 1)]


def test_a_page_of_unmapped_glyphs_is_treated_as_scanned() -> None:
    doc = load_document(f.garbled_pdf(), "report.pdf", ocr=False)
    assert doc.skipped_pages == [2]
    assert [b.text for b in doc.blocks] == ["Valuation report for June 2025"]
    assert "(cid:" not in doc.text
