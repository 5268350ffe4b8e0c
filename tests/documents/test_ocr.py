"""OCR on images drawn in code, the doctor check, and the promise that RapidOCR never goes online.

Tests that run the models are marked `slow` (about 1 s per image on 2 CPU cores, plus ~1 s to load
the models once); `make test` runs them, `make unit` skips them.
"""

from __future__ import annotations

import io
import logging
import socket
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from bankmind.documents import check_ocr, ocr, ocr_image
from bankmind.errors import ModelNotInstalled, UnsupportedFormat


def _drawn(lines: list[str], size: tuple[int, int] = (560, 240)) -> np.ndarray[Any, np.dtype[np.uint8]]:
    import cv2

    image = np.full((size[1], size[0], 3), 255, dtype=np.uint8)
    for row, text in enumerate(lines):
        cv2.putText(
            image, text, (20, 90 + 100 * row), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (0, 0, 0), 5, cv2.LINE_AA
        )
    return image


def _png(array: np.ndarray[Any, np.dtype[np.uint8]]) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array[:, :, ::-1]).save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.slow
def test_check_ocr_reads_the_rendered_text_back() -> None:
    ok, detail, latency_ms = check_ocr()
    assert ok, detail
    assert "BANKMIND 2025" in detail
    assert latency_ms is not None and latency_ms > 0


@pytest.mark.slow
@pytest.mark.parametrize("form", ["array", "png-bytes"])
def test_ocr_image_returns_text_boxes_and_scores(form: str) -> None:
    array = _drawn(["ACCOUNT", "6222 0202"])
    image: Any = array if form == "array" else _png(array)  # bytes are decoded through Pillow
    lines = ocr_image(image)
    texts = [line.text.replace(" ", "") for line in lines]
    assert texts == ["ACCOUNT", "62220202"]
    height, width = array.shape[:2]
    for line in lines:
        assert 0.5 < line.score <= 1.0
        assert len(line.bbox) == 4
        assert all(-2 <= x <= width + 2 and -2 <= y <= height + 2 for x, y in line.bbox)
    first, second = lines
    assert first.bbox[0][1] < second.bbox[0][1]  # top to bottom


@pytest.mark.slow
def test_a_blank_image_has_no_lines() -> None:
    assert ocr_image(np.full((200, 300, 3), 255, dtype=np.uint8)) == []


def test_undecodable_bytes_are_refused() -> None:
    with pytest.raises(UnsupportedFormat, match="cannot be decoded"):
        ocr_image(b"\x89PNG\r\n\x1a\n not really")


@pytest.mark.slow
def test_a_new_engine_needs_no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("OCR tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    engine = ocr._create_engine()
    result = engine(ocr.render_check_image())
    assert [t.replace(" ", "") for t in result.txts] == ["BANKMIND", "2025"]

    from rapidocr.utils.download_file import DownloadFile, DownloadFileInput

    with pytest.raises(ModelNotInstalled, match="never downloads models"):
        DownloadFile.run(
            DownloadFileInput(
                file_url="https://example.invalid/model.onnx",
                save_path=tmp_path / "model.onnx",
                logger=logging.getLogger("test"),
            )
        )


def test_rapidocr_logs_through_bankmind_logging() -> None:
    ocr._create_engine()
    rapid = logging.getLogger("RapidOCR")
    assert rapid.handlers == [] and rapid.propagate and rapid.level == logging.ERROR


def test_missing_models_are_reported_with_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(ocr, "model_paths", lambda: {"Det": tmp_path / "missing.onnx"})
    monkeypatch.setattr(ocr, "_engine", None)
    with pytest.raises(ModelNotInstalled, match="reinstall rapidocr"):
        ocr._create_engine()
    ok, detail, latency_ms = check_ocr()
    assert not ok and "missing.onnx" in detail and "make install" in detail and latency_ms is None


def test_every_model_keeps_its_memory_between_pages() -> None:
    """The memory arena that `ocr._SPEED` turns on (a fifth faster on scanned pages, the same text)."""
    engine = ocr._create_engine()
    for stage in (engine._load_det_model(), engine._load_cls_model(), engine._load_rec_model()):
        assert stage.session.session.get_session_options().enable_cpu_mem_arena
