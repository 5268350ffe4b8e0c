"""A vision model's second look at doubtful seals and signatures: our code cuts the crop, asks only
what the seal says, and compares it with the party's name itself.

No vision model runs offline here, so the model is a plain callable (what a model might answer) or
the scripted OpenAI-compatible upstream of tests/llm/upstream.py standing in for an external
DeepSeek-VL2 server behind the real gateway. Seals and signatures are drawn by
`eval.contract_marks`, the generator of the evaluation's scanned contracts.
"""

from __future__ import annotations

import base64
import io
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw
from tests.llm.upstream import FakeUpstream, Reply, completion

from bankmind.config import Settings, load_settings
from bankmind.contracts.pages import SCAN_DPI, ContractPages, TextLine
from bankmind.contracts.types import Seal
from bankmind.contracts.vision import (
    MIN_SIDE,
    confirm_seal,
    confirm_signature,
    crop_png,
    gateway_vision,
    read_seal,
    seal_crop,
    slot_crop,
)
from bankmind.errors import UpstreamError, UpstreamTimeout
from bankmind.eval.contract_marks import cjk_font, draw_seal, draw_signature
from bankmind.guard.audit import iter_entries
from bankmind.guard.chat import ChatRefused, ChatUnavailable
from bankmind.guard.gateway import Gateway
from bankmind.llm import ModelRouter
from bankmind.store import Store
from bankmind.types import Principal

from .pages import INK, blank_page, skip_without_cjk_font

skip_without_cjk_font()

pytestmark = pytest.mark.sqlite_only  # the vision path is under test here, not the database

BANK = "嘉禾银行股份有限公司高新区支行"
SIBLING = "嘉禾银行股份有限公司城东支行"
OPERATOR = Principal(user_id=0, name="cli:credit-ops")
PT = SCAN_DPI / 72  # pixels per point of a scanned PDF page


def scanned_page() -> tuple[ContractPages, Seal, TextLine]:
    """A 150 dpi signature page as `read_pages` gives a scanned PDF (boxes in points): the bank's
    round seal, and a signed `借款人（签字）` slot."""
    page = blank_page()
    ink = draw_seal(page, (820, 520), name=BANK, seed=4)
    draw = ImageDraw.Draw(page)
    draw.text((150, 1100), "借款人（签字）：", fill=INK, font=cjk_font(30))
    label = draw.textbbox((150, 1100), "借款人（签字）：", font=cjk_font(30))
    draw_signature(page, (label[2] + 20, 1080, label[2] + 260, 1150), seed=2)
    seal = Seal(page=1, bbox=tuple(round(v / PT, 1) for v in ink), shape="round")  # type: ignore[arg-type]
    line = TextLine(1, "借款人（签字）：", tuple(v / PT for v in label))  # type: ignore[arg-type]
    pages = ContractPages(
        kind="pdf", pages=1, lines=[line], scanned=[1], images={1: page}, pixels_per_unit={1: PT}
    )
    return pages, seal, line


@pytest.fixture(scope="module")
def page() -> tuple[ContractPages, Seal, TextLine]:
    return scanned_page()


@pytest.fixture(scope="module")
def seal_png(page: tuple[ContractPages, Seal, TextLine]) -> bytes:
    pages, seal, _ = page
    return seal_crop(pages, seal)


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image.convert("RGB")


def ink_share(image: Image.Image, colour: str) -> float:
    """The share of pixels in seal red or pen blue."""
    r, g, b = (np.asarray(image, dtype=np.int16)[..., k] for k in range(3))
    mask = (r > 150) & (g < 120) & (b < 130) if colour == "red" else (b > 80) & (b - r > 40) & (b - g > 30)
    return float(mask.mean())


# --- crops ----------------------------------------------------------------------------------------------


def test_the_seal_crop_is_the_seal_cut_from_the_page(
    page: tuple[ContractPages, Seal, TextLine], seal_png: bytes
) -> None:
    pages, seal, _ = page
    image = decoded(seal_png)
    assert min(image.size) >= MIN_SIDE and abs(image.width - image.height) <= 4
    assert ink_share(image, "red") > 0.05  # the ring, the star and the name
    # the same seal on an image file (boxes in pixels) gives the same crop
    in_pixels = seal.model_copy(update={"bbox": tuple(v * PT for v in seal.bbox)})
    as_image = ContractPages(kind="png", pages=1, scanned=[1], images=pages.images, pixels_per_unit={1: 1.0})
    assert seal_crop(as_image, in_pixels) == seal_png


def test_the_slot_crop_holds_the_label_and_the_signature(page: tuple[ContractPages, Seal, TextLine]) -> None:
    pages, _, line = page
    image = decoded(slot_crop(pages, line))
    assert ink_share(image, "blue") > 0.003 or ink_share(image, "red") == 0.0
    dark = (np.asarray(image.convert("L")) < 120).mean()
    assert dark > 0.003  # printed label and pen strokes


def test_a_crop_outside_the_image_or_a_slot_without_a_scan_is_a_bug() -> None:
    with pytest.raises(ValueError, match="outside"):
        crop_png(Image.new("RGB", (100, 100), "white"), (200, 200, 300, 300))
    digital = ContractPages(kind="pdf", pages=1)
    with pytest.raises(ValueError, match="not on a scanned page"):
        slot_crop(digital, TextLine(1, "借款人（签字）：", (72, 700, 160, 711)))


# --- seals: the model reads, our code compares ----------------------------------------------------------


class Vision:
    """A vision model that answers every request with `answer` (or raises it), remembering requests."""

    def __init__(self, answer: str | BaseException) -> None:
        self.answer = answer
        self.calls: list[list[dict[str, Any]]] = []

    def __call__(self, messages: list[dict[str, Any]]) -> str:
        self.calls.append(messages)
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


# fmt: off
SEAL_READINGS = [
    ('{"text": "嘉禾银行股份有限公司高新区支行合同专用章"}', "match"),
    ('```json\n{"text": "★ 嘉禾银行股份有限公司高新区支行 合同专用章 3201050012345"}\n```', "match"),
    ("嘉禾银行股份有限公司高新区支行合同专用章", "match"),                     # a bare answer
    ("印章文字：嘉禾银行股份有限公司高新区支行", "match"),                      # a labelled one
    ('<think>环形文字是嘉禾银行股份有限公司城东支行？</think>\n{"text": "嘉禾银行股份有限公司高新区支行"}',
     "match"),                                                                 # reasoning is not the answer
    ('{"text": "嘉禾银行股份有限公司城东支行合同专用章"}', "mismatch"),      # a sibling branch
    ('{"text": "嘉和银行股份有限公司高新区支行合同专用章"}', "mismatch"),     # one character changed
    ('{"text": "嘉禾银行股份有限公司合同专用章"}', "mismatch"),               # the head office
    ('{"text": "嘉禾银行股份有限公司城东支行", "match": true}', "mismatch"),   # its verdict is not asked
    ('{"text": "嘉禾银行股份有限公司??区支行合同专用章"}', "unknown"),        # characters not read
    ('{"text": ""}', "unknown"),
    ('{"text": null}', "unknown"),
    ("无法识别印章上的文字。", "unknown"),
    ("图中是一枚红色圆形印章，\n环形文字为嘉禾银行股份有限公司高新区支行，中间有五角星。", "unknown"),
    ("", "unknown"),
]
# fmt: on


@pytest.mark.parametrize(("answer", "verdict"), SEAL_READINGS)
def test_the_seal_is_judged_by_our_comparison_of_its_text(seal_png: bytes, answer: str, verdict: str) -> None:
    assert confirm_seal(seal_png, BANK, Vision(answer)) == verdict


def test_the_reading_is_what_the_model_read_or_none(seal_png: bytes) -> None:
    reading = '```json\n{"text": "嘉禾银行股份有限公司城东支行  合同专用章"}\n```'
    assert read_seal(seal_png, Vision(reading)) == "嘉禾银行股份有限公司城东支行 合同专用章"
    assert read_seal(seal_png, Vision('{"text": "嘉禾银行股份有限公司??区支行"}')) is None
    assert read_seal(seal_png, Vision('{"text": "合同专用章"}')) is None  # no name read
    assert read_seal(seal_png, None) is None


def test_a_personal_seal_and_full_width_brackets(seal_png: bytes) -> None:
    assert confirm_seal(seal_png, "王建国", Vision('{"text": "王建国印"}')) == "match"
    assert confirm_seal(seal_png, "李明", Vision('{"text": "李明之印"}')) == "match"
    reading = Vision('{"text": "嘉禾银行股份有限公司(高新区支行)合同专用章"}')
    assert confirm_seal(seal_png, "嘉禾银行股份有限公司（高新区支行）", reading) == "match"


def test_the_model_is_shown_the_crop_and_never_the_expected_name(seal_png: bytes) -> None:
    vision = Vision('{"text": "嘉禾银行股份有限公司高新区支行"}')
    confirm_seal(seal_png, BANK, vision)
    [[message]] = vision.calls
    assert BANK not in json.dumps(message, ensure_ascii=False)
    text, image = message["content"]
    assert text["type"] == "text" and "印章" in text["text"]
    url = image["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.removeprefix("data:image/png;base64,")) == seal_png


@pytest.mark.parametrize(
    "error",
    [
        ChatUnavailable("cut off"),
        ChatRefused("抱歉"),
        UpstreamError("cannot reach the vision model"),
        UpstreamTimeout("no answer within 0.5 s"),
        TimeoutError("timed out"),
    ],
)
def test_a_failing_model_leaves_the_seal_unknown(seal_png: bytes, error: Exception) -> None:
    assert confirm_seal(seal_png, BANK, Vision(error)) == "unknown"
    assert confirm_signature(seal_png, Vision(error)) == "unknown"


def test_without_a_vision_model_the_detector_decides(seal_png: bytes) -> None:
    assert confirm_seal(seal_png, BANK, None) == "unknown"
    assert confirm_signature(seal_png, None) == "unknown"


def test_a_bug_is_not_hidden(seal_png: bytes) -> None:
    with pytest.raises(KeyError):
        confirm_seal(seal_png, BANK, Vision(KeyError("bug")))
    with pytest.raises(ValueError, match="not a PNG"):
        confirm_seal(b"\xff\xd8\xff\xe0 a JPEG", BANK, Vision("{}"))


# --- signatures -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        ('{"handwriting": "yes"}', "signed"),
        ('```json\n{"handwriting": true}\n```', "signed"),
        ("有", "signed"),
        ('{"handwriting": "no"}', "empty"),
        ("No.", "empty"),
        ('{"handwriting": "unclear"}', "unknown"),
        ("栏内似乎有笔迹，但看不清。", "unknown"),
        ("", "unknown"),
    ],
)
def test_the_signature_verdict_is_a_clear_yes_or_no(
    page: tuple[ContractPages, Seal, TextLine], answer: str, verdict: str
) -> None:
    pages, _, line = page
    assert confirm_signature(slot_crop(pages, line), Vision(answer)) == verdict


# --- through the gateway, to a scripted DeepSeek-VL2 server ---------------------------------------------


def vision_settings(home: Path, url: str, **vision: Any) -> Settings:
    model = {"provider": "openai-compatible", "base_url": url, "model": "deepseek-vl2", **vision}
    return load_settings(home=home, chat={"provider": "none"}, vision=model, llm_timeout=0.5, llm_retries=0)


def sent_image(upstream: FakeUpstream) -> bytes:
    [request] = upstream.requests
    [message] = request["json"]["messages"]
    [image] = [p for p in message["content"] if p["type"] == "image_url"]
    url: str = image["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    return base64.b64decode(url.removeprefix("data:image/png;base64,"))


@pytest.mark.parametrize(
    ("name", "verdict"), [(BANK, "match"), (SIBLING, "mismatch"), ("嘉禾银行股份有限公司", "mismatch")]
)
def test_the_vision_model_behind_the_gateway_reads_the_seal(
    seal_png: bytes, store: Store, upstream: FakeUpstream, _isolated_home: Path, name: str, verdict: str
) -> None:
    upstream.queue(Reply(body=completion(json.dumps({"text": f"{name}合同专用章"}, ensure_ascii=False))))
    settings = vision_settings(_isolated_home, upstream.url)
    vision = gateway_vision(Gateway(settings, store, ModelRouter(settings)), OPERATOR)
    assert vision is not None and vision.model == "deepseek-vl2"

    assert confirm_seal(seal_png, BANK, vision) == verdict

    assert sent_image(upstream) == seal_png
    assert ink_share(decoded(sent_image(upstream)), "red") > 0.05
    assert BANK not in json.dumps(upstream.requests[0]["json"], ensure_ascii=False)
    [entry] = [e for e in iter_entries(store) if e.action == "gateway.chat"]
    assert entry.outcome == "ok" and entry.model == "deepseek-vl2"


def test_the_vision_model_behind_the_gateway_sees_the_signature_slot(
    page: tuple[ContractPages, Seal, TextLine], store: Store, upstream: FakeUpstream, _isolated_home: Path
) -> None:
    pages, _, line = page
    upstream.queue(Reply(body=completion('{"handwriting": "yes"}')))
    settings = vision_settings(_isolated_home, upstream.url)
    vision = gateway_vision(Gateway(settings, store, ModelRouter(settings)), OPERATOR)
    crop = slot_crop(pages, line)
    assert confirm_signature(crop, vision) == "signed"
    assert sent_image(upstream) == crop


@pytest.mark.parametrize("failure", ["500", "timeout"])
def test_a_vision_server_that_fails_or_stalls_gives_unknown(
    seal_png: bytes, store: Store, upstream: FakeUpstream, _isolated_home: Path, failure: str
) -> None:
    answer = completion('{"text": "嘉禾银行股份有限公司高新区支行"}')
    upstream.queue(
        Reply(500, {"error": {"message": "internal"}}) if failure == "500" else Reply(body=answer, stall=3)
    )
    settings = vision_settings(_isolated_home, upstream.url)
    vision = gateway_vision(Gateway(settings, store, ModelRouter(settings)), OPERATOR)
    started = time.monotonic()
    assert confirm_seal(seal_png, BANK, vision) == "unknown"
    assert time.monotonic() - started < 2.5
    [entry] = [e for e in iter_entries(store) if e.action == "gateway.chat"]
    assert entry.outcome != "ok"


def test_an_external_vision_model_is_never_sent_an_image(
    seal_png: bytes, store: Store, upstream: FakeUpstream, _isolated_home: Path
) -> None:
    settings = vision_settings(_isolated_home, upstream.url, exposure="external")
    vision = gateway_vision(Gateway(settings, store, ModelRouter(settings)), OPERATOR)
    assert confirm_seal(seal_png, BANK, vision) == "unknown"
    assert upstream.requests == []
    [entry] = [e for e in iter_entries(store) if e.action == "gateway.chat"]
    assert entry.outcome == "denied"


def test_without_a_vision_model_there_is_no_gateway_vision(store: Store, _isolated_home: Path) -> None:
    settings = load_settings(home=_isolated_home, chat={"provider": "none"})
    assert gateway_vision(Gateway(settings, store, ModelRouter(settings)), OPERATOR) is None
