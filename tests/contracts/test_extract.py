"""Field extraction from a contract's lines (contracts.extract)."""

from __future__ import annotations

import pytest

from bankmind.contracts.extract import extract
from bankmind.contracts.pages import ContractPages, TextLine


def _pages(*texts: str) -> ContractPages:
    return ContractPages(kind="pdf", pages=1, lines=[TextLine(1, t) for t in texts])


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("本合同保证的主债权为债权人依据其与债务人胡俊签订的《个人借款合同》（主合同编号：（",
         "2024）金村个借字第6665号，以下简称“主合同”）向债务人发放的个人消费贷款。"),
        ("本合同保证的主债权为债权人依据其与债务人签订的《个人借款合同》（主合同编",
         "号：（2024）金村个借字第6665号，以下简称“主合同”）。"),
        ("依据《个人借款合同》（主合同编号：（2024）金村个借字第6665号，以下简称“主合同”）",
         "第二条 保证方式"),
    ],
)  # fmt: skip
def test_a_main_contract_number_wrapped_at_any_point_is_read_whole(first: str, second: str) -> None:
    found = extract(_pages("保证合同", first, second))
    assert found.fields["main_contract_number"].value == "（2024）金村个借字第6665号"


def test_a_label_in_a_sentence_is_not_a_field() -> None:
    found = extract(_pages("借款合同", "借款人不得改变借款用途，不得挪用。", "借款用途：购买原材料"))
    assert found.fields["purpose"].value == "购买原材料"
