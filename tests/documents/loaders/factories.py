"""PDFs and scanned images for the loaders, built in code with their content known by construction.

PDFs are drawn with bankmind's own writer (`bankmind.documents.pdf_writer.PdfBuilder`, PDFium): real
text objects in a CJK font pdfplumber reads back, ruled tables as path objects, and scanned pages as
one full-page image of text drawn by Pillow. Office files: `office.py`.
"""

from __future__ import annotations

import io

from bankmind.documents.pdf_writer import A4, CJK_FONT, LEFT, RIGHT, PdfBuilder, text_width, wrap

from .. import factories as base

__all__ = ["A4", "CJK_FONT", "LEFT", "RIGHT", "PdfBuilder", "text_width", "wrap"]


def scan(lines: list[str], size: tuple[int, int] = (1240, 1754), font_px: int = 44) -> object:
    """A white A4 page at 150 dpi with `lines` of black text, as a scanner would give it."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(CJK_FONT, font_px)
    for i, line in enumerate(lines):
        draw.text((150, 200 + i * font_px * 2), line, font=font, fill="black")
    return image


def image_bytes(pages: list[list[str]], kind: str = "PNG") -> bytes:
    """A PNG/JPEG of one scanned page, or a multi-page TIFF with one frame per entry of `pages`."""
    frames = [scan(lines, size=(1000, 700), font_px=40) for lines in pages]
    out = io.BytesIO()
    frames[0].save(out, format=kind, save_all=len(frames) > 1, append_images=frames[1:])
    return out.getvalue()


# PDF documents --------------------------------------------------------------------------------
POLICY_INTRO = (
    "为规范本行员工行为，保障员工合法权益，根据《中华人民共和国劳动法》等法律法规，结合本行实际情况，"
    "制定本手册。本手册适用于本行全体正式员工及劳务派遣人员"
)
POLICY_MIXED = (
    "员工应当遵守国家法律法规和本行各项规章制度。The bank keeps customer data inside its own data "
    "centre and never sends it to any outside service provider."
)
FEE_ROWS = [["产品", "年费"], ["借记卡", "0"], ["信用卡", "200元/年"]]
SCANNED_LINES = ["第三条 本行与员工签订书面劳动合同。", "第四条 试用期不超过六个月。"]


def handbook_pdf(*, scanned_page: bool = True) -> bytes:
    """Page 1: title (22 pt), 第一章 (16 pt), two wrapped paragraphs, a ruled table, two articles
    and a page number in the bottom margin. Page 2: a scanned image only. Page 3: 第二章 and
    第一节 at body size, one paragraph."""
    pdf = PdfBuilder().new_page()
    pdf.text("员工手册", 22).text("第一章 总则", 16)
    pdf.paragraph(POLICY_INTRO).paragraph(POLICY_MIXED)
    pdf.table(FEE_ROWS)
    pdf.paragraph("第一条 以上标准自2025年1月1日起执行。").paragraph("第二条 本手册由人力资源部负责解释。")
    pdf.text("- 1 -", 10, x=285, top=800)
    if scanned_page:
        pdf.new_page().image(scan(SCANNED_LINES))
    pdf.new_page().text("第二章 附则", 12).text("第一节 施行", 12).paragraph("本手册自发布之日起施行。")
    return pdf.save()


def text_pdf(pages: int) -> bytes:
    """`pages` pages of body text, each a heading and five wrapped paragraphs (for timing)."""
    pdf = PdfBuilder()
    for number in range(1, pages + 1):
        pdf.new_page().text(f"第{number}节 业务规则", 14)
        for _ in range(5):
            pdf.paragraph(POLICY_INTRO + "。")
    return pdf.save()


def scanned_pdf(pages: int) -> bytes:
    """`pages` pages that are images of text only (for timing OCR)."""
    pdf = PdfBuilder()
    for _ in range(pages):
        pdf.new_page().image(scan(SCANNED_LINES * 6))
    return pdf.save()


def blank_pdf() -> bytes:
    """One page with nothing on it."""
    return PdfBuilder().new_page().save()


def damaged_pdf() -> bytes:
    """Starts and ends like a PDF; nothing in between is one."""
    return b"%PDF-1.7\n" + base.binary_garbage(2048)[8:] + b"\n%%EOF\n"


def garbled_pdf() -> bytes:
    """Page 1: Helvetica text. Page 2: text in a CID font without a ToUnicode map, which text
    extraction can only give as `(cid:N)` (the page must be read by OCR)."""
    first = b"BT /F1 14 Tf 72 720 Td (Valuation report for June 2025) Tj ET"
    second = b"BT /F2 14 Tf 72 720 Td <0011002200330044005500660077008800990100> Tj ET"

    def page(content: int) -> bytes:
        return (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content} 0 R "
            "/Resources << /Font << /F1 7 0 R /F2 8 0 R >> >> >>"
        ).encode()

    def stream(body: bytes) -> bytes:
        return f"<< /Length {len(body)} >>\nstream\n".encode() + body + b"\nendstream"

    return base._pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
            page(5),
            page(6),
            stream(first),
            stream(second),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Type /Font /Subtype /Type0 /BaseFont /NoMap /Encoding /Identity-H "
            b"/DescendantFonts [9 0 R] >>",
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NoMap "
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        ]
    )
