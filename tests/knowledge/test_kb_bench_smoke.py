"""`bench/kb_bench.py` at toy sizes, so the benchmark keeps working as the knowledge base changes:
a one-statute corpus, a one-page text PDF, two synthetic sizes, five queries (OCR is left out to
stay fast; the scanned page the benchmark draws is checked on its own)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from bankmind.knowledge.sample.scanned_page import CJK_FONTS

BENCH = Path(__file__).resolve().parents[2] / "bench"

STATUTE = "# 青禾银行存款管理办法\n\n## 第一章 总则\n\n" + "\n\n".join(
    [
        "第一条 为规范本行存款业务，保护存款人合法权益，制定本办法。",
        "第二条 本行办理个人储蓄存款业务，应当遵循存款自愿、取款自由、存款有息、为存款人保密的原则。",
        "第三条 存款人开立账户，应当出示本人有效身份证件，本行对居民身份证进行联网核查。",
        "第四条 定期存款提前支取的，按支取日活期存款利率计息。",
        "第五条 单笔提取现金五万元以上的，存款人应当提前一个工作日预约。",
        "第六条 存款人死亡的，其继承人凭公证书或者法院判决书办理存款过户或者支付。",
        "第七条 本行对存款人的账户信息负有保密义务，法律另有规定的除外。",
        "第八条 本办法自2025年3月1日起施行。",
    ]
)
FILE = "存款管理办法.md"
QUESTIONS = [
    {"question": "定期存款提前支取怎么计息？", "evidence": [{"kb_file": FILE, "article": "第四条"}]},
    {"question": "取五万元现金要预约吗？", "evidence": [{"kb_file": FILE, "article": "第五条"}]},
    {"question": "外汇期权保证金比例是多少？", "evidence": []},
]


@pytest.fixture
def kb_bench() -> Iterator[ModuleType]:
    sys.path.insert(0, str(BENCH))
    try:
        import kb_bench

        yield kb_bench
    finally:
        sys.path.remove(str(BENCH))


needs_font = pytest.mark.skipif(not any(f.is_file() for f in CJK_FONTS), reason="no CJK font installed")


def test_the_benchmark_runs_at_toy_sizes(
    kb_bench: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    laws = tmp_path / "laws"
    laws.mkdir()
    (laws / FILE).write_text(STATUTE, encoding="utf-8")
    questions = tmp_path / "questions.json"
    questions.write_text(json.dumps(QUESTIONS, ensure_ascii=False), encoding="utf-8")
    argv = ["--laws", str(laws), "--questions", str(questions), "--sizes", "120,60", "--queries", "5"]
    argv += ["--pdf-pages", "1", "--scan-pages", "0", "--format", "json"]

    assert kb_bench.main(argv) == 0

    result = json.loads(capsys.readouterr().out)
    assert [c["corpus"] for c in result["corpora"]] == ["statutes (real)", "synthetic 60", "synthetic 120"]
    assert [c["chunks"] for c in result["corpora"]] == [8, 60, 120]
    statutes = result["corpora"][0]
    assert statutes["recall_at_5"]["questions"] == 2  # the question without evidence is left out
    assert statutes["recall_at_5"]["bankmind"] == 1.0
    for corpus in result["corpora"]:
        assert corpus["queries"] == 5
        assert 0.0 < corpus["bankmind_ms"]["p50"] <= corpus["bankmind_ms"]["p95"]
        assert 0.0 <= corpus["overlap_at_5"] <= 1.0
        assert corpus["size"]["sqlite"] > 0 and corpus["size"]["vector_cache"] > 0
    inputs = [i["input"] for i in result["ingestion"]]
    if any(font.is_file() for font in CJK_FONTS):
        assert inputs == ["statutes (Markdown)", "text PDFs"]
        assert all(i["chunks"] > 0 for i in result["ingestion"])
    text = kb_bench.render(result)
    assert "synthetic 120" in text and "recall@5" in text


@needs_font
def test_the_scanned_pages_are_images_without_text(kb_bench: ModuleType) -> None:
    import pypdfium2 as pdfium
    from kb_corpus import cjk_font, scanned_pdf, text_pdf

    font = cjk_font()
    scan = pdfium.PdfDocument(scanned_pdf(["第一条 为规范本行存款业务，制定本办法。"], 2, font))
    text = pdfium.PdfDocument(text_pdf("存款管理办法", ["第一条 为规范本行存款业务，制定本办法。"], 1, font))
    try:
        assert len(scan) == 2
        for page in scan:
            assert [obj.type for obj in page.get_objects()] == [pdfium.raw.FPDF_PAGEOBJ_IMAGE]
            assert page.get_textpage().get_text_range() == ""
        assert "第一条 为规范本行存款业务" in text[0].get_textpage().get_text_range()
    finally:
        scan.close()
        text.close()
