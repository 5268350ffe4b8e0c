"""Inspect contracts: read, extract, find seals and signatures, check, and check related contracts
against each other.

    [loan, guarantee] = inspect_files([Path("借款合同.pdf"), Path("保证合同.pdf")])
    loan.contract_type, loan.fields["amount"].value, [f.code for f in loan.findings]

A set of files is one transaction when it holds a loan contract and contracts securing it: each
guarantee, mortgage or pledge contract must name the loan's contract number as its main contract,
secure the loan's principal and name the loan's borrower as the debtor; a difference is an
`amount_mismatch` or `party_mismatch` on the securing contract, with both places as evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bankmind.config import Settings, load_settings
from bankmind.contracts.checks import check_contract, signature_slots
from bankmind.contracts.extract import Extracted, extract
from bankmind.contracts.pages import ContractPages, read_pages
from bankmind.contracts.rules import Rules, contract_type, load_rules
from bankmind.contracts.seals import seals_on_page
from bankmind.contracts.signatures import find_signatures
from bankmind.contracts.types import ContractType, Evidence, Finding, Inspection, Seal
from bankmind.documents.filenames import quoted
from bankmind.documents.uploads import check_content
from bankmind.errors import UnsupportedFormat

__all__ = ["CONTRACT_KINDS", "inspect_bytes", "inspect_files"]

CONTRACT_KINDS = frozenset({"pdf", "docx", "txt", "md", "png", "jpeg", "tiff"})


def inspect_files(
    paths: Sequence[Path], *, rules: dict[ContractType, Rules] | None = None, settings: Settings | None = None
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
        results.append(inspect_bytes(data, path.name, rules=rules, settings=settings))
    return cross_check(results)


def inspect_bytes(
    data: bytes, filename: str, *, rules: dict[ContractType, Rules], settings: Settings
) -> tuple[Inspection, Extracted]:
    """One contract: refused like any upload when it is empty, too large, of another type or a zip bomb."""
    check_content(settings, filename=filename, data=data, allowed_kinds=CONTRACT_KINDS)
    pages = read_pages(data, filename)
    found = extract(pages)
    kind = contract_type(found.title or "", rules)
    seals = _seals(pages)
    signed = _signed(pages)
    findings = check_contract(found, pages, rules.get(kind), seals=seals, signed=signed)
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
            )
        )
    return out


def _cross(code: str, message: str, evidence: Evidence, other: Evidence) -> Finding:
    return Finding.model_validate(
        {"code": code, "severity": "high", "message": message, "evidence": evidence, "related": [other]}
    )
