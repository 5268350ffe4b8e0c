"""`bankmind eval kb` on a small data folder written by the test, in the published layout
(kb/cn_finance_laws/*.md, kb/dev_questions/*.json): metrics, the separate evaluation store,
skipping without data, and clear errors for bad question files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bankmind.config import Settings

LAW = """# 中华人民共和国商业银行法

## 第四章 贷款和其他业务的基本规则

第三十五条 商业银行贷款，应当对借款人的借款用途、偿还能力、还款方式等情况进行严格审查。

第三十七条 商业银行贷款，应当与借款人订立书面合同。

第三十九条 商业银行贷款，应当遵守下列资产负债比例管理的规定：（一）资本充足率不得低于百分之八；
"""
CONTRACT = """# 中华人民共和国民法典 合同编

第六百六十八条 借款合同应当采用书面形式，但是自然人之间借款另有约定的除外。

第六百七十九条 自然人之间的借款合同，自贷款人提供借款时成立。
"""
QUESTIONS = [
    {
        "id": "q1",
        "question": "商业银行法规定资本充足率不得低于多少？",
        "category": "数字",
        "evidence": [
            {
                "kb_file": "商业银行法.md",
                "evidence_quote": "资本充足率不得低于百分之八",
                "article": "第三十九条",
            }
        ],
    },
    {
        "id": "q2",
        "question": "自然人之间的借款合同什么时候成立？",
        "category": "定义",
        "evidence": [
            {
                "kb_file": "民法典/合同编.md",
                "evidence_quote": "自然人之间的借款合同，自贷款人提供借款时成立。",
            }
        ],
    },
    {"id": "r1", "question": "员工食堂周三中午有红烧肉吗？", "should_refuse_in_original_corpus": True},
]


def write_data(root: Path, questions: Any = QUESTIONS) -> Path:
    laws = root / "kb" / "cn_finance_laws"
    (laws / "民法典").mkdir(parents=True)
    (laws / "商业银行法.md").write_text(LAW, encoding="utf-8")
    (laws / "民法典" / "合同编.md").write_text(CONTRACT, encoding="utf-8")
    (root / "kb" / "dev_questions").mkdir()
    (root / "kb" / "dev_questions" / "dev.json").write_text(
        json.dumps(questions, ensure_ascii=False), "utf-8"
    )
    return root


def test_eval_kb_scores_the_dev_set_and_bankminds_own(
    run: Callable[..., Any], tmp_path: Path, settings: Settings
) -> None:
    data = write_data(tmp_path / "data")
    result = run("eval", "kb", "--data", str(data), "--format", "json", "--show-misses")
    report = json.loads(result.stdout)
    dev = next(s for s in report["sets"] if s["name"] == "dev")
    assert (dev["answerable"], dev["must_refuse"]) == (2, 1)
    assert dev["recall_at_5"] == 1.0 and dev["mrr"] == 1.0
    assert dev["citation_precision"] == 1.0 and dev["refusal_accuracy"] == 1.0
    assert {q["id"] for q in dev["questions"]} == {"q1", "q2", "r1"}
    assert report["corpus_files"] == 2 and report["answers"] == "extractive"
    assert result.exit_code == (0 if report["ok"] else 1)
    # the statutes went into the evaluation store, not the user's
    assert (settings.home / "eval" / "kb.db").exists()
    assert run("kb", "list", "--kb", "cn_finance_laws").exit_code == 2  # no such knowledge base there
    again = json.loads(run("eval", "kb", "--data", str(data), "--format", "json", "--retrieval-only").stdout)
    assert again["answers"] == "skipped" and again["sets"][0]["refusal_accuracy"] is None


def test_eval_kb_skips_without_data(
    run: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no ../shared/data from here
    result = run("eval", "kb", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["skipped"] is True


def test_eval_kb_names_a_bad_data_folder_or_question_file(run: Callable[..., Any], tmp_path: Path) -> None:
    missing = run("eval", "kb", "--data", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "cn_finance_laws" in missing.stderr
    data = write_data(tmp_path / "data", questions={"not": "a list"})
    bad = run("eval", "kb", "--data", str(data))
    assert bad.exit_code == 2 and "dev.json" in bad.stderr and "list" in bad.stderr
    assert "Traceback" not in bad.stderr
