"""Red seals on page images drawn in code (`eval.contract_marks`): found, read, and lifted off the text.

Detection tests run without OCR. Tests that read text run the OCR models and are marked `slow`
(about 0.3 s per page of seals on 2 cores).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

import numpy as np
import pytest
from PIL import Image, ImageDraw

from bankmind.contracts.seals import (
    SealMark,
    find_seals,
    read_seals,
    remove_red,
    seals_on_page,
)
from bankmind.contracts.types import BBox
from bankmind.documents.ocr import RecognisedLine, ocr_image, recognize_lines
from bankmind.eval.contract_marks import (
    SealShape,
    cjk_font,
    draw_fingerprint,
    draw_seal,
    draw_signature,
    rotate_bbox,
    scan_effects,
)

from .pages import INK, blank_page, skip_without_cjk_font

skip_without_cjk_font()

NAMES = (
    "青禾农村商业银行股份有限公司",
    "杭州明远机械制造有限公司",
    "江苏恒泰建设工程有限公司",
    "中国工商银行股份有限公司南京分行",
    "上海浦江物流有限公司",
    "成都天府融资担保有限公司",
)
PERSONS = ("王建国印", "李明之印", "张伟")
BODY = "本合同一式三份，签订日期：2025年6月4日，金额：人民币1,000,000.00元"


def _page(lines: int = 4, top: int = 1260) -> Image.Image:
    """A white A4 page at 150 dpi with `lines` lines of contract text from `top`."""
    page = blank_page()
    draw = ImageDraw.Draw(page)
    for k in range(lines):
        draw.text((120, top + 60 * k), BODY, fill=INK, font=cjk_font(30))
    return page


def _stamp(shape: SealShape, seed: int, *, scanned: bool) -> tuple[Image.Image, BBox, str]:
    """A page with one seal over text (and a thumb print beside it); the seal's box and text."""
    page = _page()
    if shape == "square":
        name, kind, radius = PERSONS[seed % len(PERSONS)], "", 60.0
    else:
        name, kind, radius = NAMES[seed % len(NAMES)], "合同专用章", None
    centre = (380 + 30 * seed, 1350)
    box = draw_seal(page, centre, name=name, kind=kind, shape=shape, radius=radius, seed=seed)
    draw_fingerprint(page, (950, 1360), seed=seed)
    if scanned:
        angle = (seed % 7 - 3) * 0.5
        return (
            scan_effects(page, seed=seed, angle=angle),
            rotate_bbox(box, size=page.size, angle=angle),
            name + kind,
        )
    return page, box, name + kind


def _iou(a: BBox, b: BBox) -> float:
    inter = max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _kept(read: str, expected: str) -> tuple[int, int]:
    """(characters of `expected` that `read` holds in order, characters of `read` that are not in it)."""
    matched = sum(b.size for b in SequenceMatcher(None, read, expected, autojunk=False).get_matching_blocks())
    return matched, len(read) - matched


def _edits(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


# drawing -----------------------------------------------------------------------------------------
def test_drawing_is_deterministic() -> None:
    images = []
    for _ in range(2):
        page = _page(lines=1)
        draw_seal(page, (400, 1300), name=NAMES[0], seed=7)
        draw_signature(page, (700, 1250, 950, 1340), seed=7)
        draw_fingerprint(page, (1050, 1300), seed=7)
        images.append(np.asarray(scan_effects(page, seed=7)))
    assert np.array_equal(images[0], images[1])


@pytest.mark.parametrize("angle", [-1.5, 0.7, 1.5])
def test_rotate_bbox_follows_the_scan_tilt(angle: float) -> None:
    page = blank_page()
    box = (200.0, 1300.0, 500.0, 1500.0)
    ImageDraw.Draw(page).rectangle(box, fill="black")
    turned = np.asarray(page.rotate(angle, fillcolor="white").convert("L")) < 128
    ys, xs = np.nonzero(turned)
    expected = rotate_bbox(box, size=page.size, angle=angle)
    assert np.allclose((xs.min(), ys.min(), xs.max(), ys.max()), expected, atol=3)


def test_draw_seal_returns_the_ink_box_and_refuses_other_shapes() -> None:
    page = blank_page()
    x0, y0, x1, y1 = draw_seal(page, (600, 800), name=NAMES[0], seed=1, rotation=0)
    assert (x1 - x0, y1 - y0) == pytest.approx((248, 248), abs=6)  # 42 mm at 150 dpi
    with pytest.raises(ValueError, match="triangle"):
        draw_seal(page, (600, 800), name=NAMES[0], shape="triangle")  # type: ignore[arg-type]


# finding -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("scanned", [False, True], ids=["clean", "scanned"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("shape", ["round", "oval", "square"])
def test_each_shape_is_found_where_it_was_stamped(shape: SealShape, seed: int, scanned: bool) -> None:
    page, box, _ = _stamp(shape, seed, scanned=scanned)
    found = find_seals(page)
    assert len(found) == 1, found  # the thumb print beside it is not a seal
    assert found[0].shape == shape
    assert _iou(found[0].bbox, box) >= 0.7
    assert 0.5 <= found[0].score <= 1.0


@pytest.mark.parametrize("seed", range(8))
def test_a_thumb_print_is_not_a_seal(seed: int) -> None:
    page = _page()
    draw_signature(page, (300, 1240, 560, 1330), seed=seed)
    draw_fingerprint(page, (560, 1300), seed=seed)  # on the signature, as people press it
    draw_fingerprint(page, (900, 1300), seed=seed + 100)
    assert find_seals(scan_effects(page, seed=seed) if seed % 2 else page) == []


def test_a_page_without_seals_has_none() -> None:
    assert find_seals(_page(lines=20, top=150)) == []
    grey = _page().convert("L")
    assert find_seals(grey) == []
    assert find_seals(np.asarray(grey)) == []


def test_red_print_is_not_a_seal() -> None:
    page = _page()
    draw = ImageDraw.Draw(page)
    draw.text((300, 150), "借款合同", fill=(200, 30, 40), font=cjk_font(64))  # a red title
    draw.text((120, 300), "合同编号：QH-2025-0601", fill=(200, 30, 40), font=cjk_font(30))
    draw.rectangle((120, 400, 1120, 700), outline=(200, 30, 40), width=3)  # a red table frame
    draw.line((120, 800, 1120, 800), fill=(200, 30, 40), width=3)
    draw.ellipse((600, 900, 660, 960), fill=(200, 30, 40))  # a filled red dot
    assert find_seals(page) == []


def test_touching_seals_are_found_apart() -> None:
    page = _page()
    round_box = draw_seal(page, (500, 1350), name=NAMES[1], seed=3)
    square_box = draw_seal(page, (680, 1290), name=PERSONS[0], kind="", shape="square", radius=50, seed=4)
    found = sorted(find_seals(page), key=lambda s: s.bbox[0])
    assert [s.shape for s in found] == ["round", "square"]
    assert _iou(found[0].bbox, round_box) >= 0.7
    assert _iou(found[1].bbox, square_box) >= 0.7


@pytest.mark.parametrize("angle", [-1.5, 1.5])
def test_a_tilted_noisy_scan_still_shows_its_seals(angle: float) -> None:
    page = _page()
    boxes = [
        draw_seal(page, (300, 1350), name=NAMES[0], seed=1),
        draw_seal(page, (800, 1350), name=NAMES[2], shape="oval", seed=2),
    ]
    scan = scan_effects(page, seed=5, angle=angle, noise=9.0, blur=0.9)
    found = sorted(find_seals(scan), key=lambda s: s.bbox[0])
    assert [s.shape for s in found] == ["round", "oval"]
    for mark, box in zip(found, boxes, strict=True):
        assert _iou(mark.bbox, rotate_bbox(box, size=page.size, angle=angle)) >= 0.7


def test_to_seal_carries_the_page_and_the_text() -> None:
    mark = SealMark(bbox=(1, 2, 3, 4), shape="round", score=0.91234, center=(2, 3), axes=(1, 1), angle=0)
    seal = mark.to_seal(3, "某某银行股份有限公司合同专用章")
    assert (seal.page, seal.bbox, seal.shape, seal.score) == (3, (1, 2, 3, 4), "round", 0.912)


# removing ----------------------------------------------------------------------------------------
def test_remove_red_keeps_the_kind_of_image_and_clean_pages() -> None:
    page = _page(lines=1)
    assert np.array_equal(np.asarray(remove_red(page)), np.asarray(page))
    draw_seal(page, (400, 1280), name=NAMES[0], seed=2)
    cleaned = remove_red(page)
    assert isinstance(cleaned, Image.Image)
    assert find_seals(cleaned) == []
    array = np.asarray(page)[:, :, ::-1].copy()
    cleaned_array = remove_red(array)
    assert isinstance(cleaned_array, np.ndarray) and cleaned_array.shape == array.shape
    # the black text under the seal is still black
    text = np.asarray(_page(lines=1).convert("L")) < 100
    assert (np.asarray(cleaned.convert("L"))[text] < 120).mean() > 0.9


# reading (OCR) -----------------------------------------------------------------------------------
@pytest.mark.slow
def test_seal_text_is_read_from_every_shape() -> None:
    """Name along the rim plus the words at the centre, over four lines of text (black over red hides
    the red). Characters read unsurely are left out, so a reading is judged by what it kept: round and
    square seals read almost whole, ovals (the hardest warp) more than half; a wrong character kept
    comes with a confidence below what `seal_doubt` needs to call the seal someone else's."""
    shapes: tuple[SealShape, ...] = ("round", "oval", "square")
    for shape in shapes:
        for seed in range(4):
            page, _, expected = _stamp(shape, seed, scanned=seed % 2 == 1)
            (mark,) = find_seals(page)
            (read,) = read_seals(page, [mark])
            kept, wrong = _kept(read.text, expected)
            assert kept / len(expected) >= (0.5 if shape == "oval" else 0.65), (shape, seed, read)
            assert wrong <= 3, (shape, seed, read)
            assert wrong == 0 or read.confidence < 0.85, (shape, seed, read)


def test_seals_on_page_reads_every_seal_with_one_recognition_call() -> None:
    page = _page()
    draw_seal(page, (300, 1350), name=NAMES[0], seed=1)
    draw_seal(page, (750, 1350), name=NAMES[5], shape="oval", seed=2)
    draw_seal(page, (1050, 1350), name=PERSONS[0], kind="", shape="square", radius=55, seed=3)
    calls = []

    def counted(lines: list[np.ndarray]) -> list[RecognisedLine]:
        calls.append(len(lines))
        return recognize_lines(lines)

    marks = find_seals(page)
    texts = [r.text for r in read_seals(page, marks, recognize=counted)]
    assert len(calls) == 1
    expected = [NAMES[0] + "合同专用章", NAMES[5] + "合同专用章", PERSONS[0]]
    for text, want in zip(texts, expected, strict=True):
        kept, wrong = _kept(text, want)
        assert kept / len(want) >= 0.55 and wrong <= 1, texts
    seals = seals_on_page(page, page_number=4)
    assert [s.page for s in seals] == [4, 4, 4]
    assert [s.text for s in seals] == texts
    reads = read_seals(page, marks)
    assert all(0.6 <= r.confidence <= 1.0 for r in reads), reads
    assert [s.score for s in seals] == [
        round(m.score * r.confidence, 3) for m, r in zip(marks, reads, strict=True)
    ]


@pytest.mark.slow
def test_a_sibling_branch_seal_is_read_apart_from_the_party_name() -> None:
    """The characters that tell two branches of one bank apart are read, surely enough to judge."""
    page = _page()
    draw_seal(page, (400, 1350), name="青禾农村商业银行股份有限公司城西支行", seed=5)
    page = scan_effects(page, seed=5)
    (read,) = read_seals(page, find_seals(page))
    assert "城西" in read.text and read.confidence >= 0.85, read


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 4, 5])
def test_text_under_a_seal_is_read_once_the_red_is_removed(seed: int) -> None:
    page = Image.new("RGB", (700, 400), "white")
    draw = ImageDraw.Draw(page)
    draw.text((60, 150), "签订日期：2025年6月4日", fill=INK, font=cjk_font(30))
    draw.text((60, 200), "金额：人民币1,234,567.89元", fill=INK, font=cjk_font(30))
    draw_seal(page, (300 + 20 * seed, 190), name=NAMES[0], seed=seed, radius=90)
    if seed % 2:
        page = scan_effects(page, seed=seed)
    read = "".join(line.text for line in ocr_image(remove_red(page)))
    digits = re.sub(r"\D", "", read)
    assert "202564" in digits
    assert "123456789" in digits
