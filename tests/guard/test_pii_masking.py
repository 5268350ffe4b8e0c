"""The per-request vault: typed placeholders, consistent numbering, unmasking, streamed unmasking."""

from __future__ import annotations

import copy
import pickle
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bankmind.guard.masking import PLACEHOLDER, StreamUnmasker, Vault, mask_for_display
from bankmind.guard.pii import default_analyzer

ID_1 = "110101199003071233"
ID_2 = "440308199901101512"
CARD = "6222020200112233446"
MOBILE = "13812345678"


def test_mask_and_unmask() -> None:
    vault = Vault()
    text = f"客户张伟，身份证{ID_1}，手机{MOBILE}"
    masked = vault.mask(text)
    assert masked == "客户<PERSON_1>，身份证<CN_ID_1>，手机<CN_MOBILE_1>"
    assert vault.unmask(masked) == text
    assert vault.unmask("已核实<PERSON_1>的证件<CN_ID_1>。") == f"已核实张伟的证件{ID_1}。"


def test_same_value_same_placeholder_across_messages() -> None:
    vault = Vault()
    first = vault.mask(f"身份证{ID_1}，另一证件{ID_2}")
    second = vault.mask(f"请再核对身份证{ID_1}")
    assert first == "身份证<CN_ID_1>，另一证件<CN_ID_2>"
    assert second == "请再核对身份证<CN_ID_1>"
    assert vault.counts() == {"CN_ID": 3}
    assert vault.placeholders == ("<CN_ID_1>", "<CN_ID_2>")


def test_values_already_in_the_vault_are_masked_wherever_they_appear() -> None:
    vault = Vault()
    assert vault.mask("客户张伟来电") == "客户<PERSON_1>来电"
    assert vault.mask("请核对和张伟的通话") == "请核对和<PERSON_1>的通话"  # no cue here: known from before
    assert vault.mask("王先生") == "<PERSON_2>先生"
    assert vault.mask("王府井") == "王府井"  # one-character values are not repeated
    assert vault.counts() == {"PERSON": 3}


def test_one_card_written_two_ways_is_one_placeholder() -> None:
    vault = Vault()
    grouped = " ".join(CARD[i : i + 4] for i in range(0, len(CARD), 4))
    assert vault.mask(f"卡号{CARD}，即{grouped}") == "卡号<BANK_CARD_1>，即<BANK_CARD_1>"
    assert vault.mask(f"手机+86 {MOBILE}和{MOBILE}") == "手机<CN_MOBILE_1>和<CN_MOBILE_1>"
    assert vault.unmask("<BANK_CARD_1>") == CARD  # the first form seen comes back


def test_placeholders_typed_by_users_are_never_reused() -> None:
    vault = Vault()
    masked = vault.mask(f"把<CN_ID_1>换成{ID_1}")
    assert masked == "把<CN_ID_1>换成<CN_ID_2>"
    assert vault.unmask(masked) == f"把<CN_ID_1>换成{ID_1}"


def test_unknown_placeholders_and_plain_text_pass_through() -> None:
    vault = Vault()
    vault.mask(f"手机{MOBILE}")
    assert vault.unmask("<CN_MOBILE_2> <PERSON_1> a<b>c") == "<CN_MOBILE_2> <PERSON_1> a<b>c"
    assert Vault().unmask("<CN_MOBILE_1>") == "<CN_MOBILE_1>"


def test_entity_filter() -> None:
    vault = Vault(entities=["CN_ID"])
    assert vault.mask(f"张伟，{ID_1}，{MOBILE}") == f"张伟，<CN_ID_1>，{MOBILE}"


def test_repr_shows_types_and_counts_only() -> None:
    vault = Vault()
    assert repr(vault) == "Vault(empty)"
    vault.mask(f"客户张伟，身份证{ID_1}，手机{MOBILE}，联系人李娜")
    shown = repr(vault) + str(vault) + repr(StreamUnmasker(vault))
    assert shown.startswith("Vault(CN_ID=1, CN_MOBILE=1, PERSON=2)")
    for value in ("张伟", "李娜", ID_1, MOBILE):
        assert value not in shown


def test_a_vault_cannot_be_copied_or_pickled() -> None:
    vault = Vault()
    vault.mask(ID_1)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(vault)
    with pytest.raises(TypeError):
        copy.deepcopy(vault)


def test_stream_restores_a_placeholder_split_across_chunks() -> None:
    vault = Vault()
    vault.mask(f"身份证{ID_1}")
    stream = StreamUnmasker(vault)
    assert stream.feed("证件号<CN_") == "证件号"
    assert stream.feed("ID_1>已") == f"{ID_1}已"
    assert stream.feed("核实") == "核实"
    assert stream.finish() == ""


def test_stream_holds_back_only_what_could_become_a_placeholder() -> None:
    vault = Vault()
    vault.mask(f"身份证{ID_1}")
    stream = StreamUnmasker(vault)
    assert stream.feed("a<b") == "a<b"  # '<b' can never become a placeholder of this vault
    assert stream.feed(" <") == " "
    assert stream.feed("CN_ID_") == ""
    assert stream.feed("9> x") == "<CN_ID_9> x"  # not ours: passed through as written
    assert stream.feed("<CN_ID") == ""
    assert stream.finish() == "<CN_ID"  # the stream ended inside it


def test_stream_without_placeholders_holds_nothing() -> None:
    stream = StreamUnmasker(Vault())
    assert stream.feed("<CN_ID_1") == "<CN_ID_1"


def test_mask_for_display() -> None:
    text = f"客户张伟，手机{MOBILE}"
    assert mask_for_display(text) == "客户张*，手机138****5678"


# property-based tests ------------------------------------------------------------------------------
PII = [
    f"身份证{ID_1}",
    f"身份证{ID_2}",
    f"卡号{CARD}",
    f"手机{MOBILE}",
    "客户张伟先生",
    "邮箱a.b@example.com",
    "借款人欧阳娜娜",
]
FILLER = st.text(alphabet=st.sampled_from(list("，。的了客户您好账户<>_ABCDINX0123456789 \n")), max_size=12)
TEXTS = st.lists(
    st.one_of(FILLER, st.sampled_from(PII), st.sampled_from(["<CN_ID_1>", "<PERSON_2>", "<CN_"])), max_size=12
).map("".join)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_mask_then_unmask_gives_the_text_back(text: str) -> None:
    vault = Vault(default_analyzer())
    masked = vault.mask(text)
    assert vault.unmask(masked) == text
    for value in (ID_1, ID_2, CARD, MOBILE):  # standalone numbers never survive masking
        assert not re.search(rf"(?<![0-9A-Za-z]){value}(?![0-9A-Za-z])", masked)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.lists(st.integers(min_value=0, max_value=400), max_size=8))
def test_any_chunking_of_a_stream_unmasks_like_the_whole(text: str, cuts: list[int]) -> None:
    vault = Vault(default_analyzer())
    masked = vault.mask(text)
    points = sorted({c % (len(masked) + 1) for c in cuts})
    chunks = [masked[a:b] for a, b in zip([0, *points], [*points, len(masked)], strict=True)]
    stream = StreamUnmasker(vault)
    assert "".join(stream.feed(c) for c in chunks) + stream.finish() == vault.unmask(masked) == text


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.sampled_from(PII), min_size=1, max_size=6))
def test_placeholders_are_consistent_within_a_vault(parts: list[str]) -> None:
    vault = Vault(default_analyzer())
    masked = [vault.mask(p) for p in parts]
    for part, m in zip(parts, masked, strict=True):
        for other, n in zip(parts, masked, strict=True):
            assert (part == other) == (m == n)
    assert all(PLACEHOLDER.search(m) for m in masked)
