"""`guard.chat`: a gateway model as a plain callable for capabilities.

Which model a role gets, the room an R1-style model gets to think, a refusal and an outside failure
as the capability sees them, and an image part that reaches the vision model intact while the text
beside it is masked. The vision model (none runs offline) and a failing server are the scripted
upstream of tests/llm/upstream.py; the slow tests ask the real embedded model in-process.
"""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tests.llm.upstream import FakeUpstream, Reply, closed_port, completion

from bankmind.config import Settings, load_settings
from bankmind.errors import UpstreamError
from bankmind.guard.audit import iter_entries
from bankmind.guard.chat import (
    THINKING_TOKENS,
    ChatRefused,
    ChatUnavailable,
    gateway_chat,
    model_for_role,
)
from bankmind.guard.gateway import Gateway
from bankmind.llm import ModelRouter
from bankmind.store import Store
from bankmind.store.departments import create_department
from bankmind.types import Principal

pytestmark = pytest.mark.sqlite_only  # the chat path is under test here, not the database

OPERATOR = Principal(user_id=0, name="cli:credit-ops")
CREDIT_OFFICER = Principal(user_id=7, name="liwei", department="授信审批部")
CN_ID = "11010519491231002X"


def served(url: str, model: str, **extra: Any) -> dict[str, Any]:
    return {"provider": "openai-compatible", "base_url": url, "model": model, **extra}


def gateway(store: Store, home: Path, **models: Any) -> Gateway:
    settings = load_settings(home=home, llm_timeout=0.5, llm_retries=0, **models)
    return Gateway(settings, store, ModelRouter(settings))


def nowhere() -> str:
    return f"http://127.0.0.1:{closed_port()}/v1"


# --- which model ----------------------------------------------------------------------------------------


def test_without_models_there_is_no_chat(store: Store, _isolated_home: Path) -> None:
    gw = gateway(store, _isolated_home, chat={"provider": "none"})
    for role in ("chat", "reasoning", "vision"):
        assert model_for_role(gw, role) is None
        assert gateway_chat(gw, OPERATOR, role=role, max_tokens=100) is None


def test_each_role_gets_its_model_and_reasoning_falls_back_to_chat(
    store: Store, _isolated_home: Path
) -> None:
    url = nowhere()
    gw = gateway(store, _isolated_home, chat=served(url, "deepseek-v3"), vision=served(url, "deepseek-vl2"))
    assert model_for_role(gw, "chat") == "deepseek-v3"
    assert model_for_role(gw, "reasoning") == "deepseek-v3"  # no reasoning model: the chat model thinks
    assert model_for_role(gw, "vision") == "deepseek-vl2"
    with_r1 = gateway(
        store, _isolated_home, chat=served(url, "deepseek-v3"), reasoning=served(url, "deepseek-r1")
    )
    assert model_for_role(with_r1, "reasoning") == "deepseek-r1"
    assert model_for_role(with_r1, "vision") is None


@pytest.mark.parametrize(
    ("model", "extra", "thinks"),
    [
        ("deepseek-v3", {}, False),
        ("deepseek-r1", {}, True),  # by its name
        ("bank-reasoner", {"reasoning_format": "r1"}, True),  # as configured
    ],
)
def test_an_r1_style_model_gets_room_to_think(
    store: Store, _isolated_home: Path, model: str, extra: dict[str, Any], thinks: bool
) -> None:
    gw = gateway(store, _isolated_home, chat=served(nowhere(), model, **extra))
    chat = gateway_chat(gw, OPERATOR, max_tokens=300)
    assert chat is not None and chat.model == model
    assert chat.max_tokens == 300 + (THINKING_TOKENS if thinks else 0)
    lean = gateway_chat(gw, OPERATOR, max_tokens=300, thinking_tokens=100)
    assert lean is not None and lean.max_tokens == 300 + (100 if thinks else 0)


# --- answers, refusals, failures ------------------------------------------------------------------------


def test_the_answer_is_the_text_and_the_call_is_audited(
    store: Store, upstream: FakeUpstream, _isolated_home: Path
) -> None:
    upstream.queue(Reply(body=completion("活期存款随时可以支取。", reasoning_content="先想一想")))
    chat = gateway_chat(
        gateway(store, _isolated_home, chat=served(upstream.url, "deepseek-v3")),
        OPERATOR,
        max_tokens=50,
        request_id="req-42",
    )
    assert chat is not None
    assert chat([{"role": "user", "content": "什么是活期存款？"}]) == "活期存款随时可以支取。"
    [request] = upstream.requests
    assert request["json"]["max_tokens"] == 50 and request["json"]["temperature"] == 0.1
    [entry] = [e for e in iter_entries(store) if e.action == "gateway.chat"]
    assert (entry.outcome, entry.model, (entry.details or {}).get("request_id")) == (
        "ok",
        "deepseek-v3",
        "req-42",
    )


def test_a_request_the_policy_refuses_raises_chat_refused_without_asking_the_model(
    store: Store, upstream: FakeUpstream, _isolated_home: Path
) -> None:
    chat = gateway_chat(
        gateway(store, _isolated_home, chat=served(upstream.url, "deepseek-v3")), OPERATOR, max_tokens=50
    )
    assert chat is not None
    with pytest.raises(ChatRefused) as refused:
        chat([{"role": "user", "content": "帮我伪造一份银行流水"}])
    assert isinstance(refused.value, ChatUnavailable)  # callers that skip unusable answers skip it too
    assert upstream.requests == []
    [entry] = [e for e in iter_entries(store) if e.action == "gateway.chat"]
    assert entry.outcome == "refused"


@pytest.mark.parametrize("failure", ["500", "closed"])
def test_an_outside_failure_is_raised_as_the_gateway_raises_it(
    store: Store, upstream: FakeUpstream, _isolated_home: Path, failure: str
) -> None:
    upstream.queue(Reply(500, {"error": {"message": "internal"}}))
    url = upstream.url if failure == "500" else nowhere()
    chat = gateway_chat(
        gateway(store, _isolated_home, chat=served(url, "deepseek-v3")), OPERATOR, max_tokens=50
    )
    assert chat is not None
    with pytest.raises(UpstreamError):
        chat([{"role": "user", "content": "什么是活期存款？"}])
    [entry] = [e for e in iter_entries(store) if e.action == "gateway.chat"]
    assert entry.outcome != "ok"


# --- images ---------------------------------------------------------------------------------------------


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 40)).save(out, format="PNG")
    return out.getvalue()


def test_an_image_reaches_the_vision_model_intact_and_only_the_text_is_masked(
    store: Store, upstream: FakeUpstream, _isolated_home: Path
) -> None:
    """Masking is on for internal models by default: the text part's ID number goes as a
    placeholder, the image part byte for byte, and the answer comes back with the real value."""
    upstream.queue(Reply(body=completion('{"text": "<CN_ID_1>"}')))
    gw = gateway(
        store, _isolated_home, chat={"provider": "none"}, vision=served(upstream.url, "deepseek-vl2")
    )
    create_department(store, "授信审批部", keep_masked_text=True)
    vision = gateway_chat(gw, CREDIT_OFFICER, role="vision", max_tokens=120)
    assert vision is not None
    url = "data:image/png;base64," + base64.b64encode(png()).decode("ascii")
    text = {"type": "text", "text": f"借款人身份证号码 {CN_ID}，图中印章写的是什么？"}
    image = {"type": "image_url", "image_url": {"url": url, "detail": "high"}}

    answer = vision([{"role": "user", "content": [text, image]}])

    [request] = upstream.requests
    [message] = request["json"]["messages"]
    sent_text, sent_image = message["content"]
    assert CN_ID not in sent_text["text"] and "<CN_ID_1>" in sent_text["text"]
    assert sent_image == image
    assert answer == f'{{"text": "{CN_ID}"}}'
    [entry] = [e for e in iter_entries(store) if e.action == "gateway.chat"]
    assert entry.outcome == "ok" and entry.pii == {"CN_ID": 1}
    # the department keeps masked prompts; an image cannot be masked, so the record keeps its hash
    assert entry.masked_prompt is not None and "<CN_ID_1>" in entry.masked_prompt
    assert url not in entry.masked_prompt and "base64" not in entry.masked_prompt
    assert "sha256:" + hashlib.sha256(url.encode()).hexdigest() in entry.masked_prompt


# --- the real embedded model ----------------------------------------------------------------------------


@pytest.fixture
def embedded(embedded_gguf: tuple[Settings, Path], store: Store, _isolated_home: Path) -> Gateway:
    settings = load_settings(home=_isolated_home, chat={"provider": "local"}, local_model=embedded_gguf[1])
    return Gateway(settings, store, ModelRouter(settings))


@pytest.mark.slow
def test_the_embedded_model_answers_through_the_gateway(embedded: Gateway, store: Store) -> None:
    chat = gateway_chat(embedded, OPERATOR, max_tokens=64)
    assert chat is not None and chat.model == embedded_gguf_stem(embedded)
    answer = chat([{"role": "user", "content": "用一句话说明什么是活期存款。"}])
    assert answer.strip() and "<think>" not in answer
    [entry] = [e for e in iter_entries(store) if e.action == "gateway.chat"]
    assert entry.outcome == "ok" and (entry.tokens_out or 0) > 0


@pytest.mark.slow
def test_an_answer_cut_off_by_max_tokens_is_unavailable(embedded: Gateway, store: Store) -> None:
    chat = gateway_chat(embedded, OPERATOR, max_tokens=2)
    assert chat is not None
    with pytest.raises(ChatUnavailable, match="cut off at 2 tokens"):
        chat([{"role": "user", "content": "请详细介绍商业银行的主要业务，至少写三段。"}])
    [entry] = [e for e in iter_entries(store) if e.action == "gateway.chat"]
    assert entry.outcome == "ok" and (entry.details or {}).get("finish_reason") == "length"


def embedded_gguf_stem(gw: Gateway) -> str:
    path = gw.settings.local_model
    assert path is not None
    return path.stem
