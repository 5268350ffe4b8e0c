"""Red seals (印章), fingerprints (指印) and handwritten signatures drawn on page images, and scan effects.

    page = Image.new("RGB", PAGE_SIZE, "white")          # then print the contract text with PIL
    seal_box = draw_seal(page, (900, 1500), name="青禾农村商业银行股份有限公司", seed=1)
    sign_box = draw_signature(page, (420, 1480, 640, 1560), seed=2)
    draw_fingerprint(page, (700, 1520), seed=3)
    scan = scan_effects(page, seed=4, angle=0.8)         # tilt, grey paper, blur, noise
    truth = rotate_bbox(seal_box, size=page.size, angle=0.8)

Seal and signature checks of contract inspection are measured on scanned contracts whose seals and
signatures are known by construction; this module draws them. Everything is deterministic for a
given `seed`, draws nothing but ink (the caller prints the text), and returns the box of the ink it
laid down in page pixels (x0, y0, x1, y1), so a generator can record the expected answer.

Ink is laid down like ink: multiplied onto the page (a seal over black text leaves the text
visible, as on paper), with uneven pressure, a slight blur and, for seals, partial transparency.
Sizes default to real sizes on an A4 page of the image's width (42 mm round seals, a 16 × 21 mm
thumb print), so a 1240-pixel-wide page is 150 dpi.

The functions and their keyword arguments are a stable interface: the contract generator renders
its scanned contracts with them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from functools import cache
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bankmind.contracts.types import BBox
from bankmind.knowledge.sample.scanned_page import CJK_FONTS, PAGE_SIZE

__all__ = [
    "BLACK_INK",
    "BLUE_INK",
    "PAGE_SIZE",
    "SEAL_RED",
    "SealShape",
    "cjk_font",
    "draw_fingerprint",
    "draw_seal",
    "draw_signature",
    "rotate_bbox",
    "scan_effects",
]

SealShape = Literal["round", "oval", "square"]
RGB = tuple[int, int, int]
FloatArray = NDArray[np.float32]

SEAL_RED: RGB = (214, 38, 46)
"""印泥 red as a scanner sees it on white paper."""
BLUE_INK: RGB = (22, 38, 112)
"""A blue ballpoint / gel pen."""
BLACK_INK: RGB = (28, 28, 34)
_A4_WIDTH_MM = 210.0


@cache
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    """The first installed font of `CJK_FONTS` at `size` pixels.

    Raises FileNotFoundError naming the Debian packages to install: seal text drawn without a CJK
    font would be boxes, and every check built on it meaningless.
    """
    path = next((font for font in CJK_FONTS if font.is_file()), None)
    if path is None:
        raise FileNotFoundError(
            f"no CJK font found ({', '.join(str(p) for p in CJK_FONTS)}); install fonts-wqy-microhei"
        )
    return ImageFont.truetype(str(path), max(4, int(size)))


def _px_per_mm(image: Image.Image) -> float:
    return image.size[0] / _A4_WIDTH_MM


# seals -------------------------------------------------------------------------------------------
def draw_seal(
    image: Image.Image,
    center: tuple[float, float],
    *,
    name: str,
    kind: str = "合同专用章",
    shape: SealShape = "round",
    radius: float | None = None,
    seed: int = 0,
    rotation: float | None = None,
    opacity: float = 0.92,
) -> BBox:
    """Stamp a red seal centred at `center` on the RGB `image` (in place); return the ink's box.

    - round: a ring, `name` along the upper arc inside it (clockwise, tops of the characters
      outward), a five-pointed star in the middle and `kind` (合同专用章, 公章 …) below the star.
    - oval: the same on an ellipse 1.5 : 1 (semi-major axis `radius`).
    - square: a square frame (half side `radius`), `name` in rows and `kind` on the last row
      (a 法定代表人名章 is `name="王建国印", kind=""`).
    `radius` defaults to a 42 mm seal (21 mm; 124 px at 150 dpi); `rotation` (degrees,
    counter-clockwise) defaults to a seeded tilt of up to ±15°; `opacity` is how much of the paper's
    light the ink absorbs at full pressure (text beneath stays visible).
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible drawing, not secrets
    r = float(radius) if radius is not None else 21.0 * _px_per_mm(image)
    tilt = rotation if rotation is not None else rng.uniform(-15.0, 15.0)
    ss = 2  # draw at twice the size, then shrink: smooth edges like ink
    if shape == "round":
        layer = _round_seal(r * ss, r * ss, name, kind, rng)
    elif shape == "oval":
        layer = _round_seal(r * ss, r * ss / 1.5, name, kind, rng)
    elif shape == "square":
        layer = _square_seal(r * ss, name, kind, rng)
    else:
        raise ValueError(f"shape {shape!r} is not one of round, oval, square")
    layer = layer.rotate(tilt, resample=Image.Resampling.BICUBIC, expand=True)
    size = (max(1, round(layer.size[0] / ss)), max(1, round(layer.size[1] / ss)))
    layer = layer.resize(size, Image.Resampling.LANCZOS).filter(ImageFilter.GaussianBlur(0.5))
    alpha = np.asarray(layer, dtype=np.float32) / 255.0
    alpha *= _pressure(alpha.shape, rng, low=0.7, cells=5)
    alpha *= _grain(alpha.shape, rng, amount=0.2)
    return _lay_ink(image, alpha * opacity, SEAL_RED, center)


def _round_seal(a: float, b: float, name: str, kind: str, rng: random.Random) -> Image.Image:
    """Ink of an elliptic seal (semi-axes a ≥ b) as an "L" layer, upright, centred."""
    pad = math.ceil(0.06 * a) + 4
    width, height = math.ceil(2 * a) + 2 * pad, math.ceil(2 * b) + 2 * pad
    layer = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(layer)
    cx, cy = width / 2, height / 2
    ring = max(3.0, 0.055 * a)
    draw.ellipse((cx - a, cy - b, cx + a, cy + b), outline=255, width=round(ring))

    # the name along the upper arc, on an ellipse inside the ring
    font_px = 0.30 * b
    n = max(1, len(name))
    span = math.radians(min(250.0, 120.0 + 11.0 * n)) if a == b else math.radians(min(200.0, 110.0 + 8 * n))
    inner_a = a - ring - 0.12 * b - font_px / 2
    inner_b = b - ring - 0.12 * b - font_px / 2
    arc = _ellipse_arc_length(inner_a, inner_b, math.pi / 2 - span / 2, math.pi / 2 + span / 2)
    font_px = min(font_px, 0.95 * arc / n)
    inner_a = a - ring - 0.06 * b - font_px / 2
    inner_b = b - ring - 0.06 * b - font_px / 2
    squeeze = 1.0 if a == b else 0.85
    positions = _along_arc(inner_a, inner_b, math.pi / 2 + span / 2, math.pi / 2 - span / 2, n)
    for ch, (phi, normal) in zip(name, positions, strict=False):
        x, y = cx + inner_a * math.cos(phi), cy - inner_b * math.sin(phi)
        glyph = _glyph(ch, font_px, squeeze=squeeze)
        glyph = glyph.rotate(math.degrees(normal) - 90.0, resample=Image.Resampling.BICUBIC, expand=True)
        _paste_max(layer, glyph, (x, y))

    # the star, and the kind below it
    star_r = 0.27 * b if a == b else 0.22 * b
    star_cy = cy - (0.04 * b if kind else 0.0)
    turn = math.radians(rng.uniform(-2, 2))
    points = [
        (
            cx + (star_r if k % 2 == 0 else star_r * 0.382) * math.sin(turn + k * math.pi / 5),
            star_cy - (star_r if k % 2 == 0 else star_r * 0.382) * math.cos(turn + k * math.pi / 5),
        )
        for k in range(10)
    ]
    draw.polygon(points, fill=255)
    if kind:
        kind_px = min(0.20 * b, 1.5 * a / max(1, len(kind)))
        glyphs = _text_line(kind, kind_px)
        _paste_max(layer, glyphs, (cx, cy + 0.55 * b))
    return layer


def _square_seal(h: float, name: str, kind: str, rng: random.Random) -> Image.Image:
    """Ink of a square seal of half side `h`: a frame, the name in rows, `kind` on the last row."""
    pad = math.ceil(0.06 * h) + 4
    side = math.ceil(2 * h) + 2 * pad
    layer = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(layer)
    c = side / 2
    frame = max(3.0, 0.07 * h)
    draw.rectangle((c - h, c - h, c + h, c + h), outline=255, width=round(frame))
    n = max(1, len(name))
    per_row = max(2, math.ceil(math.sqrt(n)))
    rows = [name[i : i + per_row] for i in range(0, n, per_row)]
    if kind:
        rows.append(kind)
    inner = 2 * h - 2 * frame - 0.16 * h
    font_px = min(inner / len(rows) * 0.82, inner / max(len(row) for row in rows) * 0.95)
    step = inner / len(rows)
    for k, row in enumerate(rows):
        glyphs = _text_line(row, font_px)
        _paste_max(layer, glyphs, (c + rng.uniform(-1, 1), c - inner / 2 + step * (k + 0.5)))
    return layer


def _along_arc(a: float, b: float, start: float, stop: float, n: int) -> list[tuple[float, float]]:
    """`n` parameter angles from `start` to `stop` on the ellipse at equal arc length, with the
    direction of the outward normal at each (math convention, y up)."""
    ts = np.linspace(start, stop, 721)
    xs, ys = a * np.cos(ts), b * np.sin(ts)
    seg = np.hypot(np.diff(xs), np.diff(ys))
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    targets = (np.arange(n) + 0.5) / n * cum[-1]
    out = []
    for target in targets:
        t = float(np.interp(target, cum, ts))
        normal = math.atan2(a * math.sin(t), b * math.cos(t))  # gradient of x²/a² + y²/b²
        out.append((t, normal))
    return out


def _ellipse_arc_length(a: float, b: float, start: float, stop: float) -> float:
    ts = np.linspace(start, stop, 361)
    return float(np.hypot(np.diff(a * np.cos(ts)), np.diff(b * np.sin(ts))).sum())


def _glyph(ch: str, px: float, *, squeeze: float = 1.0) -> Image.Image:
    """One character as an "L" tile, centred, optionally narrowed (seal engravers condense long names)."""
    font = cjk_font(round(px))
    size = math.ceil(px * 1.4)
    tile = Image.new("L", (size, size), 0)
    ImageDraw.Draw(tile).text((size / 2, size / 2), ch, fill=255, font=font, anchor="mm")
    if squeeze != 1.0:
        tile = tile.resize((max(1, round(size * squeeze)), size), Image.Resampling.BICUBIC)
    return tile


def _text_line(text: str, px: float) -> Image.Image:
    font = cjk_font(round(px))
    width = math.ceil(font.getlength(text)) + 8
    tile = Image.new("L", (width, math.ceil(px * 1.5)), 0)
    ImageDraw.Draw(tile).text((width / 2, tile.size[1] / 2), text, fill=255, font=font, anchor="mm")
    return tile


def _paste_max(layer: Image.Image, tile: Image.Image, center: tuple[float, float]) -> None:
    """Lay `tile` onto `layer` centred at `center`, keeping the darker (more ink) of the two."""
    x0, y0 = round(center[0] - tile.size[0] / 2), round(center[1] - tile.size[1] / 2)
    base = np.asarray(layer, dtype=np.uint8).copy()
    ink = np.asarray(tile, dtype=np.uint8)
    bx0, by0 = max(0, x0), max(0, y0)
    bx1, by1 = min(base.shape[1], x0 + ink.shape[1]), min(base.shape[0], y0 + ink.shape[0])
    if bx1 <= bx0 or by1 <= by0:
        return
    window = ink[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0]
    base[by0:by1, bx0:bx1] = np.maximum(base[by0:by1, bx0:bx1], window)
    layer.paste(Image.fromarray(base))


# fingerprints ------------------------------------------------------------------------------------
def draw_fingerprint(
    image: Image.Image,
    center: tuple[float, float],
    *,
    seed: int = 0,
    size: tuple[float, float] | None = None,
) -> BBox:
    """Press a red thumb print (指印) centred at `center` on `image` (in place); return its box.

    An oval blob of whorl ridges 0.48 mm apart, inked unevenly and fading at its rim, 16 × 21 mm by
    default (`size` in pixels, width × height). It is what a person leaves beside a signature; a seal
    detector must not count it as a seal.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible drawing, not secrets
    mm = _px_per_mm(image)
    w, h = size if size is not None else (16.0 * mm, 21.0 * mm)
    period = max(2.4, 0.48 * mm)
    pad = 4
    gw, gh = math.ceil(w) + 2 * pad, math.ceil(h) + 2 * pad
    ys, xs = np.mgrid[0:gh, 0:gw].astype(np.float32)
    u = (xs - gw / 2) / (w / 2)
    v = (ys - gh / 2) / (h / 2)
    core_u, core_v = rng.uniform(-0.15, 0.15), rng.uniform(-0.1, 0.2)
    warp = _smooth_noise((gh, gw), rng, cells=4) * 0.9
    dist = np.hypot((u - core_u) * w / 2, (v - core_v) * h / 2 * 0.8) + warp * period
    ridges = 0.5 + 0.5 * np.cos(2 * np.pi * dist / period)
    rim = np.hypot(u, v) + 0.08 * _smooth_noise((gh, gw), rng, cells=6)
    envelope = np.clip((1.0 - rim) / 0.25, 0.0, 1.0)
    alpha = (ridges**1.3) * envelope * _pressure((gh, gw), rng, low=0.45, cells=4)
    alpha = np.asarray(
        Image.fromarray((alpha * 255).astype(np.uint8))
        .rotate(rng.uniform(-20, 20), resample=Image.Resampling.BICUBIC, expand=True)
        .filter(ImageFilter.GaussianBlur(0.5)),
        dtype=np.float32,
    )
    return _lay_ink(image, (alpha * (0.85 / 255.0)).astype(np.float32), SEAL_RED, center)


# signatures --------------------------------------------------------------------------------------
def draw_signature(
    image: Image.Image,
    box: tuple[float, float, float, float],
    *,
    seed: int = 0,
    ink: RGB | None = None,
    glyphs: int | None = None,
) -> BBox:
    """Sign inside `box` (x0, y0, x1, y1) of `image` (in place); return the ink's box.

    Handwriting-like pen strokes, not font text: `glyphs` (default 2–3, a Chinese name) clusters of
    smooth Catmull-Rom strokes with loops, slanted, in a pen width that swells and thins, sometimes
    with a trailing flourish. `ink` defaults to blue or black ballpoint, chosen by `seed`.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible drawing, not secrets
    x0, y0, x1, y1 = box
    width, height = max(8.0, x1 - x0), max(8.0, y1 - y0)
    colour = ink if ink is not None else rng.choice((BLUE_INK, BLUE_INK, BLACK_INK))
    count = glyphs if glyphs is not None else rng.choice((2, 3, 3))
    ss = 3
    canvas = Image.new("L", (math.ceil(width * ss), math.ceil(height * ss)), 0)
    draw = ImageDraw.Draw(canvas)
    pen = max(1.3, height * 0.035) * ss * rng.uniform(0.8, 1.2)
    slant = rng.uniform(0.1, 0.35)
    margin_y = height * 0.12
    lean = slant * height * 0.5  # how far the slant pushes the bottom of a stroke to the left
    cell = (width * 0.84 - lean) / count
    for k in range(count):
        left = width * 0.06 + lean + k * cell + rng.uniform(-0.05, 0.05) * cell
        # the running stroke: a trochoid (the pen moves right while circling), so it loops
        loops = rng.uniform(1.5, 3.0)
        amp_x, amp_y = cell * rng.uniform(0.12, 0.25), (height / 2 - margin_y) * rng.uniform(0.55, 0.85)
        phase, drift = rng.uniform(0, math.tau), rng.uniform(-0.08, 0.08) * height
        wobble = rng.uniform(0.2, 0.5)
        path = []
        for j in range(61):
            t = j / 60
            swell = 1.0 + wobble * math.sin(3.1 * t * math.tau + phase)
            px = left + cell * 0.85 * t + amp_x * swell * math.cos(loops * math.tau * t + phase)
            py = height / 2 + drift * t + amp_y * swell * math.sin(loops * math.tau * t + phase)
            path.append((px + slant * (height / 2 - py), py))
        _stroke(draw, path, pen, rng, ss)
        for _ in range(rng.choice((0, 1, 1, 2))):  # a short tick or hook
            points = []
            for _ in range(3):
                px = left + rng.uniform(0.1, 0.9) * cell
                py = rng.uniform(margin_y, height - margin_y)
                points.append((px + slant * (height / 2 - py), py))
            _stroke(draw, _catmull_rom(points, 10), pen, rng, ss)
    if rng.random() < 0.6:  # a flourish under or through the name
        fy = height * rng.uniform(0.6, 0.85)
        flourish = [
            (width * 0.05 + rng.uniform(0, 0.1) * width, fy + rng.uniform(-0.1, 0.1) * height),
            (width * 0.5, fy + rng.uniform(-0.15, 0.15) * height),
            (width * rng.uniform(0.85, 0.97), fy - rng.uniform(0.1, 0.3) * height),
        ]
        _stroke(draw, _catmull_rom(flourish, 24), pen * 0.8, rng, ss)
    small = canvas.resize((math.ceil(width), math.ceil(height)), Image.Resampling.LANCZOS)
    alpha = np.asarray(small, dtype=np.float32) / 255.0
    alpha = np.clip(alpha * 1.15, 0.0, 1.0) * _pressure(alpha.shape, rng, low=0.75, cells=3)
    return _lay_ink(image, alpha * 0.95, colour, ((x0 + x1) / 2, (y0 + y1) / 2))


def _catmull_rom(points: Sequence[tuple[float, float]], steps: int) -> list[tuple[float, float]]:
    """A smooth curve through `points` (centripetal-free uniform Catmull-Rom)."""
    if len(points) < 2:
        return list(points)
    pts = [points[0], *points, points[-1]]
    out: list[tuple[float, float]] = []
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for s in range(steps):
            t = s / steps
            t2, t3 = t * t, t * t * t
            out.append(
                tuple(  # type: ignore[arg-type]
                    0.5
                    * (
                        2 * p1[d]
                        + (-p0[d] + p2[d]) * t
                        + (2 * p0[d] - 5 * p1[d] + 4 * p2[d] - p3[d]) * t2
                        + (-p0[d] + 3 * p1[d] - 3 * p2[d] + p3[d]) * t3
                    )
                    for d in (0, 1)
                )
            )
    out.append(points[-1])
    return out


def _stroke(
    draw: ImageDraw.ImageDraw, path: list[tuple[float, float]], pen: float, rng: random.Random, ss: int
) -> None:
    """Draw `path` (unscaled pixels) with a pen that presses harder mid-stroke and lifts at the ends."""
    n = len(path)
    phase, wobble = rng.uniform(0, math.tau), rng.uniform(1.5, 3.5)
    for i in range(n - 1):
        t = i / max(1, n - 2)
        press = (0.45 + 0.55 * math.sin(math.pi * t) ** 0.5) * (0.8 + 0.3 * math.sin(phase + wobble * t * 6))
        w = max(1.0, pen * press)
        (xa, ya), (xb, yb) = path[i], path[i + 1]
        draw.line((xa * ss, ya * ss, xb * ss, yb * ss), fill=255, width=round(w))
        r = w / 2
        draw.ellipse((xb * ss - r, yb * ss - r, xb * ss + r, yb * ss + r), fill=255)


# scanning ----------------------------------------------------------------------------------------
def scan_effects(
    image: Image.Image,
    *,
    seed: int = 0,
    angle: float | None = None,
    paper: RGB = (232, 229, 222),
    blur: float = 0.6,
    noise: float = 6.0,
) -> Image.Image:
    """A new RGB image of `image` as a flatbed scanner returns it.

    Grey-yellow paper instead of white (`paper`), tilted by `angle` degrees counter-clockwise about
    the centre (default: seeded, within ±1.5°), slightly blurred, with sensor noise of standard
    deviation `noise` grey levels and a few hundred dust specks. Map boxes drawn before the scan
    onto it with `rotate_bbox(box, size=image.size, angle=angle)`.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible scan noise, not secrets
    tilt = angle if angle is not None else rng.uniform(-1.5, 1.5)
    page = np.asarray(image.convert("RGB"), dtype=np.float32)
    page = page * (np.array(paper, dtype=np.float32) / 255.0)
    tinted = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8))
    tinted = tinted.rotate(tilt, resample=Image.Resampling.BICUBIC, fillcolor=paper)
    tinted = tinted.filter(ImageFilter.GaussianBlur(blur))
    arr = np.asarray(tinted, dtype=np.float32)
    gen = np.random.default_rng(seed)
    grain = gen.normal(0.0, noise, size=arr.shape[:2]).astype(np.float32)
    arr = arr + grain[:, :, None] + gen.normal(0.0, noise / 3, size=arr.shape).astype(np.float32)
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(out)
    for _ in range(300):
        x, y = rng.randrange(out.size[0]), rng.randrange(out.size[1])
        dot = rng.choice((1, 1, 1, 2))
        grey = rng.randrange(90, 170)
        draw.ellipse((x, y, x + dot, y + dot), fill=(grey, grey, grey))
    return out


def rotate_bbox(bbox: BBox, *, size: tuple[int, int], angle: float) -> BBox:
    """The box that holds `bbox` after the page of `size` is turned `angle` degrees counter-clockwise
    about its centre (as `scan_effects` and PIL's `Image.rotate` do)."""
    cx, cy = size[0] / 2, size[1] / 2
    a = math.radians(angle)
    cos, sin = math.cos(a), math.sin(a)
    x0, y0, x1, y1 = bbox
    xs, ys = [], []
    for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
        xs.append(cx + (x - cx) * cos + (y - cy) * sin)
        ys.append(cy - (x - cx) * sin + (y - cy) * cos)
    return (min(xs), min(ys), max(xs), max(ys))


# ink ---------------------------------------------------------------------------------------------
def _lay_ink(image: Image.Image, alpha: FloatArray, colour: RGB, center: tuple[float, float]) -> BBox:
    """Multiply ink of `colour` with coverage `alpha` (0–1) onto `image` centred at `center`."""
    if image.mode != "RGB":
        raise ValueError(f"draw on an RGB image, not mode {image.mode!r}")
    h, w = alpha.shape
    x0, y0 = round(center[0] - w / 2), round(center[1] - h / 2)
    bx0, by0 = max(0, x0), max(0, y0)
    bx1, by1 = min(image.size[0], x0 + w), min(image.size[1], y0 + h)
    if bx1 <= bx0 or by1 <= by0:
        return (float(bx0), float(by0), float(bx0), float(by0))
    a = np.clip(alpha[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0], 0.0, 1.0)[:, :, None]
    region = np.asarray(image.crop((bx0, by0, bx1, by1)), dtype=np.float32)
    absorb = 1.0 - np.array(colour, dtype=np.float32) / 255.0
    region = (region * (1.0 - a * absorb)).astype(np.float32)
    image.paste(Image.fromarray(np.clip(region + 0.5, 0, 255).astype(np.uint8)), (bx0, by0))
    ys, xs = np.nonzero(a[:, :, 0] > 0.15)
    if len(xs) == 0:
        return (float(bx0), float(by0), float(bx0), float(by0))
    return (
        float(bx0 + xs.min()),
        float(by0 + ys.min()),
        float(bx0 + xs.max() + 1),
        float(by0 + ys.max() + 1),
    )


def _smooth_noise(shape: tuple[int, int], rng: random.Random, *, cells: int) -> FloatArray:
    """Low-frequency noise in [-1, 1]: a `cells` × `cells` random grid, bicubically enlarged."""
    grid = np.array([[rng.uniform(-1, 1) for _ in range(cells + 1)] for _ in range(cells + 1)], np.float32)
    big = Image.fromarray(grid, mode="F").resize((shape[1], shape[0]), Image.Resampling.BICUBIC)
    return np.clip(np.asarray(big, dtype=np.float32), -1.0, 1.0)


def _pressure(shape: tuple[int, ...], rng: random.Random, *, low: float, cells: int) -> FloatArray:
    """Uneven inking: a smooth field between `low` and 1."""
    field = _smooth_noise((shape[0], shape[1]), rng, cells=cells)
    return (low + (1.0 - low) * (field + 1.0) / 2.0).astype(np.float32)


def _grain(shape: tuple[int, ...], rng: random.Random, *, amount: float) -> FloatArray:
    """Fine speckle where the ink did not take: each pixel keeps 1 - amount … 1 of its ink."""
    gen = np.random.default_rng(rng.randrange(2**32))
    return (1.0 - amount * gen.random((shape[0], shape[1]))).astype(np.float32)
