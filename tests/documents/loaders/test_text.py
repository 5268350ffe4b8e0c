"""Plain text and Markdown: encodings, statute lines, headings and levels, pipe tables."""

from __future__ import annotations

import pytest

from bankmind.documents.loading import load_document

from .. import factories as base

CONTRACT = (
    "借款合同\n\n"
    "第一章 总则\n"
    "第一条 借款金额：人民币壹佰万元整。\n"
    "第二条 借款期限自2025年1月1日起\n"
    "至2026年1月1日止。\n\n"
    "　　本合同一式两份，\n"
    "双方各执一份。\n"
    "　　另起一段。\n"
    "第二章 附则\n"
    "第三条 本合同自签字之日起生效。\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030", "utf-16", "utf-8-sig"])
def test_statute_text_in_any_encoding(encoding: str) -> None:
    doc = load_document(base.encoded(CONTRACT, encoding), "合同.txt")
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "借款合同"),  # a short first line standing alone is the title
        ("heading", 2, "第一章 总则"),
        ("paragraph", 0, "第一条 借款金额：人民币壹佰万元整。"),  # one article per line
        ("paragraph", 0, "第二条 借款期限自2025年1月1日起至2026年1月1日止。"),  # wrapped: joined
        ("paragraph", 0, "本合同一式两份，双方各执一份。"),
        ("paragraph", 0, "另起一段。"),  # a full-width indent starts a paragraph
        ("heading", 2, "第二章 附则"),
        ("paragraph", 0, "第三条 本合同自签字之日起生效。"),
    ]
    assert doc.kind == "txt" and doc.title == "借款合同" and doc.encoding is not None


def test_english_text_splits_at_blank_lines_only() -> None:
    text = "Terms of use\n\nThe bank keeps data\ninside the bank. It never\nleaves.\n\nSecond paragraph.\n"
    doc = load_document(text.encode(), "terms.txt")
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "Terms of use"),
        ("paragraph", "The bank keeps data inside the bank. It never leaves."),
        ("paragraph", "Second paragraph."),
    ]


MARKDOWN = """---
title: front matter is skipped
---
# 员工手册

## 第一章 总则

为规范本行员工行为，
制定本手册。

- 遵守法律法规
- 保守客户秘密

| 产品 | 年费 |
|---|---:|
| 借记卡 | 0 |
| a \\| b | 200 |

附则
----

```
print("code")
```
"""


def test_markdown_headings_tables_and_lists() -> None:
    doc = load_document(MARKDOWN.encode(), "手册.md")
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "员工手册"),
        ("heading", 2, "第一章 总则"),
        ("paragraph", 0, "为规范本行员工行为，制定本手册。"),
        ("paragraph", 0, "- 遵守法律法规"),
        ("paragraph", 0, "- 保守客户秘密"),
        ("table", 0, "| 产品 | 年费 |\n|---|---|\n| 借记卡 | 0 |\n| a \\| b | 200 |"),
        ("heading", 2, "附则"),
        ("paragraph", 0, 'print("code")'),
    ]
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows == [["产品", "年费"], ["借记卡", "0"], ["a | b", "200"]]
    assert doc.kind == "md" and doc.title == "员工手册"


def test_gbk_markdown() -> None:
    doc = load_document("# 标题\n\n正文内容。\n".encode("gbk"), "说明.md")
    assert [(b.kind, b.text) for b in doc.blocks] == [("heading", "标题"), ("paragraph", "正文内容。")]
    assert doc.encoding == "gb18030"
