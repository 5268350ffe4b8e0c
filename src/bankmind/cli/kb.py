"""`bankmind kb ingest|search|ask|list|remove`: the knowledge base from the command line (cli-contract.md).

Exit codes: `ingest` 0 when every file was ingested (or unchanged), 1 when some could not be read
(each is listed with its reason; the others are in), 2 when nothing could be processed (a path
that does not exist, a bad option); `search`, `list` and `remove` 0, or 2 on bad input.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from bankmind.cli.audit import operator_name
from bankmind.cli.output import Format, emit_json, emit_table, err, out, progress_bar
from bankmind.config import Settings, load_settings
from bankmind.guard.gateway import Gateway
from bankmind.knowledge.answer import ask as ask_kb
from bankmind.knowledge.index import KnowledgeIndex
from bankmind.knowledge.ingest import ingest as ingest_paths
from bankmind.knowledge.sample import SAMPLE_KB, install_sample
from bankmind.knowledge.search import search as search_kb
from bankmind.knowledge.writer import gateway_writer
from bankmind.llm import ModelRouter
from bankmind.store import Store
from bankmind.types import Principal

app = typer.Typer(
    help="The knowledge base: ingest documents, search them, ask for cited answers.", no_args_is_help=True
)

_KB = typer.Option(..., "--kb", help="Knowledge base name (created on first ingest).")
_FORMAT = typer.Option(Format.text, "--format", help="text or json.")


@contextmanager
def _opened() -> Iterator[tuple[Settings, KnowledgeIndex, ModelRouter]]:
    settings = load_settings()
    store = Store.open(settings)
    router = ModelRouter(settings)
    try:
        yield settings, KnowledgeIndex.open(settings, store, router.embedding()), router
    finally:
        router.close()
        store.close()


@contextmanager
def _index() -> Iterator[KnowledgeIndex]:
    with _opened() as (_, index, _):
        yield index


def _roles(value: str | None) -> list[str] | None:
    return [part.strip() for part in value.split(",") if part.strip()] if value else None


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files and folders (recursively)."),
    kb: str = _KB,
    acl: str | None = typer.Option(None, "--acl", help="Roles that may read these documents (ROLE,ROLE)."),
    force: bool = typer.Option(
        False, "--force", help="Read, chunk and embed unchanged files again (after upgrading bankmind)."
    ),
    fmt: Format = _FORMAT,
) -> None:
    """Add or update documents; unchanged files are skipped, unreadable ones listed with the reason."""
    settings = load_settings()
    with _index() as index, progress_bar(f"ingest into {kb}") as update:
        report = ingest_paths(
            index,
            settings,
            kb,
            paths,
            acl=_roles(acl),
            progress=lambda done, total, name: update(done / total if total else 1.0, name),
            force=force,
        )
    if fmt is Format.json:
        emit_json(report)
    else:
        for file in report.files:
            detail = f"{file.chunks} chunks" if file.outcome != "failed" else (file.error or "")
            out.print(f"{file.outcome:<9} {file.name}  {detail}")
        counts = ", ".join(f"{report.count(o)} {o}" for o in ("added", "replaced", "unchanged", "failed"))
        err.print(f"{kb}: {counts}")
    raise typer.Exit(1 if report.count("failed") else 0)


@app.command()
def sample(
    kb: str = typer.Option(SAMPLE_KB, "--kb", help="Knowledge base to fill with the sample handbook."),
) -> None:
    """Ingest the sample handbook of a fictional bank (what `make run` shows at first start)."""
    settings = load_settings()
    with _index() as index, progress_bar(f"sample handbook into {kb}") as update:
        report = install_sample(
            index,
            settings,
            kb=kb,
            progress=lambda done, total, name: update(done / total if total else 1.0, name),
        )
    counts = ", ".join(f"{report.count(o)} {o}" for o in ("added", "replaced", "unchanged", "failed"))
    err.print(f'{kb}: {counts}; try `bankmind kb ask "个人贷款逾期超过多少天要移交资产保全部？" --kb {kb}`')
    raise typer.Exit(1 if report.count("failed") else 0)


@app.command()
def search(
    query: str = typer.Argument(..., help="The question or words to look for."),
    kb: str = _KB,
    top_k: int = typer.Option(5, "--top-k", min=1, max=100, help="How many passages."),
    as_role: str | None = typer.Option(
        None, "--as-role", help="Search as this role (ROLE,ROLE): documents it may not read never appear."
    ),
    fmt: Format = _FORMAT,
) -> None:
    """The best passages, best first, with their locators."""
    roles = _roles(as_role)
    with _index() as index:
        hits = search_kb(index, kb, query, roles=set(roles) if roles is not None else None, top_k=top_k)
    rows = [{"document": h.document, "locator": h.locator, "text": h.text, "score": h.score} for h in hits]
    if fmt is Format.json:
        emit_json(rows)
        return
    for row in rows:
        out.print(f"[bold]{row['document']}[/bold] {row['locator']}  ({row['score']:.3f})")
        out.print(row["text"], markup=False)
        out.print()


@app.command()
def ask(
    question: str = typer.Argument(..., help="The question."),
    kb: str = _KB,
    as_role: str | None = typer.Option(
        None, "--as-role", help="Ask as this role (ROLE,ROLE): documents it may not read are never used."
    ),
    extractive: bool = typer.Option(
        False, "--extractive", help="Quote the passages without asking the chat model."
    ),
    fmt: Format = _FORMAT,
) -> None:
    """A cited answer from the knowledge base, or a refusal when it does not cover the question."""
    roles = _roles(as_role)
    with _opened() as (settings, index, router):
        index.require(kb)
        principal = Principal(user_id=0, name=f"cli:{operator_name()}"[:100], roles=tuple(roles or ()))
        gateway = Gateway(settings, index.store, router)
        writer = None if extractive else gateway_writer(gateway, principal)
        answer = ask_kb(index, kb, question, roles=set(roles) if roles is not None else None, writer=writer)
    if answer.note:
        err.print(answer.note, markup=False)
    if fmt is Format.json:
        emit_json(
            {
                "answer": answer.answer,
                "refused": answer.refused,
                "citations": [
                    {"document": c.document, "locator": c.locator, "text": c.text} for c in answer.citations
                ],
            }
        )
        return
    out.print(answer.answer, markup=False)
    for number, citation in enumerate(answer.citations, start=1):
        out.print(f"[{number}] {citation.document} {citation.locator}", markup=False)


@app.command("list")
def list_documents(kb: str = _KB, fmt: Format = _FORMAT) -> None:
    """The documents of a knowledge base with their ACL and chunk counts."""
    with _index() as index:
        index.require(kb)
        documents = index.list_documents(kb)
    if fmt is Format.json:
        emit_json(documents)
        return
    rows = [
        {**d.model_dump(), "acl": ",".join(d.acl) if d.acl else "(everyone)", "sha256": d.sha256[:12]}
        for d in documents
    ]
    emit_table(rows, ["name", "title", "chunks", "acl", "effective_date", "sha256"], title=kb)


@app.command()
def remove(
    name: str = typer.Argument(..., help="The document's name as `kb list` shows it."), kb: str = _KB
) -> None:
    """Remove a document and its passages from the knowledge base."""
    with _index() as index:
        index.require(kb)
        removed = index.remove_document(kb, name)
    if not removed:
        err.print(f"{kb} has no document named '{name}'; see `bankmind kb list --kb {kb}`")
        raise typer.Exit(2)
    err.print(f"removed '{name}' from {kb}")
