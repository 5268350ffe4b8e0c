"""The DOCX report: the contract with a Word comment at exactly the text each finding quotes.

Evidence from a DOCX carries the text as the loader read it: a paragraph, or a table row with its
cells joined by a space, whitespace runs collapsed (`contracts.pages`). That text is looked up the
same way here (a whole line first, then a part of one), the runs where it starts and ends are split
so the comment covers exactly that text, and those runs get a yellow highlight. A finding without
evidence, or whose text is not in the body (headers and text boxes are not read), is commented on
the title paragraph. A TXT becomes a DOCX of its lines first. `data` is what was inspected, so it
has passed the upload checks (zip-bomb guard) already.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from bankmind.contracts.pages import read_pages
from bankmind.contracts.types import Inspection
from bankmind.documents.loaders import clean

if TYPE_CHECKING:
    from docx.document import Document
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

__all__ = ["docx_report"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SPLITTABLE = frozenset(f"{_W}{tag}" for tag in ("rPr", "t", "tab", "br", "cr"))
"""A run holding only these can be cut in two; any other (a picture, a field) is kept whole."""
_Position = tuple[int, int]
"""(paragraph index within a line, character offset in that paragraph)."""


def docx_report(
    data: bytes, filename: str, kind: str, inspection: Inspection, notes: Sequence[str], *, author: str
) -> bytes:
    """The commented DOCX of a DOCX or text contract; `notes[i]` is the text of `inspection.findings[i]`."""
    import docx
    from docx.enum.text import WD_COLOR_INDEX

    document = docx.Document(io.BytesIO(data)) if kind == "docx" else _from_text(data, filename, inspection)
    for finding, note in zip(inspection.findings, notes, strict=True):
        runs = _evidence_runs(document, finding.evidence.text) if finding.evidence else None
        if runs:
            for run in runs:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        else:
            runs = _title_runs(document, inspection.title)
        document.add_comment(runs, text=note, author=author, initials=author[:2].upper())
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _from_text(data: bytes, filename: str, inspection: Inspection) -> Document:
    """A DOCX of the text's lines as inspection read them (so every evidence text is found), title bold."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = docx.Document()
    document.core_properties.title = inspection.title or ""
    titled = False
    for line in read_pages(data, filename).lines:
        paragraph = document.add_paragraph()
        run = paragraph.add_run(line.text)
        if not titled and line.text == inspection.title:
            titled, run.bold, run.font.size = True, True, Pt(16)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return document


def _lines(document: Document) -> Iterator[list[Paragraph]]:
    """The body as the loader reads it: each paragraph, and each table row as its cells' paragraphs."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    def children(parent: object) -> Iterator[object]:  # looking through content controls
        for child in parent.iterchildren():  # type: ignore[attr-defined]
            if child.tag == f"{_W}sdt":
                content = child.find(f"{_W}sdtContent")
                yield from children(content) if content is not None else ()
            else:
                yield child

    for element in children(document.element.body):
        tag = element.tag  # type: ignore[attr-defined]
        if tag == f"{_W}p":
            yield [Paragraph(element, document)]  # type: ignore[arg-type]
        elif tag == f"{_W}tbl":
            for row in Table(element, document).rows:  # type: ignore[arg-type]
                cells = list(dict.fromkeys(cell._tc for cell in row.cells))  # merged cells once
                yield [Paragraph(p, document) for tc in cells for p in tc.iterchildren(f"{_W}p")]


def _runs(paragraph: Paragraph) -> list[Run]:
    """The paragraph's runs in order, including those inside hyperlinks: their texts make its text."""
    from docx.text.run import Run

    out: list[Run] = []
    for item in paragraph.iter_inner_content():
        out.extend([item] if isinstance(item, Run) else item.runs)
    return out


def _normalised(paragraphs: list[Paragraph]) -> tuple[str, list[_Position | None]]:
    """The line's text with whitespace collapsed and paragraphs joined by a space, as `clean` gives it,
    and for each character where it is (None for a joining space)."""
    chars: list[tuple[str, _Position | None]] = []
    for index, paragraph in enumerate(paragraphs):
        if index:
            chars.append((" ", None))
        chars.extend((ch, (index, offset)) for offset, ch in enumerate(paragraph.text))
    text: list[str] = []
    where: list[_Position | None] = []
    for ch, position in chars:
        if ch.isspace():
            if text and text[-1] == " ":
                continue
            ch = " "
        text.append(ch)
        where.append(position)
    joined = "".join(text)
    lead = len(joined) - len(joined.lstrip())
    return joined.strip(), where[lead : lead + len(joined.strip())]


def _evidence_runs(document: Document, evidence: str) -> list[Run] | None:
    """The runs that hold exactly `evidence` (split where it starts or ends inside a run), or None."""
    wanted = clean(evidence)
    if not wanted:
        return None
    lines = [(paragraphs, *_normalised(paragraphs)) for paragraphs in _lines(document)]
    whole = [(p, w, 0) for p, text, w in lines if text == wanted]
    part = [(p, w, text.find(wanted)) for p, text, w in lines if wanted in text]
    for paragraphs, where, start in whole + part:
        first, last = where[start], where[start + len(wanted) - 1]
        if first is None or last is None:
            continue
        runs: list[Run] = []
        for index in range(first[0], last[0] + 1):
            text = paragraphs[index].text
            begin = first[1] if index == first[0] else 0
            end = last[1] + 1 if index == last[0] else len(text)
            runs += _isolate(_runs(paragraphs[index]), begin, end)
        if runs:
            return runs
    return None


def _isolate(runs: list[Run], begin: int, end: int) -> list[Run]:
    """The runs covering characters [begin, end) of their paragraph, split at both ends when possible."""
    out = []
    offset = 0
    for run in runs:
        text = run.text
        start, stop = offset, offset + len(text)
        offset = stop
        if stop <= begin or start >= end or not text:
            continue
        if start < begin and _splittable(run):
            run, start = _split(run, begin - start), begin
        if stop > end and _splittable(run):
            _split(run, end - start)
        out.append(run)
    return out


def _splittable(run: Run) -> bool:
    return all(child.tag in _SPLITTABLE for child in run._r.iterchildren())


def _split(run: Run, at: int) -> Run:
    """Cut `run` after `at` characters: it keeps the head, a copy with the same formatting gets the
    tail and is returned."""
    from docx.text.run import Run

    text = run.text
    tail = copy.deepcopy(run._r)
    run._r.addnext(tail)
    run.text = text[:at]
    second = Run(tail, run._parent)
    second.text = text[at:]
    return second


def _title_runs(document: Document, title: str | None) -> list[Run]:
    """The title paragraph's runs (the first paragraph with text when the title is not found)."""
    paragraphs = [p for line in _lines(document) for p in line if clean(p.text)]
    chosen = next((p for p in paragraphs if clean(p.text) == title), paragraphs[0] if paragraphs else None)
    runs = [r for r in _runs(chosen) if r.text] if chosen is not None else []
    return runs or document.add_paragraph("质检结果").runs
