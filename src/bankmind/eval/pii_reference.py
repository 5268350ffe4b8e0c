"""Readers for the published PII test data under `<data>/pii` (see each folder's SOURCE.txt).

- `cn_id_vectors/cn_id_vectors.json`: python-stdnum doctest vectors (resident ID, USCC, Luhn) and
  id-validator's valid/invalid resident IDs.
- `presidio_vectors/presidio_recognizer_vectors.json`: Presidio's parametrised recognizer tests
  (credit cards, e-mail, phones) with expected offsets.
- `cn_ner_dev/`: ResumeNER dev (char BMES, NAME) and WeiboNER 2nd dev (char CoNLL, PER.NAM).

Only the cases a Chinese bank's PII guard is meant to find are turned into expectations; the rest
(IBANs, US and European phone numbers) are counted as out of scope, never silently dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Vector:
    """A text, the entity type expected in it, and the expected spans (empty: nothing may be found)."""

    source: str
    text: str
    entity: str
    expected: tuple[tuple[int, int], ...]
    note: str = ""


@dataclass(frozen=True)
class NerSentence:
    text: str
    names: tuple[tuple[int, int], ...]


def _wrap(prefix: str, value: str, suffix: str = "。") -> tuple[str, tuple[int, int]]:
    return prefix + value + suffix, (len(prefix), len(prefix) + len(value))


def cn_id_vectors(folder: Path) -> tuple[list[Vector], list[tuple[str, bool]]]:
    """Resident-ID and USCC vectors as texts, and the Luhn vectors as (number, valid) pairs."""
    data = json.loads((folder / "cn_id_vectors.json").read_text(encoding="utf-8"))
    vectors: list[Vector] = []
    for case in data.get("cn_ric", []):
        if case.get("func") != "validate":
            continue
        text, span = _wrap("身份证号：", case["input"])
        valid = "raises" not in case
        vectors.append(
            Vector("stdnum cn_ric", text, "CN_ID", (span,) if valid else (), case.get("raises", ""))
        )
    for case in data.get("id_validator_is_valid", []):
        if case.get("strict"):
            continue  # strict mode also requires the region code to exist at the birth date
        text, span = _wrap("证件号码 ", case["input"])
        valid = bool(case["expected_valid"])
        vectors.append(
            Vector("id-validator", text, "CN_ID", (span,) if valid else (), case.get("comment") or "")
        )
    for case in data.get("cn_uscc", []):
        if case.get("func") != "validate":
            continue
        text, span = _wrap("统一社会信用代码：", case["input"])
        valid = "raises" not in case
        vectors.append(
            Vector("stdnum cn_uscc", text, "USCC", (span,) if valid else (), case.get("raises", ""))
        )
    for code in data.get("cn_uscc_valid_list", []):
        text, span = _wrap("统一社会信用代码", code, "，")
        vectors.append(Vector("stdnum uscc list", text, "USCC", (span,)))
    luhn: list[tuple[str, bool]] = []
    for case in data.get("luhn", []):
        if case.get("func") == "validate":
            luhn.append((case["input"], "raises" not in case))
    return vectors, luhn


_PRESIDIO_ENTITY = {
    "test_credit_card_recognizer": "BANK_CARD",
    "test_email_recognizer": "EMAIL",
    "test_phone_recognizer": "CN_MOBILE",
}


def presidio_vectors(folder: Path) -> tuple[list[Vector], int]:
    """Presidio's card, e-mail and (Chinese) phone cases; also how many cases are out of scope."""
    data = json.loads((folder / "presidio_recognizer_vectors.json").read_text(encoding="utf-8"))
    vectors: list[Vector] = []
    out_of_scope = 0
    for key, table in data.items():
        module = key.split("::", 1)[0]
        entity = _PRESIDIO_ENTITY.get(module)
        fields = table["fields"]
        for case in table["cases"]:
            row = dict(zip(fields, case, strict=False))
            if entity is None:
                out_of_scope += 1
                continue
            text = row.get("text") or ""
            spans = row.get("expected_res") or row.get("expected_positions") or []
            if entity == "CN_MOBILE":
                if "CN" not in text:
                    out_of_scope += 1  # US, Israeli, Brazilian ... numbers
                    continue
                if "leniency" in row or "expected_textual_explanations" in row:
                    out_of_scope += 1
                    continue
            vectors.append(
                Vector(f"presidio {module.removeprefix('test_')}", text, entity, tuple(map(tuple, spans)))
            )
    return vectors, out_of_scope


def _sentences(lines: Iterator[str], parse: type[_Bmes] | type[_Conll]) -> list[NerSentence]:
    sentences: list[NerSentence] = []
    chars: list[str] = []
    tags: list[str] = []
    for line in [*lines, ""]:
        line = line.rstrip("\n")
        if not line.strip():
            if chars:
                sentences.append(NerSentence("".join(chars), parse.spans(tags)))
            chars, tags = [], []
            continue
        char, tag = parse.split(line)
        chars.append(char)
        tags.append(tag)
    return sentences


class _Bmes:
    """ResumeNER: `字 B-NAME` lines; S-NAME is a one-character name (a bare surname)."""

    @staticmethod
    def split(line: str) -> tuple[str, str]:
        char, _, tag = line.partition(" ")
        return char, tag.strip()

    @staticmethod
    def spans(tags: list[str]) -> tuple[tuple[int, int], ...]:
        found: list[tuple[int, int]] = []
        start: int | None = None
        for i, tag in enumerate(tags):
            if tag == "S-NAME":
                found.append((i, i + 1))
            elif tag == "B-NAME":
                start = i
            elif tag == "E-NAME" and start is not None:
                found.append((start, i + 1))
                start = None
        return tuple(found)


class _Conll:
    """WeiboNER 2nd: `字0<TAB>B-PER.NAM` lines (the digit is a segmentation position)."""

    @staticmethod
    def split(line: str) -> tuple[str, str]:
        token, _, tag = line.partition("\t")
        return token[:1], tag.strip()

    @staticmethod
    def spans(tags: list[str]) -> tuple[tuple[int, int], ...]:
        found: list[tuple[int, int]] = []
        start: int | None = None
        for i, tag in enumerate([*tags, "O"]):
            if tag == "I-PER.NAM" and start is not None:
                continue
            if start is not None:
                found.append((start, i))
                start = None
            if tag == "B-PER.NAM":
                start = i
        return tuple(found)


def resume_dev(folder: Path) -> list[NerSentence]:
    with (folder / "dev.char.bmes").open(encoding="utf-8") as fh:
        return _sentences(iter(fh), _Bmes)


def weibo_dev(folder: Path) -> list[NerSentence]:
    with (folder / "weiboNER_2nd_conll.dev").open(encoding="utf-8") as fh:
        return _sentences(iter(fh), _Conll)
