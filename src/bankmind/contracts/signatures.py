"""Handwritten signatures in the signature slots (签字 / 签章) of a scanned page.

    lines = ocr_image(page)
    slots = find_signatures(page, lines)
    # [SignatureSlot(label='借款人（签字）：', signed=True, score=0.93, ...),
    #  SignatureSlot(label='法定代表人（签字或盖章）：', signed=False, score=0.0, ...)]
    signatures = [s.to_signature(page=3) for s in slots if s.signed]

`page` is a PIL image or an OpenCV array (BGR or grey) and `lines` its OCR lines in the same
pixels. Each printed label that asks for a signature (借款人（签字）, 签字：, 签章, 法定代表人（签字或
盖章）, 授权代表签字 …) gives one slot, signed or not: an empty slot is a finding
(`missing_signature`), so the caller needs those as well as the signed ones.

A slot is the space after its label on the same row (up to the next printed text on the row), or
under the label when the row has no room. In it, ink is handwriting when it is not printed text
and looks written: printed text is what OCR read there with confidence, at the label's height
and at about one character per line-height of width (a typed name 张建国 is printed, not signed);
what remains must be dark (black or blue; red seals and thumb prints are not signatures), more
than specks or straight rules, and drawn in curves: printed Chinese is mostly horizontal and
vertical strokes, a pen moving fast is not.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from bankmind.contracts.seals import red_mask
from bankmind.contracts.types import BBox, Signature
from bankmind.documents.ocr import OcrLine

__all__ = ["SIGNATURE_LABEL", "SignatureSlot", "find_signatures"]

log = logging.getLogger(__name__)

U8 = NDArray[np.uint8]

SIGNATURE_LABEL = re.compile(
    r"(?P<label>[^\s，。；;,:：（）()]{0,16}?(?:[（(][^（）()]{0,8}?)?"
    r"(?:签字|签章|签名|签署)(?!日期|时间|地点|页|之日|生效)"
    r"(?:[或及并和/、](?:盖章|盖印|捺印|按指印|指印|印章))?[）)]?\s*[:：]?)"
)
"""A label asking for a signature, e.g. 借款人（签字）：, 授权代表签字：, （签章）."""
_SENTENCE = re.compile(r"[。；;]|之日|生效|应当|双方|各方")
"""Words of a clause that mentions signing (本合同自双方签字盖章之日起生效), not of a label."""
_HANDWRITING = 0.5


@dataclass(frozen=True)
class SignatureSlot:
    """A place on the page that asks for a signature, and whether it holds one."""

    label: str
    """The label as printed, e.g. `借款人（签字）：`."""
    label_bbox: BBox
    bbox: BBox
    """The area searched for handwriting, in pixels of the page image."""
    signed: bool
    score: float
    """0–1: how surely the slot holds handwriting."""
    ink_bbox: BBox | None = None
    """Where the handwriting is, when signed."""
    typed: str = ""
    """Printed text found in the slot (a typed name), which is not a signature on a scan."""

    def to_signature(self, page: int) -> Signature:
        """The inspection record of this slot's signature on 1-based `page`."""
        return Signature(
            page=page, bbox=self.ink_bbox or self.bbox, label=self.label.strip(), score=round(self.score, 3)
        )


def find_signatures(image: Image.Image | U8, ocr_lines: list[OcrLine]) -> list[SignatureSlot]:
    """Every signature slot on the page, top to bottom, each signed or not.

    `ocr_lines` are the page's OCR lines (`ocr_image(image)`); no OCR is run here.
    """
    bgr = _bgr(image)
    height, width = bgr.shape[:2]
    metrics = _metrics(ocr_lines)
    printed = [_box(line) for line in ocr_lines if _looks_printed(line.text, _box(line), line.score, metrics)]
    slots: list[SignatureSlot] = []
    for line in ocr_lines:
        for match in _labels(line.text):
            label_box, rest_box = _split_box(line, match.start("label"), match.end("label"), metrics)
            rest = line.text[match.end("label") :].strip()
            blockers = [b for b in printed if b != _box(line)]
            bare = match.group("label").startswith(("（", "("))
            area = _slot_area(label_box, blockers, (width, height), metrics.line_h, bare=bare)
            found = _judge(
                bgr, match.group("label"), label_box, area, line, rest, rest_box, ocr_lines, metrics
            )
            slots.append(found)
    slots.sort(key=lambda s: (s.label_bbox[1], s.label_bbox[0]))
    log.debug(
        "contracts.signatures.found", extra={"slots": len(slots), "signed": sum(s.signed for s in slots)}
    )
    return slots


@dataclass(frozen=True)
class _Metrics:
    """The page's printed text: OCR box height of a line, and advance of one CJK character."""

    line_h: float
    pitch: float


def _metrics(lines: list[OcrLine]) -> _Metrics:
    """Medians over lines OCR read confidently with four or more characters (printed body text)."""
    heights, pitches = [], []
    for line in lines:
        units = _units(line.text)
        if line.score >= 0.9 and units >= 4:
            x0, y0, x1, y1 = _box(line)
            heights.append(y1 - y0)
            pitches.append((x1 - x0) / units)
    if not heights:
        tallest = max((_box(line)[3] - _box(line)[1] for line in lines), default=40.0)
        return _Metrics(tallest, 0.64 * tallest)
    return _Metrics(float(np.median(heights)), float(np.median(pitches)))


def _units(text: str) -> float:
    """Width of `text` in CJK characters (ASCII counts half)."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.5 for ch in text if not ch.isspace())


# labels ------------------------------------------------------------------------------------------
def _labels(text: str) -> list[re.Match[str]]:
    """The signature labels in one OCR line; none in a clause about signing."""
    found = []
    for match in SIGNATURE_LABEL.finditer(text):
        before = text[: match.start("label")]
        if _SENTENCE.search(text) and not match.group("label").rstrip().endswith((":", "：", "）", ")")):
            continue
        if _SENTENCE.search(match.group("label")) or len(before) > 20:
            continue
        found.append(match)
    return found


def _split_box(line: OcrLine, start: int, end: int, metrics: _Metrics) -> tuple[BBox, BBox | None]:
    """Boxes of characters `start`…`end` of the line and of what follows.

    A printed line is split in proportion to its characters. A line whose box is wider or taller
    than print (OCR joined the label and the handwriting after it) is measured with the page's
    character advance from its left end, at the page's line height about its middle.
    """
    text = line.text
    units = [1.0 if ord(ch) > 0x2E80 else 0.5 for ch in text]
    total = sum(units) or 1.0
    x0, y0, x1, y1 = _box(line)
    if 0.8 * metrics.pitch <= (x1 - x0) / total <= 1.25 * metrics.pitch:
        a = x0 + (x1 - x0) * sum(units[:start]) / total
        b = x0 + (x1 - x0) * sum(units[:end]) / total
    else:
        a = min(x1, x0 + metrics.pitch * sum(units[:start]))
        b = min(x1, x0 + metrics.pitch * sum(units[:end]) + 0.3 * metrics.pitch)
    if y1 - y0 > 1.3 * metrics.line_h:
        middle = (y0 + y1) / 2
        y0, y1 = middle - metrics.line_h / 2, middle + metrics.line_h / 2
    label = (a, y0, b, y1)
    rest = (b, *_box(line)[1:]) if end < len(text) and x1 - b > 2 else None
    return label, rest


def _slot_area(label: BBox, blockers: list[BBox], size: tuple[int, int], h: float, *, bare: bool) -> BBox:
    """Where a signature for `label` would be written: right of it up to the next printed text on
    its row (text just after the label is in the slot), or under it when the row has no room;
    above it for a bare （签字） printed under a blank line. `h` is the page's line height."""
    x0, y0, x1, y1 = label
    width, height = size
    if bare:
        return (max(0.0, x0 - 2 * h), max(0.0, y0 - 2.2 * h), min(width, x1 + 2 * h), y0)
    right = min(width - 0.5 * h, x1 + 10 * h)
    for bx0, by0, _, by1 in blockers:
        same_row = min(y1, by1) - max(y0, by0) > 0.4 * h
        if same_row and bx0 >= x1 + 2.5 * h:  # nearer, it is what fills the slot (a typed name)
            right = min(right, bx0 - 0.3 * h)
    if right - x1 >= 3 * h:
        return (x1, max(0.0, y0 - 1.1 * h), right, min(height, y1 + 1.1 * h))
    return (x0, y1, min(width, x0 + 10 * h), min(height, y1 + 2.5 * h))


# judging -----------------------------------------------------------------------------------------
def _judge(
    bgr: U8,
    label: str,
    label_box: BBox,
    area: BBox,
    line: OcrLine,
    rest: str,
    rest_box: BBox | None,
    lines: list[OcrLine],
    metrics: _Metrics,
) -> SignatureSlot:
    h = max(8.0, metrics.line_h)
    printed: list[BBox] = [label_box]
    typed: list[str] = []
    if rest and rest_box is not None and _looks_printed(rest, rest_box, line.score, metrics):
        printed.append(rest_box)
        typed.append(rest)
    for other in lines:
        if other is line:
            continue
        box = _box(other)
        if _overlap(box, area) <= 0:
            continue
        if _looks_printed(other.text, box, other.score, metrics):
            printed.append(box)
            if _overlap(box, area) > 0.5 * _area(box):
                typed.append(other.text)
    ax0, ay0 = max(0, int(area[0])), max(0, int(area[1]))
    ax1, ay1 = min(bgr.shape[1], math.ceil(area[2])), min(bgr.shape[0], math.ceil(area[3]))
    slot = SignatureSlot(
        label=label, label_bbox=label_box, bbox=area, signed=False, score=0.0, typed="".join(typed)
    )
    if ax1 - ax0 < 4 or ay1 - ay0 < 4:
        return slot
    ink = _ink(bgr[ay0:ay1, ax0:ax1], h)
    for bx0, by0, bx1, by1 in printed:  # printed text is not handwriting, however it looks
        pad = 0.12 * h
        ink[
            max(0, int(by0 - pad - ay0)) : max(0, int(by1 + pad - ay0) + 1),
            max(0, int(bx0 - pad - ax0)) : max(0, int(bx1 + pad - ax0) + 1),
        ] = 0
    score, ink_box = _handwriting(ink, h, row=(label_box[1] - ay0, label_box[3] - ay0))
    if ink_box is not None:
        ink_box = (ink_box[0] + ax0, ink_box[1] + ay0, ink_box[2] + ax0, ink_box[3] + ay0)
    return SignatureSlot(
        label=label,
        label_bbox=label_box,
        bbox=area,
        signed=score >= _HANDWRITING,
        score=round(score, 3),
        ink_bbox=ink_box if score >= _HANDWRITING else None,
        typed=slot.typed,
    )


def _looks_printed(text: str, box: BBox, score: float, metrics: _Metrics) -> bool:
    """Whether an OCR reading is printed text: read with confidence, at about the page's line
    height and character advance (a scrawl read as 张三 is taller, or two or three times wider)."""
    chars = _units(text)
    if not chars or score < 0.8:
        return False
    height, width = box[3] - box[1], box[2] - box[0]
    if not 0.6 * metrics.line_h <= height <= 1.4 * metrics.line_h:
        return False
    return 0.6 * metrics.pitch <= width / chars <= 1.5 * metrics.pitch


def _ink(crop: U8, h: float) -> U8:
    """Dark pen or toner ink in a crop (1 = ink): clearly darker than the paper, and not red."""
    value = crop.max(axis=2).astype(np.int16)
    paper = int(np.percentile(value, 75))
    dark = value < paper - 45
    red = red_mask(crop, loose=True) > 0
    ink = (dark & ~red).astype(np.uint8)
    # straight rules (underlines for the signature, table borders) are not writing
    span = max(8, int(2 * h))
    across = np.asarray(cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, span), np.uint8)), dtype=np.uint8)
    down = np.asarray(cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((span, 1), np.uint8)), dtype=np.uint8)
    return np.asarray(ink & ~(across | down), dtype=np.uint8)


def _handwriting(ink: U8, h: float, *, row: tuple[float, float]) -> tuple[float, BBox | None]:
    """How surely the ink left in a slot is handwriting (0–1), and its box.

    `h` is the page's line height (OCR box); printed characters are about 0.65 h tall. Only writing
    that reaches into the label's `row` (top, bottom in the crop) counts. Handwriting
    is enough ink (not specks), reaching further than a printed character (taller, or in strokes
    joined across characters), and written in curves: the share of stroke edges running near
    horizontal or vertical is 0.45–0.65 in printed Chinese and 0.3–0.42 in a scrawl.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    areas, widths, heights = (
        stats[:, cv2.CC_STAT_AREA],
        stats[:, cv2.CC_STAT_WIDTH],
        stats[:, cv2.CC_STAT_HEIGHT],
    )
    keep = (areas >= max(8.0, 0.01 * h * h)) | (np.maximum(widths, heights) >= 0.3 * h)
    keep[0] = False  # the background
    if not keep.any():
        return 0.0, None
    strokes = keep[labels]
    # the writing: strokes near each other grouped, the group with the most ink
    joined = cv2.dilate(
        strokes.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=max(1, round(0.08 * h))
    )
    groups, group_of, group_stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    ink_per_group = np.bincount(group_of[strokes], minlength=groups)
    tops = group_stats[:, cv2.CC_STAT_TOP]
    on_row = (tops < row[1]) & (tops + group_stats[:, cv2.CC_STAT_HEIGHT] > row[0])
    ink_per_group[~on_row] = 0  # writing that belongs to the rows above or below
    ink_per_group[0] = 0
    if not ink_per_group.any():
        return 0.0, None
    main = int(np.argmax(ink_per_group))
    strokes &= group_of == main
    ys, xs = np.nonzero(strokes)
    amount = len(xs) / (h * h)
    x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
    biggest = int(
        np.maximum(widths, heights)[keep & (np.bincount(labels[strokes], minlength=count) > 0)].max()
    )
    reach = max(y1 - y0, biggest) / h
    straight = _axis_share(strokes.astype(np.float32))
    score = (
        float(np.clip(amount / 0.2, 0.0, 1.0))
        * float(np.clip((reach - 0.9) / 0.4, 0.0, 1.0))
        * float(np.clip((0.62 - straight) / 0.12, 0.0, 1.0))
    )
    log.debug(
        "contracts.signatures.ink",
        extra={"amount": round(amount, 3), "reach": round(reach, 2), "straight": round(straight, 3),
               "score": round(score, 3)},
    )  # fmt: skip
    return score, (float(x0), float(y0), float(x1), float(y1))


def _axis_share(strokes: NDArray[np.float32]) -> float:
    """Share of edge strength whose direction is within 15° of horizontal or vertical."""
    smooth = cv2.GaussianBlur(strokes, (3, 3), 0.8)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = np.hypot(gx, gy)
    total = float(magnitude.sum())
    if total <= 0:
        return 1.0
    angle = np.degrees(np.arctan2(gy, gx)) % 90.0  # 0 and 90 both mean axis-aligned
    near_axis = (angle < 15.0) | (angle > 75.0)
    return float(magnitude[near_axis].sum()) / total


# geometry ----------------------------------------------------------------------------------------
def _box(line: OcrLine) -> BBox:
    xs = [x for x, _ in line.bbox]
    ys = [y for _, y in line.bbox]
    return (min(xs), min(ys), max(xs), max(ys))


def _area(box: BBox) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _overlap(a: BBox, b: BBox) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _bgr(image: Image.Image | U8) -> U8:
    if isinstance(image, Image.Image):
        return np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
    if image.ndim == 2:
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    return np.ascontiguousarray(image[:, :, :3])
