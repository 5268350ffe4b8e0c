"""Model narratives per break: only the break's facts go in, and no figure comes out that the facts
do not state. The model here is a plain callable simulating what a model might write or how the
outside world fails; tests/integration/test_recon_narrative.py runs the real embedded model."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bankmind.config import load_settings
from bankmind.errors import PermissionDenied, QuotaExceeded, UpstreamError, UpstreamTimeout
from bankmind.eval.recon_tables import generate_pair
from bankmind.guard.chat import ChatRefused, ChatUnavailable
from bankmind.guard.gateway import Gateway
from bankmind.llm import ModelRouter
from bankmind.recon import parse_table
from bankmind.recon.causes import BreakFacts, explain
from bankmind.recon.compare import Break, reconcile
from bankmind.recon.narrative import (
    MAX_CHARS,
    break_facts,
    build_messages,
    gateway_chat,
    narrate,
    verify_narrative,
)
from bankmind.store import Store
from bankmind.types import Principal

WANHUA = "11020101600309"


def quantity_break(**changes: Any) -> Break:
    """万华化学: the custodian booked a 10送3 bonus issue, the manager not yet."""
    cause = explain(BreakFacts("quantity", "quantity", "万华化学", manager=10000.0, custodian=13000.0))
    values: dict[str, Any] = {
        "subject_code": WANHUA, "subject_name": "万华化学", "kind": "quantity", "field": "quantity",
        "manager": 10000.0, "custodian": 13000.0, "difference": -3000.0, "explanation": cause.text,
        "cause": cause.code, "manager_cell": "D12", "custodian_cell": "E14",
    }  # fmt: skip
    return Break(**(values | changes))


def cost_break() -> Break:
    """A rounding break of two cents on a large cost."""
    cause = explain(BreakFacts("cost", "cost", "浦发银行", manager=1234567.56, custodian=1234567.58))
    return Break(
        subject_code="11020101600000", subject_name="浦发银行", kind="cost", field="cost",
        manager=1234567.56, custodian=1234567.58, difference=-0.02, explanation=cause.text,
        cause=cause.code, manager_cell="Sheet1!F9", custodian_cell="F10",
    )  # fmt: skip


def price_break() -> Break:
    """Same quantity, prices a day apart: the explanation states the move as a percentage."""
    cause = explain(
        BreakFacts("price", "price", "宁德时代", manager=208.0, custodian=200.0,
                   manager_quantity=1000.0, custodian_quantity=1000.0)
    )  # fmt: skip
    assert cause.code == "price_date" and "4.00%" in cause.text
    return Break(
        subject_code="11020301300750", subject_name="宁德时代", kind="price", field="price",
        manager=208.0, custodian=200.0, difference=8.0, explanation=cause.text, cause=cause.code,
    )  # fmt: skip


QTY = break_facts(quantity_break())
COST = break_facts(cost_break())
PRICE = break_facts(price_break())


# --- facts and prompt -------------------------------------------------------------------------------


def test_facts_are_the_breaks_own_figures_labelled_in_chinese() -> None:
    expected = {
        "kind": "数量不符",
        "field": "数量",
        "subject_code": WANHUA,
        "subject_name": "万华化学",
        "manager": "10,000",
        "custodian": "13,000",
        "difference": "-3,000",
        "explanation": quantity_break().explanation,
        "manager_cell": "D12",
        "custodian_cell": "E14",
    }
    assert expected == QTY
    assert COST["manager"] == "1,234,567.56" and COST["difference"] == "-0.02"


def test_the_prompt_holds_only_the_facts_as_quoted_data() -> None:
    system, user = build_messages(QTY)
    assert system["role"] == "system" and "不得写出事实中没有的任何数字" in system["content"]
    assert user["role"] == "user"
    quoted = json.loads(user["content"][user["content"].index("{") : user["content"].rindex("}") + 1])
    assert quoted["科目名称"] == "万华化学" and quoted["差额（管理人减托管人）"] == "-3,000"
    assert set(quoted.values()) == set(QTY.values())


# --- verification: accepted ---------------------------------------------------------------------------


# fmt: off
FAITHFUL = [
    ("万华化学数量管理人10,000股、托管人13,000股，差额-3,000股，与每10股送3股相符，请核对权益登记。", QTY),
    ("万华化学管理人10,000，托管人13,000，差额-3,000。", QTY),         # `，` between figures
    ("万华化学管理人少记3000股，可能尚未登记送转股。", QTY),                       # no separators, no sign
    ("万华化学（600309）数量不符，见管理人表D12与托管人表E14。", QTY),               # code part, cells
    ("科目11020101600309数量不符，属于1102股票投资。", QTY),                        # code and its level
    ("万华化学两边数量之比为10:13，每十股送三股。", QTY),               # Chinese numerals in facts
    ("管理人一万股，托管人一万三千股。", QTY),
    ("管理人1万股，托管人1.3万股，相差0.3万股。", QTY),
    ("浦发银行成本1234567.56对1,234,567.58，差额0.02元，属分位级舍入差异。", COST),  # |差额|
    ("浦发银行成本差额 -0.020 元，管理人 1,234,567.560 元。", COST),                 # trailing zeros
    ("浦发银行差额零点零二元，可能是舍入方式不同。", COST),
    ("宁德时代价格208对200，相差4%，可能取用了不同日期的行情。", PRICE),              # percentage in facts
    ("宁德时代价格相差百分之四，差额8元，在一个交易日涨跌幅之内。", PRICE),
    ("双方对万华化学的数量记录不一致，这一点十分重要，千万不要忽略，请统一口径。", QTY),  # words, not figures
]
# fmt: on


@pytest.mark.parametrize(("text", "facts"), FAITHFUL)
def test_a_faithful_narrative_is_accepted(text: str, facts: dict[str, str]) -> None:
    assert verify_narrative(text, facts) == text


def test_the_narrative_is_cleaned_of_reasoning_quotes_labels_and_line_breaks() -> None:
    text = "<think>\n差额应该是 999 元吧？按 5% 算。\n</think>\n\n说明：“万华化学管理人少记\n3,000股。”"
    assert verify_narrative(text, QTY) == "万华化学管理人少记 3,000股。"
    unopened = "先想一想：差额 42 元。\n</think>\n\n万华化学数量不符。"
    assert verify_narrative(unopened, QTY) == "万华化学数量不符。"
    assert verify_narrative("  万华化学\n数量不符。  ", QTY) == "万华化学数量不符。"


# --- verification: rejected ---------------------------------------------------------------------------

# fmt: off
INVENTED = [
    ("万华化学差额3,000股，请在5个工作日内处理。", QTY),                 # an invented figure
    ("万华化学管理人10,001股，托管人13,000股。", QTY),                   # a changed figure
    ("万华化学差额3,100股。", QTY),
    ("浦发银行成本1,234,568元。", COST),                                 # rounded is changed
    ("浦发银行差额0.2元。", COST),
    ("宁德时代价格相差5%。", PRICE),                                     # an invented percentage
    ("宁德时代价格相差8%。", PRICE),                                     # 8 is a fact, 8% is not
    ("万华化学差额约占3000%。", QTY),
    ("宁德时代价格相差百分之五。", PRICE),                               # Chinese numerals not in facts
    ("万华化学差额应在五日内查明。", QTY),
    ("万华化学差额三千一百股。", QTY),
    ("请两个工作日内回复。", QTY),
    ("万华化学差额52万元。", QTY),
    ("差额为总数的三分之一。", QTY),                                     # a fraction: not read, rejected
    ("2024年6月28日万华化学数量不符。", QTY),                            # a date the facts do not state
    ("万华化学1102.01.01数量不符。", QTY),
]
# fmt: on


@pytest.mark.parametrize(("text", "facts"), INVENTED)
def test_a_figure_not_in_the_facts_is_rejected(text: str, facts: dict[str, str]) -> None:
    assert verify_narrative(text, facts) is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n ",
        "万华化学数量不符。" * 30,  # over MAX_CHARS
        "**万华化学**数量不符。",
        "<b>万华化学</b>数量不符。",
        "万华化学数量不符，详见 https://example.com/recon 。",
        "万华化学数量不符，详见 www.example.com 。",
        "万华化学数量不符，见[说明](x)。",
        "- 万华化学数量不符。",
        "万华化学 | 数量 | 不符",
        "`万华化学`数量不符。",
        "The quantities differ by 3,000 shares.",  # not Chinese
        "<think>\n万华化学数量不符，差额 3,000 股。",  # reasoning never closed: no answer
    ],
)
def test_empty_long_marked_up_or_unfinished_text_is_rejected(text: str) -> None:
    assert verify_narrative(text, QTY) is None


def test_max_chars_is_about_two_sentences() -> None:
    sentence = "万华化学数量不符，请核对权益登记。"
    assert verify_narrative(sentence * (MAX_CHARS // len(sentence)), QTY) is not None
    assert verify_narrative(sentence * (MAX_CHARS // len(sentence) + 1), QTY) is None


# --- narrate with a simulated model -------------------------------------------------------------------


class Model:
    """Answers from the facts it was given (what a faithful model does), or fails as told."""

    def __init__(self, fail: Callable[[int], BaseException | None] = lambda n: None, text: str = "") -> None:
        self.fail = fail
        self.text = text
        self.calls: list[list[dict[str, str]]] = []

    def __call__(self, messages: list[dict[str, str]]) -> str:
        self.calls.append(messages)
        error = self.fail(len(self.calls))
        if error is not None:
            raise error
        if self.text:
            return self.text
        user = messages[1]["content"]
        facts = json.loads(user[user.index("{") : user.rindex("}") + 1])
        return f"{facts['科目名称']}{facts['差异类型']}，差额{facts.get('差额（管理人减托管人）', '')}。"


def test_root_breaks_are_narrated_and_knock_on_breaks_are_not() -> None:
    breaks = [quantity_break(), quantity_break(field="market_value", knock_on=True), cost_break()]
    model = Model()
    assert narrate(breaks, model) == ["万华化学数量不符，差额-3,000。", None, "浦发银行成本不符，差额-0.02。"]
    assert len(model.calls) == 2


def test_at_most_limit_breaks_are_sent() -> None:
    breaks = [quantity_break(knock_on=True)] + [quantity_break()] * 5
    model = Model()
    out = narrate(breaks, model, limit=3)
    assert len(model.calls) == 3 and out[0] is None
    assert out[1:4] == ["万华化学数量不符，差额-3,000。"] * 3 and out[4:] == [None, None]


def test_without_a_model_every_break_keeps_only_its_explanation() -> None:
    assert narrate([quantity_break(), cost_break()], None) == [None, None]


def test_an_invented_figure_is_none_for_that_break_only() -> None:
    model = Model(text="万华化学差额3,000股，须在5个工作日内处理。")
    assert narrate([quantity_break(), quantity_break()], model) == [None, None]
    assert len(model.calls) == 2


@pytest.mark.parametrize(
    "error",
    [
        UpstreamError("cannot reach the chat model at http://127.0.0.1:9/v1 (connection refused)"),
        UpstreamTimeout("the chat model did not answer within 0.5 s"),
        TimeoutError("timed out"),
        ConnectionRefusedError(111, "Connection refused"),
        QuotaExceeded("the department's daily tokens are used up", retry_after=3600),
        PermissionDenied("the department may not use external models"),
        ChatUnavailable("cut off by max_tokens"),
    ],
)
def test_an_outside_failure_is_none_and_never_raised(error: BaseException) -> None:
    model = Model(fail=lambda n: error if n == 2 else None)
    breaks = [quantity_break(), cost_break(), quantity_break(), cost_break()]
    out = narrate(breaks, model)
    assert out[0] == "万华化学数量不符，差额-3,000。" and out[1] is None
    if isinstance(error, ChatUnavailable):  # this answer only: the next break is asked
        assert len(model.calls) == 4 and out[2:] == [out[0], "浦发银行成本不符，差额-0.02。"]
    else:  # the model is down or not allowed: nothing more is sent
        assert len(model.calls) == 2 and out[2:] == [None, None]


def test_a_policy_refusal_is_none_for_that_break_only() -> None:
    model = Model(fail=lambda n: ChatRefused("抱歉，无法协助。") if n == 1 else None)
    assert narrate([quantity_break(), cost_break()], model) == [None, "浦发银行成本不符，差额-0.02。"]


def test_a_bug_in_the_callable_is_not_hidden() -> None:
    with pytest.raises(KeyError):
        narrate([quantity_break()], Model(fail=lambda n: KeyError("bug")))


# --- every break of a generated pair: its own facts always verify -------------------------------------


def test_a_narrative_made_of_its_own_facts_always_verifies(tmp_path: Path) -> None:
    kinds = ["quantity", "bonus_shares", "price", "suspended", "cost", "accrual", "fee", "unit_nav"]
    (left, right), _ = generate_pair(7, "std_xlsx", "gbk_csv", kinds, out_dir=tmp_path)
    breaks = reconcile(parse_table(left), parse_table(right)).breaks
    assert len(breaks) >= len(kinds)
    for b in breaks:
        facts = break_facts(b)
        assert verify_narrative(facts["explanation"], facts) is not None, facts
        keys = ("subject_name", "manager", "custodian", "difference")
        told = "，".join(facts[k] for k in keys if k in facts)
        assert verify_narrative(f"{told}。", facts) is not None, facts
        if b.difference:
            unsigned = facts["difference"].lstrip("-")
            assert verify_narrative(f"{facts['field']}相差{unsigned}。", facts) is not None, facts


# --- the gateway adapter --------------------------------------------------------------------------------


def test_without_a_chat_model_there_is_no_gateway_chat(_isolated_home: Path) -> None:
    settings = load_settings(home=_isolated_home, chat={"provider": "none"})
    store = Store(f"sqlite:///{_isolated_home / 'bankmind.db'}")
    store.migrate()
    try:
        gateway = Gateway(settings, store, ModelRouter(settings))
        assert gateway_chat(gateway, Principal(user_id=0, name="test")) is None
    finally:
        store.close()
