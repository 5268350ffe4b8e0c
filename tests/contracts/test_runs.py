"""Stored contract inspections: what a run keeps, its counts, and who may see it (owner, the
owner's department, administrators), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bankmind.contracts.runs import StoredFile, get_run, list_runs, save_run
from bankmind.contracts.types import Evidence, Finding, Inspection, Seal
from bankmind.errors import InputError, NotFound
from bankmind.store import Store
from bankmind.store.users import create_user


def _inspection(name: str, *severities: str) -> Inspection:
    findings = [
        Finding.model_validate(
            {
                "code": "amount_mismatch",
                "severity": s,
                "message": f"金额大小写不一致 {n}",
                "evidence": Evidence(
                    page=1, text="人民币壹佰万元整（¥1,000,000.00）", bbox=(72, 100, 300, 112)
                ),
            }
        )
        for n, s in enumerate(severities)
    ]
    seal = Seal(page=2, bbox=(180, 100, 300, 220), shape="round", text="某某银行股份有限公司合同专用章")
    return Inspection(file=name, contract_type="loan", pages=2, findings=findings, seals=[seal])


def _file(name: str) -> StoredFile:
    return StoredFile(filename=name, kind="pdf", size=1234, content_hash="a" * 64, document_id=None)


def test_a_run_keeps_its_files_inspections_and_counts(store: Store) -> None:
    alice = create_user(store, "alice", roles=["credit"], department="授信部")
    loan, guarantee = _inspection("借款合同.pdf", "high", "low"), _inspection("保证合同.pdf", "medium")
    run = save_run(store, [_file("借款合同.pdf"), _file("保证合同.pdf")], [loan, guarantee], by=alice)
    assert (run.findings, run.high, run.medium, run.low, run.severity) == (3, 1, 1, 1, "high")
    assert run.owner_name == "alice" and run.created_at.tzinfo is not None
    again = get_run(store, run.id, alice)
    assert again.inspections == [loan, guarantee]  # round trip through JSON, evidence and seals intact
    assert again.file(2) == (_file("保证合同.pdf"), guarantee)
    with pytest.raises(NotFound, match="has 2 file"):
        again.file(3)
    [listed] = list_runs(store, alice)
    assert listed.id == run.id and [f.filename for f in listed.files] == ["借款合同.pdf", "保证合同.pdf"]


def test_a_clean_run_has_no_severity_and_files_must_pair_with_inspections(store: Store) -> None:
    clean = save_run(store, [_file("a.txt")], [_inspection("a.txt")], by=None)
    assert (clean.findings, clean.severity, clean.owner_name) == (0, None, "cli")
    with pytest.raises(InputError, match="one per file"):
        save_run(store, [_file("a.txt")], [], by=None)


def test_runs_are_seen_by_their_owner_department_and_admins(store: Store) -> None:
    alice = create_user(store, "alice", roles=["credit"], department="授信部")
    colleague = create_user(store, "carol", roles=["credit"], department="授信部")
    other = create_user(store, "bob", roles=["custody"], department="托管部")
    loner = create_user(store, "dave", roles=["staff"])
    admin = create_user(store, "root", roles=["admin"])
    run = save_run(store, [_file("x.pdf")], [_inspection("x.pdf", "high")], by=alice)
    mine = save_run(store, [_file("y.pdf")], [_inspection("y.pdf")], by=loner)
    for viewer in (alice, colleague, admin, None):
        assert get_run(store, run.id, viewer).id == run.id
    for viewer in (other, loner):
        with pytest.raises(NotFound, match="no contract inspection"):
            get_run(store, run.id, viewer)
    assert [r.id for r in list_runs(store, other)] == []
    assert [r.id for r in list_runs(store, loner)] == [mine.id]
    assert [r.id for r in list_runs(store, admin)] == [mine.id, run.id]  # newest first
    assert [r.id for r in list_runs(store, admin, limit=1)] == [mine.id]
