"""Fixtures for the model layer: settings pointing at the scripted upstream (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankmind.config import Settings, load_settings

from .upstream import FakeUpstream


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
