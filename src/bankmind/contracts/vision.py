"""A vision model's second look at doubtful seals and signatures, checked by our own code.

    vision = gateway_vision(gateway, principal)                  # None when no vision model is configured
    crop = seal_crop(pages, seal)                                # PNG of the seal, cut from the page image
    confirm_seal(crop, "嘉禾银行股份有限公司高新区支行", vision)   # "match" | "mismatch" | "unknown"
    read_seal(crop, vision)                                      # what it read: "…城东支行合同专用章" | None
    confirm_signature(slot_crop(pages, slot_line), vision)      # "signed" | "empty" | "unknown"

Why: ring OCR misreads characters and a faint signature can look like noise; a DeepSeek-VL2-class
model behind the OpenAI-compatible API reads both well. It is not trusted with the verdict: for a
seal it is asked only what the seal says (it never sees the expected name), and our code compares
that text with the party's name after removing the seal's kind (合同专用章, 公章 …), the star and
the serial number: the same name is a match, any other fully read name a mismatch (a sibling
branch, one changed character), and a reading with unread characters (`?`) or none at all is
unknown. For a signature the model answers yes, no or unclear about handwriting in the slot.

Crops are cut by our code from the page image around the detector's box (`seal_crop`,
`slot_crop`) and sent as a PNG data URL through the gateway (policy, quotas, audit; images go to
internal models only). Without a vision model, or when it is down, over quota, refuses or answers
something else, the answer is "unknown" and the deterministic detector decides; nothing is raised.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import re
import unicodedata
from typing import TYPE_CHECKING, Any, Literal

from bankmind.contracts.pages import ContractPages, TextLine
from bankmind.contracts.review import json_objects
from bankmind.contracts.types import BBox, Seal
from bankmind.errors import BankmindError
from bankmind.guard.chat import Chat, ChatUnavailable, GatewayChat, gateway_chat
from bankmind.guard.gateway import Gateway
from bankmind.llm.reasoning import split_reasoning
from bankmind.types import Principal

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = [
    "MIN_SIDE",
    "SealVerdict",
    "SignatureVerdict",
    "VisionChat",
    "confirm_seal",
    "confirm_signature",
    "crop_png",
    "gateway_vision",
    "read_seal",
    "seal_crop",
    "seal_verdict",
    "slot_crop",
]

log = logging.getLogger(__name__)

VisionChat = Chat
"""A vision model: messages with text and image parts in, the answer's text out (see `Chat`)."""
SealVerdict = Literal["match", "mismatch", "unknown"]
SignatureVerdict = Literal["signed", "empty", "unknown"]

MIN_SIDE = 384
"""Crops smaller than this (pixels, shorter side) are enlarged: VL2 reads small seal text badly."""
MAX_TOKENS = 120
_PNG = b"\x89PNG\r\n\x1a\n"


def gateway_vision(
    gateway: Gateway, principal: Principal, *, request_id: str | None = None
) -> GatewayChat | None:
    """The gateway's vision model as a `VisionChat`, or None when none is configured."""
    return gateway_chat(gateway, principal, role="vision", max_tokens=MAX_TOKENS, request_id=request_id)


# --- crops --------------------------------------------------------------------------------------------


def crop_png(image: Image, box: BBox, *, margin: float = 0.1) -> bytes:
    """The part of `image` inside `box` (pixels), widened by `margin` of its size on every side and
    clipped to the image, as PNG; enlarged to `MIN_SIDE` when smaller."""
    from PIL import Image as PILImage

    x0, y0, x1, y1 = box
    dx, dy = (x1 - x0) * margin, (y1 - y0) * margin
    left, top = max(0, round(x0 - dx)), max(0, round(y0 - dy))
    right, bottom = min(image.width, round(x1 + dx)), min(image.height, round(y1 + dy))
    if right <= left or bottom <= top:
        raise ValueError(f"box {box} lies outside the {image.width}×{image.height} image")
    crop = image.crop((left, top, right, bottom)).convert("RGB")
    short = min(crop.size)
    if short < MIN_SIDE:
        factor = MIN_SIDE / short
        size = (round(crop.width * factor), round(crop.height * factor))
        crop = crop.resize(size, PILImage.Resampling.LANCZOS)
    out = io.BytesIO()
    crop.save(out, format="PNG")
    return out.getvalue()


def seal_crop(pages: ContractPages, seal: Seal) -> bytes:
    """The seal cut from its scanned page (`seal.bbox` is in the page's unit, as `Inspection.seals`)."""
    scale = pages.pixels_per_unit[seal.page]
    box = (seal.bbox[0] * scale, seal.bbox[1] * scale, seal.bbox[2] * scale, seal.bbox[3] * scale)
    return crop_png(pages.images[seal.page], box)


def slot_crop(pages: ContractPages, line: TextLine) -> bytes:
    """A signature slot cut from its scanned page: the slot's printed line and the space where a
    signature goes (from the line's left edge to the page's right edge, two line heights above it
    and three below, as the deterministic detector looks)."""
    if line.bbox is None or line.page not in pages.images:
        raise ValueError(f"the slot line on page {line.page} is not on a scanned page")
    scale = pages.pixels_per_unit[line.page]
    image = pages.images[line.page]
    x0, y0, _, y1 = (v * scale for v in line.bbox)
    height = y1 - y0
    return crop_png(image, (x0, y0 - 2 * height, image.width, y1 + 3 * height), margin=0.0)


def _image_message(prompt: str, png: bytes) -> list[dict[str, Any]]:
    if not png.startswith(_PNG):
        raise ValueError("the crop is not a PNG image; make it with crop_png")
    url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    parts = [{"type": "text", "text": prompt}, {"type": "image_url", "image_url": {"url": url}}]
    return [{"role": "user", "content": parts}]


def _ask(vision: VisionChat, prompt: str, png: bytes) -> str | None:
    """The model's answer (its reasoning removed), or None when it cannot or will not answer."""
    messages = _image_message(prompt, png)
    try:
        reply = vision(messages)
    except ChatUnavailable as exc:
        log.info("contracts.vision_unavailable", extra={"error": type(exc).__name__})
        return None
    except (BankmindError, OSError) as exc:
        code = exc.code if isinstance(exc, BankmindError) else type(exc).__name__
        log.warning("contracts.vision_model_failed", extra={"error": code})
        return None
    return split_reasoning(reply or "")[0].strip()


def _answer_field(answer: str, key: str) -> str | None:
    """`key` of the first JSON object in the answer that has it, as text ('' for null), or None."""
    found = next((o for o in json_objects(answer) if key in o), None)
    if found is None:
        return None
    value = found[key]
    return value if isinstance(value, str) else "" if value is None else json.dumps(value)


# --- seals --------------------------------------------------------------------------------------------

SEAL_PROMPT = (
    "图中是合同签署页上的一枚红色印章。请逐字读出印章上的全部文字（环形排列的单位名称和中间的文字），"
    "按原样输出，不要猜测或补全；看不清的字用 ? 代替；图中没有印章时 text 为空字符串。"
    '只输出 JSON：{"text": "印章上的文字"}'
)
_SEAL_KINDS = re.compile(r"(?:合同|财务|业务|信贷业务|发票)?专用章|公章|合同章|\d{6,}|[★☆*•·\s\"'“”「」]")
"""What a seal says besides the name: its kind, a serial number, the star, spaces and quotes."""
_PERSONAL = re.compile(r"之?印$")
"""A personal name seal reads `王建国印`."""
_LABEL = re.compile(r"^[^:：]{0,8}[:：]")
_UNREAD = re.compile(r"[?？□■�]|无法|不清|看不|模糊|没有|未见|unknown|unreadable|illegible", re.IGNORECASE)
_MIN_NAME = 2


def _seal_name(text: str) -> str:
    """The name a seal's text gives: NFKC, without the kind of seal, a serial number, the star,
    spaces, quotes, and the 印 of a personal seal."""
    return _PERSONAL.sub("", _SEAL_KINDS.sub("", unicodedata.normalize("NFKC", text)))


def read_seal(crop_png: bytes, vision: VisionChat | None) -> str | None:
    """What the vision model reads on the seal in `crop_png`, as it wrote it (one line), or None
    without a vision model, an answer, or a full reading (characters it marks unread, a refusal to
    read, fewer than two characters of name)."""
    if vision is None:
        return None
    answer = _ask(vision, SEAL_PROMPT, crop_png)
    if answer is None:
        return None
    text = _answer_field(answer, "text")
    if text is None:  # a bare answer, perhaps labelled (印章文字：…)
        text = _LABEL.sub("", answer) if len(answer) <= 60 and "\n" not in answer else ""
    if _UNREAD.search(text) or len(_seal_name(text)) < _MIN_NAME:
        return None
    return " ".join(text.split())


def seal_verdict(reading: str | None, expected_name: str) -> SealVerdict:
    """Our comparison of a seal's reading with the party's name: the same name (without the kind
    of seal, serial number, star, spaces, quotes, 印) is a match, any other a mismatch, no reading
    unknown."""
    if reading is None:
        return "unknown"
    verdict: SealVerdict = "match" if _seal_name(reading) == _seal_name(expected_name) else "mismatch"
    log.info("contracts.vision_seal", extra={"verdict": verdict})
    return verdict


def confirm_seal(crop_png: bytes, expected_name: str, vision: VisionChat | None) -> SealVerdict:
    """Whether the seal in `crop_png` names `expected_name`, by the vision model's reading of it and
    our comparison (see the module docstring); "unknown" without a vision model or an answer."""
    return seal_verdict(read_seal(crop_png, vision), expected_name)


# --- signatures ---------------------------------------------------------------------------------------

SIGNATURE_PROMPT = (
    "图中是合同签署页上的一个签字栏（印刷的栏目名称及其旁边的空白处）。栏内有没有手写的签名笔迹？"
    "印刷文字、下划线、红色印章和指印都不算手写签名。"
    '只输出 JSON：{"handwriting": "yes"} 或 {"handwriting": "no"}，看不清时输出 {"handwriting": "unclear"}'
)
_YES = frozenset({"yes", "true", "有", "是"})
_NO = frozenset({"no", "false", "无", "没有", "否"})


def confirm_signature(crop_png: bytes, vision: VisionChat | None) -> SignatureVerdict:
    """Whether the slot in `crop_png` holds handwriting, as the vision model sees it; "unknown"
    without a vision model, an answer, or a clear yes or no."""
    if vision is None:
        return "unknown"
    answer = _ask(vision, SIGNATURE_PROMPT, crop_png)
    if answer is None:
        return "unknown"
    said = _answer_field(answer, "handwriting")
    word = (said if said is not None else answer).strip().strip("。.!！\"'").lower()
    verdict: SignatureVerdict = "signed" if word in _YES else "empty" if word in _NO else "unknown"
    log.info("contracts.vision_signature", extra={"verdict": verdict})
    return verdict
