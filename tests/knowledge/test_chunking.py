"""Chunking: statutes by article, manuals by heading, tables whole, plain text in passages.

Documents are built from `Block` lists here, so every expected chunk is known by construction. The
last test runs over the statute corpus in /work/shared/data/kb/cn_finance_laws when it is present
(`pytest -s` prints its figures).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankmind.documents.content import Block, LoadedDocument, table_markdown
from bankmind.knowledge.chunking import chunk_document, parse_article_number
from bankmind.knowledge.chunking_pieces import split_long
from bankmind.knowledge.types import Chunk

CORPUS = Path("/work/shared/data/kb/cn_finance_laws")


def h(text: str, level: int = 1, page: int | None = None) -> Block:
    return Block(kind="heading", text=text, level=level, page=page)


def p(text: str, page: int | None = None) -> Block:
    return Block(kind="paragraph", text=text, page=page)


def t(rows: list[list[str]], locator: str | None = None, page: int | None = None) -> Block:
    return Block(kind="table", text=table_markdown(rows), rows=rows, locator=locator, page=page)


def doc(*blocks: Block, kind: str = "docx", title: str | None = None) -> LoadedDocument:
    return LoadedDocument(kind=kind, blocks=list(blocks), title=title)


def summary(chunks: list[Chunk]) -> list[tuple[str, str, str]]:
    return [(c.kind, c.locator, c.context) for c in chunks]


LAW = "中华人民共和国商业银行法"
STATUTE = doc(
    h(LAW),
    p("1995年5月10日 第八届全国人民代表大会常务委员会第十三次会议通过"),
    h("第一章 总则", 2),
    p("第一条 为了保护商业银行、存款人和其他客户的合法权益，制定本法。"),
    p("第二条 本法所称的商业银行是指依照本法设立的企业法人。"),
    h("第四章 贷款和其他业务的基本规则", 2),
    h("第一节 贷款", 3),
    p("第三十九条 商业银行贷款，应当遵守下列资产负债比例管理的规定："),
    p("（一）资本充足率不得低于百分之八；"),
    p("（二）流动性资产余额与流动性负债余额的比例不得低于百分之二十五；"),
    p("第三十九条规定的比例，由国务院银行业监督管理机构规定。"),  # a reference, not an article
    h("第二节 其他业务", 3),
    p("第四十条 商业银行不得向关系人发放信用贷款。"),
    p("前款所称关系人是指：商业银行的董事。"),
    h("第九章 附则", 2),
    p("第一百二十三条 本法自1995年7月1日起施行。"),
)


def test_a_statute_is_chunked_by_article_with_chapters_and_sections_as_context() -> None:
    chunks = chunk_document(STATUTE, "法律法规/商业银行法.md")
    chapter4 = f"{LAW} > 第四章 贷款和其他业务的基本规则"
    assert summary(chunks) == [
        ("section", "段1", LAW),
        ("article", "第一条", f"{LAW} > 第一章 总则"),
        ("article", "第二条", f"{LAW} > 第一章 总则"),
        ("article", "第三十九条", f"{chapter4} > 第一节 贷款"),
        ("article", "第四十条", f"{chapter4} > 第二节 其他业务"),
        ("article", "第一百二十三条", f"{LAW} > 第九章 附则"),
    ]
    assert [c.ordinal for c in chunks] == list(range(6))
    assert {c.document for c in chunks} == {"法律法规/商业银行法.md"}
    assert chunks[3].text == (
        "第三十九条 商业银行贷款，应当遵守下列资产负债比例管理的规定：\n"
        "（一）资本充足率不得低于百分之八；\n"
        "（二）流动性资产余额与流动性负债余额的比例不得低于百分之二十五；\n"
        "第三十九条规定的比例，由国务院银行业监督管理机构规定。"
    )
    assert (
        chunks[4].text == "第四十条 商业银行不得向关系人发放信用贷款。\n前款所称关系人是指：商业银行的董事。"
    )
    assert all("第一章" not in c.text and "第一节" not in c.text for c in chunks)
    assert parse_article_number(chunks[5].locator) == 123


def test_chapter_and_section_title_lines_that_are_paragraphs_are_context_too() -> None:
    # A .docx or PDF often gives 章/节 titles as plain paragraphs; the title comes from doc.title.
    chunks = chunk_document(
        doc(
            p("第一章　总则"),
            p("第一条　为规范本行授信业务，制定本办法。"),
            p("第二条　本办法适用于本行各分支机构。"),
            p("第二章 授信审批"),
            p("第一节 审批权限"),
            p("第三条　授信审批实行分级授权。"),
            p("第二节 审批流程"),
            p("第四条　审批流程如下："),
            p("（一）受理；"),
            p("第三章 附则"),
            p("第五条　本办法自印发之日起施行。"),
            title="某银行授信管理办法",
        ),
        "制度/授信管理办法.docx",
    )
    assert summary(chunks) == [
        ("article", "第一条", "某银行授信管理办法 > 第一章　总则"),
        ("article", "第二条", "某银行授信管理办法 > 第一章　总则"),
        ("article", "第三条", "某银行授信管理办法 > 第二章 授信审批 > 第一节 审批权限"),
        ("article", "第四条", "某银行授信管理办法 > 第二章 授信审批 > 第二节 审批流程"),
        ("article", "第五条", "某银行授信管理办法 > 第三章 附则"),
    ]
    assert chunks[3].text == "第四条　审批流程如下：\n（一）受理；"


def test_item_title_lines_group_articles_but_items_stay_in_their_article() -> None:
    chunks = chunk_document(
        doc(
            h("最高人民法院关于适用担保制度的解释"),
            h("一、关于一般规定", 2),
            p("第一条 因担保发生的纠纷，适用本解释。"),
            h("三、关于担保物权", 2),
            p("（一）担保合同与担保物权的效力"),
            p("第三十七条 当事人以所有权不明的财产抵押的，适用本条规定。"),
            p("（二）不动产抵押"),
            p("第四十六条 不动产抵押合同生效后，应当办理抵押登记："),
            p("（一）抵押人"),
            p("（二）抵押权人"),
        ),
        "担保制度解释.md",
    )
    base = "最高人民法院关于适用担保制度的解释 > 三、关于担保物权"
    assert summary(chunks) == [
        ("article", "第一条", "最高人民法院关于适用担保制度的解释 > 一、关于一般规定"),
        ("article", "第三十七条", f"{base} > （一）担保合同与担保物权的效力"),
        ("article", "第四十六条", f"{base} > （二）不动产抵押"),
    ]
    assert chunks[2].text.endswith("\n（一）抵押人\n（二）抵押权人")


def test_arabic_numbering_and_inserted_articles() -> None:
    chunks = chunk_document(
        doc(
            h("反洗钱内控制度"),
            p("第1条 为防范洗钱风险，制定本制度。"),
            p("第2条：本制度适用于全行。"),
            p("第2条之一 本条为修订时新增。"),
            p("第12条 本制度由合规部负责解释。"),
        ),
        "反洗钱内控制度.txt",
    )
    assert [c.locator for c in chunks] == ["第1条", "第2条", "第2条之一", "第12条"]
    assert [parse_article_number(c.locator) for c in chunks] == [1, 2, 2, 12]


def test_articles_glued_to_their_text_are_found_only_where_the_numbering_expects_them() -> None:
    # PDF text often loses the space after 第X条; then only the next number starts an article.
    chunks = chunk_document(
        doc(
            h("员工行为守则"),
            p("第一条为规范员工行为，制定本守则。"),
            p("第二条员工应当遵守法律法规。"),
            p("第五条所列行为，按照本守则处理。"),  # "所" marks a reference
            p("第九条员工违反本守则的，予以处分。"),  # glued and out of sequence: a reference
            p("第三条本守则自发布之日起施行。"),
        ),
        "员工行为守则.pdf",
    )
    assert [c.locator for c in chunks] == ["第一条", "第二条", "第三条"]
    assert chunks[1].text.split("\n") == [
        "第二条员工应当遵守法律法规。",
        "第五条所列行为，按照本守则处理。",
        "第九条员工违反本守则的，予以处分。",
    ]


def test_a_long_article_is_cut_at_paragraph_boundaries_and_keeps_its_locator() -> None:
    items = [f"（{n}）第{n}项规定的内容" + "，应当遵守相关规定" * 6 + "；" for n in "一二三四五六七八九十"]
    blocks = [
        p("第一条 为规范业务，制定本办法。"),
        p("第二条 下列事项应当报告：" + "说明" * 10),
        *map(p, items),
    ]
    blocks += [p("第三条 本办法自发布之日起施行。")]
    chunks = chunk_document(doc(h("报告管理办法"), *blocks), "报告管理办法.docx", max_chars=200)
    second = [c for c in chunks if c.locator == "第二条"]
    assert len(second) > 1
    assert [c.ordinal for c in second] == list(range(1, 1 + len(second)))
    assert "\n".join(c.text for c in second) == "\n".join(b.text for b in blocks[1:-1])
    assert all(len(c.text) <= 200 for c in second)
    assert second[0].context == "报告管理办法"
    assert all(c.context == "报告管理办法 > 第二条" for c in second[1:])
    assert chunks[-1].locator == "第三条"


def test_an_article_up_to_twice_max_chars_stays_whole() -> None:
    body = "第二条 " + "本行应当建立健全内部控制制度。" * 10  # 154 characters
    chunks = chunk_document(doc(p("第一条 总则。"), p(body), p("第三条 附则。")), "x.docx", max_chars=80)
    assert [c.text for c in chunks] == ["第一条 总则。", body, "第三条 附则。"]


MANUAL = doc(
    h("个人存款业务操作手册"),
    p("本手册适用于全行柜面人员。"),
    h("1 开户", 2),
    h("1.1 个人账户开立", 3),
    p("客户应当出示本人有效身份证件。"),
    p("柜员应当核实身份证件的真实性。"),
    h("1.2 单位账户开立", 3),
    p("单位开户须提交营业执照。"),
    h("2 销户", 2),
    p("销户前应当结清利息。"),
)


def test_a_manual_is_chunked_by_heading_with_the_heading_path_as_context() -> None:
    chunks = chunk_document(MANUAL, "手册/个人存款业务操作手册.docx")
    assert summary(chunks) == [
        ("section", "段1", "个人存款业务操作手册"),
        ("section", "1.1 个人账户开立", "个人存款业务操作手册 > 1 开户 > 1.1 个人账户开立"),
        ("section", "1.2 单位账户开立", "个人存款业务操作手册 > 1 开户 > 1.2 单位账户开立"),
        ("section", "2 销户", "个人存款业务操作手册 > 2 销户"),
    ]
    assert chunks[1].text == "客户应当出示本人有效身份证件。\n柜员应当核实身份证件的真实性。"


def test_a_numbered_first_heading_is_a_section_not_the_title() -> None:
    chunks = chunk_document(
        doc(h("1 总则"), p("总则内容。"), h("2 考勤"), p("考勤内容。"), title=None),
        "制度/员工手册.docx",
    )
    assert summary(chunks) == [
        ("section", "1 总则", "员工手册 > 1 总则"),
        ("section", "2 考勤", "员工手册 > 2 考勤"),
    ]


def test_a_first_heading_with_a_body_among_sibling_headings_is_a_section() -> None:
    chunks = chunk_document(
        doc(h("总则"), p("总则内容。"), h("考勤"), p("考勤内容。")), "员工手册", max_chars=50
    )
    assert [(c.locator, c.context) for c in chunks] == [
        ("总则", "员工手册 > 总则"),
        ("考勤", "员工手册 > 考勤"),
    ]


def test_a_long_section_is_cut_at_paragraph_boundaries_into_balanced_pieces() -> None:
    paragraphs = [f"第{n}段。" + "内容" * 20 for n in range(1, 8)]  # 44 characters each
    chunks = chunk_document(doc(h("手册"), h("风险提示", 2), *map(p, paragraphs)), "手册.docx", max_chars=100)
    assert all(c.kind == "section" and c.locator == "风险提示" for c in chunks)
    assert [c.text.count("\n") + 1 for c in chunks] == [2, 2, 2, 1]  # each whole paragraphs
    assert "\n".join(c.text for c in chunks) == "\n".join(paragraphs)
    assert all(len(c.text) <= 100 for c in chunks)


def test_a_long_paragraph_is_cut_at_sentence_ends_and_a_long_sentence_at_a_hard_limit() -> None:
    sentences = ["第一句话比较短。", "第二句话也不长！", "第三句话呢？"]
    paragraph = "".join(sentences) + "长" * 50
    chunks = chunk_document(doc(h("手册"), h("说明", 2), p(paragraph)), "手册.docx", max_chars=20)
    assert "".join(c.text for c in chunks) == paragraph
    assert all(len(c.text) <= 20 for c in chunks)
    assert chunks[0].text == "第一句话比较短。"  # balanced: 8 + 14, not 16 + 6
    assert chunks[1].text == "第二句话也不长！第三句话呢？"
    assert [len(c.text) for c in chunks[2:]] == [20, 20, 10]


@pytest.mark.parametrize(
    ("text", "limit", "parts"),
    [
        ("短句。", 10, ["短句。"]),
        ("甲。乙！丙？", 2, ["甲。", "乙！", "丙？"]),
        ("他说：“好。”然后走了。", 8, ["他说：“好。”", "然后走了。"]),
        ("Rates rose. Fees fell.", 12, ["Rates rose. ", "Fees fell."]),
        ("利率为1.5%，期限1年。", 8, ["利率为1.5%，", "期限1年。"]),
        ("甲乙丙丁戊己", 4, ["甲乙丙丁", "戊己"]),
    ],
)
def test_split_long_cuts_at_sentences_then_clauses_then_hard(text: str, limit: int, parts: list[str]) -> None:
    assert split_long(text, limit) == parts


def test_tables_are_chunks_of_their_own_with_a_locator() -> None:
    rates = [["产品", "费率"], ["借记卡", "0"], ["信用卡", "0.6%"]]
    chunks = chunk_document(
        doc(
            h("收费标准"),
            h("一、卡类收费", 2),
            p("以下为卡类收费。"),
            t(rates),
            p("以上收费自2025年起执行。"),
            t(rates, locator="'费率表'!A1:B3"),
        ),
        "收费标准.docx",
    )
    assert summary(chunks) == [
        ("section", "一、卡类收费", "收费标准 > 一、卡类收费"),
        ("table", "一、卡类收费", "收费标准 > 一、卡类收费"),
        ("section", "一、卡类收费", "收费标准 > 一、卡类收费"),
        ("table", "'费率表'!A1:B3", "收费标准 > 一、卡类收费 > 费率表"),
    ]
    assert chunks[1].text == table_markdown(rates)


def test_a_table_inside_an_article_takes_its_number() -> None:
    chunks = chunk_document(
        doc(
            p("第一条 总则。"),
            p("第二条 标准如下："),
            t([["档次", "利率"], ["一年", "1.5%"]]),
            p("第三条 附则。"),
        ),
        "利率办法.docx",
    )
    assert [(c.kind, c.locator) for c in chunks] == [
        ("article", "第一条"),
        ("article", "第二条"),
        ("table", "第二条"),
        ("article", "第三条"),
    ]


def test_tables_without_a_heading_are_located_by_page_or_position() -> None:
    rows = [["a", "b"], ["1", "2"]]
    paged = chunk_document(doc(t(rows, page=3), kind="pdf"), "报表.pdf")
    assert [(c.locator, c.page, c.context) for c in paged] == [("p.3", 3, "报表")]
    unpaged = chunk_document(doc(t(rows), t(rows), kind="html"), "报表.html")
    assert [c.locator for c in unpaged] == ["表1", "表2"]


def test_a_long_table_is_split_by_rows_repeating_the_header() -> None:
    rows = [["账户", "名称", "余额"]] + [[f"62220{n:05d}", f"客户{n}", f"{n * 100}.00"] for n in range(60)]
    block = t(rows, locator="Sheet1!A1:C61")
    chunks = chunk_document(doc(block, kind="xlsx"), "余额表.xlsx", max_chars=100)
    assert len(chunks) > 1
    header = "\n".join(block.text.split("\n")[:2])
    assert all(c.text.startswith(header + "\n") and len(c.text) <= 400 for c in chunks)
    assert {(c.kind, c.locator, c.context) for c in chunks} == {("table", "Sheet1!A1:C61", "余额表 > Sheet1")}
    body = [line for c in chunks for line in c.text.split("\n")[2:]]
    assert body == block.text.split("\n")[2:]


def test_plain_text_becomes_passages_located_by_paragraph_number() -> None:
    paragraphs = [f"这是第{n}段，" + "说明文字" * 8 + "。" for n in range(1, 6)]  # 39-40 characters
    chunks = chunk_document(doc(*map(p, paragraphs), kind="txt"), "通知/放假通知.txt", max_chars=90)
    assert [(c.kind, c.locator, c.context) for c in chunks] == [
        ("passage", "段1-2", "放假通知"),
        ("passage", "段3-4", "放假通知"),
        ("passage", "段5", "放假通知"),
    ]
    assert [c.page for c in chunks] == [None, None, None]


def test_pdf_pages_locate_passages_and_sections_without_a_heading() -> None:
    chunks = chunk_document(
        doc(p("第一页内容。" * 5, page=1), p("第二页内容。" * 5, page=2), p("续。", page=2), kind="pdf"),
        "年报.pdf",
        max_chars=40,
    )
    assert [(c.kind, c.locator, c.page) for c in chunks] == [("passage", "p.1", 1), ("passage", "p.2", 2)]
    assert chunks[1].text == "第二页内容。" * 5 + "\n续。"
    sections = chunk_document(
        doc(p("封面说明。", page=1), h("一、概况", page=2), p("概况内容。", page=2), kind="pdf"), "年报.pdf"
    )
    assert [(c.kind, c.locator, c.page) for c in sections] == [
        ("section", "p.1", 1),
        ("section", "一、概况", 2),
    ]


def test_two_article_like_paragraphs_do_not_make_a_statute() -> None:
    chunks = chunk_document(doc(h("会议纪要"), p("第一条 议题。"), p("第二条 结论。")), "会议纪要.docx")
    assert [(c.kind, c.text) for c in chunks] == [("passage", "第一条 议题。\n第二条 结论。")]


def test_the_title_falls_back_to_doc_title_then_the_name_without_extension() -> None:
    assert chunk_document(doc(p("正文。"), title="通知"), "a/b.docx")[0].context == "通知"
    assert chunk_document(doc(p("正文。")), "a/b.docx")[0].context == "b"
    assert chunk_document(doc(p("正文。")), "版本 v1.2")[0].context == "版本 v1.2"


def test_empty_documents_and_blank_blocks_give_no_chunks() -> None:
    assert chunk_document(doc(), "空.docx") == []
    assert chunk_document(doc(p(" "), h("标题")), "空.docx") == []


def test_max_chars_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        chunk_document(doc(p("x")), "x", max_chars=0)


# fmt: off
ARTICLE_NUMBERS = [
    ("第三十九条", 39), ("第12条", 12), ("第１２条", 12), ("第 12 条", 12), ("第 三十九 条", 39),
    ("第十条", 10), ("第十一条", 11),
    ("第一百二十三条", 123), ("第一百零五条", 105), ("第一百一十条", 110), ("第一千二百六十条", 1260),
    ("第二百条", 200), ("第一〇五条", 105), ("第一百二十条之一", 120),
    ("商业银行法第三十九条规定了什么？", 39), ("依照第四十条、第四十一条", 40),
    ("第三人", None), ("第一款", None), ("第三章", None), ("", None),
    ("第三四十条", None), ("第十百条", None),
]
# fmt: on


@pytest.mark.parametrize(("text", "number"), ARTICLE_NUMBERS)
def test_parse_article_number(text: str, number: int | None) -> None:
    assert parse_article_number(text) == number


_sentence = st.text(alphabet="银行存款贷款利率合同", min_size=1, max_size=60).map(lambda s: s + "。")
_paragraph = st.lists(_sentence, min_size=1, max_size=6).map("".join)
_block = st.one_of(
    _paragraph.map(p),
    st.sampled_from(["第一章 总则", "一、概述", "1.1 范围"]).map(lambda s: h(s, 2)),
    st.integers(1, 200).flatmap(lambda n: _paragraph.map(lambda s: p(f"第{n}条 {s}"))),
    st.just(t([["a", "b"], ["1", "2"]])),
)


@settings(max_examples=200, deadline=None)
@given(blocks=st.lists(_block, max_size=25), max_chars=st.integers(20, 200))
def test_no_paragraph_text_is_lost_or_rewritten(blocks: list[Block], max_chars: int) -> None:
    chunks = chunk_document(doc(h("标题"), *blocks), "doc.docx", max_chars=max_chars)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    prose = "".join(c.text.replace("\n", "") for c in chunks if c.kind != "table")
    assert prose == "".join(b.text for b in blocks if b.kind == "paragraph")
    for c in chunks:
        if c.kind in ("section", "passage"):
            assert len(c.text) <= max_chars
        if c.kind == "article":
            assert len(c.text) <= 2 * max_chars
        assert c.context.startswith("标题")


def _load_markdown(path: Path) -> tuple[LoadedDocument, list[str]]:
    """A corpus file as a document: `#` lines are headings (level = number of #), others paragraphs."""
    blocks = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#"):
            text = line.lstrip("#")
            if text.strip():
                blocks.append(h(text.strip(), len(line) - len(text)))
        elif line:
            blocks.append(p(line))
    article = re.compile(r"第[一二三四五六七八九十百千零〇0-9]+条\s")
    articles = [b.text for b in blocks if b.kind == "paragraph" and article.match(b.text)]
    return doc(*blocks, kind="md"), articles


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is not present")
def test_the_statute_corpus_is_chunked_into_whole_articles() -> None:
    documents = chunks_total = article_chunks = 0
    locators: set[tuple[str, str]] = set()
    longest = 0
    for path in sorted(CORPUS.rglob("*.md")):
        loaded, articles = _load_markdown(path)
        name = str(path.relative_to(CORPUS))
        chunks = chunk_document(loaded, name)
        documents += 1
        chunks_total += len(chunks)
        text = "".join(c.text for c in chunks)
        lost = [line[:20] for line in articles if line not in text]
        assert not lost, f"{name}: article text lost: {lost[:3]}"
        for c in chunks:
            longest = max(longest, len(c.text))
            if c.kind == "article":
                article_chunks += 1
                locators.add((name, c.locator))
                assert re.fullmatch(r"第.+条", c.locator), (name, c.locator)
                assert c.text.startswith(c.locator) or c.context.endswith(c.locator)
        numbers = [parse_article_number(c.locator) for c in chunks if c.kind == "article"]
        assert numbers == sorted(numbers), f"{name}: articles out of order"
        if len(articles) >= 3:  # the corpus' template file has two placeholder articles
            assert len({c.locator for c in chunks if c.kind == "article"}) == len(articles), name
    print(
        f"\ncorpus {CORPUS}: {documents} documents, {chunks_total} chunks, "
        f"{len(locators)} articles in {article_chunks} article chunks, longest chunk {longest} chars"
    )
    assert documents >= 1 and locators
