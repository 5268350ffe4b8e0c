"""DeepSeek-R1 reasoning never reaches `content`: whole answers, streams cut anywhere, and fields."""

from __future__ import annotations

import itertools

import pytest

from bankmind.llm.reasoning import ReasoningSplitter, collect, is_r1_style, split_reasoning

THOUGHT = "用户问的是活期存款。\n先解释定义。"
ANSWER = "活期存款可以随时存取。"

# fmt: off
WHOLE = [
    # (text, implicit_open, expected content, expected reasoning)
    (f"<think>\n{THOUGHT}\n</think>\n\n{ANSWER}",      False, ANSWER, THOUGHT),
    (f"<think>{THOUGHT}</think>{ANSWER}",              False, ANSWER, THOUGHT),
    (f"  \n<think>\n{THOUGHT}\n</think>\n\n{ANSWER}",  False, ANSWER, THOUGHT),
    (f"{THOUGHT}\n</think>\n\n{ANSWER}",               False, ANSWER, THOUGHT),   # vLLM dropped <think>
    (f"{THOUGHT}\n</think>\n\n{ANSWER}",               True,  ANSWER, THOUGHT),
    (f"<think>\n{THOUGHT}\n</think>\n\n{ANSWER}",      True,  ANSWER, THOUGHT),
    (ANSWER,                                           False, ANSWER, None),
    (f"<think>\n\n</think>\n\n{ANSWER}",               False, ANSWER, None),      # empty thinking
    (f"<think>\n{THOUGHT}",                            False, "",     THOUGHT),   # cut off by max_tokens
    (THOUGHT,                                          True,  "",     THOUGHT),   # R1 cut off, no tags at all
    ("a < b and <thin ice>",                           False, "a < b and <thin ice>", None),
]
# fmt: on


@pytest.mark.parametrize(("text", "implicit", "content", "reasoning"), WHOLE)
def test_split_whole_answer(text: str, implicit: bool, content: str, reasoning: str | None) -> None:
    assert split_reasoning(text, implicit_open=implicit) == (content, reasoning)


def test_reasoning_content_field_is_kept_apart() -> None:
    assert split_reasoning(ANSWER, THOUGHT) == (ANSWER, THOUGHT)
    # A server that sends the field does the splitting, so an R1 name does not make the answer reasoning.
    assert split_reasoning(ANSWER, THOUGHT, implicit_open=True) == (ANSWER, THOUGHT)
    assert split_reasoning(f"x\n</think>\n{ANSWER}", THOUGHT) == (ANSWER, THOUGHT + "\n\nx")


STREAMED = [
    (f"<think>\n{THOUGHT}\n</think>\n\n{ANSWER}", False),
    (f"<think>\n{THOUGHT}\n</think>\n\n{ANSWER}", True),
    (f"{THOUGHT}\n</think>\n\n{ANSWER}", True),
]


def _feed(pieces: list[str], implicit: bool) -> tuple[str, str | None, list[str]]:
    splitter = ReasoningSplitter(implicit_open=implicit)
    chunks = [splitter.feed(p) for p in pieces] + [splitter.finish()]
    content, reasoning = collect(chunks)
    return content, reasoning, [c.content for c in chunks]


@pytest.mark.parametrize(("text", "implicit"), STREAMED)
def test_stream_split_at_every_position(text: str, implicit: bool) -> None:
    for i in range(len(text) + 1):
        content, reasoning, released = _feed([text[:i], text[i:]], implicit)
        assert (content, reasoning) == (ANSWER, THOUGHT), f"split at {i}: {text[:i]!r} | {text[i:]!r}"
        assert not any("<" in piece or "think" in piece for piece in released)


@pytest.mark.parametrize(("text", "implicit"), STREAMED)
def test_stream_split_at_every_pair_of_positions(text: str, implicit: bool) -> None:
    for i, j in itertools.combinations(range(len(text) + 1), 2):
        assert _feed([text[:i], text[i:j], text[j:]], implicit)[:2] == (ANSWER, THOUGHT), (i, j)


@pytest.mark.parametrize(("text", "implicit"), STREAMED)
def test_stream_one_character_at_a_time(text: str, implicit: bool) -> None:
    assert _feed(list(text), implicit)[:2] == (ANSWER, THOUGHT)


def test_stream_without_reasoning_releases_text_at_once() -> None:
    splitter = ReasoningSplitter()
    assert splitter.feed("活期").content == "活期"
    assert splitter.feed("存款 <").content == "存款 "  # "<" may start a tag: held back
    assert splitter.feed("5%").content == "<5%"
    assert splitter.finish().content == ""


def test_stream_stray_closing_tag_is_removed() -> None:
    content, reasoning, _ = _feed(["前文", "</thi", "nk>", "答案"], False)
    assert content == "前文答案"
    assert reasoning is None


def test_stream_reasoning_field_then_content() -> None:
    splitter = ReasoningSplitter(implicit_open=True)
    chunks = [splitter.feed_reasoning("\n" + THOUGHT[:5]), splitter.feed_reasoning(THOUGHT[5:])]
    chunks += [splitter.feed("\n\n" + ANSWER[:3]), splitter.feed(ANSWER[3:]), splitter.finish()]
    assert collect(chunks) == (ANSWER, THOUGHT)


def test_stream_cut_off_while_thinking() -> None:
    assert _feed(["<think>\n", THOUGHT], False)[:2] == ("", THOUGHT)
    assert _feed([THOUGHT[:4], THOUGHT[4:]], True)[:2] == ("", THOUGHT)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("deepseek-r1:7b", True),
        ("DeepSeek-R1-Distill-Qwen-7B", True),
        ("deepseek-reasoner", True),
        ("qwq-32b", True),
        ("Qwen3-30B-A3B-Thinking", True),
        ("deepseek-r1-distill-qwen-7b-q4_k_m.gguf", True),
        ("deepseek-v3", False),
        ("qwen2.5-coder-0.5b-instruct-q4_k_m", False),
        ("bge-m3", False),
        ("r10-model", False),
        (None, False),
    ],
)
def test_r1_style_names(name: str | None, expected: bool) -> None:
    assert is_r1_style(name) is expected
