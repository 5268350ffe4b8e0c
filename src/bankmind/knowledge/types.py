"""The knowledge base's units: a chunk is what retrieval returns and what a citation quotes.

    Chunk(document="法律法规/商业银行法.md", locator="第三十九条", kind="article",
          context="商业银行法 > 第四章 贷款和其他业务的基本规则", text="第三十九条 商业银行贷款，…")

`text` is verbatim from the document, so a citation can quote it exactly; `context` (chapter and
section titles, the heading path, a table's sheet) is added for retrieval and display, never quoted.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Chunk", "ChunkKind"]

ChunkKind = Literal["article", "section", "table", "passage"]


class Chunk(BaseModel):
    """One retrievable, quotable piece of a document."""

    model_config = ConfigDict(frozen=True)

    document: str = Field(description="The document's name in the knowledge base (relative path or title).")
    ordinal: int = Field(ge=0, description="Position of the chunk in its document (0, 1, 2, …).")
    kind: ChunkKind
    locator: str = Field(description="Where to find it: `第三十九条`, `p.3`, `Sheet1!A1:F20`, a heading.")
    context: str = Field(default="", description="Titles above the chunk (章/节, headings), for retrieval.")
    text: str = Field(description="Verbatim text of the chunk (a table as Markdown).")
    page: int | None = Field(default=None, ge=1, description="1-based page of the chunk's start, if paged.")
