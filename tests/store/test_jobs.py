"""Jobs: progress, results, failures and restarts, on both store backends."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from bankmind.errors import InputError, NotFound
from bankmind.store import Store
from bankmind.store.jobs import JobRunner, Progress, get_job, list_jobs, recover_interrupted, run_job
from bankmind.store.users import create_user


def _count_to_three(progress: Progress) -> dict[str, int]:
    for i in range(3):
        progress((i + 1) / 3, f"step {i + 1} of 3")
    return {"counted": 3}


def test_run_job_records_progress_and_result(store: Store) -> None:
    seen: list[tuple[float, str | None]] = []
    job = run_job(store, "demo", _count_to_three, params={"n": 3}, listener=lambda f, m: seen.append((f, m)))
    assert job.status == "succeeded"
    assert job.progress == 1.0
    assert job.result == {"counted": 3}
    assert job.message == "step 3 of 3"
    assert job.started_at is not None and job.finished_at is not None
    assert seen[-1] == (1.0, "step 3 of 3")


def test_a_job_that_raises_an_expected_error_is_failed_with_its_message(store: Store) -> None:
    def bad_input(progress: Progress) -> None:
        raise InputError("'估值表.xlsx' is password-protected; remove the password and upload it again")

    job = run_job(store, "demo", bad_input)
    assert job.status == "failed"
    assert job.error_code == "input_error"
    assert job.error is not None and "password-protected" in job.error


def test_a_crashing_job_is_failed_without_leaking_internals(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    def crash(progress: Progress) -> None:
        raise RuntimeError("secret internal detail")

    job = run_job(store, "demo", crash)
    assert job.status == "failed"
    assert job.error_code == "internal_error"
    assert job.error is not None and "secret" not in job.error and job.id in job.error
    assert "job.crashed" in caplog.text


def test_runner_runs_jobs_in_the_background(store: Store) -> None:
    runner = JobRunner(store, workers=2)
    try:
        ids = [runner.submit("demo", _count_to_three) for _ in range(3)]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(get_job(store, i).status != "succeeded" for i in ids):
            time.sleep(0.05)
        assert all(get_job(store, i).result == {"counted": 3} for i in ids)
    finally:
        runner.shutdown()


def test_list_jobs_by_owner(store: Store) -> None:
    a = create_user(store, "a", roles=["x"])
    b = create_user(store, "b", roles=["x"])
    run_job(store, "demo", _count_to_three, owner_id=a.user_id)
    run_job(store, "demo", _count_to_three, owner_id=b.user_id)
    assert len(list_jobs(store)) == 2
    assert len(list_jobs(store, owner_id=a.user_id)) == 1


_KILLED_WORKER = """
import sys, time
from bankmind.store import Store
from bankmind.store.jobs import JobRunner

def forever(progress):
    progress(0.5, "half way")
    time.sleep(3600)

store = Store(sys.argv[1])
runner = JobRunner(store, workers=1)
print(runner.submit("demo", forever), flush=True)
time.sleep(3600)
"""


def test_restart_keeps_finished_results_and_fails_jobs_of_a_dead_process(store: Store) -> None:
    done = run_job(store, "demo", _count_to_three)
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WORKER, store.url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        stuck = proc.stdout.readline().strip()
        deadline = time.monotonic() + 30
        while get_job(store, stuck).status != "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert get_job(store, stuck).status == "running"
        # a live worker's jobs are left alone (another server sharing the store)
        assert recover_interrupted(store) == 0
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    # the "restart": the process died mid-job; the next start marks its job failed
    assert recover_interrupted(store) == 1
    interrupted = get_job(store, stuck)
    assert interrupted.status == "failed" and interrupted.error_code == "interrupted"
    assert interrupted.error is not None and "start it again" in interrupted.error
    assert get_job(store, done.id).result == {"counted": 3}
    assert recover_interrupted(store) == 0


def test_unknown_job(store: Store) -> None:
    with pytest.raises(NotFound, match="no job"):
        get_job(store, "does-not-exist")
