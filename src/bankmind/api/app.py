"""`create_app(settings)`: the FastAPI app of the HTTP API and the web workbench.

Nothing is built at import time. On startup the app opens the store (upgrading its schema), marks
jobs a previous process left unfinished as failed, and starts the job runner; `app.state` holds
`settings`, `store`, `runner` and `sessions`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig

from bankmind import __version__
from bankmind.api.errors import install_error_handlers
from bankmind.api.middleware import RequestContextMiddleware
from bankmind.api.routers import contracts, docs, jobs, kb, kb_documents, recon, system, uploads, v1
from bankmind.api.sessions import LoginThrottle, SessionSigner
from bankmind.config import Settings
from bankmind.store import Store
from bankmind.store.jobs import JobRunner, recover_interrupted
from bankmind.web.pages import router as web_router
from bankmind.web.render import STATIC_DIR

__all__ = ["create_app"]

log = logging.getLogger(__name__)

# Room for the multipart envelope around the largest accepted file.
_MULTIPART_OVERHEAD = 1024 * 1024
# FastAPI can export traces and metrics over OTLP when the environment asks for it; bankmind never does.
_NO_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    store = Store.open(settings)
    interrupted = recover_interrupted(store)
    if interrupted:
        log.warning("jobs.interrupted", extra={"count": interrupted})
    app.state.store = store
    app.state.runner = JobRunner(store)
    app.state.sessions = SessionSigner.from_settings(settings, store)
    app.state.login_throttle = LoginThrottle()
    try:
        yield
    finally:
        app.state.runner.shutdown(wait=False)
        store.close()


def create_app(settings: Settings) -> FastAPI:
    """The ASGI app for `settings`: API under /api, OpenAPI at /docs and /openapi.json, pages at /."""
    app = FastAPI(
        title="bankmind",
        version=__version__,
        summary="On-premises AI workbench for banks: HTTP API",
        lifespan=_lifespan,
        docs_url=None,
        redoc_url=None,
        telemetry=_NO_TELEMETRY,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.upload_max_bytes + _MULTIPART_OVERHEAD,
        hsts=settings.secure_cookies,
    )
    routers = (system, jobs, uploads, docs, v1, kb, kb_documents, recon, contracts)  # after v1: its gateway
    for module in routers:
        app.include_router(module.router)
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
