"""What a generated contract is known to contain: text, layout, fields, parties, marks and defects.

The contract generator (`contract_docs`) builds these values; the renderers (`contract_render`)
add a `Rendering` per file written, with each line's page and (for PDFs) its box in points, origin
top-left, the unit `contracts.types.Evidence` uses. `bankmind eval contracts` compares an
`Inspection` with them: defects per code, fields, seals and signatures, and where evidence points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from bankmind.contracts.types import BBox, ContractType, FindingCode

__all__ = [
    "CONTRACT_TYPES",
    "FORMATS",
    "KINDS",
    "LOAN_KINDS",
    "SCAN_ONLY_CODES",
    "SECURITY_KINDS",
    "CrossDefect",
    "Defect",
    "Format",
    "GeneratedContract",
    "Line",
    "MarkKind",
    "Paragraph",
    "ParagraphRole",
    "RenderedLine",
    "RenderedMark",
    "Rendering",
    "SealMark",
    "SignatureSlot",
    "TruthFields",
    "TruthParty",
]

Format = Literal["docx", "text_pdf", "scanned_pdf", "txt"]
FORMATS: tuple[Format, ...] = ("docx", "text_pdf", "scanned_pdf", "txt")
LOAN_KINDS = ("个人借款合同", "流动资金借款合同", "固定资产借款合同")
SECURITY_KINDS = ("保证合同", "抵押合同", "质押合同")
KINDS = LOAN_KINDS + SECURITY_KINDS
CONTRACT_TYPES: dict[str, ContractType] = {
    "个人借款合同": "loan",
    "流动资金借款合同": "loan",
    "固定资产借款合同": "loan",
    "保证合同": "guarantee",
    "抵押合同": "mortgage",
    "质押合同": "pledge",
}
SCAN_ONLY_CODES: frozenset[str] = frozenset({"missing_seal", "seal_name_mismatch"})
"""Defects only a page image shows (cli-contract convention 6): expected on scanned renderings only."""

ParagraphRole = Literal["title", "number", "party", "preamble", "heading", "body", "sign", "date"]
MarkKind = Literal["seal", "signature", "fingerprint"]


@dataclass(frozen=True)
class TruthParty:
    """A contracting party exactly as the parties block writes it."""

    name: str
    role: str
    kind: Literal["organisation", "person"]
    id_number: str
    """统一社会信用代码 (organisation) or 居民身份证号码 (person), as written (possibly corrupted)."""
    legal_representative: str | None = None
    address: str = ""


@dataclass(frozen=True)
class Defect:
    """A seeded defect: its finding code and what was done, in words a reviewer can check."""

    code: FindingCode
    detail: str


@dataclass(frozen=True)
class CrossDefect:
    """A security contract that disagrees with the loan it secures (multi-document sets)."""

    field: Literal["main_contract_number", "amount", "debtor", "creditor"]
    main_value: str
    value: str
    detail: str


@dataclass(frozen=True)
class SealMark:
    """A seal expected on the signature page: whose it is, the ring text stamped, and if it is there."""

    page: int
    party: str
    text: str
    """The organisation name on the ring (differs from `party` for seal_name_mismatch)."""
    kind: str
    """合同专用章, 公章, or '' for a legal representative's square name seal."""
    shape: Literal["round", "oval", "square"]
    present: bool
    paragraph: int
    """The signature-page paragraph it is stamped over."""


@dataclass(frozen=True)
class SignatureSlot:
    """A 签字 slot: its printed label, who should sign it, and whether they did."""

    page: int
    party: str
    label: str
    signer: str
    signed: bool
    paragraph: int
    fingerprint: bool = False
    """A natural person also presses a red thumb print (not a seal) beside the signature."""


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the contract and the truth fields it is the evidence for."""

    text: str
    """As a digital copy (DOCX, TXT, text PDF) writes it."""
    page: int
    role: ParagraphRole
    fields: tuple[str, ...] = ()
    """Field names (`amount`, `end_date` …), `party:<i>` / `id:<i>` for the i-th party."""
    printed: str | None = None
    """What a paper copy prints before signing, when it differs (signature slots are left blank)."""

    def on_paper(self) -> str:
        """The text a scan shows (typed names are absent from 签字 slots: the ink is the signature)."""
        return self.text if self.printed is None else self.printed


@dataclass(frozen=True)
class Line:
    """A laid-out line of a paragraph: page and position in points, shared by text PDF and scan."""

    paragraph: int
    text: str
    page: int
    x: float
    top: float
    size: float


@dataclass(frozen=True)
class TruthFields:
    """The fields as the document states them (None when left blank); money in figures (小写)."""

    contract_number: str | None
    parties: tuple[TruthParty, ...]
    amount: Decimal | None
    """The principal in figures; for guarantee/mortgage/pledge the secured main debt's principal."""
    amount_in_words: str | None
    currency: str
    interest_rate: Decimal | None
    """Annual, in percent (a 月利率 is converted × 12); None for securities and blanks."""
    term: str | None
    term_months: int | None
    start_date: str | None
    end_date: str | None
    signing_date: str | None
    signing_place: str | None = None
    purpose: str | None = None
    main_contract_number: str | None = None
    collateral: str | None = None
    collateral_value: Decimal | None = None
    """What the collateral is worth; never the contract's `amount`."""
    guarantee_type: str | None = None
    """担保方式 as the loan writes it (信用, 质押, 保证、抵押) or a guarantee's 保证方式."""
    default_interest: str | None = None
    """The overdue mark-up of a loan, as written: `加收50%`."""
    dispute_resolution: str | None = None
    """The court or arbitration commission disputes go to."""

    def contract_dict(self) -> dict[str, Any]:
        """The `fields` object `contract inspect --format json` should print for this contract."""
        return {
            "parties": [{"name": p.name, "role": p.role} for p in self.parties],
            "amount": float(self.amount) if self.amount is not None else None,
            "amount_in_words": self.amount_in_words,
            "currency": self.currency,
            "interest_rate": f"{self.interest_rate}%" if self.interest_rate is not None else None,
            "term": self.term,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "signing_date": self.signing_date,
            "contract_number": self.contract_number,
            "purpose": self.purpose,
            "signing_place": self.signing_place,
            "guarantee_type": self.guarantee_type,
            "default_interest": self.default_interest,
            "dispute_resolution": self.dispute_resolution,
        }


@dataclass(frozen=True)
class RenderedLine:
    """A line as written to a file: its page there and, for PDFs, its box in points."""

    paragraph: int
    text: str
    page: int
    bbox: BBox | None = None


@dataclass(frozen=True)
class RenderedMark:
    """Ink drawn on a scanned page: which seal/slot (index into seals/signatures) and its box in points."""

    kind: MarkKind
    index: int
    page: int
    bbox: BBox


@dataclass(frozen=True)
class Rendering:
    """One file written for a contract, with where each line and mark ended up."""

    format: Format
    path: Path
    pages: int
    lines: tuple[RenderedLine, ...]
    marks: tuple[RenderedMark, ...] = ()


@dataclass
class GeneratedContract:
    """A generated contract and everything known about it by construction."""

    seed: int
    kind: str
    contract_type: ContractType
    title: str
    format: Format
    """The format it is meant to be evaluated in (seal defects need `scanned_pdf`)."""
    name: str
    paragraphs: tuple[Paragraph, ...]
    lines: tuple[Line, ...]
    pages: int
    fields: TruthFields
    defects: tuple[Defect, ...] = ()
    seals: tuple[SealMark, ...] = ()
    signatures: tuple[SignatureSlot, ...] = ()
    group: str | None = None
    """Multi-document sets: the loan and the contracts securing it share a group id."""
    cross_defects: tuple[CrossDefect, ...] = ()
    renderings: dict[Format, Rendering] = field(default_factory=dict)
    """Filled in by the renderers, one entry per format written."""

    @property
    def clean(self) -> bool:
        """No seeded defect, in this document or against the loan it secures."""
        return not self.defects and not self.cross_defects

    @property
    def parties(self) -> tuple[TruthParty, ...]:
        """The contracting parties in parties-block order (the bank first)."""
        return self.fields.parties

    def expected_defects(self, fmt: Format | None = None) -> tuple[Defect, ...]:
        """The defects an inspection of the `fmt` rendering can see (seal defects only on scans)."""
        fmt = fmt or self.format
        return tuple(d for d in self.defects if fmt == "scanned_pdf" or d.code not in SCAN_ONLY_CODES)

    def text(self, fmt: Format | None = None) -> str:
        """The whole text as the `fmt` file carries it, one paragraph a line."""
        scanned = (fmt or self.format) == "scanned_pdf"
        return "\n".join(p.on_paper() if scanned else p.text for p in self.paragraphs)

    def paragraphs_for(self, name: str) -> list[int]:
        """Indexes of the paragraphs that are evidence for a field (`amount`, `party:0` …)."""
        return [i for i, p in enumerate(self.paragraphs) if name in p.fields]

    def evidence(self, name: str, fmt: Format | None = None) -> list[RenderedLine]:
        """Where the `fmt` rendering wrote a field: its lines with page and box (render it first)."""
        rendering = self.renderings[fmt or self.format]
        wanted = set(self.paragraphs_for(name))
        return [line for line in rendering.lines if line.paragraph in wanted]
