"""Many writers at once, threads and processes, on both stores: the chain stays one valid chain."""

from __future__ import annotations

import subprocess
import sys
import threading

from sqlalchemy import func, select

from bankmind.guard.audit import append
from bankmind.guard.audit_verify import verify
from bankmind.store import Store
from bankmind.store.schema import AuditRecord
from bankmind.types import Principal


def _assert_one_chain(store: Store, expected: int) -> None:
    result = verify(store)
    assert result.ok, result.problems
    assert result.checked == expected and result.head_seq == expected
    with store.engine.connect() as conn:
        seqs = conn.execute(select(AuditRecord.seq).order_by(AuditRecord.seq)).scalars().all()
        hashes = conn.execute(select(func.count(func.distinct(AuditRecord.hash)))).scalar()
    assert seqs == list(range(1, expected + 1))
    assert hashes == expected


def test_eight_threads_appending_fifty_records_each(store: Store) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def writer(n: int) -> None:
        principal = Principal(user_id=n, name=f"user{n}", department=f"dept{n % 3}")
        start.wait()
        try:
            for i in range(50):
                append(store, principal=principal, action="gateway.chat", tokens_in=i, details={"thread": n})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    _assert_one_chain(store, 400)


_WRITER = """
import sys
from bankmind.guard.audit import append
from bankmind.store import Store
from bankmind.types import Principal

store = Store(sys.argv[1])
who = Principal(user_id=int(sys.argv[2]), name="proc" + sys.argv[2], department="托管部")
print("ready", flush=True)
sys.stdin.readline()
for i in range(int(sys.argv[3])):
    append(store, principal=who, action="gateway.chat", tokens_in=i, details={"process": sys.argv[2]})
store.close()
"""


def test_three_processes_appending_at_once(store: Store) -> None:
    append(store, principal=None, action="test.start")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, store.url, str(n), "60"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    try:
        for proc in procs:  # start all writers together, once each has imported and connected
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        for proc in procs:
            _, stderr = proc.communicate(timeout=120)
            assert proc.returncode == 0, stderr
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    _assert_one_chain(store, 181)
