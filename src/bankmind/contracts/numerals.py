"""Money amounts in figures (小写) and in capital numerals (大写), read exactly as `Decimal`.

A contract writes its principal twice, `￥1,000,000.00元` and `人民币壹佰万元整`; the two must agree to
the fen. Both readings are computed here, never guessed: a text that is not clearly an amount gives
`None`, so the caller can report it instead of comparing a wrong number. Integer numerals are read by
`cn2an`; 角 and 分 are read here so that no float ever touches an amount. The canonical capital form
is written here too, because cn2an's writer drops a required 零 after 亿 (see `amount_in_words`).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import cn2an  # type: ignore[import-untyped]  # cn2an ships no type information

__all__ = [
    "FEN",
    "amount_in_words",
    "amounts_agree",
    "parse_amount_figures",
    "parse_amount_words",
    "parse_number",
]

FEN = Decimal("0.01")
"""The smallest unit a capital amount can express (分)."""

_DIGITS = "零一二三四五六七八九壹贰叁肆伍陆柒捌玖两"
_UNITS = "十拾百佰千仟万亿"
_UPPER = "零壹贰叁肆伍陆柒捌玖"
_VALUE = {c: i % 10 for i, c in enumerate("零一二三四五六七八九零壹贰叁肆伍陆柒捌玖")} | {"两": 2}
# Variant characters seen in contracts, mapped to what cn2an and the patterns below expect.
_VARIANTS = str.maketrans(
    {"〇": "零", "○": "零", "萬": "万", "億": "亿", "圓": "元", "圆": "元", "貳": "贰",
     "參": "叁", "陸": "陆", "兩": "两"}
)  # fmt: skip
# Labels around an amount: （大写）, 人民币, RMB, CNY, ¥, colons, brackets and blanks.
_LABELS = re.compile(r"[\s:：()（）【】\[\]¥￥]|大写|小写|人民币|金额|RMB|CNY", re.IGNORECASE)
_WORDS = re.compile(
    rf"(?P<sign>负)?(?:(?P<yuan>[{_DIGITS}{_UNITS}]+)元?)??"
    rf"(?:零?(?P<jiao>[{_DIGITS}])角)?(?:零?(?P<fen>[{_DIGITS}])分)?"
)
# "一百二十五万三" (spoken for 1,253,000) is ambiguous in a contract: refuse it rather than guess.
_SPOKEN_TAIL = re.compile(rf"[百佰千仟万亿][{_DIGITS.replace('零', '')}]$")
_FIGURES = re.compile(
    r"(?P<sign>[-−])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?"
    r"(?P<unit>万亿|亿|万)?元?"
)
_MULTIPLIER = {None: Decimal(1), "万": Decimal(10) ** 4, "亿": Decimal(10) ** 8, "万亿": Decimal(10) ** 12}
_ARABIC_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_OCR_POINT = re.compile(r"(?<=\d)[:;](?=\d{2}(?:[万亿元]|$))")
"""A decimal point that OCR read as a colon (`7860000:00元`): two digits follow, then the end."""


def _normalise(text: str) -> str:
    """Half-width digits and punctuation, simplified variants, no labels, no trailing 整/正."""
    text = unicodedata.normalize("NFKC", text).translate(_VARIANTS)
    text = _LABELS.sub("", text)
    return re.sub(r"[整正]+$", "", text)


def _cn2an(text: str, mode: str) -> int | None:
    """cn2an's reading, or None where it refuses (it raises KeyError/IndexError on some odd input)."""
    try:
        value = cn2an.cn2an(text, mode)
    except (ValueError, KeyError, IndexError):
        return None
    return value if isinstance(value, int) else None


def _integer_words(text: str) -> int | None:
    """A whole number in Chinese numerals (大写 or 小写); None when malformed or ambiguous."""
    if not text or any(c not in _DIGITS and c not in _UNITS for c in text):
        return None  # cn2an would also read 元/角/点/负 and return a float or a sign: keep those here
    strict = _cn2an(text, "strict")
    if strict is not None:
        return strict
    # cn2an's normal mode also accepts forms banks do write (壹拾万零叁仟, 两百万), but it reads
    # digit strings (一二三) and spoken tails (一万二) too, which no amount should rely on.
    if (len(text) > 1 and not any(u in text for u in _UNITS)) or _SPOKEN_TAIL.search(text):
        return None
    return _cn2an(text, "normal")


def parse_amount_words(text: str) -> Decimal | None:
    """Read a capital (or lower-case) Chinese amount such as `人民币壹佰万元整` to the fen.

    Why: the 大写 amount usually prevails when the two differ, so it is compared with the figures exactly.
    Labels (（大写）, 人民币, RMB), 整/正 and 圆 are accepted; Arabic digits are not (that is the
    figures' job). Returns None for anything that is not unambiguously an amount.
    """
    body = _normalise(text)
    if not body or re.search(r"\d", body):
        return None
    match = _WORDS.fullmatch(body)
    if match is None or not any(match.group(g) for g in ("yuan", "jiao", "fen")):
        return None
    yuan = match.group("yuan")
    if yuan and (match.group("jiao") or match.group("fen")) and "元" not in body:
        return None  # 壹佰伍角: the yuan part must be closed by 元 before 角/分
    whole = _integer_words(yuan) if yuan else 0
    if whole is None:
        return None
    cents = sum(_VALUE[match.group(g)] * w for g, w in (("jiao", 10), ("fen", 1)) if match.group(g))
    value = Decimal(whole) + Decimal(cents) / 100
    return -value if match.group("sign") else value


def parse_amount_figures(text: str) -> Decimal | None:
    """Read an amount written in figures: `￥1,000,000.00元`, `人民币100万元`, `RMB 1,000,000`.

    Why: the 小写 amount is what the contract's arithmetic uses; 万/亿 are multiplied out exactly.
    Thousands separators must be well placed (`1,00,000` is refused). Returns None otherwise.
    """
    body = _normalise(_OCR_POINT.sub(".", unicodedata.normalize("NFKC", text)))
    match = _FIGURES.fullmatch(body)
    if match is None:
        return None
    number = match.group("int").replace(",", "")
    if match.group("frac") is not None:
        number += "." + match.group("frac")
    value = Decimal(number) * _MULTIPLIER[match.group("unit")]
    return -value if match.group("sign") else value


def parse_number(text: str) -> Decimal | None:
    """A plain non-negative number in Arabic (`4.35`, `36`) or Chinese numerals (`四点三五`, `叁拾陆`).

    Why: terms, dates and rates write small numbers either way; one reader keeps them consistent.
    Amounts (元/角/分), signs, digit strings (一二三) and spoken forms (三万五) give None.
    """
    body = unicodedata.normalize("NFKC", text).translate(_VARIANTS).strip()
    if _ARABIC_NUMBER.fullmatch(body):
        return Decimal(body)
    whole, point, fraction = body.partition("点")
    if not whole or (point and not fraction):
        return None
    integer = _integer_words(whole)
    if integer is None or any(c not in _VALUE for c in fraction):
        return None
    digits = "".join(str(_VALUE[c]) for c in fraction)
    return Decimal(f"{integer}.{digits}") if digits else Decimal(integer)


def _capital_integer(n: int) -> str:
    """0 <= n < 10^16 in capital numerals, with the 零 GB/T rules and the payment rules require."""
    if n >= 10**8:
        high, low = divmod(n, 10**8)
        return (
            _capital_integer(high)
            + "亿"
            + ("" if low == 0 else ("零" if low < 10**7 else "") + _capital_integer(low))
        )
    if n >= 10**4:
        high, low = divmod(n, 10**4)
        return (
            _capital_integer(high)
            + "万"
            + ("" if low == 0 else ("零" if low < 1000 else "") + _capital_integer(low))
        )
    out, zero = "", False
    for digit, unit in zip(f"{n:04d}", "仟佰拾 ", strict=True):
        if digit == "0":
            zero = bool(out)
            continue
        out += ("零" if zero else "") + _UPPER[int(digit)] + unit.strip()
        zero = False
    return out or "零"


def amount_in_words(value: Decimal) -> str:
    """The canonical capital form of an amount, e.g. `壹佰万元整`, `壹拾元零伍分`, `壹亿零壹仟元整`.

    Why: a finding shows what the 大写 should have said. The value is rounded half-up to the fen.
    The output matches cn2an's `an2cn(x, "rmb")` except where cn2an drops a required 零 after 亿
    (it writes 100,001,000 as 壹亿壹仟元整, which reads as 110,000,000). Raises ValueError for NaN,
    infinities and amounts of 10^16 元 or more.
    """
    try:
        fen = int(value.quantize(FEN, rounding=ROUND_HALF_UP) * 100)
    except InvalidOperation as exc:
        raise ValueError(f"cannot write {value} in capital numerals") from exc
    if abs(fen) >= 10**18:
        raise ValueError(f"cannot write {value} in capital numerals: 16 integer digits at most")
    yuan, cents = divmod(abs(fen), 100)
    jiao, fen_digit = divmod(cents, 10)
    words = _capital_integer(yuan) + "元" if yuan else ""
    if jiao:
        words += _UPPER[jiao] + "角"
    if fen_digit:
        words += ("零" if yuan and not jiao else "") + _UPPER[fen_digit] + "分"
    if not cents:
        words = (words or "零元") + "整"
    return ("负" if fen < 0 else "") + words


def amounts_agree(figures: Decimal, words: Decimal) -> bool:
    """Whether the figures and the words state the same amount, exactly to the fen.

    Why: any difference, however small, is an `amount_mismatch`. Words cannot express less than a
    fen, so figures with a sub-fen part never agree with them.
    """
    return figures == words
