"""Stored contract inspections: one run per upload (one file or a transaction of several), with
each file's inspection and where its original bytes are kept, so the workbench can show the
findings on the page images later.

    run = save_run(store, [StoredFile(...)], inspections, by=principal)
    list_runs(store, principal)[0].findings, get_run(store, run.id, principal).inspections[0]

The bytes themselves are kept once in the blob store by `documents.accept_upload` (which also
enforces `BANKMIND_UPLOAD_MAX_BYTES`); a run names each file's content hash. Who sees a run: its
owner, the owner's department, and administrators, as for reconciliation runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from bankmind.contracts.types import Inspection, Severity
from bankmind.errors import InputError, NotFound
from bankmind.store import Store
from bankmind.store.schema import ContractRun
from bankmind.store.visibility import visible_to
from bankmind.types import Principal

__all__ = ["ContractRun", "RunDetail", "RunView", "StoredFile", "get_run", "list_runs", "save_run"]

_SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low")


class StoredFile(BaseModel):
    """An inspected file as the run keeps it: its name, what it is and where its bytes are."""

    model_config = ConfigDict(frozen=True)

    filename: str
    kind: str
    size: int = Field(ge=0)
    content_hash: str
    document_id: int | None = None


class RunView(BaseModel):
    """A stored run as lists show it."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: str
    files: list[StoredFile]
    findings: int
    high: int
    medium: int
    low: int
    owner_name: str
    created_at: datetime

    @property
    def severity(self) -> Severity | None:
        """The worst severity among the findings (None without findings)."""
        return next((s for s in _SEVERITIES if getattr(self, s)), None)


class RunDetail(RunView):
    """A run with each file's inspection, in upload order."""

    inspections: list[Inspection]

    def file(self, n: int) -> tuple[StoredFile, Inspection]:
        """The run's `n`th file (1-based) and its inspection."""
        if not 1 <= n <= len(self.files):
            raise NotFound(f"run '{self.id}' has {len(self.files)} file(s); there is no file {n}")
        return self.files[n - 1], self.inspections[n - 1]


def save_run(
    store: Store, files: Sequence[StoredFile], inspections: Sequence[Inspection], *, by: Principal | None
) -> RunDetail:
    """Store one inspection upload of `by` (None: the command line); files and inspections pair up."""
    if len(files) != len(inspections) or not files:
        raise InputError(f"{len(files)} file(s) but {len(inspections)} inspection(s); give one per file")
    found = [f for i in inspections for f in i.findings]
    run = ContractRun(
        id=str(uuid.uuid4()),
        files=[f.model_dump() for f in files],
        inspections=[i.model_dump(mode="json") for i in inspections],
        findings=len(found),
        **{s: sum(f.severity == s for f in found) for s in _SEVERITIES},
        owner_id=by.user_id if by and by.user_id else None,
        owner_name=(by.name if by else "cli")[:100],
        department=by.department if by else None,
        created_at=datetime.now(UTC),
    )
    with store.session() as s:
        s.add(run)
    return get_run(store, run.id)


def list_runs(store: Store, viewer: Principal | None, *, limit: int = 200) -> list[RunView]:
    """Runs `viewer` may see (None: everything), newest first."""
    columns = [c for c in ContractRun.__table__.columns if c.name != "inspections"]
    query = (
        visible_to(select(*columns), ContractRun, viewer).order_by(ContractRun.created_at.desc()).limit(limit)
    )
    with store.session() as s:
        return [RunView.model_validate(dict(row._mapping)) for row in s.execute(query)]


def get_run(store: Store, run_id: str, viewer: Principal | None = None) -> RunDetail:
    """One run with its inspections; a run `viewer` may not see is reported as not found."""
    with store.session() as s:
        run = s.scalars(
            visible_to(select(ContractRun).where(ContractRun.id == run_id), ContractRun, viewer)
        ).first()
        if run is None:
            raise NotFound(f"no contract inspection with id '{run_id[:40]}'")
        return RunDetail.model_validate(run)
