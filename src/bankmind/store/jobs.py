"""Jobs: long-running work with progress kept in the store.

A job function takes a `Progress` and returns a JSON-able result. `JobRunner.submit()` runs it on a
worker thread (the embedded scale-out: a pool in one process); `run_job()` runs it in the caller's
thread (the CLI, which draws a progress bar from the same callbacks). A job that raises is marked
failed with its message; one that was running when the process died is marked failed at the next
start (`recover_interrupted`). Finished results stay in the store.

Each job records its worker (`host:pid`). Recovery only touches jobs of processes on this host that
no longer exist, so several servers can share one PostgreSQL store without failing each other's work.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, update

from bankmind.errors import BankmindError, NotFound
from bankmind.store import Store
from bankmind.store.schema import Job

__all__ = [
    "JobFunction",
    "JobRunner",
    "JobView",
    "Progress",
    "get_job",
    "list_jobs",
    "recover_interrupted",
    "run_job",
]

log = logging.getLogger(__name__)

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"

JobStatus = Literal["queued", "running", "succeeded", "failed"]
ProgressListener = Callable[[float, str | None], None]
JobFunction = Callable[["Progress"], dict[str, Any] | None]


class JobView(BaseModel):
    """A job as the API (`/api/jobs/{id}`), the CLI and the web shell show it."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: str
    kind: str
    owner_id: int | None
    status: JobStatus
    progress: float
    message: str | None
    result: dict[str, Any] | None
    error: str | None
    error_code: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class Progress:
    """Reports a job's progress (0.0-1.0 and a short message) to the store, throttled."""

    def __init__(
        self, store: Store, job_id: str, *, listener: ProgressListener | None = None, interval: float = 0.25
    ) -> None:
        self._store, self._job_id, self._listener, self._interval = store, job_id, listener, interval
        self._last_write = 0.0

    def __call__(self, fraction: float, message: str | None = None) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        if self._listener is not None:
            self._listener(fraction, message)
        now = time.monotonic()
        if now - self._last_write >= self._interval or fraction >= 1.0:
            self._last_write = now
            with self._store.session() as s:
                s.execute(
                    update(Job).where(Job.id == self._job_id).values(progress=fraction, message=message)
                )


def _create(store: Store, kind: str, params: dict[str, Any] | None, owner_id: int | None) -> str:
    job_id = str(uuid.uuid4())
    with store.session() as s:
        s.add(
            Job(
                id=job_id,
                kind=kind,
                status="queued",
                progress=0.0,
                params=params,
                owner_id=owner_id,
                worker=WORKER_ID,
            )
        )
    return job_id


def _execute(store: Store, job_id: str, fn: JobFunction, listener: ProgressListener | None) -> None:
    with store.session() as s:
        s.execute(update(Job).where(Job.id == job_id).values(status="running", started_at=datetime.now(UTC)))
    started = time.monotonic()
    values: dict[str, Any]
    try:
        result = fn(Progress(store, job_id, listener=listener))
        values = {"status": "succeeded", "progress": 1.0, "result": result}
    except BankmindError as exc:
        values = {"status": "failed", "error": exc.message, "error_code": exc.code}
    except Exception:
        log.exception("job.crashed", extra={"job_id": job_id})
        values = {
            "status": "failed",
            "error": f"internal error in job {job_id}; the server log has the details",
            "error_code": "internal_error",
        }
    values["finished_at"] = datetime.now(UTC)
    with store.session() as s:
        s.execute(update(Job).where(Job.id == job_id).values(**values))
    log.info(
        "job.finished",
        extra={
            "job_id": job_id,
            "status": values["status"],
            "duration_ms": int((time.monotonic() - started) * 1000),
        },
    )


def run_job(
    store: Store,
    kind: str,
    fn: JobFunction,
    *,
    params: dict[str, Any] | None = None,
    owner_id: int | None = None,
    listener: ProgressListener | None = None,
) -> JobView:
    """Run a job in this thread and return its final state (failed jobs are returned, not raised)."""
    job_id = _create(store, kind, params, owner_id)
    _execute(store, job_id, fn, listener)
    return get_job(store, job_id)


class JobRunner:
    """A pool of worker threads that run submitted jobs in the background."""

    def __init__(self, store: Store, workers: int = 2) -> None:
        self._store = store
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bankmind-job")

    def submit(
        self, kind: str, fn: JobFunction, *, params: dict[str, Any] | None = None, owner_id: int | None = None
    ) -> str:
        """Queue a job and return its id at once."""
        job_id = _create(self._store, kind, params, owner_id)
        self._pool.submit(_execute, self._store, job_id, fn, None)
        return job_id

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait)


def get_job(store: Store, job_id: str) -> JobView:
    with store.session() as s:
        job = s.get(Job, job_id)
        if job is None:
            raise NotFound(f"no job with id '{job_id[:40]}'")
        return JobView.model_validate(job)


def list_jobs(store: Store, *, owner_id: int | None = None, limit: int = 50) -> list[JobView]:
    """Newest first; only the owner's jobs when `owner_id` is given."""
    query = select(Job).order_by(Job.created_at.desc()).limit(limit)
    if owner_id is not None:
        query = query.where(Job.owner_id == owner_id)
    with store.session() as s:
        return [JobView.model_validate(j) for j in s.scalars(query)]


def _process_gone(worker: str | None) -> bool:
    """True for a worker on this host whose process no longer runs (or an unknown worker)."""
    if not worker:
        return True
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def recover_interrupted(store: Store) -> int:
    """Mark jobs whose process died while they were queued or running as failed; return how many."""
    with store.session() as s:
        open_jobs = s.execute(select(Job.id, Job.worker).where(Job.status.in_(["queued", "running"]))).all()
        dead = [job_id for job_id, worker in open_jobs if _process_gone(worker)]
        if not dead:
            return 0
        result = s.execute(
            update(Job)
            .where(Job.id.in_(dead), Job.status.in_(["queued", "running"]))
            .values(
                status="failed",
                error="interrupted: the server stopped while this job ran; start it again",
                error_code="interrupted",
                finished_at=datetime.now(UTC),
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)
