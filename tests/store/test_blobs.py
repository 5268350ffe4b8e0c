"""Content-addressed blobs and document rows."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bankmind.errors import NotFound
from bankmind.store import Store
from bankmind.store.blobs import BlobStore, get_document, record_document


def test_blobs_are_stored_once_by_content(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    data = "基金资产净值,123.45\n".encode("gbk")
    first = blobs.put(data)
    assert first == hashlib.sha256(data).hexdigest()
    assert blobs.put(data) == first
    assert blobs.read(first) == data
    assert len(list((tmp_path / "blobs").rglob("*"))) == 2  # one folder, one file


@pytest.mark.parametrize("bad", ["../../etc/passwd", "ab", "z" * 64])
def test_blob_paths_refuse_anything_but_a_sha256(tmp_path: Path, bad: str) -> None:
    with pytest.raises(NotFound):
        BlobStore(tmp_path).path(bad)


def test_record_document_reuses_the_same_upload(store: Store) -> None:
    kwargs = dict(
        content_hash="b" * 64, size=3, media_type="text/csv", kind="csv", filename="估值表.csv", owner_id=None
    )
    first = record_document(store, acl=["custody", "custody"], **kwargs)  # type: ignore[arg-type]
    again = record_document(store, **kwargs)  # type: ignore[arg-type]
    assert first.id == again.id and first.acl == ["custody"]
    assert get_document(store, first.id).filename == "估值表.csv"
    with pytest.raises(NotFound):
        get_document(store, 999)
