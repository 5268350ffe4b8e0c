"""Extraction and checks on contracts written as text: a clean loan contract has no finding, and
each defect is found with its evidence — and only that defect."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bankmind.contracts.checks import check_contract, seal_doubt
from bankmind.contracts.extract import extract
from bankmind.contracts.ids import corrupt_check_digit, make_resident_id, make_uscc
from bankmind.contracts.pages import read_pages
from bankmind.contracts.rules import contract_type, load_rules
from bankmind.contracts.types import Finding, Seal

BANK, COMPANY = "江苏紫金农村商业银行股份有限公司", "南京华泰机械制造有限公司"
PERSON = "张伟"
LOAN = [
    "流动资金借款合同",
    "合同编号：ZJ2025LD000123",
    "贷款人（甲方）：" + BANK,
    f"统一社会信用代码：{make_uscc('bank')}",
    "负责人：王强",
    "借款人（乙方）：" + COMPANY,
    f"统一社会信用代码：{make_uscc('company')}",
    "法定代表人：李明",
    "第一条 借款金额：人民币（大写）壹佰贰拾万元整（小写）1,200,000.00元。",
    "第二条 借款用途：用于购买原材料。",
    "第三条 借款期限为12个月，自2025年6月4日起至2026年6月3日止。",
    "第四条 借款利率为年利率4.35%，按月结息。",
    "第五条 还款方式：到期一次还本，按月付息。",
    "第六条 逾期罚息：在借款利率基础上加收50%。",
    "第七条 争议解决：向贷款人所在地人民法院提起诉讼。",
    "第八条 违约责任：借款人未按期还款的，贷款人有权收取罚息。",
    "贷款人（盖章）：" + BANK,
    "借款人（盖章）：" + COMPANY,
    "签订日期：二〇二五年六月三日",
    "签订地点：南京市",
]


def inspect_text(tmp_path: Path, lines: list[str]) -> tuple[list[Finding], dict[str, object]]:
    path = tmp_path / "合同.txt"
    path.write_text("\n".join(lines), encoding="gbk")
    pages = read_pages(path.read_bytes(), path.name)
    found = extract(pages)
    rules = load_rules()
    findings = check_contract(found, pages, rules.get(contract_type(found.title or "", rules)))
    return findings, {k: v.value for k, v in found.fields.items()}


def replaced(old: str, new: str) -> list[str]:
    assert any(old in line for line in LOAN), old
    return [line.replace(old, new) for line in LOAN]


def test_a_clean_loan_contract_has_no_finding_and_every_field(tmp_path: Path) -> None:
    findings, fields = inspect_text(tmp_path, LOAN)
    assert findings == []
    assert fields["amount"] == 1_200_000.0 and fields["amount_in_words"] == "壹佰贰拾万元整"
    assert (fields["start_date"], fields["end_date"], fields["signing_date"]) == (
        "2025-06-04", "2026-06-03", "2025-06-03",
    )  # fmt: skip
    assert fields["interest_rate"] == "4.35%" and fields["currency"] == "CNY"
    assert fields["contract_number"] == "ZJ2025LD000123"
    assert fields["default_interest"] == "加收50%"
    assert fields["dispute_resolution"] == "贷款人所在地人民法院"
    assert "guarantee_type" not in fields  # this contract says nothing of its security


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        (
            "第九条 担保方式：本合同项下借款的担保方式为保证、抵押，担保合同另行签订。",
            "guarantee_type",
            "保证、抵押",
        ),
        ("第九条 担保方式：本合同项下借款为信用借款，无担保。", "guarantee_type", "信用"),
        ("本合同项下的保证方式为连带责任保证。", "guarantee_type", "连带责任保证"),
        (
            "第九条 协商不成的，提交南京仲裁委员会按其仲裁规则进行仲裁。",
            "dispute_resolution",
            "南京仲裁委员会",
        ),
    ],
)
def test_security_and_forum_are_read_as_written(tmp_path: Path, line: str, field: str, value: str) -> None:
    lines = [x for x in LOAN if field != "dispute_resolution" or "争议解决" not in x]
    _, fields = inspect_text(tmp_path, [*lines[:-4], line, *lines[-4:]])
    assert fields[field] == value


def test_a_wrapped_mark_up_and_forum_are_read_across_the_line_break(tmp_path: Path) -> None:
    lines = [
        *[x for x in LOAN if "罚息" not in x and "争议解决" not in x][:-4],
        "第九条 违约责任：借款人未按期归还借款本金的，贷款人有权按借款利率加收3",
        "0%计收罚息。",
        "第十条 争议解决：协商不成的，向贷款人住所地有管辖权的人民法",
        "院提起诉讼。",
        *LOAN[-4:],
    ]
    _, fields = inspect_text(tmp_path, lines)
    assert (fields["default_interest"], fields["dispute_resolution"]) == (
        "加收30%",
        "贷款人住所地有管辖权的人民法院",
    )


@pytest.mark.parametrize(
    ("lines", "code", "phrase"),
    [
        (replaced("壹佰贰拾万元整", "壹佰万元整"), "amount_mismatch", "大小写不一致"),
        ([line for line in LOAN if "借款用途" not in line], "missing_clause", "借款用途"),
        ([line for line in LOAN if "争议解决" not in line], "missing_clause", "争议解决"),
        (replaced("用于购买原材料", "________"), "blank_field", "借款用途"),
        (
            [
                *replaced("第二条 借款用途：用于购买原材料。", "第二条 借款用途：________。"),
                "借款人不得改变借款用途，不得挪用。",
            ],
            "blank_field",
            "借款用途",
        ),
        (
            replaced(
                "第八条 违约责任：借款人未按期还款的",
                "第八条 违约责任：南京华泰机械制造有限责任公司未按期还款的",
            ),
            "party_mismatch",
            "正文中的借款人名称「南京华泰机械制造有限责任公司」",
        ),
        (
            replaced(
                "第八条 违约责任：借款人未按期还款的", "第八条 违约责任：南京华秦机械制造有限公司未按期还款的"
            ),
            "party_mismatch",
            "正文中的借款人名称「南京华秦机械制造有限公司」",
        ),
        (replaced("2026年6月3日", "2026年9月3日"), "date_inconsistent", "借款期限"),
        (replaced("2026年6月3日", "2024年6月3日"), "date_inconsistent", "早于起始日"),
        (replaced("二〇二五年六月三日", "二〇二五年六月十日"), "date_inconsistent", "晚于借款起始日"),
        (replaced("年利率4.35%", "年利率15.4%"), "rate_out_of_range", "超出允许范围"),
        (replaced("年利率4.35%", "年利率0%"), "rate_out_of_range", "超出允许范围"),
        (replaced(make_uscc("company"), corrupt_check_digit(make_uscc("company"))), "invalid_uscc", "校验码"),
        (
            replaced("借款人（盖章）：" + COMPANY, "借款人（盖章）：南京华泰机械制造有限责任公司"),
            "party_mismatch",
            "不一致",
        ),
    ],
)
def test_each_defect_is_found_alone_with_its_evidence(
    tmp_path: Path, lines: list[str], code: str, phrase: str
) -> None:
    findings, _ = inspect_text(tmp_path, lines)
    assert [f.code for f in findings] == [code], findings
    assert phrase in findings[0].message and findings[0].severity in ("high", "medium")
    assert findings[0].evidence is not None and findings[0].evidence.page == 1
    about_a_party = code in ("party_mismatch", "invalid_uscc")
    assert findings[0].party == (COMPANY if about_a_party else None)


def test_a_natural_person_must_sign(tmp_path: Path) -> None:
    person = [
        line.replace("流动资金借款合同", "个人借款合同").replace(
            "借款人（乙方）：" + COMPANY, "借款人（乙方）：" + PERSON
        )
        for line in LOAN
        if "法定代表人" not in line and "借款人（盖章）" not in line
    ]
    person[6] = f"身份证号码：{make_resident_id('zhangwei', dt.date(1986, 5, 17))}"
    signed, _ = inspect_text(tmp_path, [*person, "借款人（签字）：" + PERSON])
    assert signed == []
    empty, _ = inspect_text(tmp_path, [*person, "借款人（签字）："])
    assert [(f.code, f.party) for f in empty] == [("missing_signature", PERSON)]
    bad = [line.replace(person[6][6:], corrupt_check_digit(person[6][6:])) for line in person]
    wrong_id, _ = inspect_text(tmp_path, [*bad, "借款人（签字）：" + PERSON])
    assert [(f.code, f.party) for f in wrong_id] == [("invalid_id", PERSON)]


def test_a_guarantee_must_name_its_main_contract(tmp_path: Path) -> None:
    guarantee = [
        "保证合同",
        "合同编号：BZ2025000123",
        "债权人：" + BANK,
        "保证人：" + COMPANY,
        "第一条 本合同保证的主债权为债权人依据其与债务人签订的《流动资金借款合同》（主合同编号：________，"
        "以下简称“主合同”）向债务人发放的贷款，金额为人民币（大写）壹佰万元整（小写）1,000,000.00元，"
        "期限自2025年6月4日起至2026年6月3日止。",
        "签订日期：2025年6月3日",
    ]
    findings, _ = inspect_text(tmp_path, guarantee)
    assert [(f.code, f.message) for f in findings if f.code == "blank_field"] == [
        ("blank_field", "关键要素「主合同编号」未填写")
    ]
    named = [line.replace("________", "ZJ2025LD000123") for line in guarantee]
    assert [f for f in inspect_text(tmp_path, named)[0] if f.code == "blank_field"] == []


def _seal(text: str, score: float = 0.98) -> Seal:
    return Seal(page=3, bbox=(0, 0, 10, 10), shape="round", text=text, score=score)


@pytest.mark.parametrize(
    ("text", "score", "severity"),
    [
        ("江苏紫金农村商业银行股份有限公司城西支行合同专用章", 0.98, "high"),  # a sibling branch's seal
        ("南京华泰机械制造有限责任公司合同专用章", 0.97, "high"),  # the company form differs
        ("南京华泰机械制造有限责任公司合同专用章", 0.85, "medium"),  # … read less surely
        ("南京华泰机械制造有限责任公司合同专用章", 0.7, "low"),  # … too unsurely
        ("南京华秦机械制造有限公司", 0.95, "low"),  # one character: as likely an OCR slip
        ("南京华机械公司", 0.95, "low"),  # too little read to judge
        ("", 0.0, "low"),
    ],
)
def test_how_sure_a_seal_names_someone_else(text: str, score: float, severity: str) -> None:
    name = BANK + "滨江支行" if text.startswith("江苏") else COMPANY
    assert seal_doubt(_seal(text, score), name) == severity
