"""Scanning and masking never write personal data to the logs (style guide, Logging)."""

from __future__ import annotations

import logging

import pytest

from bankmind.guard.masking import StreamUnmasker, Vault
from bankmind.guard.pii import scan

ID = "110101199003071233"
MOBILE = "13812345678"
TEXT = f"客户张伟，身份证号{ID}，手机{MOBILE}"


def test_scan_and_mask_log_counts_not_values(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    spans = scan(TEXT)
    vault = Vault()
    masked = vault.mask(TEXT)
    stream = StreamUnmasker(vault)
    restored = stream.feed(masked) + stream.finish()
    assert len(spans) == 3 and restored == TEXT
    assert any(r.getMessage() == "pii.scan" and getattr(r, "spans", None) == 3 for r in caplog.records)
    for value in (ID, MOBILE, "张伟"):
        assert value not in caplog.text
        assert all(value not in repr(vars(r)) for r in caplog.records)
