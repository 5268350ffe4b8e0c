"""Write a generated contract as DOCX, text PDF, scanned PDF or TXT, recording where everything went.

    rendering = write_scanned_pdf(contract, tmp / "c.pdf", seed=3)
    rendering.lines[0]      # RenderedLine(paragraph=0, text="流动资金借款合同", page=1, bbox=(…points…))
    rendering.marks         # the seals, signatures and thumb prints drawn, with their boxes in points

Every writer returns a `Rendering` and keeps it in `contract.renderings[format]`, so evaluation can
check that a field's evidence points at the right page and box. The text PDF and the scan follow the
contract's own layout (`contract.lines`, points on A4): the text PDF has real text objects
(`documents.pdf_writer`), the scan is each page printed with Pillow at 150 dpi in WenQuanYi Micro
Hei, signed and stamped on the signature page (`contract_marks`: red round seals over the party
names, handwriting in the 签字 slots, a red thumb print beside a natural person's signature), then
tilted, tinted and noised like a flatbed scan and embedded as JPEG. A DOCX or TXT has one logical page
and no boxes (`contracts.types.Evidence`).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING

from bankmind.contracts.types import BBox
from bankmind.documents.pdf_writer import A4, PdfBuilder, text_width
from bankmind.eval.contract_marks import (
    PAGE_SIZE,
    cjk_font,
    draw_fingerprint,
    draw_seal,
    draw_signature,
    rotate_bbox,
    scan_effects,
)
from bankmind.eval.contract_truth import (
    Format,
    GeneratedContract,
    Line,
    MarkKind,
    RenderedLine,
    RenderedMark,
    Rendering,
)

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = ["SUFFIXES", "write", "write_docx", "write_scanned_pdf", "write_text_pdf", "write_txt"]

SUFFIXES: dict[Format, str] = {"docx": ".docx", "text_pdf": ".pdf", "scanned_pdf": ".pdf", "txt": ".txt"}
_SX, _SY = PAGE_SIZE[0] / A4[0], PAGE_SIZE[1] / A4[1]
"""Pixels per point on a 150 dpi scan of an A4 page."""
_INK = (24, 24, 28)
_MM = PAGE_SIZE[0] / 210.0


def write(contract: GeneratedContract, directory: Path, fmt: Format | None = None) -> Rendering:
    """Write the contract into `directory` as `<name><suffix>` in `fmt` (default: its own format)."""
    fmt = fmt or contract.format
    path = directory / f"{contract.name}{SUFFIXES[fmt]}"
    if fmt == "docx":
        return write_docx(contract, path)
    if fmt == "text_pdf":
        return write_text_pdf(contract, path)
    if fmt == "scanned_pdf":
        return write_scanned_pdf(contract, path, seed=contract.seed)
    return write_txt(contract, path)


def _keep(contract: GeneratedContract, rendering: Rendering) -> Rendering:
    contract.renderings[rendering.format] = rendering
    return rendering


def write_txt(contract: GeneratedContract, path: Path) -> Rendering:
    """UTF-8 text, one paragraph a line, a blank line before the signature page."""
    out: list[str] = []
    for i, paragraph in enumerate(contract.paragraphs):
        if i and paragraph.page != contract.paragraphs[i - 1].page and paragraph.page == contract.pages:
            out.append("")
        out.append(paragraph.text)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    lines = tuple(RenderedLine(i, p.text, 1) for i, p in enumerate(contract.paragraphs))
    return _keep(contract, Rendering("txt", path, 1, lines))


def write_docx(contract: GeneratedContract, path: Path) -> Rendering:
    """Word: a centred title, bold article headings, body paragraphs, then a page break and the
    signature block as a table (one row per party: 盖章 line, 签字 slot), dates below it."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    document.core_properties.title = contract.title
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    sign_page = contract.pages
    rows: list[list[str]] = []
    for paragraph in contract.paragraphs:
        if paragraph.role == "sign":
            if "（盖章）" in paragraph.text or not rows or rows[-1][1] or "（盖章）" not in rows[-1][0]:
                rows.append([paragraph.text, ""])
            else:
                rows[-1][1] = paragraph.text
            continue
        if paragraph.role == "date" and rows:
            _table(document, rows)
            rows = []
        if paragraph.page == sign_page and paragraph.role == "body":
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        added = document.add_paragraph()
        run = added.add_run(paragraph.text)
        if paragraph.role == "title":
            run.bold = True
            run.font.size = Pt(18)
            added.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif paragraph.role == "heading":
            run.bold = True
    document.save(str(path))
    lines = tuple(RenderedLine(i, p.text, 1) for i, p in enumerate(contract.paragraphs))
    return _keep(contract, Rendering("docx", path, 1, lines))


def _table(document: object, rows: list[list[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=2)  # type: ignore[attr-defined]
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text


def write_text_pdf(contract: GeneratedContract, path: Path) -> Rendering:
    """A digital PDF: every line a text object at its laid-out place; boxes in points."""
    pdf = PdfBuilder()
    rendered: list[RenderedLine] = []
    for page in range(1, contract.pages + 1):
        pdf.new_page()
        for line in (ln for ln in contract.lines if ln.page == page):
            pdf.text(line.text, line.size, x=line.x, top=line.top)
            box = PdfBuilder.text_box(line.text, line.size, x=line.x, top=line.top)
            rendered.append(RenderedLine(line.paragraph, line.text, page, _round(box)))
    path.write_bytes(pdf.save())
    return _keep(contract, Rendering("text_pdf", path, contract.pages, tuple(rendered)))


def write_scanned_pdf(contract: GeneratedContract, path: Path, *, seed: int | None = None) -> Rendering:
    """A scan: each page printed at 150 dpi, signed and stamped, tilted and noised, as a JPEG page."""
    from PIL import Image, ImageDraw

    seed = contract.seed if seed is None else seed
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    pdf = PdfBuilder()
    rendered: list[RenderedLine] = []
    marks: list[RenderedMark] = []
    for page in range(1, contract.pages + 1):
        image = Image.new("RGB", PAGE_SIZE, "white")
        draw = ImageDraw.Draw(image)
        page_lines: list[tuple[Line, str, BBox]] = []
        for line in (ln for ln in contract.lines if ln.page == page):
            text = _printed(contract, line)
            font = cjk_font(round(line.size * _SX))
            draw.text(
                (line.x * _SX, (line.top + line.size * 0.8) * _SY), text, font=font, fill=_INK, anchor="ls"
            )
            page_lines.append((line, text, _px(PdfBuilder.text_box(text, line.size, x=line.x, top=line.top))))
        drawn = _sign(contract, image, page, rng) if page == contract.pages else []
        angle = rng.uniform(-1.2, 1.2)
        scanned = scan_effects(image, seed=seed * 100 + page, angle=angle)
        for line, text, box in page_lines:
            rendered.append(
                RenderedLine(line.paragraph, text, page, _pt(rotate_bbox(box, size=PAGE_SIZE, angle=angle)))
            )
        for kind, index, box in drawn:
            marks.append(RenderedMark(kind, index, page, _pt(rotate_bbox(box, size=PAGE_SIZE, angle=angle))))
        pdf.new_page().image(scanned, jpeg_quality=80)
    path.write_bytes(pdf.save())
    return _keep(contract, Rendering("scanned_pdf", path, contract.pages, tuple(rendered), tuple(marks)))


def _printed(contract: GeneratedContract, line: Line) -> str:
    paragraph = contract.paragraphs[line.paragraph]
    return line.text if paragraph.printed is None else paragraph.printed


def _sign(
    contract: GeneratedContract, image: Image, page: int, rng: random.Random
) -> list[tuple[MarkKind, int, BBox]]:
    """Stamp the seals and sign the slots of the signature page; the ink's boxes in pixels."""
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    first = {line.paragraph: line for line in contract.lines if line.page == page}
    drawn: list[tuple[MarkKind, int, BBox]] = []
    for index, slot in enumerate(contract.signatures):
        line = first[slot.paragraph]
        label = contract.paragraphs[slot.paragraph].on_paper()
        x0 = line.x + text_width(label, line.size) + 4
        under = (line.top + line.size + 2) * _SY
        draw.line((x0 * _SX, under, (x0 + 130) * _SX, under), fill=_INK, width=2)
        if not slot.signed:
            continue
        box = (x0 * _SX, (line.top - 10) * _SY, (x0 + 120) * _SX, (line.top + line.size + 6) * _SY)
        drawn.append(("signature", index, draw_signature(image, box, seed=rng.randrange(2**31))))
        if slot.fingerprint:
            center = ((x0 + 150) * _SX, (line.top + line.size / 2) * _SY)
            drawn.append(("fingerprint", index, draw_fingerprint(image, center, seed=rng.randrange(2**31))))
    for index, seal in enumerate(contract.seals):
        if not seal.present:
            continue
        line = first[seal.paragraph]
        text = contract.paragraphs[seal.paragraph].on_paper()
        if seal.shape == "square":  # a legal representative's name seal, right of the signature
            center = ((line.x + text_width(text, line.size) + 190) * _SX, (line.top + line.size / 2) * _SY)
            box = draw_seal(image, center, name=seal.text, kind=seal.kind, shape="square", radius=8 * _MM,
                            seed=rng.randrange(2**31))  # fmt: skip
        else:  # over the party's name, as a seal is stamped (骑名)
            label = text[: text.index("：") + 1] if "：" in text else ""
            name_width = text_width(text[len(label) :], line.size)
            cx = line.x + text_width(label, line.size) + min(name_width, 170) * rng.uniform(0.45, 0.7)
            center = (cx * _SX, (line.top + line.size / 2 + rng.uniform(-4, 8)) * _SY)
            box = draw_seal(image, center, name=seal.text, kind=seal.kind, seed=rng.randrange(2**31))
        drawn.append(("seal", index, box))
    return drawn


def _px(box: BBox) -> BBox:
    return (box[0] * _SX, box[1] * _SY, box[2] * _SX, box[3] * _SY)


def _pt(box: BBox) -> BBox:
    return _round((box[0] / _SX, box[1] / _SY, box[2] / _SX, box[3] / _SY))


def _round(box: BBox) -> BBox:
    return (round(box[0], 1), round(box[1], 1), round(box[2], 1), round(box[3], 1))
