"""Images through OCR: paragraphs on page 1, one page per TIFF frame, errors that name the file."""

from __future__ import annotations

import pytest

from bankmind.documents.loading import load_document
from bankmind.errors import EmptyFile, FileTooLarge

from .. import factories as base
from . import factories as f

PAGE_ONE = ["第一条 借款金额为人民币壹佰万元整。", "第二条 借款期限为一年。"]
PAGE_TWO = ["第三条 本合同自签字之日起生效。"]


def _squeezed(text: str) -> str:
    return text.replace(" ", "")


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "name"), [("PNG", "scan.png"), ("JPEG", "scan.jpg")])
def test_an_image_is_read_by_ocr_on_page_one(kind: str, name: str) -> None:
    doc = load_document(f.image_bytes([PAGE_ONE], kind), name)
    assert [_squeezed(b.text) for b in doc.blocks] == [_squeezed(line) for line in PAGE_ONE]
    assert all(b.kind == "paragraph" and b.page == 1 and b.ocr for b in doc.blocks)
    assert doc.pages == 1 and doc.ocr_pages == [1]


@pytest.mark.slow
def test_a_multi_page_tiff_gives_one_page_per_frame() -> None:
    doc = load_document(f.image_bytes([PAGE_ONE, PAGE_TWO], "TIFF"), "fax.tif")
    assert doc.pages == 2 and doc.ocr_pages == [1, 2]
    assert [(b.page, _squeezed(b.text)) for b in doc.blocks] == [
        (1, _squeezed(PAGE_ONE[0])),
        (1, _squeezed(PAGE_ONE[1])),
        (2, _squeezed(PAGE_TWO[0])),
    ]


def test_with_ocr_off_an_image_is_empty_and_says_why() -> None:
    with pytest.raises(EmptyFile, match=r"^'scan\.png' is an image and OCR is off"):
        load_document(f.image_bytes([PAGE_ONE]), "scan.png", ocr=False)


@pytest.mark.slow
def test_an_image_without_text_is_empty() -> None:
    with pytest.raises(EmptyFile, match=r"^'seal\.png' holds no text that OCR could read"):
        load_document(base.image("png", (200, 120)), "seal.png")


def test_an_image_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(FileTooLarge, match=r"^'bomb\.png' is 50,000 × 50,000 pixels"):
        load_document(base.png_bomb(), "bomb.png")
