"""Contract pages drawn in code need a CJK font: the check, and the blank page they are printed on."""

from __future__ import annotations

import pytest
from PIL import Image

from bankmind.knowledge.sample.scanned_page import CJK_FONTS, PAGE_SIZE

HAS_CJK_FONT = any(font.is_file() for font in CJK_FONTS)
NO_CJK_FONT = "no CJK font installed (fonts-wqy-microhei)"
INK = (30, 30, 30)
"""Printed text: near black."""


def skip_without_cjk_font() -> None:
    """Skip the calling test module (call it at import) where no page can be drawn."""
    if not HAS_CJK_FONT:
        pytest.skip(NO_CJK_FONT, allow_module_level=True)


def blank_page() -> Image.Image:
    """A white A4 page at 150 dpi."""
    return Image.new("RGB", PAGE_SIZE, "white")
