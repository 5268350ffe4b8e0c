"""The rules are data: the shipped files load, a bank's own folder replaces them, and a file that
does not hold together is refused with the file and the key at fault."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bankmind.contracts.rules import RULES_DIR, contract_type, load_rules
from bankmind.errors import InputError


def test_the_shipped_rules_cover_every_contract_type() -> None:
    rules = load_rules()
    assert set(rules) == {"loan", "guarantee", "mortgage", "pledge"}
    loan = rules["loan"]
    names = [c.name for c in loan.clauses]
    # 民法典 第六百六十八条: 借款种类、币种、用途、数额、利率、期限和还款方式
    assert names[:7] == ["借款种类", "币种", "借款用途", "借款数额", "利率", "借款期限", "还款方式"]
    assert loan.rate_ceiling == Decimal("12.00")
    assert all(c.patterns for r in rules.values() for c in r.clauses)


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("个人借款合同", "loan"),
        ("流动资金借款合同", "loan"),
        ("固定资产借款合同", "loan"),
        ("最高额保证合同", "guarantee"),
        ("保证合同", "guarantee"),
        ("抵押合同", "mortgage"),
        ("权利质押合同", "pledge"),
        ("房屋租赁合同", "other"),
    ],
)
def test_the_title_decides_the_type(title: str, kind: str) -> None:
    assert contract_type(title, load_rules()) == kind


def test_a_bank_adds_its_own_clause_without_code(tmp_path: Path) -> None:
    for path in RULES_DIR.glob("*.toml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    loan = tmp_path / "loan.toml"
    loan.write_text(
        loan.read_text(encoding="utf-8")
        + '\n[[clauses]]\nname = "反洗钱承诺"\nbasis = "本行合规要求"\n'
        + 'severity = "medium"\npatterns = ["反洗钱"]\n',
        encoding="utf-8",
    )
    clause = load_rules(tmp_path)["loan"].clauses[-1]
    assert (clause.name, clause.severity) == ("反洗钱承诺", "medium")
    assert clause.found_in("借款人承诺遵守反洗钱规定") and not clause.found_in("借款人承诺按时还款")


CLAUSE = "contract_type = 'loan'\n[[clauses]]\nname = '用途'\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("contract_type = 'loan'\n[[clauses]\n", "is not valid TOML"),
        ("contract_type = 'lease'\n", "contract_type must be one of"),
        (
            "contract_type = 'loan'\n[[clauses]]\nname = '用途'\npatterns = ['(']\n",
            "is not a regular expression",
        ),
        (
            "contract_type = 'loan'\n[[clauses]]\nname = '用途'\nseverity = 'urgent'\npatterns = ['用途']\n",
            "severity",
        ),
        ("contract_type = 'loan'\n[[clauses]]\nname = '用途'\npatterns = []\n", "needs at least one pattern"),
        ("contract_type = 'loan'\n[rates]\nlpr = 'three'\n", "must be numbers"),
    ],
)
def test_a_broken_rules_file_is_refused_with_the_file_and_the_key(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "loan.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        load_rules(tmp_path)
    assert "loan.toml" in caught.value.message


def test_an_empty_rules_folder_says_where_the_shipped_ones_are(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no contract rules"):
        load_rules(tmp_path)
