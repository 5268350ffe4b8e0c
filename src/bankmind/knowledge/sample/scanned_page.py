"""The sample handbook's one scanned page: a 柜面业务须知 notice, rendered to PNG on demand.

    render_scanned_notice(Path("07-柜面业务须知-扫描件.png"))   # PosixPath(...), or None without a CJK font

A knowledge base at a bank always holds some scans, so the sample needs one page that only OCR can
read. It is drawn here from text, with a slight tilt, grey paper and speckle, rather than shipped
as a binary image whose origin and content nobody can review. The notice repeats rules of the
handbook (identity documents, 联网核查, card fees) and adds two counter facts found nowhere else
(opening hours, booking large cash withdrawals), so a question can be answered from the scan alone.

The drawing is deterministic (a fixed seed), so the same fonts give the same image.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

__all__ = ["CJK_FONTS", "NOTICE_LINES", "NOTICE_TITLE", "PAGE_SIZE", "render_scanned_notice"]

CJK_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)
"""Fonts tried in order (Debian packages fonts-wqy-microhei, fonts-noto-cjk, fonts-arphic-uming)."""

PAGE_SIZE = (1240, 1754)
"""A4 at 150 dpi, in pixels."""

NOTICE_TITLE = "柜面业务须知"
NOTICE_LINES = (
    "一、本行营业网点营业时间为每日9:00至17:00，法定节假日营业时间另行公告。",
    "二、办理业务请携带本人有效身份证件原件，本行对居民身份证进行联网核查。",
    "三、单笔提取现金5万元以上的，请提前一个工作日向网点预约。",
    "四、请在一米线外等候，输入密码时请用手遮挡。",
    "五、本行工作人员不会以任何理由向您索要密码或者短信验证码。",
    "六、出租、出借、出售银行账户属于违法行为，本行将依法暂停其名下账户的非柜面业务。",
    "七、借记卡补卡工本费每张5元，书面挂失手续费每次10元。",
    "八、借记卡境外交易功能默认关闭，出境前请通过柜面或者手机银行开通。",
    "九、对我们的服务有意见或者建议，请向大堂经理反映或者拨打客户服务热线。",
)
NOTICE_SIGNATURE = ("青禾农村商业银行", "2025年3月1日")

_TITLE_PX = 48
_TEXT_PX = 32
_MARGIN = 130
_LINE_GAP = 22  # between lines of one item
_ITEM_GAP = 34  # between items
_PAPER = 226  # grey, as a scanner sees white paper
_INK = 40
_SEED = 20250301


def render_scanned_notice(path: Path, *, fonts: Iterable[Path] = CJK_FONTS) -> Path | None:
    """Draw the notice as a scan-like greyscale PNG at `path` and return `path`.

    None, and nothing written, when none of `fonts` exists: without a CJK font the page would be
    boxes, and OCR would find nothing to read.
    """
    font_path = next((font for font in fonts if font.is_file()), None)
    if font_path is None:
        return None
    title_font = ImageFont.truetype(str(font_path), _TITLE_PX)
    text_font = ImageFont.truetype(str(font_path), _TEXT_PX)
    rng = random.Random(_SEED)  # noqa: S311 - reproducible scan noise, not secrets

    page = Image.new("L", PAGE_SIZE, _PAPER)
    draw = ImageDraw.Draw(page)
    width = PAGE_SIZE[0] - 2 * _MARGIN
    title_width = draw.textlength(NOTICE_TITLE, font=title_font)
    draw.text(((PAGE_SIZE[0] - title_width) / 2, 180), NOTICE_TITLE, fill=_INK, font=title_font)
    y = 180 + _TITLE_PX + 90
    indent = 2 * _TEXT_PX  # continuation lines start under the item's text, past `一、`
    for item in NOTICE_LINES:
        for k, line in enumerate(_wrap(item, text_font, width, width - indent)):
            x = _MARGIN if k == 0 else _MARGIN + indent
            draw.text((x, y), line, fill=_INK, font=text_font)
            y += _TEXT_PX + _LINE_GAP
        y += _ITEM_GAP - _LINE_GAP
    y += 80
    for line in NOTICE_SIGNATURE:
        left = PAGE_SIZE[0] - _MARGIN - draw.textlength(line, font=text_font)  # right-aligned
        draw.text((left, y), line, fill=_INK, font=text_font)
        y += _TEXT_PX + _LINE_GAP

    page = page.rotate(rng.uniform(-1.0, 1.0), resample=Image.Resampling.BICUBIC, fillcolor=_PAPER)
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    page = _speckle(page, rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.save(path, format="PNG", dpi=(150, 150))
    return path


def _wrap(text: str, font: ImageFont.FreeTypeFont, first: float, rest: float) -> list[str]:
    """`text` cut into lines at most `first` pixels wide, then `rest` (CJK breaks anywhere)."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and font.getlength(line + ch) > (rest if lines else first):
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line else lines


def _speckle(page: Image.Image, rng: random.Random) -> Image.Image:
    """Grain (2×2-pixel cells up to 15 grey levels darker) and a few hundred dust specks.

    Grain in cells rather than per pixel keeps the PNG at about 0.6 MB instead of 1.4 MB.
    """
    cells = (page.size[0] // 2, page.size[1] // 2)
    noise = Image.frombytes("L", cells, rng.randbytes(cells[0] * cells[1])).point(lambda v: v * 15 // 255)
    page = ImageChops.subtract(page, noise.resize(page.size, Image.Resampling.NEAREST))
    draw = ImageDraw.Draw(page)
    for _ in range(400):
        x, y = rng.randrange(page.size[0]), rng.randrange(page.size[1])
        size = rng.choice((1, 1, 1, 2))
        draw.ellipse((x, y, x + size, y + size), fill=rng.randrange(90, 170))
    return page
