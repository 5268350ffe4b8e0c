"""Red seals (印章) on page images: find them, read them, and lift them off the text beneath.

    marks = find_seals(page)                     # [SealMark(bbox=(176, 76, 425, 325), shape='round', ...)]
    reads = read_seals(page, marks)              # [SealRead(text='…合同专用章', confidence=0.98)]
    seals = seals_on_page(page, page_number=3)   # [Seal(page=3, ..., text='…合同专用章')]
    clean = remove_red(page)                     # the page with its red ink removed, for OCR

`page` is a PIL image or an OpenCV array (BGR, or grey: no seals), in pixels of the page image.

Finding: red pixels (two hue ranges of HSV, since red wraps around 0°) on a page shrunk to about
620 pixels across; each red region of a plausible size is outlined by the convex hull of its red
(text printed across a rim cannot dent it), fitted with an ellipse or a rotated square, and kept
only if it is a *ring*: a thin line of ink all the way round, red falling away just inside it,
less ink inside than on it, none just outside. A thumb print (指印) is an evenly inked blob, not a
ring; red titles, rules and table frames are not closed or not of a seal's size. Seals touching
each other or a thumb print are separated by a Hough transform for circles, then by looking again
at what is left once those rings are taken away.

Reading: the ink is the page's brightness where the red is (a JPEG keeps colour at half the
resolution of brightness: strokes drawn from colour alone are blobs), black text across it filled
in from around. The seal is warped onto a circle and turned so the words under the star
(合同专用章) point down; those are cut out, the band inside the ring is unrolled with a polar
transform (cv2.warpPolar) into a straight strip starting at the rim text's first character (both
ways round when no words show which way is down), and every line of every seal on the page goes
to the OCR recogniser alone, in one batch: the line is known, so no detection is needed. A square
seal's rows are laid end to end in one line. Characters read with less than `_SURE` confidence
are left out, like characters hidden under text: what remains was read, and the read's
confidence says how much of the ring was read surely.

Removing: red ink absorbs green and blue light and passes red, so in the red channel a seal all
but vanishes while black text under it stays dark. Red pixels are redrawn from their red channel
in the local paper colour.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from bankmind.contracts.types import BBox, Seal
from bankmind.documents.ocr import RecognisedLine, recognize_lines

__all__ = [
    "SealMark",
    "SealRead",
    "find_seals",
    "read_seals",
    "red_mask",
    "remove_red",
    "seals_on_page",
]

log = logging.getLogger(__name__)

SealShape = Literal["round", "oval", "square"]
U8 = NDArray[np.uint8]
F32 = NDArray[np.float32]
Points = NDArray[np.int32]
PageImage = TypeVar("PageImage", Image.Image, U8)
Recognize = Callable[[list[U8]], list[RecognisedLine]]

_WORK_SIDE = 620
"""Detection runs on the page shrunk so its shorter side is about this many pixels."""
_MIN_SEAL = 0.045
_MAX_SEAL = 0.5
"""A seal's larger side, as a fraction of the page's shorter side (8 mm … 105 mm on A4)."""
_MIN_SCORE = 0.5
_INK_LEVEL = 190
"""In the grey ink image of a seal (white paper), darker than this is ink rather than haze."""
_TEXT_CHARS = re.compile(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z0-9（）()]")
_SURE = 0.5
"""A character the recogniser is less sure of than this is left out of a seal's text."""
_VERY_SURE = 0.9
_WORDS_SURE = 0.8
"""The words at the centre (合同专用章) join the text only when every character is this sure."""
_UPSCALE = 2
"""A round seal is read at twice the page's pixels: each warp on the way to a straight line blurs."""
_LINE_HEIGHT = 48
"""The recogniser's input height: a line is cut to its band of ink and scaled to it."""


@dataclass(frozen=True)
class SealMark:
    """A seal found on a page image, with the geometry needed to read it."""

    bbox: BBox
    """x0, y0, x1, y1 in pixels of the page image."""
    shape: SealShape
    score: float
    """0–1: how ring-like the outline is (a thin, unbroken rim; less red inside, none outside)."""
    center: tuple[float, float]
    axes: tuple[float, float]
    """Semi-axes in pixels along the seal's own x and y (half sides for a square)."""
    angle: float
    """Degrees the seal's own x axis is turned clockwise from the page's (OpenCV's convention)."""

    def to_seal(self, page: int, text: str = "", confidence: float = 1.0) -> Seal:
        """The inspection record for this seal on 1-based `page`; its score is how ring-like the
        mark is times how sure the reading of its text is (`SealRead.confidence`)."""
        score = round(self.score * confidence, 3)
        return Seal(page=page, bbox=self.bbox, shape=self.shape, text=text, score=score)


@dataclass(frozen=True)
class SealRead:
    """A seal's text as read, and how sure the reading is."""

    text: str
    confidence: float
    """0–1: the share of the characters the recogniser saw in the name (those left out too) that it
    read with at least `_VERY_SURE` confidence; 0 when nothing was read."""


# public ------------------------------------------------------------------------------------------
def find_seals(image: Image.Image | U8) -> list[SealMark]:
    """The red seals on a page image, top to bottom; [] when there are none.

    Round, oval and square seals are found whole when at least most of their rim is red and
    visible; fingerprints, red handwriting and red rules are not seals.
    """
    bgr = _bgr(image)
    if bgr is None:
        return []
    height, width = bgr.shape[:2]
    scale = min(1.0, _WORK_SIDE / min(height, width))
    small = _u8(cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)) if scale < 1 else bgr
    mask = red_mask(small)
    dark = _dark_mask(small, mask)
    short = min(small.shape[:2])
    kept = _best(_judged(mask, dark, _outlines(mask, short), scale), [])
    # seals that touch each other or a thumb print share one outline: look for rings inside such
    # outlines, then for what is left once the rings found are taken away
    rings = _best(_judged(mask, dark, _circles(mask, short), scale), kept)
    if len(rings) > len(kept):
        rest = mask.copy()
        for mark in rings:
            axes = (int(mark.axes[0] * scale * 1.06) + 2, int(mark.axes[1] * scale * 1.06) + 2)
            centre = (round(mark.center[0] * scale), round(mark.center[1] * scale))
            if mark.shape == "square":
                corners = cv2.boxPoints((centre, (2 * axes[0], 2 * axes[1]), mark.angle))
                cv2.fillPoly(rest, [np.asarray(corners, dtype=np.int32)], 0)
            else:
                cv2.ellipse(rest, centre, axes, mark.angle, 0, 360, 0, thickness=-1)
        rings = _best(_judged(rest, dark, _outlines(rest, short), scale), rings)
    kept = rings
    kept.sort(key=lambda m: (m.bbox[1], m.bbox[0]))
    log.debug("contracts.seals.found", extra={"seals": len(kept)})
    return kept


def read_seals(
    image: Image.Image | U8, seals: list[SealMark], *, recognize: Recognize | None = None
) -> list[SealRead]:
    """Every seal of one page read (see the module docstring), with one recognition call."""
    bgr = _bgr(image)
    if bgr is None or not seals:
        return [SealRead("", 0.0) for _ in seals]
    lines: list[U8] = []
    roles: list[tuple[int, str]] = []
    for k, seal in enumerate(seals):
        ink = _red_ink(bgr, seal)
        if seal.shape == "square":
            pieces = [("name", _upright_square(ink, seal))]
        else:
            strip, centre, upright = _round_crops(*_as_circle(ink, seal))
            pieces = [("name", strip), ("words", centre)]
            if not upright and strip.size:  # which way is down is unknown: read it both ways round
                pieces.append(("name", strip[::-1, ::-1].copy()))
        for role, crop in pieces:
            line = _as_line(crop)
            if line.size:
                lines.append(line)
                roles.append((k, role))
    reads = (recognize or recognize_lines)(lines) if lines else []
    names: dict[int, SealRead] = {}
    words: dict[int, str] = {}
    for (k, role), read in zip(roles, reads, strict=True):
        text = "".join(ch for ch, c in zip(read.text, read.confidences, strict=True) if _kept(ch, c))
        if role == "words":
            words[k] = text if all(c >= _WORDS_SURE for c in read.confidences) else ""
            continue
        sure = sum(c >= _VERY_SURE for c in read.confidences)
        confidence = sure / len(read.confidences) if read.confidences else 0.0
        candidate = SealRead(text, round(confidence, 3))
        if k not in names or _weight(candidate) > _weight(names[k]):
            names[k] = candidate
    out = []
    for k in range(len(seals)):
        name = names.get(k, SealRead("", 0.0))
        out.append(SealRead(name.text + words.get(k, ""), name.confidence))
    return out


def _kept(ch: str, confidence: float) -> bool:
    return confidence >= _SURE and bool(_TEXT_CHARS.fullmatch(ch))


def _weight(read: SealRead) -> float:
    """Which of two readings of one ring to keep: more characters read, read more surely."""
    return len(read.text) * read.confidence


def seals_on_page(image: Image.Image | U8, *, page_number: int = 1, read: bool = True) -> list[Seal]:
    """`find_seals` and, with `read`, `read_seals`: the `Seal` records of one page."""
    marks = find_seals(image)
    reads = read_seals(image, marks) if read else [SealRead("", 1.0) for _ in marks]
    return [mark.to_seal(page_number, r.text, r.confidence) for mark, r in zip(marks, reads, strict=True)]


def remove_red(image: PageImage) -> PageImage:
    """A copy of the page with red ink taken out, so OCR reads dates and amounts under a seal.

    Red pixels are redrawn in the local paper colour, darkened by what their red channel says lay
    beneath (black text under red ink stays black). Same kind of image as given.
    """
    bgr = _bgr(image)
    if bgr is None:
        return image.copy()
    mask = red_mask(bgr, loose=True)
    if not mask.any():
        return image.copy()
    mask = _u8(cv2.dilate(mask, np.ones((3, 3), np.uint8)))
    paper = _paper(bgr, mask)
    red = bgr[:, :, 2].astype(np.float32)
    on = mask > 0
    reference = float(np.percentile(red[on], 90)) or 255.0
    # red ink itself dims the red channel a little (to 80–100 % of paper): that much is paper
    shade = np.clip(red / (0.8 * reference), 0.0, 1.0)
    out = bgr.copy()
    out[on] = np.clip(paper[on] * shade[on, None], 0, 255).astype(np.uint8)
    if isinstance(image, Image.Image):
        return Image.fromarray(out[:, :, ::-1].copy())
    return out


def red_mask(bgr: U8, *, loose: bool = False) -> U8:
    """255 where a BGR image shows red ink (hue within about ±20° of red, saturated, not black).

    `loose` also takes the faint pink at the edges of strokes (for removal, not for finding).
    """
    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    s_min, v_min = (35, 40) if loose else (60, 60)
    low = cv2.inRange(hsv, (0, s_min, v_min), (10, 255, 255))
    high = cv2.inRange(hsv, (160, s_min, v_min), (180, 255, 255))
    return _u8(cv2.bitwise_or(low, high))


# finding -----------------------------------------------------------------------------------------
def _judged(mask: U8, dark: U8, outlines: list[Points], scale: float) -> list[SealMark]:
    return [mark for hull in outlines if (mark := _judge(mask, dark, hull, scale)) is not None]


def _best(found: list[SealMark], kept: list[SealMark]) -> list[SealMark]:
    """`kept` and the best of `found`, one seal per place: a candidate centred inside a seal already
    kept, or inside a better candidate, is dropped."""
    kept = list(kept)
    for mark in sorted(found, key=lambda m: -m.score):
        if not any(_inside(mark.center, other.bbox) or _inside(other.center, mark.bbox) for other in kept):
            kept.append(mark)
    return kept


def _circles(mask: U8, short: int) -> list[Points]:
    """Outlines of the rings a Hough transform finds in the red, each widened to the ring's outer
    edge (the transform centres on the middle of the stroke)."""
    min_r, max_r = int(_MIN_SEAL * short / 2), int(_MAX_SEAL * short / 2)
    blurred = cv2.GaussianBlur(mask, (5, 5), 1.5)
    found = cv2.HoughCircles(
        blurred, cv2.HOUGH_GRADIENT, dp=1.5, minDist=max(8, min_r), param1=120, param2=40,
        minRadius=max(4, min_r), maxRadius=max_r,
    )  # fmt: skip
    outlines: list[Points] = []
    if found is None:
        return outlines
    for x, y, r in np.asarray(found, dtype=np.float32)[0][:12]:
        edge = _outer_edge(mask, (float(x), float(y)), float(r))
        polygon = cv2.ellipse2Poly((round(x), round(y)), (round(edge), round(edge)), 0, 0, 360, 5)
        outlines.append(np.asarray(polygon, dtype=np.int32).reshape(-1, 1, 2))
    return outlines


def _outer_edge(mask: U8, center: tuple[float, float], radius: float) -> float:
    """The radius where the red of a ring near `radius` ends on the outside."""
    x0, y0 = max(0, int(center[0] - 1.3 * radius)), max(0, int(center[1] - 1.3 * radius))
    x1, y1 = int(center[0] + 1.3 * radius) + 1, int(center[1] + 1.3 * radius) + 1
    window = mask[y0:y1, x0:x1] > 0
    ys, xs = np.mgrid[y0 : y0 + window.shape[0], x0 : x0 + window.shape[1]]
    distance = np.hypot(xs - center[0], ys - center[1]).astype(np.int32)
    counts = np.bincount(distance.ravel())
    inked = np.bincount(distance.ravel(), weights=window.ravel(), minlength=len(counts))
    profile = inked / np.maximum(counts, 1)
    low, high = int(0.8 * radius), min(len(profile) - 1, int(1.2 * radius) + 1)
    if high <= low:
        return radius
    peak = low + int(np.argmax(profile[low:high]))
    edge = peak
    while edge + 1 < len(profile) and profile[edge + 1] >= 0.5 * profile[peak]:
        edge += 1
    return float(edge) + 0.5


def _outlines(mask: U8, short: int) -> list[Points]:
    """Convex outlines of red regions of a seal's size, two ways.

    Lightly closed regions keep neighbouring seals apart; regions grown by a few pixels stay whole
    where black text across the rim broke the red. Either way the outline is the convex hull of
    the red pixels: a seal's rim is convex, so text across it cannot dent it.
    """
    hulls: list[Points] = []
    for size in (5, 11):
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
        joined = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel) if size == 5 else cv2.dilate(mask, kernel)
        contours, _ = cv2.findContours(joined, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            x, y, w, h = cv2.boundingRect(contour)
            if max(w, h) < _MIN_SEAL * short or max(w, h) > _MAX_SEAL * short + size:
                continue
            if size == 5:
                points = contour
            else:  # the red pixels of the grown region, not the growth
                region = np.zeros((h, w), np.uint8)
                cv2.drawContours(region, [contour], -1, 255, thickness=-1, offset=(-x, -y))
                ys, xs = np.nonzero(region & mask[y : y + h, x : x + w])
                if len(xs) < 12:
                    continue
                points = np.stack([xs + x, ys + y], axis=1).astype(np.int32).reshape(-1, 1, 2)
            hull = np.asarray(cv2.convexHull(points), dtype=np.int32)
            _, _, hw, hh = cv2.boundingRect(hull)
            if max(hw, hh) < _MIN_SEAL * short or max(hw, hh) > _MAX_SEAL * short:
                continue
            if min(hw, hh) < 0.4 * max(hw, hh) or len(hull) < 5:
                continue
            hulls.append(hull)
    return hulls


def _judge(mask: U8, dark: U8, hull: Points, scale: float) -> SealMark | None:
    """Fit the outline; a SealMark when the red inside and around it forms a ring, else None."""
    area = cv2.contourArea(hull)
    (rx, ry), (rw, rh), rangle = cv2.minAreaRect(hull)
    if rw < 4 or rh < 4:
        return None
    rectangular = area / (rw * rh)
    if rectangular > 0.9 and max(rw, rh) / min(rw, rh) < 1.6:
        shape: SealShape = "square"
        center, axes, angle = (rx, ry), (rw / 2, rh / 2), rangle
    else:
        (ex, ey), (ew, eh), eangle = cv2.fitEllipse(hull)
        if ew < 4 or eh < 4:
            return None
        center, axes, angle = (ex, ey), (ew / 2, eh / 2), eangle
        ratio = max(ew, eh) / min(ew, eh)
        if ratio > 2.2:
            return None
        shape = "round" if ratio < 1.15 else "oval"
    score = _ring_score(mask, dark, hull, center, axes, angle, square=shape == "square")
    if score < _MIN_SCORE:
        return None
    x, y, w, h = cv2.boundingRect(hull)
    bbox = (x / scale, y / scale, (x + w) / scale, (y + h) / scale)
    return SealMark(
        bbox=bbox,
        shape=shape,
        score=score,
        center=(center[0] / scale, center[1] / scale),
        axes=(axes[0] / scale, axes[1] / scale),
        angle=float(angle),
    )


def _ring_score(
    mask: U8,
    dark: U8,
    contour: Points,
    center: tuple[float, float],
    axes: tuple[float, float],
    angle: float,
    *,
    square: bool,
) -> float:
    """How much the red around the fitted outline looks like a seal's rim rather than a blob.

    The product of: the share of directions in which the rim band holds ink (continuity), how much
    fuller the rim band is than the inside (a thumb print is as full inside as at its edge), how
    sharply the red falls away just inside the rim (a thin line, not a fading edge), and how empty
    the band just outside is. Pixels of black text are left out of every share: on
    paper, text under a seal shows through and hides the red there.
    """
    x, y, w, h = cv2.boundingRect(contour)
    pad = max(3, int(0.15 * max(w, h)))
    x0, y0 = max(0, x - pad), max(0, y - pad)
    x1, y1 = min(mask.shape[1], x + w + pad), min(mask.shape[0], y + h + pad)
    window = mask[y0:y1, x0:x1] > 0
    seen = dark[y0:y1, x0:x1] == 0
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    theta = math.radians(angle)
    dx, dy = xs - center[0], ys - center[1]
    u = (dx * math.cos(theta) + dy * math.sin(theta)) / axes[0]
    v = (-dx * math.sin(theta) + dy * math.cos(theta)) / axes[1]
    rho = np.maximum(np.abs(u), np.abs(v)) if square else np.sqrt(u * u + v * v)
    step = max(0.02, 1.0 / min(axes))  # about one pixel of radius per bin
    bins = np.minimum((rho / step).astype(np.int32), int(1.3 / step) + 1)
    counts = np.bincount(bins.ravel(), weights=seen.ravel(), minlength=bins.max() + 1).astype(np.float32)
    inked = np.bincount(bins.ravel(), weights=window.ravel(), minlength=len(counts)).astype(np.float32)
    profile = inked / np.maximum(counts, 1.0)
    near = np.arange(int(0.85 / step), min(len(profile), int(1.08 / step) + 1))
    if len(near) == 0:
        return 0.0
    peak_bin = int(near[np.argmax(profile[near])])
    peak = float(profile[peak_bin])
    inside_mask = (rho < 0.8) & seen
    outside_mask = (rho > 1.12) & (rho < 1.3) & seen
    inside = float(window[inside_mask].mean()) if inside_mask.any() else 1.0
    outside = float(window[outside_mask].mean()) if outside_mask.any() else 0.0
    band = (np.abs(bins - peak_bin) <= 2) & (window | ~seen)
    directions = np.arctan2(v[band], u[band])
    sectors = np.unique(((directions + math.pi) / (2 * math.pi) * 72).astype(np.int32) % 72)
    continuity = len(sectors) / 72
    # a rim is a thin line: just inside it the red falls away (before the text), unlike the even
    # fill of a thumb print
    lo, hi = max(0, peak_bin - int(0.16 / step)), max(1, peak_bin - max(2, int(0.04 / step)))
    sharp = peak - float(profile[lo:hi].min()) if hi > lo else 0.0
    score = float(
        min(1.0, continuity / 0.9)
        * np.clip((peak - inside) / 0.4, 0.0, 1.0)
        * np.clip(peak / 0.6, 0.0, 1.0)
        * np.clip((sharp - 0.15) / 0.3, 0.0, 1.0)
        * np.clip(1.0 - outside / 0.15, 0.0, 1.0)
        * np.clip((0.6 - inside) / 0.3, 0.0, 1.0)
    )
    log.debug(
        "contracts.seals.ring",
        extra={"rim": round(peak, 3), "inside": round(inside, 3), "outside": round(outside, 3),
               "continuity": round(continuity, 3), "sharp": round(sharp, 3), "score": round(score, 3)},
    )  # fmt: skip
    return score


def _dark_mask(bgr: U8, red: U8) -> U8:
    """255 on dark pixels that are not red (printed text, pen ink)."""
    value = bgr.max(axis=2)
    return np.where((value < 130) & (red == 0), 255, 0).astype(np.uint8)


def _inside(point: tuple[float, float], bbox: BBox) -> bool:
    return bbox[0] <= point[0] <= bbox[2] and bbox[1] <= point[1] <= bbox[3]


# reading -----------------------------------------------------------------------------------------
def _red_ink(bgr: U8, seal: SealMark) -> tuple[U8, tuple[float, float]]:
    """The seal's neighbourhood as a grey ink image (red ink dark, everything else white) and the
    seal's centre in it.

    The strokes are the page's brightness (full resolution) where the colour says red (half
    resolution in a JPEG); black text across the seal, dark in the red channel where red ink is
    bright, is filled in from around it.
    """
    x0, y0, x1, y1 = seal.bbox
    pad = 0.1 * max(x1 - x0, y1 - y0)
    ix0, iy0 = max(0, int(x0 - pad)), max(0, int(y0 - pad))
    ix1, iy1 = min(bgr.shape[1], int(x1 + pad) + 1), min(bgr.shape[0], int(y1 + pad) + 1)
    crop = bgr[iy0:iy1, ix0:ix1]
    luma = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY).astype(np.float32)
    red = red_mask(crop, loose=True) > 0
    near_red = cv2.dilate(red.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    paper = float(np.percentile(luma, 90))
    full = float(np.percentile(luma[red], 10)) if red.any() else 0.0
    ink = np.clip((paper - luma) / max(1.0, paper - full), 0.0, 1.0)
    ink[~near_red] = 0.0
    grey = (255.0 * (1.0 - ink)).astype(np.uint8)
    hidden = _u8(
        cv2.dilate(np.where(crop[:, :, 2] < 120, 255, 0).astype(np.uint8), np.ones((3, 3), np.uint8))
    )
    if hidden.any():
        grey = _u8(cv2.inpaint(grey, hidden, 2, cv2.INPAINT_TELEA))
    return grey, (seal.center[0] - ix0, seal.center[1] - iy0)


def _as_circle(ink: tuple[U8, tuple[float, float]], seal: SealMark) -> tuple[U8, float]:
    """Warp an (oval) seal onto a circle of its larger semi-axis, centred in a square image."""
    grey, (cx, cy) = ink
    a, b = seal.axes
    radius = _UPSCALE * max(a, b)
    size = int(2 * radius * 1.12) + 1
    theta = math.radians(seal.angle)
    cos, sin = math.cos(theta), math.sin(theta)
    # page -> seal frame (rotate by -angle), stretch each axis to `radius`, then move to the centre
    sx, sy = radius / a, radius / b
    matrix = np.array(
        [
            [sx * cos, sx * sin, 0.0],
            [-sy * sin, sy * cos, 0.0],
        ],
        dtype=np.float64,
    )
    matrix[:, 2] = np.array([size / 2, size / 2]) - matrix[:, :2] @ np.array([cx, cy])
    disc = cv2.warpAffine(grey, matrix, (size, size), flags=cv2.INTER_CUBIC, borderValue=255)
    return _u8(disc), radius


def _round_crops(disc: U8, radius: float) -> tuple[U8, U8, bool]:
    """The rim text unrolled into a straight strip (tops up, left to right) and the words under the
    star, upright; either empty when not found. False when no words showed which way is down (the
    strip may then be upside down).

    The seal is first turned so its centre words point down. They are cut out before unrolling:
    on a seal they reach nearly as far out as the rim text, and would end up at the strip's ends.
    """
    center = (disc.shape[1] / 2, disc.shape[0] / 2)
    polar, rim_at = _polar(disc, radius)
    down = _downwards(polar, rim_at)
    words = np.zeros((0, 0), np.uint8)
    if down is not None:
        ring = rim_at * radius * 1.05 / polar.shape[1]
        turn = 360.0 * down / polar.shape[0] - 90.0
        upright = _turned(disc, center, turn)
        line = _words_line(upright, center, ring)
        if line is not None and abs(line[1]) > 1.0:  # level the words exactly: the centroid is rough
            turn += line[1]
            upright = _turned(disc, center, turn)
            line = _words_line(upright, center, ring)
        disc = upright
        if line is not None:
            x0, y0, x1, y1 = line[0]
            words = disc[y0:y1, x0:x1].copy()
            disc = disc.copy()
            disc[y0:y1, x0:x1] = 255
        polar, rim_at = _polar(disc, radius)
        down = polar.shape[0] // 4  # straight down: 90° from +x towards +y
    return _rim_strip(polar, rim_at, down), words, down is not None


def _polar(disc: U8, radius: float) -> tuple[U8, int]:
    """The ink of a seal disc in polar form (rows: angle from +x towards +y, one pixel of arc at the
    rim, a little more than one at the text; columns: radius, one pixel each) and the column of the ring."""
    center = (disc.shape[1] / 2, disc.shape[0] / 2)
    r_max = radius * 1.05
    n_angles = max(64, int(2 * math.pi * radius))
    n_radii = max(16, int(r_max))
    polar = cv2.warpPolar(
        255 - disc, (n_radii, n_angles), center, r_max, cv2.INTER_CUBIC + cv2.WARP_POLAR_LINEAR
    )
    per_radius = polar.mean(axis=0)
    outer = int(0.8 * n_radii / 1.05)
    return _u8(polar), outer + int(np.argmax(per_radius[outer:]))  # the ring: the most ink near the edge


def _rim_strip(polar: U8, rim_at: int, down: int | None) -> U8:
    """The rim text of a polar seal image as a straight strip, outer edge up, '' if none."""
    per_radius = polar.mean(axis=0)
    rim_px = _rim_thickness(per_radius, rim_at)
    top = max(1, rim_at - rim_px - 1)
    bottom = max(0, int(0.5 * rim_at))
    probe = polar[:, int(0.75 * rim_at) : max(int(0.75 * rim_at) + 1, top)]
    column = probe.astype(np.float32).mean(axis=1)
    inked = column[column > 0]
    if inked.size == 0:
        return np.zeros((0, 0), np.uint8)
    empty = column < max(2.0, 0.15 * float(np.percentile(inked, 75)))
    span = _rim_text_span(empty, down)
    if span is None:
        return np.zeros((0, 0), np.uint8)
    first, count = span
    rolled = np.roll(polar[:, bottom:top], -first, axis=0)  # the text starts at row 0
    strip = rolled[:count].T[::-1]  # radius down the rows, outer edge at the top; angle across
    return _u8(255 - strip)


def _turned(disc: U8, center: tuple[float, float], degrees: float) -> U8:
    """`disc` turned `degrees` counter-clockwise about `center`, white where nothing was."""
    rotation = cv2.getRotationMatrix2D(center, degrees, 1.0)
    return _u8(cv2.warpAffine(disc, rotation, disc.shape[::-1], flags=cv2.INTER_CUBIC, borderValue=255))


def _words_line(
    upright: U8, center: tuple[float, float], ring: float
) -> tuple[tuple[int, int, int, int], float] | None:
    """The box (x0, y0, x1, y1) of the line of words below the star of a roughly upright seal
    disc, and the line's tilt in degrees (clockwise positive); None when there is no such line.

    The ink below the star is smeared sideways so the line becomes one blob; the blob straight
    below the centre is the line, and the main axis of its ink is its direction.
    """
    cx, cy = center
    y_top, y_bottom = int(cy + 0.28 * ring), int(cy + 0.86 * ring)
    ys, xs = np.mgrid[0 : upright.shape[0], 0 : upright.shape[1]]
    ink = ((upright < _INK_LEVEL) & (np.hypot(xs - cx, ys - cy) < 0.86 * ring)).astype(np.uint8)
    ink[:y_top] = 0
    ink[y_bottom:] = 0
    width = max(3, int(0.07 * ring))
    smeared = cv2.dilate(ink, np.ones((max(1, width // 3), width), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(smeared, connectivity=8)
    best, best_area = 0, 0
    for label in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[label])
        if x <= cx <= x + w and h <= 0.45 * ring and area > best_area:
            best, best_area = label, area
    if best == 0:
        return None
    x, y, w, h, _ = (int(v) for v in stats[best])
    box = (max(0, x - 2), max(0, y - 2), min(upright.shape[1], x + w + 2), min(upright.shape[0], y + h + 2))
    py, px = np.nonzero((labels == best) & (ink > 0))
    if len(px) < 10 or w < 2 * h:
        return box, 0.0
    cov = np.cov(np.stack([px, py]).astype(np.float64))
    values, vectors = np.linalg.eigh(cov)
    vx, vy = vectors[:, int(np.argmax(values))]
    tilt = math.degrees(math.atan2(vy, vx))
    tilt = (tilt + 90.0) % 180.0 - 90.0
    return box, tilt if abs(tilt) < 30 else 0.0


def _downwards(polar: U8, rim_at: int) -> int | None:
    """The row (angle) pointing from the centre to the words under the star, None if unclear.

    The star sits on the centre; the words (合同专用章) lie below it, so the ink between the two and
    the rim text is heaviest towards the seal's bottom.
    """
    annulus = (polar[:, int(0.34 * rim_at) : int(0.58 * rim_at)] > 255 - _INK_LEVEL).astype(
        np.float32
    )  # ink, not haze
    weight = annulus.sum(axis=1)
    total = float(weight.sum())
    if total <= 0:
        return None
    angles = np.arange(len(weight)) * 2 * math.pi / len(weight)
    x, y = float((weight * np.cos(angles)).sum()) / total, float((weight * np.sin(angles)).sum()) / total
    if math.hypot(x, y) < 0.25:  # spread all round: no words below a star
        return None
    return round(math.atan2(y, x) % (2 * math.pi) / (2 * math.pi) * len(weight)) % len(weight)


def _rim_text_span(empty: NDArray[np.bool_], down: int | None) -> tuple[int, int] | None:
    """(first row, rows) of the rim text in the polar image, given which angles hold no rim ink.

    With the words at the centre known to point `down`, the text is grown from straight up until a
    break wider than a gap between characters (about 20°); otherwise it is everything outside the
    longest break.
    """
    n = len(empty)
    if empty.all():
        return None
    if down is None:
        run = _longest_circular_run(empty)
        if run is None:
            return (0, n)
        begin, length = run
        return ((begin + length) % n, n - length)
    up = (down + n // 2) % n
    limit = max(2, n * 20 // 360)

    def reach(step: int) -> int:
        """Rows of text from `up` in direction `step`, up to the last inked row before a long break."""
        last, blank = 0, 0
        for k in range(1, n // 2):
            if empty[(up + step * k) % n]:
                blank += 1
                if blank >= limit:
                    break
            else:
                last, blank = k, 0
        return last

    left, right = reach(-1), reach(1)
    return ((up - left) % n, left + right + 1)


def _rim_thickness(per_radius: F32, rim_at: int) -> int:
    peak = float(per_radius[rim_at])
    k = rim_at
    while k > 0 and per_radius[k] > 0.35 * peak:
        k -= 1
    return max(2, rim_at - k)


def _longest_circular_run(flags: NDArray[np.bool_]) -> tuple[int, int] | None:
    """(start, length) of the longest run of True in a circular array; None if none or all True."""
    n = len(flags)
    if not flags.any() or flags.all():
        return None
    doubled = np.concatenate([flags, flags])
    best, best_start, run, run_start = 0, 0, 0, 0
    for i, flag in enumerate(doubled):
        if flag:
            if run == 0:
                run_start = i
            run += 1
            if run > best:
                best, best_start = min(run, n), run_start
        else:
            run = 0
    return best_start % n, best


def _upright_square(ink: tuple[U8, tuple[float, float]], seal: SealMark) -> U8:
    """The words of a square seal, turned upright (the nearest quarter turn to level), its rows
    laid end to end in one line.

    One line reads in the right order, and OCR's orientation check misjudges short lines of two
    characters (王建 / 国印) as upside down and drops them.
    """
    grey, (cx, cy) = ink
    turn = ((seal.angle + 45.0) % 90.0) - 45.0
    h = max(seal.axes)
    size = int(2 * h) + 1
    matrix = cv2.getRotationMatrix2D((cx, cy), turn, 1.0)
    matrix[:, 2] += np.array([size / 2 - cx, size / 2 - cy])
    square = _u8(cv2.warpAffine(grey, matrix, (size, size), borderValue=255))
    inner = int(0.1 * size)
    return _rows_in_line(square[inner : size - inner, inner : size - inner])


def _rows_in_line(grey: U8) -> U8:
    """The rows of text of `grey` (dark on white) side by side, first row first."""
    ink = grey < _INK_LEVEL
    inked_rows = ink.sum(axis=1) >= 2
    rows: list[tuple[int, int]] = []
    start = None
    for y, flag in enumerate([*inked_rows.tolist(), False]):
        if flag and start is None:
            start = y
        elif not flag and start is not None:
            if rows and start - rows[-1][1] < 0.08 * grey.shape[0]:  # a split inside a character
                rows[-1] = (rows[-1][0], y)
            else:
                rows.append((start, y))
            start = None
    rows = [(a, b) for a, b in rows if b - a >= 0.12 * grey.shape[0]]
    if len(rows) < 2:
        return grey
    height = max(b - a for a, b in rows)
    pieces = []
    for a, b in rows:
        cols = np.nonzero(ink[a:b].any(axis=0))[0]
        piece = np.full((height, int(cols[-1] - cols[0]) + 1), 255, np.uint8)
        piece[: b - a] = grey[a:b, cols[0] : cols[-1] + 1]
        pieces.append(piece)
        pieces.append(np.full((height, max(4, height // 4)), 255, np.uint8))
    return np.hstack(pieces[:-1])


def _as_line(grey: U8) -> U8:
    """A crop as the recogniser takes a line: its main band of ink (rows apart from it, such as
    the ends of other words, left out), `_LINE_HEIGHT` high, with a white margin."""
    if grey.size == 0:
        return grey
    inked = (grey < _INK_LEVEL).sum(axis=1) > max(1.0, 0.02 * grey.shape[1])
    rows = np.flatnonzero(inked)
    if rows.size == 0:
        return np.zeros((0, 0), np.uint8)
    runs = np.split(rows, np.flatnonzero(np.diff(rows) > 3) + 1)  # a gap of a few rows splits bands
    band = max(runs, key=lambda run: int((grey[run] < _INK_LEVEL).sum()))
    top, bottom = max(0, int(band[0]) - 3), min(grey.shape[0], int(band[-1]) + 4)
    line = grey[top:bottom]
    factor = (_LINE_HEIGHT - 8) / line.shape[0]
    line = _u8(cv2.resize(line, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC))
    return _u8(cv2.copyMakeBorder(line, 4, 4, 16, 16, cv2.BORDER_CONSTANT, value=255))


# images ------------------------------------------------------------------------------------------
def _u8(array: Any) -> U8:
    """An OpenCV result as the uint8 array it is (OpenCV's stubs promise less)."""
    return np.asarray(array, dtype=np.uint8)


def _bgr(image: Image.Image | U8) -> U8 | None:
    """The page as a BGR uint8 array; None for a grey page (it cannot show red)."""
    if isinstance(image, Image.Image):
        if image.mode in ("L", "1", "I", "F", "LA"):
            return None
        return np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
    if image.ndim == 2 or image.shape[2] == 1:
        return None
    return np.ascontiguousarray(image[:, :, :3])


def _paper(bgr: U8, mask: U8) -> F32:
    """The local paper colour: the page shrunk 8×, red filled with the page's median, brightest
    within a few cells (text is darker than paper), enlarged back."""
    h, w = bgr.shape[:2]
    median = np.median(bgr[mask == 0].reshape(-1, 3), axis=0) if (mask == 0).any() else np.full(3, 255.0)
    filled = bgr.copy()
    filled[mask > 0] = median.astype(np.uint8)
    small = cv2.resize(filled, (max(1, w // 8), max(1, h // 8)), interpolation=cv2.INTER_AREA)
    small = cv2.dilate(small, np.ones((5, 5), np.uint8))
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
