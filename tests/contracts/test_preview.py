"""Page images for the workbench viewer: a PDF page at the preview resolution with the scale that
puts evidence boxes (PDF points) on it, an image file (pixels, scaled down when huge), none for a
DOCX or TXT (their lines instead)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bankmind.contracts.preview import MAX_SIDE, PREVIEW_DPI, page_image, page_sizes, text_lines
from bankmind.errors import NotFound
from bankmind.eval.contract_docs import make_contract
from bankmind.eval.contract_render import write_docx, write_scanned_pdf, write_text_pdf, write_txt


def _open(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image.convert("RGB")


def _red(image: Image.Image) -> np.ndarray:
    rgb = np.asarray(image).astype(int)
    return (rgb[..., 0] > 150) & (rgb[..., 1] < 110) & (rgb[..., 2] < 110)


def test_a_seal_box_in_points_lands_on_the_red_seal_of_the_scanned_page(tmp_path: Path) -> None:
    contract = make_contract(12, "保证合同", format="scanned_pdf")
    rendering = write_scanned_pdf(contract, tmp_path / "scan.pdf", seed=2)
    data = rendering.path.read_bytes()
    sizes = page_sizes(data, "scan.pdf")
    assert len(sizes) == rendering.pages and sizes[0] == pytest.approx((595.3, 841.9), abs=0.5)
    seal = next(m for m in rendering.marks if m.kind == "seal")
    shot = page_image(data, "scan.pdf", seal.page)
    assert shot is not None and shot.scale == pytest.approx(PREVIEW_DPI / 72)
    image = _open(shot.png)
    assert image.size == pytest.approx((sizes[0][0] * shot.scale, sizes[0][1] * shot.scale), abs=1)
    x0, y0, x1, y1 = (v * shot.scale for v in seal.bbox)
    ring = _red(image.crop((int(x0), int(y0), int(x1), int(y1))))
    assert ring.mean() > 0.05  # the seal's red ink is inside the box
    assert not _red(image.crop((0, 0, int(x1 - x0), int(y1 - y0)))).any()  # the top-left margin has none


def test_a_text_line_box_covers_dark_text_on_the_text_pdf_page(tmp_path: Path) -> None:
    contract = make_contract(8, "流动资金借款合同")
    rendering = write_text_pdf(contract, tmp_path / "loan.pdf")
    data = rendering.path.read_bytes()
    line = next(r for r in rendering.lines if r.bbox and r.text.strip())
    shot = page_image(data, "loan.pdf", line.page, dpi=72)
    assert shot is not None and shot.scale == 1.0 and line.bbox is not None
    x0, y0, x1, y1 = line.bbox
    crop = _open(shot.png).crop((int(x0), int(y0), int(x1) + 1, int(y1) + 1)).convert("L")
    assert np.asarray(crop).min() < 100  # ink under the box
    with pytest.raises(
        NotFound, match=rf"^'loan\.pdf' has {rendering.pages} page\(s\); there is no page 99$"
    ):
        page_image(data, "loan.pdf", 99)


def test_an_image_is_its_own_page_and_a_huge_one_is_scaled_down() -> None:
    small = Image.new("RGB", (800, 1100), "white")
    small.paste((200, 30, 30), (100, 200, 300, 260))
    buffer = io.BytesIO()
    small.save(buffer, format="PNG")
    data = buffer.getvalue()
    assert page_sizes(data, "合同.png") == [(800.0, 1100.0)]
    shot = page_image(data, "合同.png", 1)
    assert shot is not None and shot.scale == 1.0 and _open(shot.png).getpixel((200, 230)) == (200, 30, 30)

    big = Image.new("RGB", (MAX_SIDE * 2, 300), "white")
    buffer = io.BytesIO()
    big.save(buffer, format="JPEG")
    shot = page_image(buffer.getvalue(), "scan.jpg", 1)
    assert shot is not None and shot.scale == 0.5 and _open(shot.png).size == (MAX_SIDE, 150)


def test_docx_and_txt_have_no_pages_but_their_lines(tmp_path: Path) -> None:
    contract = make_contract(8, "流动资金借款合同")
    for rendering in (write_docx(contract, tmp_path / "c.docx"), write_txt(contract, tmp_path / "c.txt")):
        data, name = rendering.path.read_bytes(), rendering.path.name
        assert page_sizes(data, name) == [] and page_image(data, name, 1) is None
        lines = text_lines(data, name)
        assert lines[0] == contract.title and len(lines) > 20
