"""`bankmind jobs list|show`: long-running work and its progress."""

from __future__ import annotations

import time

import typer

from bankmind.cli.output import Format, emit_json, emit_table, err, progress_bar
from bankmind.config import load_settings
from bankmind.store import Store
from bankmind.store.jobs import get_job, list_jobs

app = typer.Typer(help="Show jobs.", no_args_is_help=True)


@app.command("list")
def list_(
    limit: int = typer.Option(20, help="How many, newest first."),
    format: Format = typer.Option(Format.text, "--format", help="text or json."),
) -> None:
    """List recent jobs."""
    jobs = list_jobs(Store.open(load_settings()), limit=limit)
    if format is Format.json:
        emit_json(jobs)
        return
    emit_table(
        [j.model_dump() | {"progress": f"{j.progress:.0%}"} for j in jobs],
        ["id", "kind", "status", "progress", "message", "created_at"],
    )


@app.command("show")
def show(job_id: str = typer.Argument(..., help="Job id.")) -> None:
    """Show one job with its result or error, as JSON."""
    emit_json(get_job(Store.open(load_settings()), job_id))


@app.command("watch")
def watch(
    job_id: str = typer.Argument(..., help="Job id."),
    interval: float = typer.Option(0.5, min=0.1, help="Seconds between looks at the job."),
) -> None:
    """Follow a job with a progress bar until it ends; exit 0 when it succeeded, 1 when it failed."""
    store = Store.open(load_settings())
    job = get_job(store, job_id)
    with progress_bar(job.kind) as update:
        while job.status in ("queued", "running"):
            update(job.progress, job.message)
            time.sleep(interval)
            job = get_job(store, job_id)
        update(job.progress, job.message)
    if job.status == "failed":
        err.print(f"job failed: {job.error}", markup=False)
        raise typer.Exit(1)
    emit_json(job.result)
