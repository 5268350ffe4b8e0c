"""CN_ID: check character, region code and birth date decide; context only raises the score."""

from __future__ import annotations

import pytest

from bankmind.guard.recognizers.cn_id import check_character, valid_birth_date

from .spans import assert_spans

HIGH = (0.95, 1.0)

# fmt: off
CASES = [
    # positives: valid 18-digit numbers, X check character, residence permits, old 15-digit numbers
    ("身份证号110101199003071233，", [("CN_ID", 4, 22, (1.0, 1.0))]),
    ("110101199003071233", [("CN_ID", 0, 18, (0.95, 0.95))]),
    ("证件号码：11010519491231002X", [("CN_ID", 5, 23, HIGH)]),
    ("证件号码：11010519491231002x。", [("CN_ID", 5, 23, HIGH)]),
    ("ID 440308199901101512 ok", [("CN_ID", 3, 21, HIGH)]),
    ("港澳居民居住证810000199408230021", [("CN_ID", 7, 25, HIGH)]),
    ("身份证号 110101 19900307 1233", [("CN_ID", 5, 25, HIGH)]),
    ("老身份证610104620927690", [("CN_ID", 4, 19, (0.95, 0.95))]),
    ("610104620927690", [("CN_ID", 0, 15, (0.6, 0.6))]),
    ("身份证号１１０１０１１９９００３０７１２３３", [("CN_ID", 4, 22, HIGH)]),  # full-width digits
    # near misses: wrong check character, impossible dates, unknown regions, longer digit runs
    ("身份证号110101199003071234", []),
    ("身份证号440308199901101513", []),
    ("身份证号440308199902301512", []),   # 30 February
    ("身份证号360426199113010079", []),   # month 13
    ("身份证号990426199112010074", []),   # region 99 does not exist
    ("身份证号111111199901101512", []),
    ("身份证号110101209903071231", []),   # born in 2099
    ("流水号1101011990030712339", []),    # 19 digits
    ("订单号A110101199003071233", []),
    ("金额110101199003071233.00元", []),
    ("610104620932690", []),              # 15 digits, 32nd day
    ("日期20250604，金额1,234,567.89元", []),
]
# fmt: on


@pytest.mark.parametrize("text, expected", CASES)
def test_cn_id(text: str, expected: list) -> None:  # type: ignore[type-arg]
    assert_spans(text, expected, entities=["CN_ID"])


def test_check_character_matches_gb11643() -> None:
    assert check_character("11010519491231002") == "X"
    assert check_character("44030819990110151") == "2"


def test_birth_date_is_a_real_past_date() -> None:
    assert valid_birth_date("19900307")
    assert not valid_birth_date("19900230")
    assert not valid_birth_date("18991231")
