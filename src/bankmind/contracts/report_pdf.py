"""The PDF report: the contract's own pages with each finding highlighted, then a page 质检结果.

Each finding with a box gets a Highlight annotation over it, coloured by severity (red high, orange
medium, yellow low), with `/Contents` = its note and `/T` = bankmind; each seal found gets a thin
blue outline (Square). The page content itself is never touched. A finding without a box is only
on the summary page, which lists every finding so a printout shows everything; it is written in
WenQuanYi Micro Hei (`documents.pdf_writer`), so a missing font is a `ConfigError` naming the package.
An image becomes a PDF first: one page per frame at the image's own resolution (150 dpi when it does
not say), so its pixel boxes scale to points.

Evidence boxes are in points from the top-left of the page as displayed: the rotated media box for
text pages (pdfplumber) and the rotated crop box for scanned pages (they are read from a PDFium
rendering). `_user_rect` turns them into PDF user space, whose origin is bottom-left. PDFium draws an
appearance for each annotation when a page is rendered; rendering the annotated pages once before
saving stores that appearance in the file, so every viewer shows the same colours.
"""

from __future__ import annotations

import ctypes
import io
from collections.abc import Sequence
from typing import Any

from bankmind.contracts.pages import SCAN_DPI
from bankmind.contracts.types import BBox, Inspection, Severity
from bankmind.documents.filenames import quoted
from bankmind.documents.loaders.pdf import open_pdf
from bankmind.documents.pdf_writer import A4, CJK_FONT, PdfBuilder
from bankmind.errors import ConfigError, UnsupportedFormat

__all__ = ["SEAL_COLOUR", "SEVERITY_COLOURS", "pdf_report"]

SEVERITY_COLOURS: dict[Severity, tuple[int, int, int]] = {
    "high": (255, 80, 80),
    "medium": (255, 150, 30),
    "low": (255, 225, 40),
}
"""Highlight colours (RGB); PDFium multiplies them over the page, so the text stays readable."""
SEAL_COLOUR = (30, 90, 230)
_SEVERITY_CN: dict[Severity, str] = {"high": "高", "medium": "中", "low": "低"}
_BOTTOM = A4[1] - 60.0


def pdf_report(
    data: bytes, filename: str, kind: str, inspection: Inspection, notes: Sequence[str], *, author: str
) -> bytes:
    """The annotated PDF of a PDF or image contract; `notes[i]` is the text of `inspection.findings[i]`."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    if kind == "pdf":
        appendix = pdfium.PdfDocument(_summary(_builder(), inspection).save())
        document = open_pdf(data, quoted(filename))
        scale, pages = 1.0, len(document)
        document.import_pages(appendix)
        appendix.close()
    else:  # the image pages and the summary in one document, so the font is embedded once
        builder = _builder()
        scale, pages = _image_pages(builder, data, filename)
        document = pdfium.PdfDocument(_summary(builder, inspection).save())
    try:
        annotated = _annotate(document, pages, inspection, notes, scale, author)
        for index in sorted(annotated):  # stores PDFium's appearance streams (module docstring)
            page = document[index]
            page.render(scale=0.05, draw_annots=True).close()
            page.close()
        out = io.BytesIO()
        document.save(out)
    finally:
        document.close()
    return out.getvalue()


def _builder() -> PdfBuilder:
    """A PDF writer; its CJK font comes from a system package, so a missing font says which."""
    try:
        return PdfBuilder()
    except OSError as exc:
        raise ConfigError(
            f"the PDF report's page 质检结果 needs the font {CJK_FONT} "
            "(Debian package fonts-wqy-microhei); install it and try again."
        ) from exc


def _image_pages(builder: PdfBuilder, data: bytes, filename: str) -> tuple[float, int]:
    """Each frame of the image as a page of its printed size; returns points per pixel and pages."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        opened = Image.open(io.BytesIO(data))
        dpi = float(opened.info.get("dpi", (SCAN_DPI, SCAN_DPI))[0]) or SCAN_DPI
        scale = 72.0 / (dpi if 30 <= dpi <= 2400 else SCAN_DPI)
        frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(opened)]
        for picture in frames:
            builder.new_page((picture.width * scale, picture.height * scale))
            builder.image(picture, jpeg_quality=90 if opened.format == "JPEG" else None)
    except (UnidentifiedImageError, OSError) as exc:
        raise UnsupportedFormat(
            f"{quoted(filename)} is an image that cannot be read; save it again as PNG or JPEG."
        ) from exc
    return scale, len(frames)


def _annotate(
    document: Any, pages: int, inspection: Inspection, notes: Sequence[str], scale: float, author: str
) -> set[int]:
    """Highlights for the findings with a box, outlines for the seals; the indexes of the pages marked."""
    import pypdfium2.raw as raw  # type: ignore[import-untyped]

    marks: list[tuple[int, int, BBox, tuple[int, int, int], str]] = []
    for finding, note in zip(inspection.findings, notes, strict=True):
        where = finding.evidence
        if where is not None and where.bbox is not None:
            colour = SEVERITY_COLOURS[finding.severity]
            marks.append((where.page, raw.FPDF_ANNOT_HIGHLIGHT, where.bbox, colour, note))
    for seal in inspection.seals:
        marks.append(
            (seal.page, raw.FPDF_ANNOT_SQUARE, seal.bbox, SEAL_COLOUR, f"印章：{seal.text or '印文未识别'}")
        )
    annotated = set()
    for number, subtype, box, colour, note in marks:
        if not 1 <= number <= pages:
            continue
        page = document[number - 1]
        try:
            rect = _user_rect(page, box, scale, scanned=number in inspection.scanned_pages)
            _add_annotation(raw, page, subtype, rect, colour, (note, author))
        finally:
            page.close()
        annotated.add(number - 1)
    return annotated


def _user_rect(page: Any, box: BBox, scale: float, *, scanned: bool) -> tuple[float, float, float, float]:
    """A top-left box of the displayed page as (left, bottom, right, top) in PDF user space."""
    left, bottom, right, top = page.get_cropbox() if scanned else page.get_mediabox()
    rotation = page.get_rotation()
    xs, ys = [], []
    for u in (box[0] * scale, box[2] * scale):
        for v in (box[1] * scale, box[3] * scale):
            if rotation == 90:
                x, y = left + v, bottom + u
            elif rotation == 180:
                x, y = right - u, bottom + v
            elif rotation == 270:
                x, y = right - v, top - u
            else:
                x, y = left + u, top - v
            xs.append(x)
            ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


def _add_annotation(
    raw: Any,
    page: Any,
    subtype: int,
    rect: tuple[float, float, float, float],
    colour: tuple[int, int, int],
    texts: tuple[str, str],
) -> None:
    """One annotation; `texts` = its /Contents and its /T (author)."""
    x0, y0, x1, y1 = rect
    annot = raw.FPDFPage_CreateAnnot(page.raw, subtype)
    try:
        raw.FPDFAnnot_SetRect(annot, raw.FS_RECTF(x0, y1, x1, y0))
        if subtype == raw.FPDF_ANNOT_HIGHLIGHT:
            raw.FPDFAnnot_AppendAttachmentPoints(annot, raw.FS_QUADPOINTSF(x0, y1, x1, y1, x0, y0, x1, y0))
        else:
            raw.FPDFAnnot_SetBorder(annot, 0.0, 0.0, 1.2)
        raw.FPDFAnnot_SetColor(annot, raw.FPDFANNOT_COLORTYPE_Color, *colour, 255)
        raw.FPDFAnnot_SetFlags(annot, raw.FPDF_ANNOT_FLAG_PRINT)
        for key, value in zip((b"Contents", b"T"), texts, strict=True):
            text = ctypes.create_string_buffer((value + "\0").encode("utf-16-le"))
            raw.FPDFAnnot_SetStringValue(annot, key, ctypes.cast(text, ctypes.POINTER(raw.FPDF_WCHAR)))
    finally:
        raw.FPDFPage_CloseAnnot(annot)


def _summary(pdf: PdfBuilder, inspection: Inspection) -> PdfBuilder:
    """The page 质检结果: the contract, the colour key, then every finding with its page and text."""
    counts = {s: sum(f.severity == s for f in inspection.findings) for s in _SEVERITY_CN}
    pdf.new_page().text("质检结果", 18)
    pdf.top += 6
    head = [
        f"文件：{inspection.file}",
        f"合同：{inspection.title or '未识别'}（{inspection.contract_type}），共 {inspection.pages} 页，"
        f"识别到印章 {len(inspection.seals)} 枚",
        f"发现问题 {len(inspection.findings)} 项（"
        + "，".join(f"{_SEVERITY_CN[s]} {n} 项" for s, n in counts.items())
        + "）。原文标注：红色为高，橙色为中，黄色为低，蓝框为识别到的印章。",
    ]
    for line in head:
        pdf.paragraph(line, 10.5, gap=2)
    pdf.top += 8
    if not inspection.findings:
        pdf.paragraph("未发现问题。", 10.5)
    for number, finding in enumerate(inspection.findings, start=1):
        where = finding.evidence
        lines = [
            f"{number}. [{_SEVERITY_CN[finding.severity]}] {finding.code}"
            + (f"（第 {where.page} 页）" if where else "")
            + f"：{finding.message}"
        ]
        if where is not None:
            lines.append(f"    原文：{_shorten(where.text)}")
        for line in lines:
            if pdf.top > _BOTTOM:
                pdf.new_page()
            pdf.paragraph(line, 10.5, gap=1)
        pdf.top += 4
    return pdf


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
