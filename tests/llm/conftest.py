"""Fixtures for the model layer: a scripted upstream and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bankmind.config import Settings, load_settings

from .upstream import FakeUpstream


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    server = FakeUpstream()
    server.start()
    yield server
    server.close()


@pytest.fixture
def upstream_settings(upstream: FakeUpstream, _isolated_home: Path) -> Settings:
    return load_settings(
        home=_isolated_home,
        chat={
            "provider": "openai-compatible",
            "base_url": upstream.url,
            "model": "fake",
            "api_key": "sk-SECRET-123",
        },
        embedding={"provider": "openai-compatible", "base_url": upstream.url, "model": "bge-m3"},
        llm_timeout=2.0,
        llm_retries=2,
    )


@pytest.fixture(scope="session")
def embedded_install(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Settings, Path, bool, list[tuple[float, str]]]:
    """The real embedded model assembled once per session (shared with tests/integration).

    Returns the settings, the model path, whether this call assembled it (False when another
    fixture did first) and the progress reports.
    """
    from bankmind.llm.installer import install_embedded_model, is_installed

    settings = load_settings(home=tmp_path_factory.getbasetemp() / "embedded-model")
    assembled = not is_installed(settings)
    reports: list[tuple[float, str]] = []
    path = install_embedded_model(settings, progress=lambda f, m: reports.append((f, m or "")))
    return settings, path, assembled, reports
