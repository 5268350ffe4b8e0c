"""Office files for the loaders, built in code: workbooks written part by part (openpyxl is not
installed), an .xls as real BIFF8 records in an OLE2 container (the CFB writer in `..factories`),
Word files with python-docx."""

from __future__ import annotations

import io
import struct
import zipfile
from xml.sax.saxutils import escape

from .. import factories as base

Cells = dict[tuple[int, int], str | float | int | bool]


# spreadsheets -------------------------------------------------------------------------------
def _col(index: int) -> str:
    name = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _sheet(cells: Cells) -> str:
    """A worksheet from {(row, col): value}, 1-based."""
    rows: dict[int, list[str]] = {}
    for (r, c), value in sorted(cells.items()):
        ref = f"{_col(c)}{r}"
        if isinstance(value, bool):
            xml = f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        elif isinstance(value, str):
            xml = f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
        else:
            xml = f'<c r="{ref}"><v>{value!r}</v></c>'
        rows.setdefault(r, []).append(xml)
    body = "".join(f'<row r="{r}">{"".join(xs)}</row>' for r, xs in sorted(rows.items()))
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{base._MAIN_NS}">'
    return f"{head}<sheetData>{body}</sheetData></worksheet>"


def grid(rows: list[list[str | float | int | bool]], *, row: int = 1, col: int = 1) -> Cells:
    """Cells of `rows` placed with their top-left cell at (row, col); `""` leaves a cell out."""
    return {
        (row + i, col + j): value
        for i, values in enumerate(rows)
        for j, value in enumerate(values)
        if value != ""
    }


def workbook(sheets: dict[str, Cells]) -> bytes:
    """An xlsx with one worksheet per entry, in order."""
    ns, rels = base._MAIN_NS, base._RELS_NS
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet_type}"/>'
        for i in range(1, len(sheets) + 1)
    )
    entries = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(sheets, 1)
    )
    links = "".join(
        f'<Relationship Id="rId{i}" Type="{base._SHEET_REL}" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    parts: dict[str, str] = {
        "[Content_Types].xml": base._content_types(
            "xl/workbook.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            overrides,
        ),
        "_rels/.rels": base._root_rels("xl/workbook.xml"),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?><workbook xmlns="{ns}" xmlns:r="{base._R_NS}">'
            f"<sheets>{entries}</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{rels}">{links}</Relationships>'
        ),
    }
    for i, cells in enumerate(sheets.values(), 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = _sheet(cells)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return buf.getvalue()


def _biff(record: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HH", record, len(payload)) + payload


def xls(rows: list[list[str | float]], sheet: str = "估值表") -> bytes:
    """A real Excel 97-2003 workbook: BIFF8 globals and one sheet of LABEL / NUMBER records."""
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x1F2B, 1997, 0, 6)
    name = sheet.encode("utf-16-le")
    boundsheet_len = 4 + 8 + len(name)
    globals_len = (4 + len(bof)) + boundsheet_len + 4
    records = _biff(0x0809, bof) + _biff(
        0x0085, struct.pack("<IBBBB", globals_len, 0, 0, len(sheet), 1) + name
    )
    records += _biff(0x000A)
    records += _biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x1F2B, 1997, 0, 6))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if isinstance(value, str):
                text = value.encode("utf-16-le")
                records += _biff(0x0204, struct.pack("<HHHHB", r, c, 15, len(value), 1) + text)
            else:
                records += _biff(0x0203, struct.pack("<HHHd", r, c, 15, float(value)))
    records += _biff(0x000A)
    return base.cfb({"Workbook": records.ljust(4096, b"\0")})


# Word ---------------------------------------------------------------------------------------
def handbook_docx() -> bytes:
    """Title, heading 1 / 2, paragraphs, a bullet list and a fee table, in that order."""
    import docx

    document = docx.Document()
    document.core_properties.title = ""
    document.add_heading("员工手册", 0)
    document.add_heading("第一章 总则", 1)
    document.add_paragraph("为规范本行员工行为，制定本手册。")
    document.add_paragraph("遵守法律法规", style="List Bullet")
    document.add_paragraph("保守客户秘密", style="List Bullet")
    document.add_heading("第一节 收费标准", 2)
    table = document.add_table(rows=3, cols=2)
    for i, cells in enumerate([["产品", "年费"], ["借记卡", "0"], ["信用卡", "200"]]):
        for j, text in enumerate(cells):
            table.cell(i, j).text = text
    document.add_paragraph("以上标准自2025年1月1日起执行。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_with_styles(styles: list[tuple[str | None, str]]) -> bytes:
    """Paragraphs in custom paragraph styles named as given (None: Normal), e.g. Chinese `标题 1`."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    made: dict[str, object] = {}
    for style, text in styles:
        if style is not None and style not in made:
            made[style] = document.styles.add_style(style, WD_STYLE_TYPE.PARAGRAPH)
        document.add_paragraph(text, style=made[style] if style else None)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_bomb(expanded: int = 8 * 1024 * 1024) -> bytes:
    """A Word file with one part of blanks that expands ~1,000 times."""
    return base.docx(extra={"word/media/padding.xml": b" " * expanded})
