"""What a loaded document holds: its text as blocks in reading order, each with where it came from.

    doc = load_document(data, "员工手册.pdf")          # documents/loading.py
    doc.blocks[0]   # Block(kind="heading", text="第一章 总则", level=1, page=1)
    doc.blocks[3]   # Block(kind="table", text="| 产品 | 费率 |\n|---|---|\n| 借记卡 | 0 |", rows=[...])

Every capability reads documents through these types: the knowledge base chunks them, contract
inspection and credit materials pick fields from them. Block text is verbatim (whitespace runs
collapsed, nothing else changed), so a citation can quote it and a reader can find it in the file.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Block", "BlockKind", "LoadedDocument", "table_markdown"]

BlockKind = Literal["heading", "paragraph", "table"]


class Block(BaseModel):
    """One heading, paragraph or table of a document, in reading order."""

    model_config = ConfigDict(frozen=True)

    kind: BlockKind
    text: str = Field(description="Verbatim text; for a table, its Markdown rendering (`table_markdown`).")
    level: int = Field(default=0, ge=0, description="Heading level, 1 = top; 0 for other blocks.")
    page: int | None = Field(default=None, ge=1, description="1-based page (PDF, images); None otherwise.")
    rows: list[list[str]] | None = Field(
        default=None, description="A table's cells, header row first; None for other blocks."
    )
    locator: str | None = Field(
        default=None, description="Where in the file, when a page is not enough: `Sheet1!A1:F20`."
    )
    ocr: bool = Field(default=False, description="The text was read by OCR from an image of the page.")


class LoadedDocument(BaseModel):
    """A whole document: its blocks and what the loader learned about it."""

    model_config = ConfigDict(frozen=True)

    kind: str = Field(description="The sniffed kind: pdf, docx, xlsx, xls, csv, html, md, txt, png, …")
    title: str | None = Field(default=None, description="The document's own title, if it states one.")
    blocks: list[Block]
    pages: int | None = Field(default=None, description="Page count (PDF, multi-page TIFF).")
    ocr_pages: list[int] = Field(default_factory=list, description="Pages whose text came from OCR.")
    skipped_pages: list[int] = Field(
        default_factory=list, description="Pages left unread: scanned (no text layer) while OCR was off."
    )
    encoding: str | None = Field(default=None, description="The text encoding detected (text kinds).")

    @property
    def text(self) -> str:
        """All block texts, one per line (for search and PII scanning)."""
        return "\n".join(block.text for block in self.blocks)


def table_markdown(rows: list[list[str]]) -> str:
    """A table as GitHub Markdown, first row as header (what a model reads best); `|` escaped."""
    if not rows:
        return ""
    width = max(len(row) for row in rows)

    def line(row: list[str]) -> str:
        cells = [_cell(c) for c in row] + [""] * (width - len(row))
        return "| " + " | ".join(cells) + " |"

    return "\n".join([line(rows[0]), "|" + "---|" * width, *(line(row) for row in rows[1:])])


def _cell(value: str) -> str:
    return " ".join(value.split()).replace("|", "\\|")
