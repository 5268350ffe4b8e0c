"""`bankmind eval <capability>`: measure a capability on published and generated data.

The published data is read from `--data DIR` (default `../shared/data`, relative to the current
folder, when it exists); it is never copied into the repository. Exit 0 when every target is met
(or the evaluation was skipped for want of data), 1 when a target is missed, 2 on bad input.

    bankmind eval pii        PII recognizers (bankmind.eval.pii)
    bankmind eval gateway    the gateway's refusal policy (bankmind.eval.gateway)
    bankmind eval kb         knowledge-base retrieval and grounded answers (bankmind.eval.kb)
    bankmind eval recon      估值表 parsing and reconciliation (bankmind.eval.recon)
    bankmind eval cuad       English clause presence on CUAD (bankmind.eval.cuad)
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import NoReturn

import typer

from bankmind.cli.output import Format, emit_json, err, out, progress_bar
from bankmind.config import load_settings
from bankmind.errors import InputError
from bankmind.eval import contracts as contracts_eval
from bankmind.eval import cuad as cuad_eval
from bankmind.eval import gateway as gateway_eval
from bankmind.eval import kb as kb_eval
from bankmind.eval import recon as recon_eval
from bankmind.eval.pii import evaluate_pii, reference_bins, to_text
from bankmind.eval.pii_corpus import DEFAULT_SEED
from bankmind.guard.gateway import Gateway
from bankmind.guard.pii import PiiConfig
from bankmind.knowledge.writer import gateway_writer
from bankmind.llm import ModelRouter
from bankmind.store import Store
from bankmind.types import Principal

app = typer.Typer(help="Measure capabilities on published and generated data.", no_args_is_help=True)

DEFAULT_DATA = Path("../shared/data")


def _data_folder(data: Path | None, holds: str, needs: Path | str = "") -> Path | None:
    """The published data folder: `--data`, refused (exit 2) unless it holds the folder `needs`, for
    a wrong path is a mistake to fix; else ../shared/data when it holds `needs`; else None."""
    if data is not None and not (data / needs).is_dir():
        raise InputError(
            f"evaluation data folder '{data / needs}' not found; pass the folder that holds {holds}"
        )
    return data if data is not None else (DEFAULT_DATA if (DEFAULT_DATA / needs).is_dir() else None)


def _skip(where: Path, format: Format, hint: str = "pass --data DIR") -> NoReturn:
    """Without the published data an evaluation that needs it is skipped, not failed: say so, exit 0."""
    reason = f"skipped: no evaluation data at {where} ({hint})"
    if format is Format.json:
        emit_json({"skipped": True, "reason": reason})
    else:
        err.print(reason, markup=False)
    raise typer.Exit(0)


@app.command("pii")
def pii(
    data: Path | None = typer.Option(
        None, "--data", help="Folder that holds pii/ (default: ../shared/data when present)."
    ),
    generated_only: bool = typer.Option(
        False, "--generated-only", help="Evaluate the generated banking texts only (no data folder needed)."
    ),
    texts: int = typer.Option(300, "--texts", min=6, max=100_000, help="Number of generated texts."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Seed of the generated texts."),
    bins: Path | None = typer.Option(
        None, "--bins", help="Extra BIN list (default: DATA/pii/cn_pii_reference/bank_card_bins.json)."
    ),
    format: Format = typer.Option(Format.text, "--format", help="text or json."),
) -> None:
    """PII recognizers: precision/recall per entity, near-miss false positives, person-name recall."""
    folder = _data_folder(data, "pii/")
    if folder is None and not generated_only:
        _skip(DEFAULT_DATA, format, "pass --data DIR, or --generated-only")
    if generated_only:
        folder = None
    if bins is not None and not bins.is_file():
        raise InputError(f"BIN list '{bins}' not found; check the --bins path")
    extra = bins or reference_bins(folder)
    report = evaluate_pii(
        folder,
        config=PiiConfig(bank_card_bins=(extra,) if extra else ()),
        texts=texts,
        seed=seed,
    )
    if format is Format.json:
        emit_json({"ok": report.ok, **report.model_dump(mode="json")})
    else:
        out.print(to_text(report), markup=False)
    raise typer.Exit(0 if report.ok else 1)


@app.command("gateway")
def gateway(
    data: Path | None = typer.Option(
        None,
        "--data",
        help="Folder that holds gateway/must_refuse_prompts/ (default: ../shared/data when present).",
    ),
    classifier: bool = typer.Option(
        False,
        "--classifier",
        help="Also put what the patterns pass to the configured chat model (ModelRefusalClassifier).",
    ),
    show_misses: bool = typer.Option(
        False,
        "--show-misses",
        help="List the must-refuse requests not refused and the false refusals, for review.",
    ),
    format: Format = typer.Option(Format.text, "--format", help="text or json."),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
) -> None:
    """Refusal policy: refusal rate on must-refuse requests, false refusals on ordinary questions."""
    folder = _data_folder(data, "gateway/must_refuse_prompts") or DEFAULT_DATA
    judge, note = gateway_eval.chat_judge(load_settings()) if classifier else (None, None)
    try:
        with progress_bar("classifier") if judge is not None else nullcontext() as update:
            report = gateway_eval.evaluate_gateway(folder, judge=judge, judge_note=note, progress=update)
    finally:
        if judge is not None:
            judge.close()
    if as_json or format is Format.json:
        exclude = None if show_misses else {"misses"}
        emit_json({"ok": report.ok, **report.model_dump(mode="json", exclude=exclude)})
    else:
        out.print(gateway_eval.to_text(report, show_misses=show_misses), markup=False)
    raise typer.Exit(0 if report.ok else 1)


@app.command("kb")
def kb(
    data: Path | None = typer.Option(
        None,
        "--data",
        help="Folder that holds kb/cn_finance_laws and kb/dev_questions (default: ../shared/data).",
    ),
    with_model: bool = typer.Option(
        False, "--with-model", help="Answer with the configured chat model (default: extractive answers)."
    ),
    retrieval_only: bool = typer.Option(False, "--retrieval-only", help="Score retrieval only (no answers)."),
    show_misses: bool = typer.Option(False, "--show-misses", help="List the questions missed, for review."),
    format: Format = typer.Option(Format.text, "--format", help="text or json."),
) -> None:
    """Retrieval (Recall@5, MRR) and answers (citation precision, support, refusal accuracy)."""
    folder = _data_folder(data, "kb/", "kb/cn_finance_laws")
    if folder is None:
        _skip(DEFAULT_DATA / "kb", format)
    settings = load_settings()
    router = ModelRouter(settings)
    store = Store.open(settings) if with_model else None
    try:
        writer, answers = None, "extractive"
        if with_model:
            assert store is not None
            gateway = Gateway(settings, store, router)
            writer = gateway_writer(gateway, Principal(user_id=0, name="eval", roles=()))
            if writer is None:
                raise InputError(
                    "--with-model needs a chat model; set BANKMIND_CHAT__PROVIDER (see `bankmind models`)"
                )
            answers = writer.model
        with progress_bar("eval kb") as update:
            report = kb_eval.evaluate_kb(
                settings, folder, router.embedding(), writer=writer, answers=answers,
                retrieval_only=retrieval_only, progress=update,
            )  # fmt: skip
    finally:
        router.close()
        if store is not None:
            store.close()
    if format is Format.json:
        exclude = None if show_misses else {"sets": {"__all__": {"questions"}}}
        emit_json({"ok": report.ok, **report.model_dump(mode="json", exclude=exclude)})
    else:
        out.print(kb_eval.to_text(report, show_misses=show_misses), markup=False)
    raise typer.Exit(0 if report.ok else 1)


@app.command("recon")
def recon(
    data: Path | None = typer.Option(
        None,
        "--data",
        help="Folder that holds recon/real_tables (default: ../shared/data when present).",
    ),
    pairs: int = typer.Option(
        60, "--pairs", min=1, max=10_000, help="Number of generated pairs with breaks."
    ),
    seed: int = typer.Option(7, "--seed", help="Seed of the generated tables."),
    show_misses: bool = typer.Option(
        False, "--show-misses", help="List the misread values, missed and extra breaks, for review."
    ),
    format: Format = typer.Option(Format.text, "--format", help="text or json."),
) -> None:
    """估值表 parsing (field accuracy) and reconciliation (break recall/precision, severity, must-match)."""
    folder = _data_folder(data, "recon/")
    with progress_bar("eval recon") as update:
        report = recon_eval.evaluate_recon(folder, pairs=pairs, seed=seed, progress=update)
    if format is Format.json:
        exclude = (
            None if show_misses else {"parse": {"misses"}, "breaks": {"misses"}, "must_match": {"misses"}}
        )
        emit_json({"ok": report.ok, **report.model_dump(mode="json", exclude=exclude)})
    else:
        out.print(recon_eval.to_text(report, show_misses=show_misses), markup=False)
    raise typer.Exit(0 if report.ok else 1)


@app.command("contracts")
def contracts(
    count: int = typer.Option(60, "--count", min=1, max=5_000, help="Number of generated contracts."),
    seed: int = typer.Option(7, "--seed", help="Seed of the generated contracts."),
    show_misses: bool = typer.Option(
        False, "--show-misses", help="List missed and extra findings, misread fields."
    ),
    format: Format = typer.Option(Format.text, "--format", help="text or json."),
) -> None:
    """Contract inspection on generated contracts (DOCX, text and scanned PDF, TXT): defect recall and
    precision per code, clean false alarms, field accuracy, seal detection."""
    with progress_bar("eval contracts") as update:
        report = contracts_eval.evaluate_contracts(seed=seed, count=count, progress=update)
    if format is Format.json:
        emit_json(contracts_eval.as_json(report, show_misses=show_misses))
    else:
        out.print(contracts_eval.to_text(report, show_misses=show_misses), markup=False)
    raise typer.Exit(0 if report.ok else 1)


@app.command("cuad")
def cuad(
    data: Path | None = typer.Option(
        None, "--data", help="Folder that holds contracts/cuad_dev (default: ../shared/data when present)."
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Evaluate the first N contracts only."),
    with_model: bool = typer.Option(
        False, "--model", help="Also confirm the best passages with the configured chat model (slow)."
    ),
    embeddings: bool = typer.Option(
        False, "--embeddings", help="Also blend in the embedding model's similarity (slow on a CPU)."
    ),
    format: Format = typer.Option(Format.text, "--format", help="text or json."),
) -> None:
    """English clause presence (41 CUAD categories): AUPR and precision at 80% recall per category,
    rules against a TF-IDF + logistic regression baseline, optionally with embeddings and a chat model."""
    published = _data_folder(data, "contracts/cuad_dev", cuad_eval.CUAD_DIR)
    if published is None:
        _skip(DEFAULT_DATA / cuad_eval.CUAD_DIR, format)
    folder = published / cuad_eval.CUAD_DIR
    settings = load_settings()
    model, note = gateway_eval.chat_judge(settings) if with_model else (None, None)
    router = ModelRouter(settings) if embeddings else None
    try:
        with progress_bar("eval cuad") as update:
            report = cuad_eval.evaluate_cuad(
                folder, limit=limit, embedder=router.embedding() if router else None,
                chat=cuad_eval.model_chat(model) if model else None, chat_note=note, progress=update,
            )  # fmt: skip
    finally:
        if model is not None:
            model.close()
        if router is not None:
            router.close()
    if format is Format.json:
        emit_json(cuad_eval.as_json(report))
    else:
        out.print(cuad_eval.to_text(report), markup=False)
    raise typer.Exit(0)
