"""`/api/jobs`: progress, failures, who sees what, and what survives a restart."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from bankmind.api.app import create_app
from bankmind.config import Settings
from bankmind.errors import InputError
from bankmind.store import Store
from bankmind.store.jobs import JobRunner, Progress, get_job
from bankmind.store.users import create_api_key, create_user
from bankmind.types import Principal


def _runner(client: TestClient) -> JobRunner:
    return client.app.state.runner  # type: ignore[attr-defined,no-any-return]


def _wait(client: TestClient, job_id: str, headers: dict[str, str], timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        if body["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
            return body
        time.sleep(0.02)


def _count_to_three(progress: Progress) -> dict[str, Any]:
    for i in range(3):
        progress((i + 1) / 3, f"step {i + 1} of 3")
    return {"rows": 3, "名称": "估值表"}


def test_a_job_runs_to_its_result(
    client: TestClient, alice: Principal, key_for: Callable[[Principal], dict[str, str]]
) -> None:
    headers = key_for(alice)
    job_id = _runner(client).submit("demo", _count_to_three, owner_id=alice.user_id)
    job = _wait(client, job_id, headers)
    assert job["status"] == "succeeded"
    assert job["progress"] == 1.0
    assert job["message"] == "step 3 of 3"
    assert job["result"] == {"rows": 3, "名称": "估值表"}
    assert job["error"] is None and job["finished_at"] is not None
    listed = client.get("/api/jobs", headers=headers).json()
    assert [j["id"] for j in listed] == [job_id]


def test_progress_is_visible_while_running(
    client: TestClient, alice: Principal, key_for: Callable[[Principal], dict[str, str]]
) -> None:
    halfway, release = threading.Event(), threading.Event()

    def slow(progress: Progress) -> None:
        progress(0.5, "halfway")
        halfway.set()
        release.wait(10)

    headers = key_for(alice)
    job_id = _runner(client).submit("slow", slow, owner_id=alice.user_id)
    assert halfway.wait(10)
    job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
    release.set()
    assert job["status"] == "running"
    assert job["progress"] == 0.5 and job["message"] == "halfway"
    assert _wait(client, job_id, headers)["status"] == "succeeded"


def test_a_failing_job_shows_failed_with_its_message(
    client: TestClient, alice: Principal, key_for: Callable[[Principal], dict[str, str]]
) -> None:
    def refuse(progress: Progress) -> None:
        raise InputError("'估值表.xlsx' has no sheet named 估值表; rename the sheet and run it again")

    def crash(progress: Progress) -> None:
        raise RuntimeError("a bug with 110101199003074578 in it")

    headers = key_for(alice)
    refused = _wait(client, _runner(client).submit("demo", refuse, owner_id=alice.user_id), headers)
    assert refused["status"] == "failed"
    assert refused["error_code"] == "input_error"
    assert refused["error"].startswith("'估值表.xlsx' has no sheet")
    crashed = _wait(client, _runner(client).submit("demo", crash, owner_id=alice.user_id), headers)
    assert crashed["status"] == "failed" and crashed["error_code"] == "internal_error"
    assert "110101199003074578" not in crashed["error"]


def test_users_see_only_their_own_jobs_and_admins_see_all(
    client: TestClient,
    alice: Principal,
    bob: Principal,
    admin: Principal,
    key_for: Callable[[Principal], dict[str, str]],
) -> None:
    job_id = _runner(client).submit("demo", _count_to_three, owner_id=alice.user_id)
    assert _wait(client, job_id, key_for(alice))["status"] == "succeeded"

    as_bob = client.get(f"/api/jobs/{job_id}", headers=key_for(bob))
    assert as_bob.status_code == 404
    assert as_bob.json()["error"]["code"] == "not_found"
    assert client.get("/api/jobs", headers=key_for(bob)).json() == []

    assert client.get(f"/api/jobs/{job_id}", headers=key_for(admin)).json()["id"] == job_id
    assert [j["id"] for j in client.get("/api/jobs", headers=key_for(admin)).json()] == [job_id]


def test_an_unknown_job_is_404(
    client: TestClient, admin: Principal, key_for: Callable[[Principal], dict[str, str]]
) -> None:
    response = client.get("/api/jobs/00000000-0000-0000-0000-000000000000", headers=key_for(admin))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_limit_is_validated(
    client: TestClient, alice: Principal, key_for: Callable[[Principal], dict[str, str]]
) -> None:
    response = client.get("/api/jobs?limit=0", headers=key_for(alice))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "input_error"
    assert "limit" in response.json()["error"]["message"]


def test_htmx_polling_gets_a_fragment(
    client: TestClient, alice: Principal, login: Callable[..., str]
) -> None:
    login("alice")
    release = threading.Event()

    def waits(progress: Progress) -> None:
        release.wait(10)

    job_id = _runner(client).submit("demo", waits, owner_id=alice.user_id)
    running = client.get(f"/api/jobs/{job_id}", headers={"HX-Request": "true"})
    release.set()
    assert running.headers["content-type"].startswith("text/html")
    assert f'hx-get="/api/jobs/{job_id}"' in running.text and 'hx-trigger="every 1s"' in running.text
    deadline = time.monotonic() + 10
    while 'data-status="succeeded"' not in (
        html := client.get(f"/api/jobs/{job_id}", headers={"HX-Request": "true"}).text
    ):
        assert time.monotonic() < deadline, html
        time.sleep(0.02)
    assert "hx-trigger" not in html  # polling stops once the job has finished


_DIES_WHILE_RUNNING = """
import sys, time
from bankmind.config import load_settings
from bankmind.store import Store
from bankmind.store.jobs import JobRunner

def work(progress):
    progress(0.3, "working")
    time.sleep(600)

runner = JobRunner(Store.open(load_settings()))
print(runner.submit("demo", work, owner_id=int(sys.argv[1])), flush=True)
time.sleep(600)
"""


def _job_of_a_killed_server(settings: Settings, owner_id: int) -> str:
    """Run a job in another process and kill that process (-9) while the job runs."""
    env = {**os.environ, "BANKMIND_HOME": str(settings.home), "BANKMIND_CHAT__PROVIDER": "none"}
    if settings.database_url:
        env["BANKMIND_DATABASE_URL"] = settings.database_url
    with subprocess.Popen(
        [sys.executable, "-c", _DIES_WHILE_RUNNING, str(owner_id)], env=env, stdout=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout is not None
            job_id = proc.stdout.readline().strip()
            assert job_id, "the job process did not start"
            store = Store(settings.store_url)
            deadline = time.monotonic() + 30
            while get_job(store, job_id).message != "working":  # running, and its progress is stored
                assert time.monotonic() < deadline
                time.sleep(0.05)
            store.close()
        finally:
            proc.kill()
    return job_id


def test_results_survive_a_restart_and_jobs_of_a_dead_server_are_marked_failed(
    app_settings: Settings,
) -> None:
    with TestClient(create_app(app_settings), base_url="http://127.0.0.1") as first:
        store = first.app.state.store  # type: ignore[attr-defined]
        alice = create_user(store, "alice", roles=["credit"])
        headers = {"Authorization": f"Bearer {create_api_key(store, 'alice')}"}
        done = _runner(first).submit("demo", _count_to_three, owner_id=alice.user_id)
        assert _wait(first, done, headers)["status"] == "succeeded"
    killed = _job_of_a_killed_server(app_settings, alice.user_id)

    with TestClient(create_app(app_settings), base_url="http://127.0.0.1") as again:
        finished = again.get(f"/api/jobs/{done}", headers=headers).json()
        interrupted = again.get(f"/api/jobs/{killed}", headers=headers).json()
    assert finished["status"] == "succeeded" and finished["result"] == {"rows": 3, "名称": "估值表"}
    assert interrupted["status"] == "failed"
    assert interrupted["error_code"] == "interrupted"
    assert interrupted["progress"] == 0.3
    assert "start it again" in interrupted["error"]
