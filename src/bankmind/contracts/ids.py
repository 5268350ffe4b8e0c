"""Identifiers of contracting parties: unified social credit codes and resident ID numbers.

`check_uscc` and `check_resident_id` return None for a valid number, otherwise one precise reason in
Chinese and English (wrong length, a character that cannot occur, an impossible birth date, a wrong
check character together with the one expected), which becomes an `invalid_uscc` / `invalid_id`
finding. Reasons name positions and check characters, never the whole number. The `make_*`
functions build valid numbers deterministically from a seed for test and demo contracts;
`corrupt_check_digit` breaks one on purpose.

Check characters come from python-stdnum (GB 32100 mod 31, GB 11643 ISO 7064 MOD 11-2); the
organisation-code check (GB 11714) and the table of region codes are the PII guard's, so a number
this module accepts is one the guard recognises.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Literal

from stdnum.cn import ric, uscc

from bankmind.guard.recognizers.resources import load_places
from bankmind.guard.recognizers.uscc import org_check_character

__all__ = [
    "USCC_ALPHABET",
    "check_resident_id",
    "check_uscc",
    "corrupt_check_digit",
    "make_resident_id",
    "make_uscc",
]

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""Characters a USCC may use: digits and capitals without I, O, S, V, Z."""
# GB 32100 Table 1: 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 市场监管(工商),
# A 中央军委改革和编制办公室, N 农业, Y 其他.
_AUTHORITIES = "123456789ANY"
# Province-level prefixes of the region code; 10 is the national level (e.g. 中国工商银行 91100000…),
# 71/81/82/83 Taiwan, Hong Kong, Macau and residence permits. USCCs may carry a registration
# authority's own code (开发区, 自贸区), so only the province is checked for them.
_PROVINCES = frozenset(
    ("10", "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
     "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81",
     "82", "83")
)  # fmt: skip
_CONFUSABLE = {"I": "1", "O": "0", "S": "5", "Z": "2"}
_EARLIEST_BIRTH = date(1900, 1, 1)
# Long-standing district codes valid for any birth year in stdnum's table, then newer ones.
_REGIONS = (
    "110101", "110105", "110108", "310101", "310104", "120101",
    "440305", "440106", "330106", "320102", "510104", "420106", "370102", "610113", "430102", "350203",
)  # fmt: skip


def _compact(number: str) -> str:
    return re.sub(r"[\s\-]", "", number).upper()


def _bad_character(part: str, allowed: str, offset: int = 0) -> str | None:
    """The first character of `part` (which starts at position `offset` + 1) not in `allowed`."""
    for position, char in enumerate(part, offset + 1):
        if char not in allowed:
            cn_hint = en_hint = ""
            if char in _CONFUSABLE and allowed == USCC_ALPHABET:
                maybe = _CONFUSABLE[char]
                cn_hint = f"（不使用字母{char}，是否应为{maybe}？）"
                en_hint = f" (the letter {char} is never used; {maybe}?)"
            return (
                f"第{position}位字符“{char}”无效{cn_hint} / "
                f"character {position} ('{char}') is not allowed{en_hint}"
            )
    return None


def check_uscc(code: str) -> str | None:
    """None when `code` is a valid 统一社会信用代码, otherwise why it is not.

    Why: a party's USCC with a typo makes the contract's identification of the party unreliable;
    the reason says which part is wrong so a reviewer can fix it from the business licence.
    """
    number = _compact(code)
    if not number:
        return "统一社会信用代码为空 / the unified social credit code is empty"
    if len(number) != 18:
        return (
            f"统一社会信用代码应为18位，实为{len(number)}位 / a USCC has 18 characters, found {len(number)}"
        )
    if number[0] not in _AUTHORITIES:
        return (
            f"第1位登记管理部门代码“{number[0]}”无效 / "
            f"character 1 ('{number[0]}') is not a registration authority code"
        )
    reason = _bad_character(number[1:8], "0123456789", 1) or _bad_character(number[8:], USCC_ALPHABET, 8)
    if reason:
        return reason
    if number[2:4] not in _PROVINCES:
        return (
            f"第3-8位登记管理机关行政区划码“{number[2:8]}”不存在 / "
            f"characters 3-8 ('{number[2:8]}') are not a region code"
        )
    expected = uscc.calc_check_digit(number[:17])
    if number[17] != expected:
        return (
            f"校验码错误：第18位应为“{expected}”，实为“{number[17]}” / "
            f"bad check character: character 18 should be '{expected}', found '{number[17]}'"
        )
    org_expected = org_check_character(number[8:16])
    if number[16] != org_expected:
        return (
            f"组织机构代码校验码错误：第17位应为“{org_expected}”，实为“{number[16]}” / "
            f"bad organisation-code check: character 17 should be '{org_expected}', found '{number[16]}'"
        )
    return None


def check_resident_id(number: str, *, as_of: date | None = None) -> str | None:
    """None when `number` is a valid 18-digit 居民身份证号码, otherwise why it is not.

    Why: a natural person's ID with a wrong digit names nobody; the birth date inside must exist
    (and not lie after `as_of` when given). 15-digit first-generation numbers have been invalid
    since 2013.
    """
    digits = _compact(number)
    if not digits:
        return "身份证号码为空 / the resident ID number is empty"
    if len(digits) == 15 and digits.isdigit():
        return (
            "15位为第一代身份证号码，已于2013年停止使用 / "
            "a 15-digit first-generation ID number, no longer valid since 2013"
        )
    if len(digits) != 18:
        return (
            f"身份证号码应为18位，实为{len(digits)}位 / "
            f"a resident ID number has 18 characters, found {len(digits)}"
        )
    reason = _bad_character(digits[:17], "0123456789") or _bad_character(digits[17:], "0123456789X", 17)
    if reason:
        return reason
    text = f"{digits[6:10]}-{digits[10:12]}-{digits[12:14]}"
    try:
        born = date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    except ValueError:
        return f"出生日期{text}不存在 / the birth date {text} does not exist"
    if born < _EARLIEST_BIRTH or (as_of is not None and born > as_of):
        return f"出生日期{text}不可能 / the birth date {text} is impossible"
    if digits[:6] not in load_places().codes:
        return f"前6位行政区划码“{digits[:6]}”不存在 / the region code '{digits[:6]}' does not exist"
    expected = ric.calc_check_digit(digits)
    if digits[17] != expected:
        return (
            f"校验码错误：第18位应为“{expected}”，实为“{digits[17]}” / "
            f"bad check digit: digit 18 should be '{expected}', found '{digits[17]}'"
        )
    return None


def _stream(kind: str, seed: int | str) -> bytes:
    return hashlib.sha256(f"bankmind:{kind}:{seed}".encode()).digest()


def make_uscc(seed: int | str) -> str:
    """A valid enterprise USCC (91…), the same for the same seed.

    Why: generated contracts need realistic party codes whose checks pass, so a finding on them is
    a real defect the generator injected, not an accident.
    """
    stream = _stream("uscc", seed)
    region = _REGIONS[stream[0] % len(_REGIONS)]
    if stream[1] % 2:  # codes issued since 2015 look like MA01ABCD…
        body = "MA" + "".join(USCC_ALPHABET[b % len(USCC_ALPHABET)] for b in stream[2:8])
    else:
        body = "".join(str(b % 10) for b in stream[2:10])
    first17 = "91" + region + body + org_check_character(body)
    return first17 + uscc.calc_check_digit(first17)


def make_resident_id(seed: int | str, birth: date, *, sex: Literal["male", "female"] | None = None) -> str:
    """A valid resident ID number for someone born on `birth`, the same for the same seed.

    Why: as for `make_uscc`. The sequence number's parity gives the sex (odd = male); the region is
    a real district that python-stdnum accepts for that birth year.
    """
    stream = _stream("ric", seed)
    sequence = stream[0] * 256 + stream[1]
    sequence = sequence % 999 + 1
    if sex is not None and (sequence % 2 == 1) != (sex == "male"):
        sequence = sequence + 1 if sequence < 999 else sequence - 1
    start = stream[2] % len(_REGIONS)
    for region in _REGIONS[start:] + _REGIONS[:start]:
        first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
        number = first17 + ric.calc_check_digit(first17 + "0")
        if ric.is_valid(number):
            return number
    raise AssertionError("unreachable: 110101 is valid for every birth year")  # pragma: no cover


def corrupt_check_digit(code: str) -> str:
    """The same number with a different, still well-formed check character (so only the checksum fails).

    Why: generators inject invalid_id / invalid_uscc defects whose expected reason is known.
    """
    if not code:
        return code
    last = code[-1]
    replacement = str((int(last) + 1) % 10) if last.isdigit() else "0"
    return code[:-1] + replacement
