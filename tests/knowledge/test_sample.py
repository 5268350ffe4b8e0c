"""The sample handbook: readable files, regulations numbered without gaps, sample questions that point
at places which exist, a fee schedule whose cited articles state the same fee, and a scanned notice
that renders and that OCR can read back."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bankmind.documents.loading import load_document
from bankmind.knowledge.chunking import chunk_document, parse_article_number
from bankmind.knowledge.sample import QUESTIONS, SAMPLE_DIR, SAMPLE_KB, SCANNED_NAME, UNANSWERABLE
from bankmind.knowledge.sample.scanned_page import CJK_FONTS, PAGE_SIZE, render_scanned_notice

REGULATIONS = [
    "01-账户开立管理办法.md",
    "02-银行卡业务操作规程.md",
    "03-个人贷款管理细则.md",
    "04-客户投诉处理办法.md",
]
FAQ = "05-card-services-faq-en.md"
FEES = "06-收费标准.csv"
FILES = [*REGULATIONS, FAQ, FEES]
FEE_HEADER = ["服务项目", "收费标准", "计费单位", "优惠说明", "依据条款"]

ARTICLE = re.compile(r"第[一二三四五六七八九十百]+条(?= )")
CHAPTER = re.compile(r"## (第([一二三四五六七八九十]+)章) \S+")
ITEM = re.compile(r"（[一二三四五六七八九十]+）\S.*[；。]")
CITATION = re.compile(r"《(.+)》(第[一二三四五六七八九十百]+条)")
NOT_COVERED = ("期权", "起购", "首付比例", "分期", "差旅", "定期存款", "fixed deposit", "interest rate")
HAS_CJK_FONT = any(font.is_file() for font in CJK_FONTS)


def read(name: str) -> str:
    return (SAMPLE_DIR / name).read_text(encoding="utf-8")


def articles(text: str) -> list[tuple[str, str]]:
    """(label, text) of each article in order: its own line, then its item lines."""
    found: list[tuple[str, str]] = []
    for line in text.splitlines():
        match = ARTICLE.match(line)
        if match:
            found.append((match.group(0), line))
        elif ITEM.fullmatch(line) and found:
            found[-1] = (found[-1][0], f"{found[-1][1]}\n{line}")
    return found


def fee_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(read(FEES))))


def test_the_folder_holds_exactly_the_handbook() -> None:
    assert sorted(path.name for path in SAMPLE_DIR.iterdir()) == sorted(FILES)


@pytest.mark.parametrize("name", FILES)
def test_every_file_is_utf8_without_bom(name: str) -> None:
    data = (SAMPLE_DIR / name).read_bytes()
    text = data.decode("utf-8")  # strict: raises on any invalid byte
    assert not text.startswith("\ufeff")
    assert text.endswith("\n") and "\r" not in text


@pytest.mark.parametrize("name", REGULATIONS)
def test_regulations_number_chapters_and_articles_without_gaps(name: str) -> None:
    text = read(name)
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0].startswith("# 青禾农村商业银行")
    chapters = [CHAPTER.fullmatch(line) for line in lines if line.startswith("## ")]
    assert all(chapters), f"{name}: a ## line is not `## 第X章 标题`"
    chapter_numbers = [parse_article_number(f"第{m.group(2)}条") for m in chapters if m]
    assert chapter_numbers == list(range(1, len(chapter_numbers) + 1))
    labels = [label for label, _ in articles(text)]
    assert [parse_article_number(label) for label in labels] == list(range(1, len(labels) + 1))
    assert len(labels) >= 18
    # One paragraph per line: a title, a heading, an article or an item; nothing else.
    for line in lines[1:]:
        assert line.startswith("## ") or ARTICLE.match(line) or ITEM.fullmatch(line), line
    assert re.fullmatch(r"第[一二三四五六七八九十]+条 本(办法|规程|细则)自2025年3月1日起施行。", lines[-1])


def test_account_rules_take_effect_on_1_march_2025() -> None:
    assert read(REGULATIONS[0]).splitlines()[-1] == "第二十七条 本办法自2025年3月1日起施行。"


def test_questions_point_at_places_that_exist() -> None:
    assert len(QUESTIONS) == 20
    assert len({question for question, _, _ in QUESTIONS}) == 20
    assert sum(question.isascii() for question, _, _ in QUESTIONS) == 3
    items = {row["服务项目"] for row in fee_rows()}
    for question, name, locator in QUESTIONS:
        assert name in FILES, question
        text = read(name)
        assert locator in text, question
        if name in REGULATIONS:
            assert locator in dict(articles(text)), question
        elif name == FAQ:
            assert f"## {locator}" in text.splitlines(), question
        else:
            assert locator in items, question


def test_unanswerable_questions_are_not_covered() -> None:
    assert len(UNANSWERABLE) == 6
    assert not set(UNANSWERABLE) & {question for question, _, _ in QUESTIONS}
    for name in FILES:
        text = read(name).lower()
        assert [term for term in NOT_COVERED if term in text] == [], name


def test_fee_schedule_cites_articles_that_state_the_same_fee() -> None:
    assert next(csv.reader(io.StringIO(read(FEES)))) == FEE_HEADER
    rows = fee_rows()
    assert 20 <= len(rows) <= 30
    assert len({row["服务项目"] for row in rows}) == len(rows)
    titles = {read(name).splitlines()[0]: name for name in REGULATIONS}
    cited = 0
    for row in rows:
        assert list(row) == FEE_HEADER and all(row.values()), row
        match = CITATION.fullmatch(row["依据条款"])
        if match is None:
            continue
        document, label = match.groups()
        regulation = next(name for title, name in titles.items() if title.endswith(document))
        article = dict(articles(read(regulation)))[label]
        assert row["收费标准"] in article, (row["服务项目"], label)
        cited += 1
    assert cited >= 10


@pytest.mark.parametrize("name", FILES)
def test_the_chunker_finds_each_article_and_locator(name: str) -> None:
    doc = load_document((SAMPLE_DIR / name).read_bytes(), name)
    chunks = chunk_document(doc, name)
    if name in REGULATIONS:
        found = [chunk.locator for chunk in chunks if chunk.kind == "article"]
        assert found == [label for label, _ in articles(read(name))]
    for _, file, locator in QUESTIONS:
        if file != name:
            continue
        if name == FEES:
            assert any(locator in chunk.text for chunk in chunks if chunk.kind == "table")
        else:
            assert locator in {chunk.locator for chunk in chunks}


@pytest.mark.skipif(not HAS_CJK_FONT, reason="no CJK font installed (e.g. apt install fonts-wqy-microhei)")
def test_scanned_notice_renders_an_a4_page(tmp_path: Path) -> None:
    path = tmp_path / "07-柜面业务须知-扫描件.png"
    assert render_scanned_notice(path) == path
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == PAGE_SIZE == (1240, 1754)
        assert round(image.info["dpi"][0]) == 150


def test_scanned_notice_needs_a_cjk_font(tmp_path: Path) -> None:
    path = tmp_path / "notice.png"
    assert render_scanned_notice(path, fonts=[tmp_path / "missing.ttc"]) is None
    assert not path.exists()


@pytest.mark.skipif(not HAS_CJK_FONT, reason="no CJK font installed (e.g. apt install fonts-wqy-microhei)")
def test_scanned_notice_is_read_back_by_ocr(tmp_path: Path) -> None:
    path = render_scanned_notice(tmp_path / "07-柜面业务须知-扫描件.png")
    assert path is not None
    doc = load_document(path.read_bytes(), path.name)
    text = "".join(block.text for block in doc.blocks)
    for phrase in ("柜面业务须知", "请提前一个工作日向网点预约", "书面挂失手续费每次10元", "2025年3月1日"):
        assert phrase in text


@pytest.mark.slow  # OCR of the scanned page and embedding the handbook: about a minute on 2 cores
def test_kb_sample_ingests_the_handbook_once_and_answers_from_it(run: Callable[..., Any]) -> None:
    first = run("kb", "sample")
    assert first.exit_code == 0 and "7 added" in first.stderr, first.stderr
    assert "7 unchanged" in run("kb", "sample").stderr  # every start: a hash per file, nothing else
    asked = run("kb", "ask", "客户投诉应当在多少个工作日内答复？", "--kb", SAMPLE_KB, "--format", "json")
    answer = json.loads(asked.stdout)
    assert not answer["refused"] and answer["citations"][0]["locator"] == "第十一条"
    found = run("kb", "search", "柜面业务须知 有效身份证件原件", "--kb", SAMPLE_KB, "--format", "json")
    scanned = json.loads(found.stdout)
    assert any(hit["document"] == SCANNED_NAME for hit in scanned)  # the scanned page was OCR'd
    forced = run("kb", "ingest", str(SAMPLE_DIR), "--kb", SAMPLE_KB, "--force")
    assert forced.exit_code == 0 and "6 replaced" in forced.stderr
