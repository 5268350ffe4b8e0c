"""OCR with RapidOCR: PP-OCR models bundled in the `rapidocr` wheel, ONNX Runtime on the CPU.

    lines = ocr_image(image)            # [OcrLine(text='BANKMIND', bbox=((4.0, 16.0), ...), score=0.99)]
    [read] = recognize_lines([strip])   # RecognisedLine(text='BANKMIND', confidences=(0.99, ...))
    ok, detail, latency_ms = check_ocr()   # for `bankmind doctor`

One engine per process, created on first use; calls to it are serialised (ONNX Runtime already
spreads one call over every core; scale out with more worker processes).

Nothing is ever downloaded: the three model files (text detection, orientation, recognition) are
passed to RapidOCR by path, the recognition model carries its character dictionary inside the ONNX
file, and RapidOCR's downloader is replaced by one that raises, so a future change in RapidOCR fails
loudly instead of reaching the internet. RapidOCR's own stderr log handler is removed; its records
(errors only) go through bankmind's logging.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import BaseModel, ConfigDict

from bankmind.documents.images import MAX_IMAGE_PIXELS
from bankmind.errors import BankmindError, FileTooLarge, ModelNotInstalled, UnsupportedFormat

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from PIL.Image import Image

__all__ = [
    "MODEL_FILES",
    "OcrHealth",
    "OcrLine",
    "RecognisedLine",
    "check_ocr",
    "model_paths",
    "ocr_image",
    "recognize_lines",
]

log = logging.getLogger(__name__)

MODEL_FILES = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
}
"""The model files rapidocr 3.10 ships in `rapidocr/models/`, by pipeline stage."""

_SPEED = {"EngineConfig.onnxruntime.enable_cpu_mem_arena": True}
"""ONNX Runtime keeps the memory of one page for the next instead of asking the system again each time
(RapidOCR turns this off by default). Measured: a 150 dpi scanned contract page read in 0.75 s
instead of 0.95 s on 2 cores, the same text to the character, for about 0.7 GB more peak memory in a
process that reads scans (docs/deployment.md, Memory)."""

_REINSTALL = "reinstall rapidocr==3.10.0 from the lock file (`make install`); its wheel bundles the models"
CHECK_TEXT = "BANKMIND 2025"

Point = tuple[float, float]


class OcrLine(BaseModel):
    """One line of recognised text."""

    model_config = ConfigDict(frozen=True)

    text: str
    bbox: tuple[Point, Point, Point, Point]
    """Corners in image pixels: top-left, top-right, bottom-right, bottom-left (the line may be tilted)."""
    score: float
    """Recognition confidence, 0 to 1."""


class RecognisedLine(NamedTuple):
    """An image read as one line of text (`recognize_lines`), with each character's confidence."""

    text: str
    confidences: tuple[float, ...]
    """One per character of `text`, 0 to 1."""


class OcrHealth(NamedTuple):
    """Result of `check_ocr()`: whether OCR works, a one-line explanation, and how long it took."""

    ok: bool
    detail: str
    latency_ms: int | None
    """Milliseconds the OCR call took (model loading included on the first call); None if it failed."""


# the engine -----------------------------------------------------------------------------
_engine_lock = threading.Lock()
_run_lock = threading.Lock()
_engine: Any = None


def model_paths() -> dict[str, Path]:
    """Where the bundled model files are (they may not exist if rapidocr is broken)."""
    import rapidocr

    models = Path(rapidocr.__file__).resolve().parent / "models"
    return {stage: models / name for stage, name in MODEL_FILES.items()}


def _create_engine() -> Any:
    """A new RapidOCR engine on the bundled models, unable to download anything."""
    from rapidocr import RapidOCR

    paths = model_paths()
    missing = [p.name for p in paths.values() if not p.is_file()]
    if missing:
        raise ModelNotInstalled(
            f"RapidOCR's bundled model files are missing ({', '.join(missing)}); {_REINSTALL}."
        )
    _forbid_downloads()
    _quiet_logs()
    params: dict[str, Any] = {"Global.log_level": "error", **_SPEED}
    params.update({f"{stage}.model_path": str(path) for stage, path in paths.items()})
    return RapidOCR(params=params)


def _engine_instance() -> Any:
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                started = time.perf_counter()
                _engine = _create_engine()
                log.info("documents.ocr.engine_ready", extra={"duration_ms": _ms(started)})
    return _engine


def _forbid_downloads() -> None:
    """Replace RapidOCR's downloader with one that refuses (principle: nothing leaves the bank)."""
    from rapidocr.utils import download_file

    def refuse(cls: Any, input_params: Any) -> None:
        raise ModelNotInstalled(
            f"RapidOCR wanted to download '{Path(str(input_params.file_url)).name}'; bankmind never "
            f"downloads models at run time. {_REINSTALL[0].upper()}{_REINSTALL[1:]}."
        )

    download_file.DownloadFile.run = classmethod(refuse)  # type: ignore[method-assign,assignment]


def _quiet_logs() -> None:
    """RapidOCR adds a coloured stderr handler at import; route its records through our logging instead."""
    rapid = logging.getLogger("RapidOCR")
    for handler in list(rapid.handlers):
        rapid.removeHandler(handler)
    rapid.propagate = True
    rapid.setLevel(logging.ERROR)


# public ---------------------------------------------------------------------------------
def ocr_image(image: Image | NDArray[np.uint8] | bytes) -> list[OcrLine]:
    """Recognise the text lines of an image, top to bottom.

    `image`: a PIL image, an OpenCV array (BGR or grayscale, uint8) or encoded PNG/JPEG/TIFF bytes.
    Raises `UnsupportedFormat` (undecodable bytes), `FileTooLarge` (over `MAX_IMAGE_PIXELS`) or
    `ModelNotInstalled` (the bundled models are missing).
    """
    prepared = _prepare(image)
    engine = _engine_instance()
    started = time.perf_counter()
    with _run_lock:
        result = engine(prepared)
    boxes, txts, scores = (getattr(result, a, None) for a in ("boxes", "txts", "scores"))
    lines: list[OcrLine] = []
    if boxes is not None and txts is not None and scores is not None:
        for box, text, score in zip(boxes, txts, scores, strict=True):
            corners = tuple((float(x), float(y)) for x, y in box[:4])
            lines.append(OcrLine(text=str(text), bbox=corners, score=float(score)))
    log.debug("documents.ocr.done", extra={"lines": len(lines), "duration_ms": _ms(started)})
    return lines


def recognize_lines(crops: Sequence[NDArray[np.uint8]]) -> list[RecognisedLine]:
    """Read each crop (BGR or grey, uint8) as one line of text: recognition only, in one batch.

    For text whose line is already known (an unrolled seal ring): no detection (which would enlarge
    a thin strip to 736 pixels and cut it up), no orientation check. Raises `ModelNotInstalled`.
    """
    import cv2
    from rapidocr.ch_ppocr_rec import TextRecInput

    if not crops:
        return []
    images = [cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) if c.ndim == 2 else c for c in crops]
    engine = _engine_instance()
    started = time.perf_counter()
    with _run_lock:
        result = engine._load_rec_model()(TextRecInput(img=images, return_word_box=True))
    lines = []
    for text, score, words in zip(result.txts, result.scores, result.word_results, strict=True):
        text = str(text)
        confidences = [float(c) for c in getattr(words, "confs", None) or []]
        if len(confidences) != len(text):  # per-character scores missing: the line's score for each
            confidences = [float(score)] * len(text)
        lines.append(RecognisedLine(text, tuple(confidences)))
    log.debug("documents.ocr.recognized", extra={"lines": len(lines), "duration_ms": _ms(started)})
    return lines


def check_ocr() -> OcrHealth:
    """Render "BANKMIND 2025" in code, OCR it, and say whether it came back (for `bankmind doctor`)."""
    try:
        image = render_check_image()
        started = time.perf_counter()
        lines = ocr_image(image)
        latency = _ms(started)
    except BankmindError as exc:
        return OcrHealth(False, exc.message, None)
    except ImportError as exc:
        return OcrHealth(False, f"OCR cannot start: {exc.name or exc} is not installed; {_REINSTALL}.", None)
    except Exception as exc:  # a health check reports every failure instead of crashing doctor
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        return OcrHealth(False, f"OCR failed: {type(exc).__name__}: {first}; {_REINSTALL}.", None)
    read = " ".join(line.text for line in lines)
    squeezed = "".join(read.split()).upper()
    if all(word in squeezed for word in CHECK_TEXT.split()):
        detail = f"read '{CHECK_TEXT}' back from a test image"
        return OcrHealth(True, detail, latency)
    return OcrHealth(
        False,
        f"OCR read {read[:80]!r} instead of '{CHECK_TEXT}'; {_REINSTALL}, with onnxruntime from the "
        "same lock.",
        latency,
    )


def render_check_image() -> NDArray[np.uint8]:
    """A white 480 × 240 image with "BANKMIND" and "2025" in black, drawn with OpenCV's built-in font."""
    import cv2
    import numpy as np

    image = np.full((240, 480, 3), 255, dtype=np.uint8)
    for row, word in enumerate(CHECK_TEXT.split()):
        origin = (20, 90 + 100 * row)
        cv2.putText(image, word, origin, cv2.FONT_HERSHEY_SIMPLEX, 2.2, (0, 0, 0), 5, cv2.LINE_AA)
    return image


# helpers --------------------------------------------------------------------------------
def _prepare(image: Image | NDArray[np.uint8] | bytes) -> Any:
    """PIL image (RGB) or OpenCV array, as RapidOCR takes them; encoded bytes are decoded here."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    if isinstance(image, bytes | bytearray):
        try:
            decoded = PILImage.open(BytesIO(image))
        except PILImage.DecompressionBombError as exc:
            raise FileTooLarge(
                f"the image has more than {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels; scan it at a lower "
                "resolution."
            ) from exc
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise UnsupportedFormat("the image cannot be decoded; save it again as PNG or JPEG.") from exc
        image = decoded
    if isinstance(image, PILImage.Image):
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise FileTooLarge(
                f"the image is {width:,} × {height:,} pixels, over {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels; "
                "scan it at a lower resolution."
            )
        try:
            return image.convert("RGB")
        except (OSError, ValueError) as exc:
            raise UnsupportedFormat("the image cannot be decoded; save it again as PNG or JPEG.") from exc
    return image


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
