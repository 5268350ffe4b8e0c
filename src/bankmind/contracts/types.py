"""What an inspection finds: fields with their evidence, findings, seals and signatures.

Evidence always points at the page (1-based), the text as written and, when the page has geometry
(PDF, scan, image), its box in PDF points for PDFs and pixels of the page image for images
(`bbox` = x0, y0, x1, y1, origin top-left). A DOCX or TXT has one logical page and no boxes.
`Inspection.contract_dict()` is what `bankmind contract inspect --format json` prints
(cli-contract.md; `clauses` is an extension the contract tolerates).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CONTRACT_FIELDS",
    "BBox",
    "Clause",
    "ContractType",
    "Evidence",
    "FieldValue",
    "Finding",
    "FindingCode",
    "Inspection",
    "Party",
    "Seal",
    "Severity",
    "Signature",
]

BBox = tuple[float, float, float, float]
ContractType = Literal["loan", "guarantee", "mortgage", "pledge", "other"]
Severity = Literal["high", "medium", "low"]
FindingCode = Literal[
    "amount_mismatch", "missing_clause", "blank_field", "date_inconsistent", "rate_out_of_range",
    "invalid_id", "invalid_uscc", "party_mismatch", "missing_seal", "missing_signature",
    "seal_name_mismatch", "risky_clause",
]  # fmt: skip


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Evidence(_Frozen):
    """Where something was read: page, the text as written, and its box when the page has geometry."""

    page: int = Field(ge=1)
    text: str
    bbox: BBox | None = None


class FieldValue(_Frozen):
    """One extracted field: its normalised value (ISO date, number, text) and where it was read."""

    name: str
    value: str | float | None
    raw: str
    evidence: Evidence


class Party(_Frozen):
    """A contracting party as the parties block names it, with its role and identifiers."""

    name: str
    role: str
    """As written: 贷款人, 借款人, 保证人, 抵押人, 出质人, 债权人 …"""
    kind: Literal["organisation", "person"]
    id_number: str | None = None
    """统一社会信用代码 for an organisation, 居民身份证号码 for a person."""
    legal_representative: str | None = None
    evidence: Evidence


class Seal(_Frozen):
    """A red seal found on a page image."""

    page: int = Field(ge=1)
    bbox: BBox
    shape: Literal["round", "oval", "square"]
    text: str = ""
    """The ring text as read (the organisation's name, 合同专用章 …); '' when unreadable."""
    score: float = 1.0


class Signature(_Frozen):
    """Handwriting found in a signature slot (签字/签章) on a page image."""

    page: int = Field(ge=1)
    bbox: BBox
    label: str
    """The slot's label as printed, e.g. `借款人（签字）`."""
    score: float = 1.0


class Finding(_Frozen):
    """One problem, with its severity ("low" is informational) and the evidence for it."""

    code: FindingCode
    severity: Severity
    message: str
    evidence: Evidence | None = None
    related: list[Evidence] = Field(default_factory=list)
    """Further places involved (the other half of a mismatch)."""
    party: str | None = None
    """The contracting party the finding is about, named as the parties block writes it (None when
    it is about no one party: an amount, a clause, a date)."""


class Clause(_Frozen):
    """A clause category found in an English contract (CUAD's categories), with its best passage."""

    category: str
    """The category as a key: `governing_law`, `non_compete`, … (`label` in snake case)."""
    label: str
    """The category's name as the categories file writes it: `Governing Law`, `Non-Compete`, …"""
    score: float = Field(ge=0, le=1)
    evidence: Evidence
    """The passage, as written, on the page where it starts; its box covers its lines on that page."""
    confirmed: bool | None = None
    """The chat model's yes or no on the passage; None when it was not asked."""


class Inspection(_Frozen):
    """One contract inspected."""

    file: str
    contract_type: ContractType
    title: str | None = None
    pages: int = 1
    scanned_pages: list[int] = Field(default_factory=list)
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    parties: list[Party] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    seals: list[Seal] = Field(default_factory=list)
    signatures: list[Signature] = Field(default_factory=list)
    clauses: list[Clause] = Field(default_factory=list)
    """Clause categories found in an English contract, best first; empty for a Chinese one."""

    def contract_dict(self) -> dict[str, Any]:
        """The JSON document `contract inspect --format json` prints (cli-contract.md)."""
        values = {name: f.value for name, f in self.fields.items()}
        parties = [
            p.model_dump(include={"name", "role", "kind", "id_number", "legal_representative"})
            for p in self.parties
        ]
        fields: dict[str, Any] = {"parties": parties}
        for key in CONTRACT_FIELDS:
            fields[key] = values.get(key)
        fields.update({k: v for k, v in values.items() if k not in fields})
        return {
            "contract_type": self.contract_type,
            "fields": fields,
            "field_evidence": {
                "parties": [p.evidence.model_dump() for p in self.parties],
                **{name: f.evidence.model_dump() for name, f in self.fields.items()},
            },
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "message": f.message,
                    "evidence": f.evidence.model_dump() if f.evidence else None,
                    "party": f.party,
                }
                for f in self.findings
            ],
            "seals": [{"page": s.page, "bbox": list(s.bbox), "text": s.text} for s in self.seals],
            "clauses": [
                {
                    "category": c.category,
                    "label": c.label,
                    "score": c.score,
                    "evidence": c.evidence.model_dump(),
                    "confirmed": c.confirmed,
                }
                for c in self.clauses
            ],
        }


CONTRACT_FIELDS = (
    "amount",
    "amount_in_words",
    "currency",
    "interest_rate",
    "term",
    "start_date",
    "end_date",
    "signing_date",
)
