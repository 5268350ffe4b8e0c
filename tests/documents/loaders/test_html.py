"""HTML loading: headings, paragraphs and tables in order; scripts, styles and navigation dropped."""

from __future__ import annotations

import pytest

from bankmind.documents.loading import load_document
from bankmind.errors import EmptyFile

PAGE = """<!DOCTYPE html><html><head><meta charset="gbk"><title>存款利率公告</title>
<style>p { color: red }</style></head>
<body><nav><a href="/">首页</a> | <a href="/about">关于我们</a></nav><script>var token = "x";</script>
<h1>存款利率<b>公告</b></h1>
<p>中国<b>银行</b>股份有限公司<br>自2025年起执行。</p>
<div>Hello <i>world</i>, and<span>more</span></div>
<ul><li>活期：0.1%</li><li>定期：1.5%</li></ul>
<table><thead><tr><th>期限</th><th>利率</th></tr></thead>
<tbody><tr><td>一年</td><td>1.5%</td></tr><tr><td colspan="2">说明：以上为年利率</td></tr></tbody></table>
<table><tr><td>布局表格里的文字</td></tr></table>
<h2>附则</h2>尾部文字<!-- a comment --></body></html>"""


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_blocks_in_document_order(encoding: str) -> None:
    doc = load_document(PAGE.encode(encoding), "公告.html")
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "存款利率公告"),
        ("paragraph", 0, "中国银行股份有限公司"),  # inline tags add no spaces between CJK
        ("paragraph", 0, "自2025年起执行。"),  # <br> ends a paragraph
        ("paragraph", 0, "Hello world, andmore"),
        ("paragraph", 0, "活期：0.1%"),
        ("paragraph", 0, "定期：1.5%"),
        ("table", 0, "| 期限 | 利率 |\n|---|---|\n| 一年 | 1.5% |\n| 说明：以上为年利率 |  |"),
        ("paragraph", 0, "布局表格里的文字"),  # a one-cell layout table is text
        ("heading", 2, "附则"),
        ("paragraph", 0, "尾部文字"),
    ]
    assert doc.title == "存款利率公告" and doc.kind == "html"
    assert "首页" not in doc.text and "token" not in doc.text and "color" not in doc.text


def test_an_xml_declaration_with_an_encoding_is_accepted() -> None:
    page = '<?xml version="1.0" encoding="gb2312"?>\n<html><body><h1>标题</h1><p>正文。</p></body></html>'
    doc = load_document(page.encode("gbk"), "page.htm")
    assert [b.text for b in doc.blocks] == ["标题", "正文。"]


def test_a_page_of_scripts_only_is_empty() -> None:
    with pytest.raises(EmptyFile, match=r"^'app\.html' holds no text"):
        load_document(
            b"<html><head><script>run()</script></head><body><nav>menu</nav></body></html>", "app.html"
        )
