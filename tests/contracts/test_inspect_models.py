"""Inspection with models: English clauses in the result, the clause review wired in, and the vision
model's second look at doubtful seals and signature slots of a real scan.

Everything of ours is real: generated contracts (`bankmind.eval` contract generator, a scanned PDF
with its seals and signatures drawn, then OCR), the detectors, the crops. No vision model runs
offline, so the vision model is a stand-in that answers what such a model would: for a seal, the
text actually stamped on it (known from the generator's record of the ink it drew); for a slot, a
fixed answer. The chat model is the real embedded model behind llama.cpp's server (slow tests); a
plain callable stands in only for a model that fails.
"""

from __future__ import annotations

import base64
import io
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bankmind.config import Settings, load_settings
from bankmind.contracts.english import contract_text, mostly_latin
from bankmind.contracts.inspect import inspect_bytes, second_look
from bankmind.contracts.pages import ContractPages, TextLine, read_pages
from bankmind.contracts.review import gateway_chat
from bankmind.contracts.rules import load_rules
from bankmind.contracts.types import Finding, Inspection, Party, Seal
from bankmind.contracts.vision import seal_crop
from bankmind.documents.pdf_writer import PdfBuilder
from bankmind.errors import UpstreamError
from bankmind.eval.contract_docs import GeneratedContract, make_contract
from bankmind.eval.contract_render import write_scanned_pdf, write_text_pdf, write_txt
from bankmind.guard.audit import iter_entries
from bankmind.guard.chat import ChatUnavailable
from bankmind.guard.gateway import Gateway
from bankmind.store import Store
from bankmind.types import Principal

from .pages import HAS_CJK_FONT, NO_CJK_FONT

pytestmark = pytest.mark.sqlite_only  # inspection is under test here, not the database

OPERATOR = Principal(user_id=0, name="cli:credit-ops")

ENGLISH = [
    "DISTRIBUTION AGREEMENT",
    "This Distribution Agreement is made as of March 3, 2023 by and between Kestrel Components Ltd., a "
    'company incorporated in England ("Supplier"), and Lakeside Trading Inc., a Delaware corporation '
    '("Distributor").',
    "1. Term. This Agreement shall commence on the Effective Date and continue for a period of three (3) "
    "years, unless terminated earlier in accordance with Section 5.",
    "2. Governing Law. This Agreement shall be governed by and construed in accordance with the laws of "
    "the State of New York, without regard to its conflict of laws principles.",
    "3. Assignment. Neither party may assign or transfer this Agreement, in whole or in part, without the "
    "prior written consent of the other party.",
    "4. Limitation of Liability. In no event shall either party be liable to the other for any indirect, "
    "incidental or consequential damages, and each party's total liability shall not exceed the fees paid "
    "in the twelve months preceding the claim.",
    "5. Termination for Convenience. Either party may terminate this Agreement at any time upon ninety "
    "(90) days' prior written notice to the other party.",
]
"""An English commercial contract of our own wording."""


def text_pdf(paragraphs: list[str]) -> bytes:
    pdf = PdfBuilder().new_page()
    for text in paragraphs:
        pdf.paragraph(text, 11.0)
    return pdf.save()


def compact(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text) if not c.isspace())


@pytest.fixture(scope="module")
def rules() -> Any:
    return load_rules()


@pytest.fixture
def plain(settings: Settings, rules: Any) -> Callable[..., Inspection]:
    """`inspect_bytes` with the test's settings: (data, filename, chat=…, vision=…) -> Inspection."""

    def inspect(data: bytes, filename: str, **models: Any) -> Inspection:
        return inspect_bytes(data, filename, rules=rules, settings=settings, **models)[0]

    return inspect


# --- which contracts are English ------------------------------------------------------------------------

# fmt: off
SCRIPTS = [
    ("This Agreement shall be governed by the laws of the State of New York.", True),
    ("This Agreement is made between Kestrel Components Ltd. and 嘉禾银行股份有限公司.", True),  # a CJK name
    ("Société Générale accepte les conditions générales de vente.", True),                # accents: Latin
    ("流动资金借款合同 贷款人：嘉禾银行股份有限公司高新区支行", False),
    ("借款人：Harbor Retail LLC（以下简称乙方）同意按期归还借款本息。", False),             # a Latin name
    ("Governing Law 适用法律 Assignment 转让 Term 期限", False),                           # bilingual
    ("Статья 1. Предмет договора", False),                                                 # Cyrillic
    ("2,890,000.00 — 3.45% (12)", False),                                                  # no letters
    ("", False),
]
# fmt: on


@pytest.mark.parametrize(("text", "latin"), SCRIPTS)
def test_a_contract_is_english_when_most_of_its_letters_are_latin(text: str, latin: bool) -> None:
    assert mostly_latin(text) is latin


def test_the_text_keeps_paragraphs_apart_and_every_line_where_it_starts() -> None:
    lines = [
        TextLine(1, "2. Governing Law. This Agreement shall be governed by", (72, 100, 500, 111)),
        TextLine(1, "the laws of the State of New York.", (72, 113, 300, 124)),
        TextLine(1, "3. Assignment. Neither party may assign it.", (72, 140, 400, 151)),  # a wide gap
        TextLine(2, "4. Notices.", (72, 72, 150, 83)),  # a new page
        TextLine(1, "A TXT line without an end", None),
        TextLine(1, "goes on here.", None),
        TextLine(1, "A new paragraph.", None),
    ]
    text, starts = contract_text(lines)
    assert [text[s : s + len(line.text)] for s, line in zip(starts, lines, strict=True)] == [
        line.text for line in lines
    ]
    assert text.split("\n\n") == [
        "2. Governing Law. This Agreement shall be governed by\nthe laws of the State of New York.",
        "3. Assignment. Neither party may assign it.",
        "4. Notices.",
        "A TXT line without an end\ngoes on here.",  # no sentence end: a wrapped line
        "A new paragraph.",
    ]


# --- English clauses in the inspection ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["txt", "pdf"])
def test_an_english_contract_lists_its_clauses_with_their_evidence(
    plain: Callable[..., Inspection], kind: str
) -> None:
    data = "\n\n".join(ENGLISH).encode() if kind == "txt" else text_pdf(ENGLISH)
    inspection = plain(data, f"distribution.{kind}")

    assert inspection.contract_type == "other" and inspection.findings == []
    found = {c.category: c for c in inspection.clauses}
    assert {"governing_law", "anti_assignment", "cap_on_liability", "termination_for_convenience"} <= set(
        found
    )
    law = found["governing_law"]
    assert law.label == "Governing Law" and law.score >= 0.5 and law.confirmed is None
    assert "governed by" in law.evidence.text and law.evidence.page == 1
    assert [c.score for c in inspection.clauses] == sorted(
        (c.score for c in inspection.clauses), reverse=True
    )
    contract = compact("".join(ENGLISH))
    assert all(compact(c.evidence.text) in contract for c in inspection.clauses)  # the contract's own words
    if kind == "txt":
        assert all(c.evidence.bbox is None for c in inspection.clauses)
    else:  # the box covers the passage's lines: the clause's first and last words are inside it
        pages = read_pages(data, "distribution.pdf")
        inside = [line for line in pages.lines if _within(line, law.evidence.bbox)]
        assert inside[0].text.startswith("2. Governing Law") and inside[-1].text.endswith("principles.")

    [clause] = [c for c in inspection.contract_dict()["clauses"] if c["category"] == "governing_law"]
    assert set(clause) == {"category", "label", "score", "evidence", "confirmed"}
    assert set(clause["evidence"]) == {"page", "text", "bbox"}
    json.dumps(inspection.contract_dict(), ensure_ascii=False)


def _within(line: TextLine, box: Any) -> bool:
    assert box is not None and line.bbox is not None
    return bool(
        box[0] <= line.bbox[0]
        and box[1] <= line.bbox[1]
        and line.bbox[2] <= box[2]
        and line.bbox[3] <= box[3]
    )


@pytest.fixture(scope="module")
def loan_txt(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A Chinese loan contract whose amount in words disagrees with the figure."""
    contract = make_contract(4, "流动资金借款合同", ("amount_mismatch",), format="txt")
    return write_txt(contract, tmp_path_factory.mktemp("loan") / "loan.txt").path.read_bytes()


def test_a_chinese_contract_has_no_clause_list_and_the_same_findings_as_before(
    plain: Callable[..., Inspection], loan_txt: bytes
) -> None:
    inspection = plain(loan_txt, "loan.txt")
    assert inspection.contract_type == "loan" and inspection.clauses == []
    assert inspection.contract_dict()["clauses"] == []
    assert [f.code for f in inspection.findings] == ["amount_mismatch"]


# --- the chat model failing -----------------------------------------------------------------------------


class Failing:
    """A chat model that fails every request as told, counting them."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def __call__(self, messages: list[dict[str, Any]]) -> str:
        self.calls += 1
        raise self.error


@pytest.mark.parametrize(
    "error", [ChatUnavailable("cut off by max_tokens"), UpstreamError("cannot reach the chat model")]
)
def test_a_failing_chat_model_leaves_the_deterministic_inspection(
    plain: Callable[..., Inspection], loan_txt: bytes, error: Exception
) -> None:
    english = "\n\n".join(ENGLISH).encode()
    for data, name in ((loan_txt, "loan.txt"), (english, "distribution.txt")):
        model = Failing(error)
        assert plain(data, name, chat=model) == plain(data, name)
        assert model.calls >= 1


# --- the real chat model --------------------------------------------------------------------------------

LOAN = [
    "流动资金借款合同",
    "合同编号：JH2025-LD-0921",
    "贷款人（甲方）：嘉禾银行股份有限公司高新区支行",
    "借款人（乙方）：绵阳锦程五金制品有限公司",
    "第一条 借款金额 人民币（大写）壹佰万元整（小写）1,000,000.00元。",
    "第二条 借款利率 年利率为3.45%。贷款人有权根据市场变化单方调整借款利率，无需另行通知借款人。",
    "第三条 违约责任 借款人在其他金融机构的任何债务发生违约的，视为借款人在本合同项下违约。",
    "第四条 借款人自愿放弃对贷款人享有的一切抗辩权和抵销权。",
]


@pytest.fixture
def real_chat(llama_gateway: Gateway) -> Any:
    """The embedded model behind llama.cpp's OpenAI server, through the gateway with the review's budget."""
    chat = gateway_chat(llama_gateway, OPERATOR)
    assert chat is not None
    return chat


def asked_as_the_operator(store: Store) -> int:
    entries = [e for e in iter_entries(store) if e.action == "gateway.chat"]
    assert all(e.principal == OPERATOR.name and e.outcome == "ok" for e in entries)
    return len(entries)


@pytest.mark.slow
def test_the_real_model_review_adds_only_low_findings_quoting_the_contract(
    plain: Callable[..., Inspection], real_chat: Any, store: Store
) -> None:
    loan = text_pdf(LOAN)
    reviewed = plain(loan, "loan.pdf", chat=real_chat)
    assert asked_as_the_operator(store) == 1  # one piece
    assert [f for f in reviewed.findings if f.code != "risky_clause"] == plain(loan, "loan.pdf").findings
    contract = compact("".join(LOAN))
    for finding in (f for f in reviewed.findings if f.code == "risky_clause"):
        assert finding.severity == "low"
        quote = finding.message.split("「", 1)[1].split("」", 1)[0].removesuffix("…")
        assert compact(quote) in contract


@pytest.mark.slow
def test_the_real_model_confirms_english_clause_candidates(
    plain: Callable[..., Inspection], real_chat: Any, store: Store
) -> None:
    short = ENGLISH[3:5]  # governing law and assignment: a few candidates, one short piece to review
    data = "\n\n".join(short).encode()
    confirmed = plain(data, "clauses.txt", chat=real_chat)
    assert asked_as_the_operator(store) >= 2  # the review's piece and at least one candidate
    assert all(compact(c.evidence.text) in compact("".join(short)) for c in confirmed.clauses)
    assert all(c.score >= 0.5 for c in confirmed.clauses)


# --- the vision model on a real scan --------------------------------------------------------------------

needs_fonts = pytest.mark.skipif(not HAS_CJK_FONT, reason=NO_CJK_FONT)


@dataclass
class Scan:
    contract: GeneratedContract
    data: bytes
    pages: ContractPages
    looked: Inspection
    """Inspected with a vision model that never knows: the findings as the detectors made them."""
    asked: list[bytes]
    """The crops the vision model was shown, in order."""


def crop_of(messages: list[dict[str, Any]]) -> bytes:
    [message] = messages
    [image] = [p for p in message["content"] if p["type"] == "image_url"]
    url: str = image["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    return base64.b64decode(url.removeprefix("data:image/png;base64,"))


class Vision:
    """A vision model's answers: `answer(crop)` for each crop shown, remembering the crops."""

    def __init__(self, answer: Callable[[bytes], str]) -> None:
        self.answer = answer
        self.crops: list[bytes] = []

    def __call__(self, messages: list[dict[str, Any]]) -> str:
        self.crops.append(crop_of(messages))
        return self.answer(self.crops[-1])


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Scan:
    """A scanned loan contract whose borrower's seal names a near-namesake company and whose
    representative did not sign; OCR reads both seal rings too unsurely to judge ("low")."""
    if not HAS_CJK_FONT:
        pytest.skip(NO_CJK_FONT)
    contract = make_contract(
        1, "流动资金借款合同", ("seal_name_mismatch", "missing_signature"), format="scanned_pdf"
    )
    data = write_scanned_pdf(contract, tmp_path_factory.mktemp("scan") / "loan.pdf", seed=1).path.read_bytes()
    settings = load_settings(home=tmp_path_factory.mktemp("home"), chat={"provider": "none"})
    unsure = Vision(lambda crop: "看不清。")
    looked, _ = inspect_bytes(data, "loan.pdf", rules=load_rules(), settings=settings, vision=unsure)
    return Scan(contract, data, read_pages(data, "loan.pdf"), looked, unsure.crops)


def doubtful_seals(inspection: Inspection) -> list[Finding]:
    return [f for f in inspection.findings if f.code == "seal_name_mismatch" and f.severity == "low"]


def unsigned(inspection: Inspection) -> list[Finding]:
    return [f for f in inspection.findings if f.code == "missing_signature"]


def seal_at(scan: Scan, finding: Finding) -> Seal:
    assert finding.evidence is not None
    [seal] = [
        s for s in scan.looked.seals if (s.page, s.bbox) == (finding.evidence.page, finding.evidence.bbox)
    ]
    return seal


def party_of(scan: Scan, finding: Finding) -> Party:
    [party] = [p for p in scan.looked.parties if p.name == finding.party]
    return party


def stamped(scan: Scan, seal: Seal) -> str:
    """What is really stamped on `seal`: the generator's seal whose ink box overlaps it most."""
    rendering = scan.contract.renderings["scanned_pdf"]

    def overlap(box: Any) -> float:
        w = min(box[2], seal.bbox[2]) - max(box[0], seal.bbox[0])
        h = min(box[3], seal.bbox[3]) - max(box[1], seal.bbox[1])
        return float(max(w, 0) * max(h, 0))

    mark = max(
        (m for m in rendering.marks if m.kind == "seal" and m.page == seal.page),
        key=lambda m: overlap(m.bbox),
    )
    assert overlap(mark.bbox) > 0
    truth = scan.contract.seals[mark.index]
    return truth.text + truth.kind


def reader(scan: Scan) -> Vision:
    """A vision model that reads each seal as what is stamped on it; anything else it cannot tell."""
    readings = {seal_crop(scan.pages, s): stamped(scan, s) for s in scan.looked.seals}
    return Vision(
        lambda crop: json.dumps({"text": readings[crop]}, ensure_ascii=False) if crop in readings else "?"
    )


@needs_fonts
def test_only_the_doubts_of_the_scan_are_shown_and_unknown_changes_nothing(scan: Scan) -> None:
    seals, slots = doubtful_seals(scan.looked), unsigned(scan.looked)
    assert seals and slots, (
        "the scan should hold a doubtful seal reading and an empty slot; choose another seed"
    )
    assert len(scan.asked) == len(seals) + len(slots)
    for crop in scan.asked:
        assert Image.open(io.BytesIO(crop)).format == "PNG"
    assert all(seal_crop(scan.pages, seal_at(scan, f)) in scan.asked for f in seals)  # the seals' own crops
    unsure = Vision(lambda crop: '{"text": "嘉禾银行??有限公司"}')
    assert second_look(scan.looked.findings, scan.pages, scan.looked.seals, scan.looked.parties, unsure) == (
        scan.looked.findings
    )


@needs_fonts
def test_a_seal_read_as_the_party_is_dropped_and_one_read_as_another_name_is_high(scan: Scan) -> None:
    vision = reader(scan)
    after = second_look(scan.looked.findings, scan.pages, scan.looked.seals, scan.looked.parties, vision)

    outcomes = []
    for finding in doubtful_seals(scan.looked):
        party, text = party_of(scan, finding), stamped(scan, seal_at(scan, finding))
        same = [f for f in after if f.code == finding.code and f.evidence == finding.evidence]
        if text.startswith(party.name):  # the party's own seal, its ring misread by OCR
            assert same == []
            outcomes.append("dropped")
        else:  # the seeded defect: another company's seal
            [raised] = same
            assert raised.severity == "high" and f"视觉模型识别为「{text}」" in raised.message
            assert raised.related == finding.related
            outcomes.append("raised")
    assert "raised" in outcomes, "the seeded seal_name_mismatch should be a doubtful reading here"
    untouched = [f for f in scan.looked.findings if f not in doubtful_seals(scan.looked)]
    assert [
        f for f in after if f.evidence not in {d.evidence for d in doubtful_seals(scan.looked)}
    ] == untouched


@needs_fonts
@pytest.mark.parametrize(
    ("answer", "kept"),
    [('{"handwriting": "yes"}', False), ('{"handwriting": "no"}', True), ("看不清", True), (None, True)],
)
def test_a_slot_where_the_vision_model_sees_handwriting_is_no_finding(
    scan: Scan, answer: str | None, kept: bool
) -> None:
    def sees(crop: bytes) -> str:
        if answer is None:
            raise UpstreamError("cannot reach the vision model")
        return answer

    slots = unsigned(scan.looked)
    after = second_look(slots, scan.pages, scan.looked.seals, scan.looked.parties, Vision(sees))
    assert after == (slots if kept else [])


def test_vision_is_not_asked_about_a_digital_contract(
    plain: Callable[..., Inspection], tmp_path: Path
) -> None:
    contract = make_contract(2, "个人借款合同", ("missing_signature",), format="text_pdf")
    data = write_text_pdf(contract, tmp_path / "loan.pdf").path.read_bytes()
    vision = Vision(lambda crop: '{"handwriting": "yes"}')
    inspection = plain(data, "loan.pdf", vision=vision)
    assert unsigned(inspection) and vision.crops == []
    assert inspection == plain(data, "loan.pdf")
