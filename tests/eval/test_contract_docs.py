"""The contract generator: every kind in every format, clean contracts complete, each defect exactly
what it says, evaluation sets as promised, and the scanned signature page stamped where expected."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import cn2an
import docx
import numpy as np
import pdfplumber
import pypdfium2
import pytest
from stdnum.cn import ric, uscc

from bankmind.eval.contract_defects import CLAUSE_KEYWORDS
from bankmind.eval.contract_docs import (
    DEFECT_CODES,
    KINDS,
    LOAN_KINDS,
    SECURITY_KINDS,
    GeneratedContract,
    make_contract,
    make_group,
    make_set,
)
from bankmind.eval.contract_draft import add_months
from bankmind.eval.contract_render import write, write_docx, write_scanned_pdf, write_text_pdf, write_txt
from bankmind.eval.contract_truth import Rendering

ARTICLE_668 = ("借款种类", "币种", "借款用途", "借款金额", "利率", "借款期限", "还款方式")
"""民法典 第六百六十八条: 借款种类、币种、用途、数额、利率、期限和还款方式."""


def words_for(amount: Decimal) -> str:
    return str(cn2an.an2cn(format(amount, ".2f"), "rmb"))


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[GeneratedContract, Rendering]]:
    """The only two scans the tests render: a clean loan and a guarantee missing the guarantor's seal."""
    out = tmp_path_factory.mktemp("scans")
    loan = make_contract(11, "流动资金借款合同", format="scanned_pdf")
    guarantee = make_contract(12, "保证合同", ("missing_seal",))
    return {
        "loan": (loan, write_scanned_pdf(loan, out / "loan.pdf", seed=1)),
        "guarantee": (guarantee, write_scanned_pdf(guarantee, out / "guarantee.pdf", seed=2)),
    }


# every kind renders -----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_as_docx_text_pdf_and_txt(kind: str, tmp_path: Path) -> None:
    contract = make_contract(3, kind)
    assert contract.title == kind and contract.paragraphs[-1].page == contract.pages > 1

    txt = write_txt(contract, tmp_path / "c.txt")
    assert txt.path.read_text(encoding="utf-8").replace("\n\n", "\n").strip() == contract.text("txt")

    word = write_docx(contract, tmp_path / "c.docx")
    document = docx.Document(str(word.path))
    body = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == kind and f"合同编号：{contract.fields.contract_number}" in body
    cells = [c.text for row in document.tables[0].rows for c in row.cells]
    assert any(f"（盖章）：{contract.parties[0].name}" in c for c in cells), "signature block is a table"
    assert {line.page for line in word.lines} == {1}

    pdf = write_text_pdf(contract, tmp_path / "c.pdf")
    with pdfplumber.open(pdf.path) as opened:
        assert len(opened.pages) == contract.pages == pdf.pages
        first = opened.pages[0].extract_text()
        last = opened.pages[-1].extract_text()
    assert kind in first and contract.parties[0].name in first
    assert "签订日期" in last and "（签字）" in last, "the signature page is last"
    assert contract.renderings == {"txt": txt, "docx": word, "text_pdf": pdf}


def test_scanned_pdf_has_one_image_per_page_and_boxes_in_points(scans: dict) -> None:
    for contract, rendering in scans.values():
        pdf = pypdfium2.PdfDocument(str(rendering.path))
        try:
            assert len(pdf) == contract.pages
            assert not pdf[0].get_textpage().get_text_range().strip(), "a scan has no text layer"
        finally:
            pdf.close()
        assert all(
            0 <= b[0] < b[2] <= 595 and 0 <= b[1] < b[3] <= 842
            for line in rendering.lines
            if (b := line.bbox)
        )
        signed = [s for s in contract.signatures if s.signed]
        kinds = Counter(m.kind for m in rendering.marks)
        assert kinds["signature"] == len(signed)
        assert kinds["seal"] == sum(s.present for s in contract.seals)


def test_text_pdf_boxes_match_what_pdfplumber_reads(tmp_path: Path) -> None:
    contract = make_contract(5, "固定资产借款合同", format="text_pdf")
    rendering = write(contract, tmp_path)
    [line] = [ln for ln in contract.evidence("amount") if "小写" in ln.text]
    assert line.bbox is not None
    with pdfplumber.open(rendering.path) as opened:
        page = opened.pages[line.page - 1]
        words = [w for w in page.extract_words() if w["text"].startswith(line.text[:4])]
    assert words, f"{line.text!r} not on page {line.page}"
    assert words[0]["x0"] == pytest.approx(line.bbox[0], abs=1)
    assert words[0]["top"] == pytest.approx(line.bbox[1], abs=3)


# clean contracts ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", LOAN_KINDS)
def test_a_clean_loan_states_every_article_668_item(kind: str) -> None:
    for seed in range(5):
        contract = make_contract(seed, kind)
        text = contract.text()
        assert not contract.defects and all(item in text for item in ARTICLE_668)
        f = contract.fields
        assert f.amount is not None and f.amount_in_words == words_for(f.amount)
        assert f.interest_rate is not None and 0 < f.interest_rate <= 12
        assert f.start_date and f.end_date and f.signing_date and f.term_months
        start, end = date.fromisoformat(f.start_date), date.fromisoformat(f.end_date)
        exact = add_months(start, f.term_months)
        assert end in (exact, date.fromordinal(exact.toordinal() - 1)) and f.signing_date <= f.start_date
        assert "加收50%" in text, "the penalty mark-up is there, and it is not the contract rate"
        assert "______" not in text


@pytest.mark.parametrize("kind", SECURITY_KINDS)
def test_a_security_contract_states_the_main_debt_not_the_collateral_value(kind: str) -> None:
    contract = make_contract(4, kind)
    f = contract.fields
    assert contract.contract_type in ("guarantee", "mortgage", "pledge") and f.interest_rate is None
    assert f.main_contract_number and f"主合同编号：{f.main_contract_number}" in contract.text()
    assert f.amount is not None and f.amount_in_words == words_for(f.amount)
    if kind != "保证合同":
        assert f.collateral_value is not None and f.collateral_value != f.amount
        assert f"{f.collateral_value:,.2f}元" in contract.text()


def test_parties_have_valid_identifiers_and_organisations_seal_the_signature_page() -> None:
    for kind in KINDS:
        contract = make_contract(8, kind, format="scanned_pdf")
        for party in contract.parties:
            check = uscc if party.kind == "organisation" else ric
            assert check.is_valid(party.id_number), party
        organisations = {p.name for p in contract.parties if p.kind == "organisation"}
        round_seals = {s.party for s in contract.seals if s.shape == "round" and s.present}
        assert round_seals == organisations and all(s.page == contract.pages for s in contract.seals)
        assert all(s.signed for s in contract.signatures)


def test_same_seed_same_contract_and_set() -> None:
    a, b = (
        make_contract(21, "抵押合同", ("party_mismatch",)),
        make_contract(21, "抵押合同", ("party_mismatch",)),
    )
    assert (a.paragraphs, a.lines, a.fields, a.defects, a.seals) == (
        b.paragraphs,
        b.lines,
        b.fields,
        b.defects,
        b.seals,
    )
    assert make_contract(22, "抵押合同").paragraphs != a.paragraphs
    first, second = make_set(9, 20), make_set(9, 20)
    assert [(c.name, c.paragraphs, c.defects) for c in first] == [
        (c.name, c.paragraphs, c.defects) for c in second
    ]


# defects: each changes exactly what it should -----------------------------------------------------
def changed(clean: GeneratedContract, bad: GeneratedContract) -> set[int]:
    assert len(clean.paragraphs) == len(bad.paragraphs)
    pairs = zip(clean.paragraphs, bad.paragraphs, strict=True)
    return {
        i for i, (a, b) in enumerate(pairs) if (a.text, a.printed, a.fields) != (b.text, b.printed, b.fields)
    }


def fields_of(contract: GeneratedContract, indexes: set[int]) -> set[str]:
    return {name for i in indexes for name in contract.paragraphs[i].fields}


@pytest.mark.parametrize("seed", range(6))
def test_amount_mismatch_changes_the_words_only(seed: int) -> None:
    kind = KINDS[seed]
    clean, bad = make_contract(seed, kind), make_contract(seed, kind, ("amount_mismatch",))
    assert bad.fields.amount == clean.fields.amount
    assert bad.fields.amount is not None and bad.fields.amount_in_words != words_for(bad.fields.amount)
    assert fields_of(bad, changed(clean, bad)) == {"amount", "amount_in_words", "currency"}
    assert f"（大写）{bad.fields.amount_in_words}（小写）" in bad.text()


@pytest.mark.parametrize("kind", KINDS)
def test_missing_clause_drops_the_clause_and_every_word_of_it(kind: str) -> None:
    for seed in range(4):
        clean, bad = make_contract(seed, kind), make_contract(seed, kind, ("missing_clause",))
        clause = re.search(r"缺少“(.+)”条款", bad.defects[0].detail)
        assert clause, bad.defects[0].detail
        keywords = CLAUSE_KEYWORDS[clause[1]]
        assert any(k in clean.text() for k in keywords)
        assert not any(k in bad.text() for k in keywords), clause[1]
        strip = lambda c: [re.sub(r"^第.+?条 ", "", p.text) for p in c.paragraphs]  # noqa: E731
        assert set(strip(bad)) < set(strip(clean)), "nothing else changes but the numbering"


@pytest.mark.parametrize("kind", KINDS)
def test_blank_field_leaves_one_key_slot_empty(kind: str) -> None:
    for seed in range(4):
        clean, bad = make_contract(seed, kind), make_contract(seed, kind, ("blank_field",))
        diff = changed(clean, bad)
        assert len(diff) == 1 and "____" in bad.paragraphs[diff.pop()].text
        blanked = {
            name
            for name, value in vars(bad.fields).items()
            if value is None and getattr(clean.fields, name) is not None
        }
        assert blanked and blanked <= {"amount", "amount_in_words", "interest_rate", "end_date", "purpose",
                                       "signing_date", "main_contract_number"}  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_date_inconsistent_breaks_the_term_or_the_order_of_dates(kind: str) -> None:
    for seed in range(6):
        clean, bad = make_contract(seed, kind), make_contract(seed, kind, ("date_inconsistent",))
        assert fields_of(bad, changed(clean, bad)) <= {"term", "start_date", "end_date", "signing_date"}
        f = bad.fields
        assert f.start_date and f.end_date and f.signing_date and f.term_months
        start, end = date.fromisoformat(f.start_date), date.fromisoformat(f.end_date)
        exact = add_months(start, f.term_months)
        off_term = end not in (exact, date.fromordinal(exact.toordinal() - 1))
        assert off_term or f.signing_date > f.start_date, bad.defects


@pytest.mark.parametrize("kind", LOAN_KINDS)
def test_rate_out_of_range_is_above_four_lpr_or_not_positive(kind: str) -> None:
    for seed in range(6):
        clean, bad = make_contract(seed, kind), make_contract(seed, kind, ("rate_out_of_range",))
        assert fields_of(bad, changed(clean, bad)) == {"interest_rate"}
        rate = bad.fields.interest_rate
        assert rate is not None and (rate > 12 or rate <= 0)
    with pytest.raises(ValueError, match="loan"):
        make_contract(1, "保证合同", ("rate_out_of_range",))


@pytest.mark.parametrize(("code", "kind", "check"), [
    ("invalid_id", "个人借款合同", ric), ("invalid_id", "保证合同", ric),
    ("invalid_uscc", "流动资金借款合同", uscc), ("invalid_uscc", "质押合同", uscc),
])  # fmt: skip
def test_invalid_identifiers_fail_their_check_digit_only(code: str, kind: str, check: object) -> None:
    bad = make_contract(2, kind, (code,))
    [i] = [
        i
        for i, p in enumerate(bad.parties)
        if not (ric if p.kind == "person" else uscc).is_valid(p.id_number)
    ]
    assert (bad.parties[i].kind == "person") == (code == "invalid_id")
    clean = make_contract(2, kind)
    if clean.parties[1].kind == bad.parties[1].kind:  # invalid_id may have made the guarantor a person
        assert changed(clean, bad) == set(bad.paragraphs_for(f"id:{i}"))
        before, after = clean.parties[i].id_number, bad.parties[i].id_number
        assert before[:-1] == after[:-1] and before[-1] != after[-1] and check.is_valid(before)  # type: ignore[attr-defined]


def test_invalid_id_needs_a_person() -> None:
    with pytest.raises(ValueError, match="natural person"):
        make_contract(1, "流动资金借款合同", ("invalid_id",))


@pytest.mark.parametrize("kind", KINDS)
def test_party_mismatch_renames_a_party_on_the_signature_page_or_in_the_body(kind: str) -> None:
    for seed in range(4):
        clean, bad = make_contract(seed, kind), make_contract(seed, kind, ("party_mismatch",))
        assert bad.parties == clean.parties
        diff = changed(clean, bad)
        assert len(diff) == 1
        where = fields_of(bad, diff)
        assert "body_name" in where or any(w.startswith("sign:") for w in where)
        names = {p.name for p in bad.parties}
        text = bad.paragraphs[next(iter(diff))].text
        assert not any(text.endswith(f"：{n}") or f"户名：{n}，" in text or f"为{n}。" in text for n in names)


def test_missing_signature_empties_a_signature_slot() -> None:
    for kind in KINDS:
        clean, bad = make_contract(6, kind), make_contract(6, kind, ("missing_signature",))
        [slot] = [s for s in bad.signatures if not s.signed]
        assert changed(clean, bad) == {slot.paragraph}
        assert bad.paragraphs[slot.paragraph].text == f"{slot.label}："
        person = [p for p in bad.parties if p.kind == "person"]
        assert not person or slot.signer == person[0].name, "a natural person's slot first"


def test_seal_defects_are_on_scans_and_change_no_text() -> None:
    for kind in KINDS:
        clean = make_contract(7, kind, format="scanned_pdf")
        missing, misnamed = (
            make_contract(7, kind, ("missing_seal",)),
            make_contract(7, kind, ("seal_name_mismatch",)),
        )
        assert missing.format == misnamed.format == "scanned_pdf"
        assert changed(clean, missing) == changed(clean, misnamed) == set()
        [absent] = [s for s in missing.seals if not s.present]
        assert absent.shape == "round" and absent.party in {
            p.name for p in missing.parties if p.kind == "organisation"
        }
        [wrong] = [s for s in misnamed.seals if s.shape == "round" and s.text != s.party]
        assert wrong.shape == "round" and wrong.present
        assert missing.expected_defects("docx") == ()


def test_unknown_kind_or_code_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown contract kind"):
        make_contract(1, "租赁合同")
    with pytest.raises(ValueError, match="unknown defect code"):
        make_contract(1, "保证合同", ("risky_clause",))


# multi-document sets and evaluation sets -----------------------------------------------------------
def test_a_consistent_group_refers_to_its_loan() -> None:
    loan, *securities = make_group(4, loan_kind="流动资金借款合同", securities=("保证合同", "抵押合同"))
    assert securities and all(c.group == loan.group and c.clean for c in [loan, *securities])
    for security in securities:
        f = security.fields
        assert f.main_contract_number == loan.fields.contract_number and f.amount == loan.fields.amount
        assert (f.start_date, f.end_date) == (loan.fields.start_date, loan.fields.end_date)
        assert security.parties[0].name == loan.parties[0].name
        assert f"债务人{loan.parties[1].name}签订" in security.text()


@pytest.mark.parametrize("field", ["main_contract_number", "amount", "debtor", "creditor"])
def test_an_inconsistent_group_disagrees_on_one_thing(field: str) -> None:
    loan, security = make_group(5, loan_kind="固定资产借款合同", securities=("抵押合同",), inconsistent=field)
    [cross] = security.cross_defects
    assert cross.field == field and cross.main_value != cross.value and loan.clean and not security.defects
    if field == "amount":
        assert security.fields.amount == Decimal(cross.value) != loan.fields.amount
    else:
        assert cross.value in security.text() and cross.main_value not in security.text().replace(
            cross.value, ""
        )
    f = security.fields
    assert f.amount is not None and f.amount_in_words == words_for(f.amount), "no single-document defect"


def test_make_set_composition() -> None:
    contracts = make_set(2, 40)
    assert len(contracts) == 40 and len({c.name for c in contracts}) == 40
    assert sum(c.clean for c in contracts) >= 0.3 * 40
    assert {d.code for c in contracts for d in c.defects} == set(DEFECT_CODES)
    assert {c.kind for c in contracts} == set(KINDS)
    assert {c.format for c in contracts} == {"docx", "text_pdf", "scanned_pdf", "txt"}
    for c in contracts:
        assert all(
            c.format == "scanned_pdf" for d in c.defects if d.code in ("missing_seal", "seal_name_mismatch")
        )
    groups = Counter(c.group for c in contracts if c.group)
    assert len(groups) >= 2 and all(n >= 2 for n in groups.values())
    assert any(c.cross_defects for c in contracts)
    assert any(not c.cross_defects and c.group and c.kind in SECURITY_KINDS for c in contracts)
    with pytest.raises(ValueError, match="n ≥"):
        make_set(2, 10)


# the scanned signature page ------------------------------------------------------------------------
def red_share(image: np.ndarray, box: tuple[float, float, float, float], scale: float) -> float:
    x0, y0, x1, y1 = (int(v * scale) for v in box)
    patch = image[y0:y1, x0:x1].astype(int)
    red = (patch[..., 0] > 150) & (patch[..., 0] - patch[..., 1] > 60) & (patch[..., 0] - patch[..., 2] > 50)
    return float(red.mean()) if red.size else 0.0


def test_scanned_signature_page_is_red_where_seals_are_expected(scans: dict) -> None:
    scale = 150 / 72
    for contract, rendering in scans.values():
        pdf = pypdfium2.PdfDocument(str(rendering.path))
        try:
            page = np.asarray(pdf[contract.pages - 1].render(scale=scale).to_pil().convert("RGB"))
        finally:
            pdf.close()
        seal_marks = {m.index: m for m in rendering.marks if m.kind == "seal"}
        for index, seal in enumerate(contract.seals):
            line = next(ln for ln in rendering.lines if ln.paragraph == seal.paragraph)
            assert line.bbox is not None
            if seal.present:
                assert red_share(page, seal_marks[index].bbox, scale) > 0.05, seal
            elif seal.shape == "round":  # nothing red around the party's name
                x0, y0, x1, y1 = line.bbox
                assert red_share(page, (x0, y0 - 40, x1, y1 + 40), scale) < 0.002, seal
    guarantee, _ = scans["guarantee"]
    assert [d.code for d in guarantee.expected_defects()] == ["missing_seal"]
