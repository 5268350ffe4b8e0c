"""Inputs of `bench/kb_bench.py`: the source corpus, gold questions, synthetic regulation chunks and
PDFs (text and scanned) drawn in code.

    folder = source_folder(LAWS_DIR, tmp)                  # links to the *.md statutes, names kept
    pool = sentences(passages)                             # [(passage index, sentence), ...]
    docs = synthetic_documents(pool, vectors, 10_000, seed=7)   # articles recombined from `pool`
    pdf = text_pdf("规章汇编", passages, 5, cjk_font())     # 5 pages of real text objects
    scan = scanned_pdf(passages, 2, cjk_font())            # 2 pages, one image each

Nothing here is copied into the repository: statutes and questions are read at run time from the
folders given on the command line, or from the sample handbook packaged with bankmind.
"""

from __future__ import annotations

import ctypes
import io
import json
import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bankmind.knowledge.chunking_statutes import chinese_numeral
from bankmind.knowledge.sample import QUESTIONS, SAMPLE_DIR, UNANSWERABLE
from bankmind.knowledge.sample.scanned_page import CJK_FONTS
from bankmind.knowledge.types import Chunk

LAWS_DIR = Path("/work/shared/data/kb/cn_finance_laws")
DEV_QUESTIONS = Path("/work/shared/data/kb/dev_questions/evalrag_mapped_to_kb.json")

Gold = tuple[str, frozenset[tuple[str, str]]]
"""A question and the (document name, locator) places that answer it."""


# source corpus and questions -------------------------------------------------------------------------
def source_folder(root: Path, tmp: Path, *, max_files: int | None = None) -> Path:
    """A folder of links to the files under `root` (relative names kept): Markdown statutes without
    hidden templates (front matter), or every file of the sample handbook; with `max_files`, only
    that many of the smallest."""
    sample = root.resolve() == SAMPLE_DIR.resolve()
    files = [
        f
        for f in sorted(root.rglob("*" if sample else "*.md"))
        if f.is_file() and (sample or not f.read_text(encoding="utf-8", errors="replace").startswith("---"))
    ]
    if max_files is not None:
        files = sorted(files, key=lambda f: (f.stat().st_size, f.as_posix()))[:max_files]
    out = tmp / "source"
    for file in files:
        link = out / file.relative_to(root)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(file.resolve())
    return out


def gold_questions(root: Path, questions: Path | None) -> list[Gold]:
    """Questions with known answers: the sample handbook's, or those of a mapped question file
    (`evidence: [{kb_file, article}]`; questions without evidence are left out)."""
    if root.resolve() == SAMPLE_DIR.resolve():
        return [(q, frozenset({(name, locator)})) for q, name, locator in QUESTIONS]
    if questions is None or not questions.is_file():
        return []
    gold: list[Gold] = []
    for item in json.loads(questions.read_text(encoding="utf-8")):
        places = frozenset(
            (e["kb_file"], e["article"]) for e in item.get("evidence") or () if e.get("article")
        )
        if places:
            gold.append((item["question"], places))
    return gold


_SENTENCE = re.compile(r"[^。；！？]+[。；！？]")
_LABEL = re.compile(r"^第[零〇一二两三四五六七八九十百千0-9]+条(?:之[一二三四五六七八九十]+)?\s*")


def sentences(passages: Sequence[str]) -> list[tuple[int, str]]:
    """(passage index, sentence) for every sentence of 8-160 characters, article labels removed."""
    out = []
    for i, passage in enumerate(passages):
        for line in passage.splitlines():
            for sentence in _SENTENCE.findall(_LABEL.sub("", line.strip())):
                if 8 <= len(sentence.strip()) <= 160:
                    out.append((i, sentence.strip()))
    return out


def queries(n: int, gold: Sequence[Gold], pool: Sequence[tuple[int, str]], *, seed: int) -> list[str]:
    """`n` queries: the gold questions, the sample handbook's questions (answerable or not), then
    questions generated around fragments of the corpus's sentences."""
    rng = random.Random(seed)
    fixed = list(dict.fromkeys([q for q, _ in gold] + [q for q, _, _ in QUESTIONS] + UNANSWERABLE))
    templates = ("{}的规定是什么？", "关于{}，银行应当怎么做？", "{}", "哪些情形下{}？", "请问{}有什么要求")
    out = fixed[:n]
    while len(out) < n:
        text = rng.choice(pool)[1].rstrip("。；！？")
        start = rng.randrange(max(1, len(text) - 6))
        fragment = text[start : start + rng.randint(6, 16)]
        out.append(rng.choice(templates).format(fragment))
    return out


# synthetic regulations ----------------------------------------------------------------------------
_BANKS = ("青禾农村商业银行", "江源村镇银行", "临川农商银行", "北岭城市商业银行", "南湖农村信用合作联社")
_TOPICS = (
    "个人贷款", "流动资金贷款", "对公存款", "个人存款", "反洗钱", "客户身份识别", "票据贴现", "银行卡",
    "网上银行", "授信审批", "贷后管理", "押品", "不良资产处置", "关联交易", "信息科技", "数据安全",
    "消费者权益保护", "柜面业务", "现金管理", "同业业务", "理财业务", "代理销售", "征信查询", "外汇业务",
)  # fmt: skip
_KINDS = ("管理办法", "操作规程", "实施细则", "管理规定", "工作指引")
_CHAPTERS = ("总则", "职责分工", "业务流程", "风险控制", "监督检查", "罚则", "附则")


@dataclass(frozen=True)
class SyntheticDocument:
    """A generated regulation: its chunks (one per article) and their vectors."""

    name: str
    title: str
    chunks: list[Chunk]
    vectors: NDArray[np.float32]


def synthetic_documents(
    pool: Sequence[tuple[int, str]],
    vectors: NDArray[np.float32],
    count: int,
    *,
    seed: int,
    first: int = 0,
    per_document: int = 40,
    noise: float = 0.3,
) -> Iterator[SyntheticDocument]:
    """Regulations with `count` articles in all, numbered from document `first`.

    Each article joins 2-4 sentences of `pool` (a sentence and its passage index); its vector is the
    length-weighted mean of those passages' real vectors plus Gaussian noise of norm about `noise`
    (cosine about 0.96 to the clean mean), normalised.
    """
    rng = random.Random(seed * 1_000_003 + first)
    noise_rng = np.random.default_rng(seed * 1_000_003 + first)
    dim = vectors.shape[1]
    made, number = 0, first
    while made < count:
        size = min(per_document, count - made)
        bank, topic, kind = rng.choice(_BANKS), rng.choice(_TOPICS), rng.choice(_KINDS)
        title = f"{bank}{topic}{kind}（{2015 + number % 11}年版）"
        name = f"制度/{number:06d}-{topic}{kind}.md"
        chunks, rows = [], []
        for ordinal in range(size):
            chapter = _CHAPTERS[min(ordinal * len(_CHAPTERS) // size, len(_CHAPTERS) - 1)]
            picked = [rng.choice(pool) for _ in range(rng.randint(2, 4))]
            label = f"第{chinese_numeral(ordinal + 1)}条"
            text = f"{label} " + "".join(s for _, s in picked)
            chunks.append(
                Chunk(
                    document=name,
                    ordinal=ordinal,
                    kind="article",
                    locator=label,
                    context=f"{title} > 第{chinese_numeral(_CHAPTERS.index(chapter) + 1)}章 {chapter}",
                    text=text,
                )
            )
            weights = np.array([len(s) for _, s in picked], dtype=np.float32)
            mean = weights @ vectors[[i for i, _ in picked]]
            mean /= np.linalg.norm(mean) or 1.0
            rows.append(mean + noise_rng.normal(0.0, noise / np.sqrt(dim), dim))
        matrix = np.asarray(rows, dtype=np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        yield SyntheticDocument(name, title, chunks, matrix)
        made += size
        number += 1


# PDFs -----------------------------------------------------------------------------------------------
A4 = (595.0, 842.0)
_MARGIN = 72.0


def cjk_font() -> Path | None:
    """The first CJK font installed (the sample handbook's list), or None."""
    return next((f for f in CJK_FONTS if f.is_file()), None)


def _wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """`text` (whitespace runs made one space) cut into lines at most `width` wide; CJK breaks anywhere."""
    lines, line = [], ""
    for ch in " ".join(text.split()):
        if line and measure(line + ch) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line else lines


def text_pdf(title: str, paragraphs: Sequence[str], pages: int, font: Path) -> bytes:
    """`pages` A4 pages of 12 pt text objects (the font embedded, so the text can be extracted):
    `title` at 18 pt, then `paragraphs` wrapped and flowed, repeated as needed."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw
    from PIL import ImageFont

    metrics = ImageFont.truetype(str(font), 1000, layout_engine=ImageFont.Layout.BASIC)
    doc = pdfium.PdfDocument.new()
    data = font.read_bytes()
    buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
    handle = raw.FPDFText_LoadFont(doc.raw, buffer, len(data), raw.FPDF_FONT_TRUETYPE, 1)
    lines = iter(
        line
        for _ in range(pages * 50)
        for paragraph in paragraphs
        for line in _wrap(paragraph, A4[0] - 2 * _MARGIN, lambda s: metrics.getlength(s) * 12 / 1000)
    )
    for number in range(pages):
        page = doc.new_page(*A4)
        top = _MARGIN
        if number == 0:
            _text(raw, doc, page, handle, title, 18.0, top)
            top += 36
        while top < A4[1] - _MARGIN:
            _text(raw, doc, page, handle, next(lines), 12.0, top)
            top += 18
        page.gen_content()
    out = io.BytesIO()
    doc.save(out)
    doc.close()
    return out.getvalue()


def _text(raw: Any, doc: Any, page: Any, font: Any, text: str, size: float, top: float) -> None:
    """One line of text whose top is `top` points below the top edge of `page`."""
    obj = raw.FPDFPageObj_CreateTextObj(doc.raw, font, size)
    chars = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
    raw.FPDFText_SetText(obj, ctypes.cast(chars, ctypes.POINTER(raw.FPDF_WCHAR)))
    raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, _MARGIN, A4[1] - top - size * 0.8)
    raw.FPDFPage_InsertObject(page.raw, obj)


def scanned_pdf(paragraphs: Sequence[str], pages: int, font: Path) -> bytes:
    """`pages` A4 pages that are only an image each: `paragraphs` drawn at 150 dpi in a 30 px font
    (about 14 pt), slightly tilted and blurred, as a scanner gives them."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    size, px, margin = (1240, 1754), 30, 130
    face = ImageFont.truetype(str(font), px, layout_engine=ImageFont.Layout.BASIC)
    lines = iter(
        line
        for _ in range(pages * 50)
        for paragraph in paragraphs
        for line in _wrap(paragraph, size[0] - 2 * margin, face.getlength)
    )
    rng = random.Random(20250301)
    doc = pdfium.PdfDocument.new()
    for _ in range(pages):
        image = Image.new("L", size, 228)
        draw = ImageDraw.Draw(image)
        top = margin
        while top < size[1] - margin - px:
            draw.text((margin, top), next(lines), fill=40, font=face)
            top += px + 18
        image = image.rotate(rng.uniform(-0.8, 0.8), resample=Image.Resampling.BICUBIC, fillcolor=228)
        image = image.filter(ImageFilter.GaussianBlur(0.6))
        page = doc.new_page(*A4)
        obj = pdfium.PdfImage.new(doc)
        obj.set_bitmap(pdfium.PdfBitmap.from_pil(image))
        obj.set_matrix(pdfium.PdfMatrix().scale(*A4))
        page.insert_obj(obj)
        page.gen_content()
    out = io.BytesIO()
    doc.save(out)
    doc.close()
    return out.getvalue()
