"""Word loading: heading styles and levels, tables in body order, lists, statute headings by pattern."""

from __future__ import annotations

import pytest

from bankmind.documents.loading import load_document
from bankmind.errors import UnsupportedFormat, ZipBomb

from .. import factories as base
from . import office


def test_body_order_headings_lists_and_tables() -> None:
    doc = load_document(office.handbook_docx(), "员工手册.docx")
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "员工手册"),  # the Title style
        ("heading", 1, "第一章 总则"),
        ("paragraph", 0, "为规范本行员工行为，制定本手册。"),
        ("paragraph", 0, "遵守法律法规"),  # list items are paragraphs
        ("paragraph", 0, "保守客户秘密"),
        ("heading", 2, "第一节 收费标准"),
        ("table", 0, "| 产品 | 年费 |\n|---|---|\n| 借记卡 | 0 |\n| 信用卡 | 200 |"),
        ("paragraph", 0, "以上标准自2025年1月1日起执行。"),
    ]
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows == [["产品", "年费"], ["借记卡", "0"], ["信用卡", "200"]]
    assert doc.kind == "docx" and doc.title == "员工手册" and all(b.page is None for b in doc.blocks)


def test_chinese_heading_style_names_give_levels() -> None:
    data = office.docx_with_styles(
        [("标题 1", "第一章 总则"), (None, "正文。"), ("标题 2", "适用范围"), ("要点", "不是标题")]
    )
    doc = load_document(data, "制度.docx")
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "第一章 总则"),
        ("paragraph", 0, "正文。"),
        ("heading", 2, "适用范围"),
        ("paragraph", 0, "不是标题"),
    ]


def test_without_heading_styles_statute_headings_are_found_by_pattern() -> None:
    data = base.docx(["第一章 总则", "第一条 借款金额为人民币壹佰万元整。", "第一节 细则", "内容。"])
    doc = load_document(data, "合同.docx")
    assert [(b.kind, b.level) for b in doc.blocks] == [
        ("heading", 1),
        ("paragraph", 0),
        ("heading", 2),
        ("paragraph", 0),
    ]


def test_a_zip_bomb_is_refused_before_python_docx_opens_it() -> None:
    with pytest.raises(ZipBomb, match=r"^'bomb\.docx': part 'word/media/padding\.xml' expands"):
        load_document(office.docx_bomb(), "bomb.docx")


def test_a_docx_without_its_main_part_is_refused_by_name() -> None:
    parts = base.docx_parts()
    parts["word/document.xml"] = "<w:document"  # not XML
    with pytest.raises(UnsupportedFormat, match=r"^'broken\.docx' cannot be read as a Word document"):
        load_document(base._write_zip(parts), "broken.docx")
