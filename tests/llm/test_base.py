"""The shared contract: message validation, history without reasoning, options, URL redaction."""

from __future__ import annotations

import pytest

from bankmind.errors import InputError
from bankmind.llm import ChatMessage
from bankmind.llm.base import history, redact_url

from .fakes import EchoChat


def test_history_strips_reasoning_from_earlier_answers() -> None:
    msgs = history(
        [
            {"role": "user", "content": "问题一"},
            {"role": "assistant", "content": "<think>想一想</think>\n\n答案一"},
            {"role": "user", "content": "问题二"},
        ]
    )
    assert [m.content for m in msgs] == ["问题一", "答案一", "问题二"]


def test_vision_content_parts_are_accepted() -> None:
    msg = ChatMessage(
        role="user",
        content=[
            {"type": "text", "text": "这张表"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
        ],
    )
    assert msg.has_images()
    assert msg.text() == "这张表"


@pytest.mark.parametrize(
    ("messages", "message"),
    [
        ([], "no messages to send"),
        ([{"role": "robot", "content": "x"}], "message 1 is not a valid chat message: role"),
        ([{"role": "user", "content": "x", "name": "y"}], "message 1 is not a valid chat message: name"),
    ],
)
def test_bad_messages(messages: list[dict[str, str]], message: str) -> None:
    with pytest.raises(InputError, match=message):
        history(messages)


def test_options_reject_unknown_keys() -> None:
    model = EchoChat()
    with pytest.raises(InputError) as info:
        model.complete([ChatMessage(role="user", content="x")], extra={"shout": True, "top_z": 1})
    assert info.value.message == "unknown option 'top_z' for the echo chat provider; valid options: shout"
    with pytest.raises(InputError, match="invalid option for the echo chat provider: shout"):
        model.complete([ChatMessage(role="user", content="x")], extra={"shout": "loudly"})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8001/v1", "http://127.0.0.1:8001/v1"),
        ("https://user:s3cret@llm.bank.local/v1?api_key=abc#x", "https://llm.bank.local/v1"),
        ("http://[::1]:11434/v1", "http://[::1]:11434/v1"),
        (None, ""),
    ],
)
def test_redact_url(url: str | None, expected: str) -> None:
    assert redact_url(url) == expected
