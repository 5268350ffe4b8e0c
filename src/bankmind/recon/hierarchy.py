"""Subject codes: normalising them and finding each row's parent, level and leaves.

A code's parent is the longest other code in the table that is a proper prefix of it, which holds
for plain codes (`1102` › `110201` › `11020101` › `11020101600309`) and dotted ones alike, and for
custodians whose sub-accounts carry letters (`1031060A`, `3102C1`). The market a security trades
on is dropped from the code however it is written: `600309 SH`, `600309.SH`, `IH2504 CFX`.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["code_level", "is_subject_code", "join_security", "normalise_code", "parents"]

_CODE = re.compile(r"^\d{4}(?:[0-9A-Za-z.\-_ ]*)$")
_SEPARATORS = re.compile(r"[.\s]")
_MARKET_SUFFIX = re.compile(r"\s+[A-Za-z]{2,4}$")
"""`600309 SH`, `00700 HG`, `IH2504 CFX`, `… OTC`: the market a security trades on."""
_EXCHANGES = frozenset(
    ("SH", "SZ", "BJ", "HK", "HG", "SG", "IB", "OF", "CFX", "CFE", "SHF", "DCE", "CZC", "INE", "GFE", "OTC")
)
"""Markets written after a dot (`600309.SH`, `019547.IB`); only these count, so a letter segment of
an account (`2206.11.ALW78B`) stays part of the code."""


def _clean(text: str) -> str:
    return text.strip() if text.isascii() else unicodedata.normalize("NFKC", text).strip()


def _without_market(code: str) -> str:
    if code.isdigit():  # the common plain code: nothing to strip
        return code
    head, dot, tail = code.rpartition(".")
    if dot and tail.upper() in _EXCHANGES:
        return head
    return _MARKET_SUFFIX.sub("", code)


def is_subject_code(text: str) -> bool:
    """True for `1002`, `1102.01.01.600309 SH`, `3102C199000714`; false for labels like `资产类合计`."""
    return bool(_CODE.match(_clean(text)))


def normalise_code(text: str) -> str:
    """`1102.01.01.600309 SH` -> `11020101600309`: no dots, spaces or market suffix."""
    code = _without_market(_clean(text))
    return code if code.isdigit() else _SEPARATORS.sub("", code)


def join_security(code: str, security: str) -> str:
    """The full code of a row whose 科目代码 holds only the account and a 证券代码 column the security:
    `11020101` + `600309` -> `11020101600309`, `1102.01.01` + `600309 SH` -> `1102.01.01.600309 SH`.

    A code that already names a security (level 4) or already ends with it is returned unchanged,
    so tables that print the security twice read the same."""
    security = _clean(security)
    key = normalise_code(security) if security else ""
    if not key or code_level(code) >= 4 or normalise_code(code).endswith(key):
        return code
    return f"{code}.{security}" if "." in code else code + security


def code_level(raw: str) -> int:
    """1 for a first-level account; dotted codes count segments, plain codes 4/6/8 digits, then 4."""
    code = _without_market(_clean(raw))
    if "." in code:
        return len([part for part in code.split(".") if part])
    length = len(code)
    return 1 if length <= 4 else 2 if length <= 6 else 3 if length <= 8 else 4


def parents(codes: list[str]) -> list[str | None]:
    """Each code's parent: the longest other code in `codes` that is a proper prefix of it."""
    known = set(codes)
    result: list[str | None] = []
    for code in codes:
        parent = None
        for cut in range(len(code) - 1, 3, -1):
            if code[:cut] in known:
                parent = code[:cut]
                break
        result.append(parent)
    return result


def is_appreciation_account(code: str, parent_chain: list[str], name: str | None) -> bool:
    """An 估值增值 sub-account: a level-3 `…99` code or below one (`11020199`, `11020199600309`)."""
    if name and "估值增值" in name:
        return True
    return any(len(c) == 8 and c.endswith("99") for c in [code, *parent_chain])
