"""Signature slots on page images drawn in code: handwriting (`eval.contract_marks.draw_signature`)
told from empty slots, typed names, seals and thumb prints.

Most tests hand `find_signatures` the OCR lines a reader would return for the printed text (boxes
from the drawing, as tall as RapidOCR's), so they run without OCR; the `slow` ones run the models.
"""

from __future__ import annotations

import pytest
from PIL import ImageDraw

from bankmind.contracts.seals import remove_red
from bankmind.contracts.signatures import SignatureSlot, find_signatures
from bankmind.documents.ocr import OcrLine, ocr_image
from bankmind.eval.contract_marks import (
    cjk_font,
    draw_fingerprint,
    draw_seal,
    draw_signature,
    scan_effects,
)

from .pages import INK, blank_page, skip_without_cjk_font

skip_without_cjk_font()

SIZE = 30
BODY = "第十条 借款人应按照本合同约定的期限和金额归还借款本金及利息。"


class Page:
    """A page being printed, with the OCR lines a reader would return for what is printed."""

    def __init__(self) -> None:
        self.image = blank_page()
        self.draw = ImageDraw.Draw(self.image)
        self.lines: list[OcrLine] = []
        for k in range(3):  # body text, so the page has a line height and a character advance
            self.print(120, 200 + 60 * k, BODY)

    def print(self, x: float, y: float, text: str, *, read_as: str | None = None) -> float:
        """Print `text` at (x, y); its OCR line reads `read_as` (default: the text). The right edge."""
        font = cjk_font(SIZE)
        self.draw.text((x, y), text, fill=INK, font=font)
        right = x + self.draw.textlength(text, font=font)
        top, bottom = y - 0.45 * SIZE, y + 1.17 * SIZE  # RapidOCR's boxes are ~1.6 × the font size
        corners = ((x - 2, top), (right + 2, top), (right + 2, bottom), (x - 2, bottom))
        self.lines.append(OcrLine(text=read_as or text, bbox=corners, score=0.99))
        return right

    def slots(self, *, scanned: bool = False, seed: int = 0) -> list[SignatureSlot]:
        image = scan_effects(self.image, seed=seed, angle=0.0) if scanned else self.image
        return find_signatures(image, self.lines)


def _inside(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


@pytest.mark.parametrize("scanned", [False, True], ids=["clean", "scanned"])
@pytest.mark.parametrize("seed", range(6))
def test_a_signed_slot_is_told_from_an_empty_one(seed: int, scanned: bool) -> None:
    page = Page()
    right = page.print(120, 700, "借款人（签字）：")
    drawn = draw_signature(page.image, (right + 10, 680, right + 250, 770), seed=seed)
    page.print(120, 860, "法定代表人（签字或盖章）：")
    right = page.print(120, 1020, "保证人（签章）：")
    draw_signature(page.image, (right + 10, 1000, right + 230, 1080), seed=seed + 50)
    draw_fingerprint(page.image, (right + 200, 1040), seed=seed)  # pressed over the signature
    slots = page.slots(scanned=scanned, seed=seed)
    assert [(s.label, s.signed) for s in slots] == [
        ("借款人（签字）：", True),
        ("法定代表人（签字或盖章）：", False),
        ("保证人（签章）：", True),
    ]
    assert slots[0].ink_bbox is not None
    centre = (
        (slots[0].ink_bbox[0] + slots[0].ink_bbox[2]) / 2,
        (slots[0].ink_bbox[1] + slots[0].ink_bbox[3]) / 2,
    )
    assert _inside(centre, drawn)
    assert slots[0].score >= 0.5 and slots[1].score < 0.5 and slots[1].ink_bbox is None


@pytest.mark.parametrize("merged", [False, True], ids=["own-line", "in-label-line"])
@pytest.mark.parametrize("name", ["张建国", "欧阳文华", "李明"])
def test_a_typed_name_is_not_handwriting(name: str, merged: bool) -> None:
    page = Page()
    if merged:
        page.print(120, 700, f"授权代表签字：{name}")
    else:
        right = page.print(120, 700, "授权代表签字：")
        page.print(right + 20, 700, name)
    (slot,) = page.slots()
    assert not slot.signed
    assert slot.typed == name


def test_a_typed_name_unread_by_ocr_is_still_print() -> None:
    page = Page()
    right = page.print(120, 700, "借款人（签字）：")
    page.draw.text((right + 20, 700), "王小红", fill=INK, font=cjk_font(SIZE))  # OCR missed it
    (slot,) = page.slots()
    assert not slot.signed


def test_handwriting_read_by_ocr_as_part_of_the_label_line_is_still_handwriting() -> None:
    page = Page()
    right = page.print(120, 700, "借款人（签字）：", read_as="借款人（签字）：QDO")
    drawn = draw_signature(page.image, (right + 10, 670, right + 260, 770), seed=4)
    top = page.lines[-1].bbox[0][1]
    page.lines[-1] = page.lines[-1].model_copy(  # OCR's box then spans the scrawl too
        update={"bbox": ((118, top - 10), (drawn[2], top - 10), (drawn[2], 770), (118, 770)), "score": 0.88}
    )
    (slot,) = page.slots()
    assert slot.signed


def test_red_ink_in_a_slot_is_not_a_signature() -> None:
    page = Page()
    right = page.print(120, 700, "法定代表人（签字或盖章）：")
    draw_seal(page.image, (right + 120, 715), name="王建国印", kind="", shape="square", radius=50, seed=1)
    right = page.print(120, 900, "借款人（签字）：")
    draw_fingerprint(page.image, (right + 80, 915), seed=2)
    right = page.print(120, 1100, "保证人（签章）：")
    draw_seal(page.image, (right + 120, 1110), name="杭州明远机械制造有限公司", seed=3)
    assert [s.signed for s in page.slots(scanned=True)] == [False, False, False]


def test_a_rule_to_sign_on_is_not_a_signature() -> None:
    page = Page()
    right = page.print(120, 700, "借款人（签字）：")
    page.draw.line((right + 5, 740, right + 300, 740), fill=INK, width=2)
    right = page.print(120, 900, "保证人（签字）：")
    page.draw.line((right + 5, 940, right + 300, 940), fill=INK, width=2)
    draw_signature(page.image, (right + 10, 880, right + 250, 950), seed=9)  # signed across the rule
    assert [s.signed for s in page.slots(scanned=True)] == [False, True]


def test_writing_on_the_next_row_does_not_sign_an_empty_slot() -> None:
    page = Page()
    page.print(120, 700, "借款人（签字）：")  # empty
    right = page.print(120, 780, "共同借款人（签字）：")
    draw_signature(page.image, (right + 10, 760, right + 250, 830), seed=5)
    assert [s.signed for s in page.slots()] == [False, True]


def test_the_slot_ends_at_the_next_printed_text_on_its_row() -> None:
    page = Page()
    page.print(120, 700, "借款人（签字）：")
    right = page.print(700, 700, "贷款人（签字）：")
    draw_signature(page.image, (right + 10, 680, right + 240, 760), seed=6)
    slots = page.slots()
    assert [(s.label, s.signed) for s in slots] == [("借款人（签字）：", False), ("贷款人（签字）：", True)]
    assert slots[0].bbox[2] < 700


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("借款人（签字）：", ["借款人（签字）："]),
        ("签字：", ["签字："]),
        ("签章：", ["签章："]),
        ("法定代表人（签字或盖章）：", ["法定代表人（签字或盖章）："]),
        ("授权代表签字：", ["授权代表签字："]),
        ("借款人（签名/盖章）：", ["借款人（签名/盖章）："]),
        ("乙方（签章）", ["乙方（签章）"]),
        ("借款人(签字):", ["借款人(签字):"]),
        ("贷款人（盖章）：", []),  # a seal goes there, not a signature
        ("本合同自双方签字或盖章之日起生效。", []),
        ("第十条 本合同经各方签字后生效", []),
        ("签字日期：2025年6月4日", []),
        ("签署地点：南京市", []),
        ("签章页", []),
    ],
)
def test_signature_labels(text: str, labels: list[str]) -> None:
    page = Page()
    page.print(120, 700, text)
    assert [s.label for s in page.slots()] == labels


def test_a_slot_becomes_a_signature_record() -> None:
    page = Page()
    right = page.print(120, 700, "借款人（签字）：")
    draw_signature(page.image, (right + 10, 680, right + 250, 770), seed=1)
    (slot,) = page.slots()
    signature = slot.to_signature(page=5)
    assert (signature.page, signature.label) == (5, "借款人（签字）：")
    assert signature.bbox == slot.ink_bbox


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_slots_on_a_scanned_signature_page_with_real_ocr(seed: int) -> None:
    image = blank_page()
    draw = ImageDraw.Draw(image)
    font = cjk_font(28)
    for k in range(8):
        draw.text((130, 300 + 44 * k), BODY, fill=INK, font=font)
    rows = [
        ("贷款人（盖章）：青禾农村商业银行股份有限公司", None),
        ("法定代表人或授权代表（签字）：", "signed"),
        ("借款人（签字）：", "signed+print"),
        ("保证人（签章）：", "empty"),
        ("授权代表签字：张建国", "typed"),
    ]
    y = 1000
    for label, what in rows:
        draw.text((130, y), label, fill=INK, font=font)
        x = 130 + draw.textlength(label, font=font) + 10
        if what and what.startswith("signed"):
            draw_signature(image, (x, y - 20, x + 230, y + 55), seed=seed * 10 + y)
        if what == "signed+print":
            draw_fingerprint(image, (x + 260, y + 15), seed=seed)
        y += 110
    draw_seal(image, (520, 1015), name="青禾农村商业银行股份有限公司", seed=seed)
    scan = scan_effects(image, seed=seed)
    slots = find_signatures(scan, ocr_image(remove_red(scan)))
    assert [(s.label, s.signed) for s in slots] == [
        ("法定代表人或授权代表（签字）：", True),
        ("借款人（签字）：", True),
        ("保证人（签章）：", False),
        ("授权代表签字：", False),
    ]
    assert slots[3].typed == "张建国"
