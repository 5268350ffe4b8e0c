"""Structure-aware chunks: one per statute article, heading section, table or plain passage.

    chunks = chunk_document(doc, "法律法规/商业银行法.md")
    chunks[3]   # Chunk(kind="article", locator="第三条", page=None,
                #       context="中华人民共和国商业银行法 > 第一章 总则",
                #       text="第三条 商业银行可以经营下列部分或者全部业务:\\n（一）吸收公众存款；\\n…")

Each document is chunked in one of three modes, chosen from its blocks:

statute   three or more blocks start an article (`第X条`, see `chunking_statutes`). One chunk per
          article (kind "article", locator the number as written: `第三十九条`, `第12条`,
          `第一百二十条之一`), holding the article's paragraphs and items （一）（二）… up to the next
          article or title. 编/章/节 titles, as headings or as plain title lines, go into `context`,
          never into the text, and so do `（二）不动产抵押` lines that group articles (an item
          line right after a title or a finished sentence, with no punctuation of its own). Text
          before the first article (dates of adoption, a preamble) is a "section" chunk. An
          article longer than 2 × `max_chars` is cut at paragraph (then sentence) boundaries into
          pieces of ≤ `max_chars`; the pieces keep the article's locator, their `ordinal`s are
          consecutive, and every piece after the first has the article number at the end of its
          context (`… > 第四章 … > 第三十九条`), so a search for the number finds it.
sections  the document has headings (or 编/章/节 title lines) but no articles: one "section" chunk
          per heading's body, locator the nearest heading, context the heading path; a body longer
          than `max_chars` is cut at paragraph (then sentence) boundaries into pieces of ≤ `max_chars`.
plain     no structure: "passage" chunks of ≤ `max_chars`, cut the same way.

Tables are chunks of their own in every mode (kind "table", the block's Markdown), cut beyond
`max_chars` into row groups, each under the header row again (a fee schedule's row is found by
its own words, not drowned in the whole sheet's). Their locator is the block's own
(`Sheet1!A1:F20`, whose sheet also joins the context), else the article or heading they sit under,
else `p.N`, else `表N` (the N-th table of the document).

Where no article or heading names a place, the locator is `p.N` (the page of the chunk's first
block) in paged documents and `段N` or `段N-M` otherwise: the N-th to M-th paragraph of the document,
counting paragraph blocks from 1 (headings and tables are not counted), as a reader counts them
in a word processor or text file.

Context always begins with the document title: the first block when it is a heading that stands
above the rest (not numbered, no higher heading, and not a sibling section with a body of its own),
else `doc.title`, else `name` without its file extension. Headings are context, not text.

Text is verbatim: block texts joined with "\\n" (a piece of one long block is a slice of it), so a
citation can quote it. `page` is the page of the chunk's first block.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

from bankmind.documents.content import Block, LoadedDocument
from bankmind.knowledge.chunking_pieces import Unit, join, pack, split_long, split_table
from bankmind.knowledge.chunking_statutes import (
    ITEM_TITLE_ORDER,
    ArticleStart,
    division_order,
    is_item_title,
    match_article,
    parse_article_number,
)
from bankmind.knowledge.types import Chunk, ChunkKind

__all__ = ["chunk_document", "parse_article_number"]

Mode = Literal["statute", "sections", "plain"]

STATUTE_MIN_ARTICLES = 3
_SEPARATOR = " > "
_CLOSERS = "”’」』）)】》\"' "
_NUMBERED = re.compile(
    r"(?:\d+(?:\.\d+)*[\s.、．]"  # 1 总则, 2.3. 范围
    r"|[一二三四五六七八九十]+[、.．]"  # 一、总则
    r"|[（(][一二三四五六七八九十\d]+[）)])"  # （一）总则
)
_EXTENSIONS = {"pdf", "docx", "doc", "wps", "xlsx", "xls", "csv", "html", "htm", "md", "markdown", "txt",
               "png", "jpg", "jpeg", "tif", "tiff", "bmp"}  # fmt: skip


def chunk_document(doc: LoadedDocument, name: str, *, max_chars: int = 800) -> list[Chunk]:
    """`doc` as retrievable chunks in reading order, `document=name`, `ordinal` 0, 1, 2, …

    `max_chars` bounds sections, passages and table row groups; articles stay whole up to twice
    that (see the module docstring for each mode's rules).
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, not {max_chars}")
    return _Chunker(doc, name, max_chars).run()


class _Piece(NamedTuple):
    kind: ChunkKind
    locator: str
    context: str
    text: str
    page: int | None


class _Title(NamedTuple):
    is_division: bool
    rank: int  # heading level, or division order (编 0 … 节 3)
    text: str


class _Chunker:
    def __init__(self, doc: LoadedDocument, name: str, max_chars: int) -> None:
        self.name = name
        self.max_chars = max_chars
        self.blocks = [block for block in doc.blocks if block.text.strip()]
        self.paragraph: dict[int, int] = {}
        for i, block in enumerate(self.blocks):
            if block.kind == "paragraph":
                self.paragraph[i] = len(self.paragraph) + 1
        self.start = 1 if _first_is_title(self.blocks) else 0
        self.title = self.blocks[0].text.strip() if self.start else (doc.title or _stem(name, doc.kind))
        self.mode = _mode(self.blocks[self.start :])
        self.titles: list[_Title] = []
        self.article: ArticleStart | None = None
        self.article_pieces = 0
        self.last_number: int | None = None
        self.group: list[int] = []
        self.tables = 0
        self.pieces: list[_Piece] = []

    def run(self) -> list[Chunk]:
        for i in range(self.start, len(self.blocks)):
            block = self.blocks[i]
            if block.kind == "table":
                self._flush()
                self._table(block)
                continue
            article = self._article(block)
            if article is not None:
                self._flush()
                self.article, self.article_pieces, self.last_number = article, 0, article.number
                self.group.append(i)
                continue
            order = self._division(block)
            if block.kind == "heading" or order is not None:
                self._flush()
                self.article = None
                self._push_title(block, order)
                continue
            self.group.append(i)
        self._flush()
        return [
            Chunk(document=self.name, ordinal=n, kind=p.kind, locator=p.locator, context=p.context,
                  text=p.text, page=p.page)
            for n, p in enumerate(self.pieces)
        ]  # fmt: skip

    def _article(self, block: Block) -> ArticleStart | None:
        if self.mode != "statute":
            return None
        article = match_article(block.text)
        if article is None or article.strong or self.last_number is None:
            return article
        inserted = "之" in article.label  # 第十二条之一 follows 第十二条
        expected = self.last_number if inserted else self.last_number + 1
        return article if article.number == expected else None

    def _division(self, block: Block) -> int | None:
        """The order of a 编/章/节 (or, in statutes, `（二）不动产抵押`) title line; None for other blocks."""
        if block.kind != "paragraph":
            return None
        order = division_order(block.text)
        if order is not None or self.mode != "statute" or not is_item_title(block.text):
            return order
        previous = self.blocks[self.group[-1]].text.rstrip(_CLOSERS) if self.group else "。"
        return ITEM_TITLE_ORDER if previous.endswith(("。", "！", "？")) else None

    def _push_title(self, block: Block, order: int | None) -> None:
        if order is not None:  # a 编/章/节 line: replaces titles of the same or lower order
            while self.titles and self.titles[-1].is_division and self.titles[-1].rank >= order:
                self.titles.pop()
            self.titles.append(_Title(True, order, block.text.strip()))
            return
        level = max(block.level, 1)  # a heading replaces title lines and headings at or below its level
        while self.titles and (self.titles[-1].is_division or self.titles[-1].rank >= level):
            self.titles.pop()
        self.titles.append(_Title(False, level, block.text.strip()))

    def _context(self, *extra: str) -> str:
        return _SEPARATOR.join([self.title, *(t.text for t in self.titles), *extra])

    def _flush(self) -> None:
        if not self.group:
            return
        blocks = [(self.blocks[i], self.paragraph.get(i)) for i in self.group]
        units = [Unit(block.text, True, block.page, paragraph) for block, paragraph in blocks]
        self.group = []
        whole = len(join(units))
        if self.article is not None:
            kind: ChunkKind = "article"
            limit = self.max_chars if whole > 2 * self.max_chars else whole
        else:
            kind = "passage" if self.mode == "plain" else "section"
            limit = self.max_chars
        if whole > limit:
            units = [
                Unit(part, k == 0, unit.page, unit.paragraph)
                for unit in units
                for k, part in enumerate(split_long(unit.text, limit))
            ]
        heading = self.titles[-1].text if self.titles else None
        for piece in pack(units, limit):
            if self.article is not None:
                label = self.article.label
                context = self._context(label) if self.article_pieces else self._context()
                self.article_pieces += 1
            else:
                label = heading or _place(piece)
                context = self._context()
            self.pieces.append(_Piece(kind, label, context, join(piece), piece[0].page))

    def _table(self, block: Block) -> None:
        self.tables += 1
        sheet = _sheet(block.locator)
        context = self._context(sheet) if sheet else self._context()
        locator = (
            block.locator
            or (self.article.label if self.article is not None else None)
            or (self.titles[-1].text if self.titles else None)
            or (f"p.{block.page}" if block.page is not None else f"表{self.tables}")
        )
        for text in split_table(block.text, self.max_chars):
            self.pieces.append(_Piece("table", locator, context, text, block.page))


def _place(units: list[Unit]) -> str:
    """`p.N` for a paged piece, else `段N` / `段N-M` (paragraph numbers), else `段?` (cannot happen)."""
    if units[0].page is not None:
        return f"p.{units[0].page}"
    numbers = [u.paragraph for u in units if u.paragraph is not None]
    if not numbers:
        return "段?"
    first, last = numbers[0], numbers[-1]
    return f"段{first}" if first == last else f"段{first}-{last}"


def _mode(blocks: list[Block]) -> Mode:
    texts = [block for block in blocks if block.kind != "table"]
    if sum(match_article(block.text) is not None for block in texts) >= STATUTE_MIN_ARTICLES:
        return "statute"
    if any(b.kind == "heading" or division_order(b.text) is not None for b in texts):
        return "sections"
    return "plain"


def _first_is_title(blocks: list[Block]) -> bool:
    """Whether the first block is the document's title rather than its first section's heading."""
    if not blocks or blocks[0].kind != "heading":
        return False
    first = blocks[0]
    text = first.text.strip()
    if _NUMBERED.match(text) or match_article(text) or division_order(text) is not None:
        return False
    others = [b.level for b in blocks[1:] if b.kind == "heading"]
    if any(level < first.level for level in others):
        return False
    has_sibling = any(level == first.level for level in others)
    return not has_sibling or (len(blocks) > 1 and blocks[1].kind == "heading")


def _stem(name: str, kind: str) -> str:
    """`法律法规/商业银行法.md` → `商业银行法`: the file name without folders or a known extension."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1] or name
    stem, dot, extension = base.rpartition(".")
    if dot and stem and extension.lower() in (_EXTENSIONS | {kind.lower()}):
        return stem
    return base


def _sheet(locator: str | None) -> str | None:
    """`'损益表'!A1:F20` → `损益表`: the sheet of a spreadsheet range, None for other locators."""
    if not locator or "!" not in locator:
        return None
    return locator.rsplit("!", 1)[0].strip("'") or None
