"""Inspect contracts: read, extract, find seals and signatures, check, and check related contracts
against each other; optionally let models take a second look.

    [loan, guarantee] = inspect_files([Path("借款合同.pdf"), Path("保证合同.pdf")])
    loan.contract_type, loan.fields["amount"].value, [f.code for f in loan.findings]
    inspect_files(paths, chat=gateway_chat(gw, p), vision=gateway_vision(gw, p))   # with models

A set of files is one transaction when it holds a loan contract and contracts securing it: each
guarantee, mortgage or pledge contract must name the loan's contract number as its main contract,
secure the loan's principal and name the loan's borrower as the debtor; a difference is an
`amount_mismatch` or `party_mismatch` on the securing contract, with both places as evidence.

An English (mostly Latin-script) contract also gets the CUAD clause categories it holds
(`Inspection.clauses`, see `english`); its `contract_type` stays "other". Without models that is
all, deterministic. With `chat`, the model reviews the clauses (`review.review_clauses`: "low"
`risky_clause` findings quoting the contract) and confirms the English clause candidates. With
`vision`, the doubts of the detectors on scanned pages go to the vision model (`second_look`):
a seal whose ring was read too unsurely to judge ("low" `seal_name_mismatch`) is dropped when the
model reads the party's name on it and raised to "high" when it reads another name; an empty-looking
`（签字）` slot (`missing_signature`) is dropped when the model sees handwriting in it. Our code cuts
the crops and compares the names; whatever the model cannot answer leaves the finding as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bankmind.config import Settings, load_settings
from bankmind.contracts.checks import check_contract, signature_slots
from bankmind.contracts.english import english_clauses, mostly_latin
from bankmind.contracts.extract import Extracted, extract
from bankmind.contracts.pages import ContractPages, read_pages
from bankmind.contracts.review import review_clauses
from bankmind.contracts.rules import Rules, contract_type, load_rules
from bankmind.contracts.seals import seals_on_page
from bankmind.contracts.signatures import find_signatures
from bankmind.contracts.types import ContractType, Evidence, Finding, Inspection, Party, Seal
from bankmind.contracts.vision import confirm_signature, read_seal, seal_crop, seal_verdict, slot_crop
from bankmind.documents.filenames import quoted
from bankmind.documents.uploads import check_content
from bankmind.errors import UnsupportedFormat
from bankmind.guard.chat import Chat

__all__ = ["CONTRACT_KINDS", "inspect_bytes", "inspect_files", "second_look"]

CONTRACT_KINDS = frozenset({"pdf", "docx", "txt", "md", "png", "jpeg", "tiff"})
_MAX_SHOWN = 40
"""Characters of the vision model's seal reading shown in a message."""


def inspect_files(
    paths: Sequence[Path],
    *,
    rules: dict[ContractType, Rules] | None = None,
    settings: Settings | None = None,
    chat: Chat | None = None,
    vision: Chat | None = None,
) -> list[Inspection]:
    """Each file inspected, then the set checked as one transaction (see the module docstring)."""
    settings = settings or load_settings()
    rules = rules or load_rules()
    results = []
    for path in paths:
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise UnsupportedFormat(f"{quoted(path.name)} does not exist; check the path.") from exc
        except IsADirectoryError as exc:
            raise UnsupportedFormat(f"{quoted(path.name)} is a folder; give contract files.") from exc
        results.append(
            inspect_bytes(data, path.name, rules=rules, settings=settings, chat=chat, vision=vision)
        )
    return cross_check(results)


def inspect_bytes(
    data: bytes,
    filename: str,
    *,
    rules: dict[ContractType, Rules],
    settings: Settings,
    chat: Chat | None = None,
    vision: Chat | None = None,
) -> tuple[Inspection, Extracted]:
    """One contract: refused like any upload when it is empty, too large, of another type or a zip
    bomb; `chat` and `vision` as the module docstring says."""
    check_content(settings, filename=filename, data=data, allowed_kinds=CONTRACT_KINDS)
    pages = read_pages(data, filename)
    found = extract(pages)
    kind = contract_type(found.title or "", rules)
    seals = _seals(pages)
    signed = _signed(pages)
    findings = check_contract(found, pages, rules.get(kind), seals=seals, signed=signed)
    if vision is not None:
        findings = second_look(findings, pages, seals, found.parties, vision)
    if chat is not None:
        findings += review_clauses(pages, chat)
    english = mostly_latin("".join(line.text for line in pages.lines))
    inspection = Inspection(
        file=filename,
        contract_type=kind,
        title=found.title,
        pages=pages.pages,
        scanned_pages=pages.scanned,
        fields={k: v for k, v in found.fields.items() if k != "amount_in_words_value"},
        parties=found.parties,
        findings=findings,
        seals=seals,
        clauses=english_clauses(pages, chat=chat) if english else [],
    )
    return inspection, found


def _seals(pages: ContractPages) -> list[Seal]:
    """The seals of every scanned page, their boxes in the page's unit (points for a PDF)."""
    out = []
    for number in pages.scanned:
        scale = pages.pixels_per_unit[number]
        for seal in seals_on_page(pages.images[number], page_number=number):
            box = tuple(round(v / scale, 1) for v in seal.bbox)
            out.append(seal.model_copy(update={"bbox": box}))
    return out


def _signed(pages: ContractPages) -> dict[int, bool]:
    """For each slot line on a scanned page (by its index in `pages.lines`), whether it holds handwriting."""
    slots = [s for s in signature_slots(pages.lines) if s.line.page in pages.scanned]
    if not slots:
        return {}
    index = {id(line): i for i, line in enumerate(pages.lines)}
    found = {n: find_signatures(pages.images[n], pages.ocr[n]) for n in {s.line.page for s in slots}}
    signed: dict[int, bool] = {}
    for slot in slots:
        scale, box = pages.pixels_per_unit[slot.line.page], slot.line.bbox
        if box is None:
            continue
        top, bottom = box[1] * scale, box[3] * scale
        near = [
            f
            for f in found[slot.line.page]
            if f.signed
            and slot.role in f.label
            and f.bbox[1] < bottom + 3 * (bottom - top)
            and f.bbox[3] > top - 2 * (bottom - top)
        ]
        signed[index[id(slot.line)]] = bool(near)
    return signed


def second_look(
    findings: list[Finding], pages: ContractPages, seals: list[Seal], parties: list[Party], vision: Chat
) -> list[Finding]:
    """The findings after the vision model's look at doubtful seals and empty-looking signature
    slots on scanned pages (see the module docstring); the others unchanged, in order."""
    out = []
    for finding in findings:
        if finding.code == "seal_name_mismatch" and finding.severity == "low":
            kept = _seal_look(finding, pages, seals, parties, vision)
        elif finding.code == "missing_signature":
            kept = _signature_look(finding, pages, vision)
        else:
            kept = finding
        if kept is not None:
            out.append(kept)
    return out


def _seal_look(
    finding: Finding, pages: ContractPages, seals: list[Seal], parties: list[Party], vision: Chat
) -> Finding | None:
    """The seal is the one at the finding's evidence (page and box), the party the finding's."""
    where = finding.evidence
    seal = next(
        (s for s in seals if where is not None and (s.page, s.bbox) == (where.page, where.bbox)), None
    )
    party = next((p for p in parties if p.name == finding.party), None)
    if seal is None or party is None or seal.page not in pages.scanned:
        return finding
    reading = read_seal(seal_crop(pages, seal), vision)
    verdict = seal_verdict(reading, party.name)
    if verdict == "match":
        return None
    if verdict == "mismatch" and reading is not None:
        shown = reading if len(reading) <= _MAX_SHOWN else reading[:_MAX_SHOWN] + "…"
        message = f"{party.role}「{party.name}」处的印章经视觉模型识别为「{shown}」，与当事人名称不符"
        return finding.model_copy(update={"severity": "high", "message": message})
    return finding


def _signature_look(finding: Finding, pages: ContractPages, vision: Chat) -> Finding | None:
    """The slot is the line at the finding's evidence (page, text and box) on a scanned page."""
    where = finding.evidence
    if where is None or where.bbox is None or where.page not in pages.scanned:
        return finding
    line = next(
        (x for x in pages.page_lines(where.page) if (x.text, x.bbox) == (where.text, where.bbox)), None
    )
    if line is None:
        return finding
    return None if confirm_signature(slot_crop(pages, line), vision) == "signed" else finding


def cross_check(results: list[tuple[Inspection, Extracted]]) -> list[Inspection]:
    """Securing contracts checked against the loan of the set: number, principal, debtor."""
    loans = [(i, f) for i, f in results if i.contract_type == "loan"]
    out = []
    for inspection, found in results:
        extra: list[Finding] = []
        if inspection.contract_type in ("guarantee", "mortgage", "pledge") and len(loans) == 1:
            extra = _against_loan(found, *loans[0])
        out.append(
            inspection.model_copy(update={"findings": inspection.findings + extra}) if extra else inspection
        )
    return out


def _against_loan(found: Extracted, loan: Inspection, loan_found: Extracted) -> list[Finding]:
    out: list[Finding] = []
    number, main = loan_found.fields.get("contract_number"), found.fields.get("main_contract_number")
    if number and main and str(main.value).strip() != str(number.value).strip():
        out.append(
            _cross(
                "party_mismatch",
                f"所担保的主合同编号「{main.value}」与借款合同编号「{number.value}」不一致",
                main.evidence,
                number.evidence,
            )
        )
    amount, principal = loan_found.fields.get("amount"), found.fields.get("amount")
    if amount and principal and amount.value != principal.value:
        out.append(
            _cross(
                "amount_mismatch",
                f"担保的主债权本金 {principal.value:,.2f} 与借款合同金额 {amount.value:,.2f} 不一致",
                principal.evidence,
                amount.evidence,
            )
        )
    borrower = next((p for p in loan.parties if p.role == "借款人"), None)
    debtor = next((p for p in found.parties if p.role in ("借款人", "债务人")), None)
    if borrower and debtor and borrower.name != debtor.name:
        out.append(
            _cross(
                "party_mismatch",
                f"债务人「{debtor.name}」与借款合同的借款人「{borrower.name}」不一致",
                debtor.evidence,
                borrower.evidence,
                party=debtor.name,
            )
        )
    return out


def _cross(code: str, message: str, evidence: Evidence, other: Evidence, party: str | None = None) -> Finding:
    return Finding.model_validate(
        {"code": code, "severity": "high", "message": message, "evidence": evidence, "related": [other]}
        | {"party": party}
    )
