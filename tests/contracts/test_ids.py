"""USCCs and resident ID numbers: valid ones pass, each kind of defect gets its own precise reason,
and the generators only ever produce numbers that python-stdnum and the PII guard accept.

Two tests also run over python-stdnum's and id-validator's vectors (200 real USCCs) in
/work/shared/data/pii/cn_id_vectors when the folder is present.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from bankmind.contracts.ids import (
    USCC_ALPHABET,
    check_resident_id,
    check_uscc,
    corrupt_check_digit,
    make_resident_id,
    make_uscc,
)
from bankmind.guard.recognizers.uscc import org_check_character

VECTORS = Path("/work/shared/data/pii/cn_id_vectors/cn_id_vectors.json")

# fmt: off
VALID_USCC = [
    "91110000600037341L",        # python-stdnum's example
    "91 110000 600037341L",      # with the usual spaces
    "91100000100003962T",        # registered at the national level (region 100000)
    "911100001000044477",
    "91310115MA1K3BTP2B",        # a code issued after 2015 (MA…)
    "121200004013590816",        # 事业单位 (registered by 机构编制)
    "91110000600037341l",        # lower case is read as upper case
]
BAD_USCC = [  # code, a fragment the reason must contain
    ("", "empty"),
    ("9111000060003734", "found 16"),
    ("91110000600037341LL", "found 19"),
    ("B1110000600037341L", "character 1 ('B') is not a registration authority"),
    ("91X10000600037341L", "character 3 ('X') is not allowed"),
    ("911100006000373O1L", "character 16 ('O') is not allowed (the letter O is never used; 0?)"),
    ("9111000060003IOZSV", "character 14 ('I')"),
    ("91990000600037341L", "'990000') are not a region code"),
    ("91110000600037341N", "character 18 should be 'L', found 'N'"),
    ("91110000600037342L", "character 18 should be 'P', found 'L'"),
    ("91110000600037342P", "character 17 should be '1', found '2'"),   # only the organisation code is wrong
]
VALID_ID = [
    "360426199101010071",
    "44011320141005001X",
    "44011320141005001x",
    "4401 1320 1410 0500 1X",
    "810000199408230021",        # Hong Kong residents' residence permit
    "44040119580101000X",        # a region code that no longer exists
]
BAD_ID = [
    ("", "empty"),
    ("610104620927690", "15-digit first-generation"),
    ("44030819990110", "found 14"),
    ("T60426199101010078", "character 1 ('T') is not allowed"),
    ("36042619910101007Y", "character 18 ('Y') is not allowed"),
    ("360426199113010079", "the birth date 1991-13-01 does not exist"),
    ("440308199902301512", "the birth date 1999-02-30 does not exist"),
    ("360426189901010071", "the birth date 1899-01-01 is impossible"),
    ("111111199901101512", "the region code '111111' does not exist"),
    ("36042619910102009X", "digit 18 should be '3', found 'X'"),
    ("440308199901101513", "digit 18 should be '2', found '3'"),
]
# fmt: on


@pytest.mark.parametrize("code", VALID_USCC)
def test_valid_usccs_pass(code: str) -> None:
    assert check_uscc(code) is None


@pytest.mark.parametrize(("code", "reason"), BAD_USCC)
def test_each_uscc_defect_has_its_reason(code: str, reason: str) -> None:
    found = check_uscc(code)
    assert found is not None and reason in found
    chinese, _, english = found.partition(" / ")
    assert chinese and english, "reasons are Chinese / English"


@pytest.mark.parametrize("number", VALID_ID)
def test_valid_resident_ids_pass(number: str) -> None:
    assert check_resident_id(number) is None


@pytest.mark.parametrize(("number", "reason"), BAD_ID)
def test_each_resident_id_defect_has_its_reason(number: str, reason: str) -> None:
    found = check_resident_id(number)
    assert found is not None and reason in found
    chinese, _, english = found.partition(" / ")
    assert chinese and english, "reasons are Chinese / English"


def test_a_birth_date_after_the_given_day_is_impossible() -> None:
    number = make_resident_id(1, date(2025, 6, 4))
    assert check_resident_id(number) is None
    assert check_resident_id(number, as_of=date(2025, 6, 4)) is None
    reason = check_resident_id(number, as_of=date(2025, 6, 3))
    assert reason is not None and "2025-06-04 is impossible" in reason


def test_reasons_do_not_repeat_the_whole_number() -> None:
    for bad in ("91110000600037342L", "440308199901101513"):
        reason = check_uscc(bad) if bad.startswith("9") else check_resident_id(bad)
        assert reason is not None and bad not in reason


@pytest.mark.parametrize("seed", range(40))
def test_generated_usccs_are_valid_everywhere(seed: int) -> None:
    code = make_uscc(seed)
    assert code == make_uscc(seed), "the same seed gives the same code"
    assert len(code) == 18 and code.startswith("91") and set(code) <= set(USCC_ALPHABET)
    assert check_uscc(code) is None
    assert uscc.is_valid(code)
    assert org_check_character(code[8:16]) == code[16]


@pytest.mark.parametrize("seed", range(40))
def test_generated_resident_ids_are_valid_everywhere(seed: int) -> None:
    birth = date(1940 + seed, 1 + seed % 12, 1 + seed % 28)
    number = make_resident_id(seed, birth)
    assert number == make_resident_id(seed, birth)
    assert check_resident_id(number) is None
    assert ric.is_valid(number), "stdnum also checks the region existed in the birth year"
    assert ric.get_birth_date(number) == birth


def test_generated_numbers_differ_by_seed() -> None:
    assert len({make_uscc(s) for s in range(200)}) == 200
    assert len({make_resident_id(s, date(1990, 1, 1)) for s in range(200)}) > 150


@pytest.mark.parametrize("sex", ["male", "female"])
def test_the_sequence_number_gives_the_sex(sex: str) -> None:
    for seed in range(30):
        number = make_resident_id(seed, date(1985, 7, 1), sex=sex)  # type: ignore[arg-type]
        assert int(number[16]) % 2 == (1 if sex == "male" else 0)
        assert check_resident_id(number) is None


@pytest.mark.parametrize("seed", range(20))
def test_a_corrupted_check_digit_fails_only_the_checksum(seed: int) -> None:
    code, number = make_uscc(seed), make_resident_id(seed, date(1970, 3, 9))
    bad_code, bad_number = corrupt_check_digit(code), corrupt_check_digit(number)
    assert bad_code[:17] == code[:17] and bad_code != code
    assert bad_number[:17] == number[:17] and bad_number != number
    assert f"character 18 should be '{code[17]}', found '{bad_code[17]}'" in (check_uscc(bad_code) or "")
    assert f"digit 18 should be '{number[17]}', found '{bad_number[17]}'" in (
        check_resident_id(bad_number) or ""
    )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789XxABCDIOSZ -", max_size=22))
def test_ordinary_bad_input_never_raises(text: str) -> None:
    check_uscc(text)
    check_resident_id(text)


# --- python-stdnum and id-validator vectors (local evaluation data) -------------------------------


def _vectors() -> dict[str, Any]:
    if not VECTORS.is_file():
        pytest.skip(f"ID vectors are absent ({VECTORS.parent} is local evaluation data)")
    with VECTORS.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def test_two_hundred_real_usccs_pass() -> None:
    codes = _vectors()["cn_uscc_valid_list"]
    assert len(codes) == 200
    assert [(c, check_uscc(c)) for c in codes if check_uscc(c)] == []


def test_id_validator_vectors_agree_in_non_strict_mode() -> None:
    """id-validator's non-strict verdicts (a region valid at any time), except that 15-digit
    first-generation numbers are no longer accepted in a contract."""
    cases = [c for c in _vectors()["id_validator_is_valid"] if not c["strict"]]
    assert len(cases) >= 10
    for case in cases:
        expected = case["expected_valid"] and len(case["input"]) == 18
        assert (check_resident_id(case["input"]) is None) is expected, case
