"""`scan` and `Analyzer`: offsets, ordering, overlaps, filters, thread safety, partial masks."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from pydantic import ValidationError

from bankmind.errors import InputError
from bankmind.eval.pii_corpus import generate
from bankmind.guard.pii import Analyzer, PiiConfig, PiiSpan, default_analyzer, partial_mask, scan
from bankmind.guard.recognizers import Candidate, Recognizer, RecognizerRegistry

ID = "110101199003071233"
TEXT = f"客户张伟，身份证号{ID}，手机138-1234-5678，卡号6222 0202 0011 2233 446，邮箱zhang.wei@example.com。"


def test_scan_finds_each_entity_with_offsets_into_the_input() -> None:
    spans = scan(TEXT)
    assert [(s.type, s.text) for s in spans] == [
        ("PERSON", "张伟"),
        ("CN_ID", ID),
        ("CN_MOBILE", "138-1234-5678"),
        ("BANK_CARD", "6222 0202 0011 2233 446"),
        ("EMAIL", "zhang.wei@example.com"),
    ]
    assert all(TEXT[s.start : s.end] == s.text for s in spans)
    assert [s.validated for s in spans] == [False, True, False, True, False]
    assert spans[1].recognizer == "cn_id" and spans[1].score == 1.0


def test_offsets_are_code_points_and_survive_full_width_digits() -> None:
    text = "😀客户：身份证号１１０１０１１９９００３０７１２３３"
    [span] = scan(text, entities=["CN_ID"])
    assert (span.start, span.end) == (8, 26) and span.text == text[8:26]


def test_spans_are_sorted_and_never_overlap_on_generated_texts() -> None:
    for item in generate(60, seed=7):
        spans = default_analyzer().scan(item.text)
        assert spans == sorted(spans, key=lambda s: s.start)
        assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
        assert all(item.text[s.start : s.end] == s.text for s in spans)


def test_entity_filter_and_unknown_entities() -> None:
    assert [s.type for s in scan(TEXT, entities=["cn_mobile", " EMAIL "])] == ["CN_MOBILE", "EMAIL"]
    with pytest.raises(
        InputError, match="unknown PII entity type IBAN; use one of: ADDRESS, BANK_CARD, CN_ID, CN_MOBILE"
    ):
        scan(TEXT, entities=["IBAN"])


def test_min_score_drops_weak_spans() -> None:
    analyzer = default_analyzer()
    assert [s.text for s in analyzer.scan("E12345678", min_score=0.3)] == ["E12345678"]
    assert analyzer.scan("E12345678") == []
    assert Analyzer(PiiConfig(min_score=0.99, recognizers=("cn_mobile",))).scan("13812345678") == []


def test_empty_text() -> None:
    assert scan("") == []


def test_spans_are_frozen() -> None:
    span = scan(TEXT)[0]
    with pytest.raises(ValidationError):
        span.start = 0
    assert PiiSpan.model_validate(span.model_dump()) == span


class _Fixed(Recognizer):
    """Yields fixed candidates, to test how overlaps are resolved."""

    entity = "TEST"
    candidates: tuple[Candidate, ...] = ()

    def analyze(self, text: str) -> Iterator[Candidate]:
        yield from self.candidates


def _recognizer(name: str, entity: str, *candidates: Candidate) -> type[Recognizer]:
    return type(name, (_Fixed,), {"name": name, "entity": entity, "candidates": candidates})


@pytest.mark.parametrize(
    "a, b, winner",
    [
        (Candidate(0, 10, 0.6, validated=True), Candidate(5, 15, 0.9), "A"),  # validated first
        (Candidate(0, 10, 0.7), Candidate(5, 15, 0.9), "B"),  # then the higher score
        (Candidate(0, 10, 0.8), Candidate(2, 15, 0.8), "B"),  # then the longer span
        (Candidate(0, 10, 0.8), Candidate(5, 15, 0.8), "A"),  # then the earlier start
    ],
)
def test_overlaps_are_resolved_deterministically(a: Candidate, b: Candidate, winner: str) -> None:
    registry = RecognizerRegistry()
    registry.register(_recognizer("a", "A", a))
    registry.register(_recognizer("b", "B", b))
    analyzer = Analyzer(PiiConfig(min_score=0.0), registry=registry)
    assert [s.type for s in analyzer.scan("x" * 20)] == [winner]


def test_one_analyzer_serves_many_threads() -> None:
    texts = [t.text for t in generate(48, seed=11)]
    analyzer = default_analyzer()
    expected = [analyzer.scan(t) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(analyzer.scan, texts)) == expected


# fmt: off
PARTIAL = [
    ("6222 0202 0011 1234", "BANK_CARD", "6222 **** **** 1234"),
    ("6222020200112233446", "BANK_CARD", "6222***********3446"),
    ("6228-4812-3456-7890-128", "BANK_CARD", "6228-****-****-***0-128"),
    ("11010519491231123X", "CN_ID", "1101**********123X"),
    ("610104620927690", "CN_ID", "6101*******7690"),
    ("13812345678", "CN_MOBILE", "138****5678"),
    ("+86 138-1234-5678", "CN_MOBILE", "+86 138-****-5678"),
    ("010-62345678", "CN_PHONE", "010-****5678"),
    ("(0755)88881234", "CN_PHONE", "(0755)****1234"),
    ("张伟", "PERSON", "张*"),
    ("张小明", "PERSON", "张**"),
    ("欧阳娜娜", "PERSON", "欧阳**"),
    ("王", "PERSON", "王"),
    ("zhang.wei@example.com", "EMAIL", "z***@example.com"),
    ("E12345678", "PASSPORT", "E*****678"),
    ("91110000600037341L", "USCC", "9111**********341L"),
    ("北京市朝阳区建国路88号", "ADDRESS", "北京市朝阳区******"),
    ("建国路88号院3号楼", "ADDRESS", "建国路*******"),
    ("ABCDEFG", "OTHER", "A*****G"),
]
# fmt: on


@pytest.mark.parametrize("value, type, shown", PARTIAL)
def test_partial_mask(value: str, type: str, shown: str) -> None:
    assert partial_mask(value, type) == shown


def test_partial_mask_never_shows_the_middle_digits() -> None:
    for span in scan(TEXT):
        if span.type in ("CN_ID", "BANK_CARD", "CN_MOBILE"):
            digits = re.sub(r"\D", "", span.text)
            assert digits[4:-4] not in partial_mask(span.text, span.type)
