"""Findings: each check reads the extracted fields, the text and the marks found on the pages, and
says what is wrong with the evidence for it (cli-contract.md lists the codes and conventions).

Severity: "high" for what makes a contract unenforceable or wrong in money (amounts, rates, dates,
identities, missing seals and signatures), "medium" for a required clause or detail missing,
"low" for information only (e.g. a seal that cannot be judged on a digital draft). A "medium" or
"high" finding on a clean contract is a false alarm, so each check fires only on what the document
itself shows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from bankmind.contracts.dates import parse_term, term_end
from bankmind.contracts.extract import ROLES, Extracted, is_blank
from bankmind.contracts.ids import check_resident_id, check_uscc
from bankmind.contracts.pages import ContractPages, TextLine
from bankmind.contracts.rates import parse_rate
from bankmind.contracts.rules import Rules
from bankmind.contracts.types import Evidence, Finding, Party, Seal, Severity

__all__ = ["Slot", "check_contract", "seal_doubt", "signature_slots"]

_FIELD_LABELS = {
    "contract_number": "合同编号",
    "amount": "金额（小写）",
    "amount_in_words": "金额（大写）",
    "purpose": "借款用途",
    "interest_rate": "利率",
    "term": "借款期限",
    "start_date": "起始日期",
    "end_date": "到期日期",
    "signing_date": "签订日期",
    "repayment": "还款方式",
    "main_contract_number": "主合同编号",
    "guarantee_type": "担保方式",
    "default_interest": "逾期罚息",
    "dispute_resolution": "争议解决方式",
}
_SLOT_HEAD = (
    rf"(?:{'|'.join(ROLES)}|法定代表人|授权代表|负责人)[^:：\s]{{0,12}}"
    r"[（(][^）)]*(?:签字|签章|盖章|签名)[^）)]*[）)]"
)
_SLOT = re.compile(
    rf"(?P<role>{'|'.join(ROLES)}|法定代表人|授权代表|负责人)[^:：\s]{{0,12}}"
    r"[（(](?P<kind>[^）)]*(?:签字|签章|盖章|签名)[^）)]*)[）)]\s*[:：]?\s*"
    rf"(?P<rest>.*?)(?=\s*{_SLOT_HEAD}|[　]|$)"
)
"""A slot and what is written in it, up to the next slot on the same line (table cells side by side)."""
_FORMS = re.compile(r"股份有限公司|有限责任公司|有限公司")
_CJK = re.compile(r"[\u3400-\u9fff]")
_SEAL_LEGIBLE = 0.5
"""A ring of which less than this share of the party's name was read cannot be judged either way."""
_SEAL_EXTRA = 2
_SEAL_SURE = 0.9
_SEAL_LIKELY = 0.8
"""See `seal_doubt`."""


@dataclass(frozen=True)
class Slot:
    """A signature or seal slot on the signature page: whose, what it asks for, what is written in it."""

    role: str
    asks: str
    filled: str
    line: TextLine


def signature_slots(lines: Sequence[TextLine]) -> list[Slot]:
    """Every `角色（签字/盖章）：…` slot, in order (a line may hold several, side by side)."""
    slots = []
    for line in lines:
        for match in _SLOT.finditer(line.text):
            slots.append(Slot(match["role"], match["kind"], match["rest"].strip(), line))
    return slots


def check_contract(
    found: Extracted,
    pages: ContractPages,
    rules: Rules | None,
    *,
    seals: Sequence[Seal] = (),
    signed: dict[int, bool] | None = None,
) -> list[Finding]:
    """All findings of one contract; `signed` maps a slot's line index (in `pages.lines`) to
    whether handwriting was found there, for scanned pages."""
    findings: list[Finding] = []
    findings += _amounts(found)
    if rules is not None:
        findings += _clauses(found, pages, rules)
        findings += _blanks(found, rules)
        findings += _rate(found, rules, pages.scanned)
    findings += _dates(found)
    findings += _identities(found.parties, pages.scanned)
    slots = signature_slots(pages.lines)
    findings += _signature_names(found.parties, slots)
    findings += _body_names(found.parties, slots, pages)
    findings += _signatures(found.parties, slots, pages, signed or {})
    findings += _seals(found.parties, slots, pages, seals)
    return findings


def _finding(
    code: str,
    severity: str,
    message: str,
    evidence: Evidence | None,
    *related: Evidence,
    party: Party | None = None,
) -> Finding:
    return Finding.model_validate(
        {
            "code": code,
            "severity": severity,
            "message": message,
            "evidence": evidence,
            "related": list(related),
            "party": party.name if party else None,
        }
    )


# money, clauses, blanks, rates, dates -------------------------------------------------------------
def _amounts(found: Extracted) -> list[Finding]:
    figures, words = found.fields.get("amount"), found.fields.get("amount_in_words_value")
    if figures is None or words is None or figures.value == words.value:
        return []
    return [
        _finding(
            "amount_mismatch",
            "high",
            f"金额大小写不一致：小写 {figures.raw}，大写 {words.raw}（即 {words.value:,.2f}）",
            figures.evidence,
            words.evidence,
        )
    ]


def _clauses(found: Extracted, pages: ContractPages, rules: Rules) -> list[Finding]:
    text = "\n".join(line.text for line in pages.lines)
    return [
        _finding(
            "missing_clause",
            clause.severity,
            f"缺少必备条款「{clause.name}」" + (f"（{clause.basis}）" if clause.basis else ""),
            found.title_evidence,
        )
        for clause in rules.clauses
        if not clause.found_in(text)
    ]


def _blanks(found: Extracted, rules: Rules) -> list[Finding]:
    return [
        _finding(
            "blank_field", "high", f"关键要素「{_FIELD_LABELS.get(name, name)}」未填写", found.blanks[name]
        )
        for name in rules.required_fields
        if name in found.blanks and name not in found.fields
    ]


def _rate(found: Extracted, rules: Rules, scanned: Sequence[int]) -> list[Finding]:
    field = found.fields.get("interest_rate")
    if field is None:
        return []
    rate = parse_rate(field.raw)
    if rate is None:
        return []
    if rate.annual > rules.rate_ceiling or rate.annual <= 0:
        return [
            _finding(
                "rate_out_of_range",
                "high",
                f"年化利率 {rate.annual}% 超出允许范围（0 < 利率 ≤ {rules.rate_ceiling}%，"
                f"即一年期 LPR {rules.lpr}% 的 {rules.lpr_multiple} 倍）",
                field.evidence,
            )
        ]
    if rate.suspicious:  # on a scan OCR may have misread a digit: informational there
        severity = "low" if field.evidence.page in scanned else "medium"
        return [_finding("rate_out_of_range", severity, f"利率单位可疑：{rate.suspicious}", field.evidence)]
    return []


def _dates(found: Extracted) -> list[Finding]:
    fields = found.fields
    start, end = _day(found, "start_date"), _day(found, "end_date")
    signing = _day(found, "signing_date")
    out = []
    if start and end and end < start:
        out.append(
            _finding(
                "date_inconsistent", "high", f"到期日 {end} 早于起始日 {start}", fields["end_date"].evidence
            )
        )
    elif start and end and "term" in fields:
        term = parse_term(str(fields["term"].raw))
        if term is not None and end not in term_end(start, term):
            accepted = "或".join(str(d) for d in term_end(start, term))
            out.append(
                _finding(
                    "date_inconsistent",
                    "high",
                    f"借款期限「{fields['term'].raw}」与起止日期不符："
                    f"自 {start} 起应至 {accepted}，合同写的是 {end}",
                    fields["term"].evidence,
                    fields["end_date"].evidence,
                )
            )
    if signing and start and signing > start:
        out.append(
            _finding(
                "date_inconsistent",
                "high",
                f"签订日期 {signing} 晚于借款起始日 {start}",
                fields["signing_date"].evidence,
                fields["start_date"].evidence,
            )
        )
    return out


def _day(found: Extracted, name: str) -> date | None:
    field = found.fields.get(name)
    return date.fromisoformat(str(field.value)) if field and field.value else None


# parties ------------------------------------------------------------------------------------------
def _identities(parties: Sequence[Party], scanned: Sequence[int]) -> list[Finding]:
    out = []
    for party in parties:
        number = (party.id_number or "").strip()
        if not number or "*" in number or "＊" in number:
            continue
        if party.evidence.page in scanned and len(number) < 15:  # OCR split the line: not the number
            continue
        if party.kind == "organisation":
            problem, code, what = check_uscc(number), "invalid_uscc", "统一社会信用代码"
        else:
            problem, code, what = check_resident_id(number), "invalid_id", "居民身份证号码"
        if problem:
            out.append(
                _finding(
                    code,
                    "high",
                    f"{party.role}「{party.name}」的{what} {number} 无效：{problem}",
                    party.evidence,
                    party=party,
                )
            )
    return out


def _signature_names(parties: Sequence[Party], slots: Sequence[Slot]) -> list[Finding]:
    """A name written in a signature slot (or beside it) that is not the party's name as the
    parties block writes it."""
    by_role = {p.role: p for p in parties}
    out = []
    for slot in slots:
        party = by_role.get(slot.role)
        name = re.split(r"\s|（|\(|法定代表人|授权代表|日期", slot.filled)[0].strip("：: ")
        if party is None or not name or is_blank(name) or name == party.name:
            continue
        if len(name) >= 2 and (party.kind == "organisation" or len(name) <= 4):
            out.append(
                _finding(
                    "party_mismatch",
                    "high",
                    f"签署页的{slot.role}「{name}」与合同首部的「{party.name}」不一致",
                    Evidence(page=slot.line.page, text=slot.line.text, bbox=slot.line.bbox),
                    party.evidence,
                    party=party,
                )
            )
    return out


def _body_names(parties: Sequence[Party], slots: Sequence[Slot], pages: ContractPages) -> list[Finding]:
    """A party named in the body with a slip: its company form changed (有限公司 → 有限责任公司) or
    one character of the name different (丰华 → 丰化). On a scanned page OCR misreads characters
    too, so a one-character difference there is only "low"."""
    skip = {id(slot.line) for slot in slots} | {(p.evidence.page, p.evidence.text) for p in parties}
    names = [p.name for p in parties]
    out: list[Finding] = []
    for line in pages.lines:
        if id(line) in skip or (line.page, line.text) in skip:
            continue
        for party in parties:
            written = _slip(line.text, party.name, names)
            if written is None:
                continue
            swapped = len(written) != len(party.name)
            severity = "high" if swapped or line.page not in pages.scanned else "low"
            out.append(
                _finding(
                    "party_mismatch",
                    severity,
                    f"正文中的{party.role}名称「{written}」与合同首部的「{party.name}」不一致",
                    Evidence(page=line.page, text=line.text, bbox=line.bbox),
                    party.evidence,
                    party=party,
                )
            )
            return out  # one is enough: a slip is usually repeated
    return out


def _slip(text: str, name: str, names: Sequence[str]) -> str | None:
    """The first way `text` writes `name` with a slip (see `_body_names`), None if it never does."""
    core = _FORMS.sub("", name)
    person = len(name) <= 4 and core == name
    anchor = name[:1] if person else name[:2]
    if len(core) < (2 if person else 4):
        return None
    start = text.find(anchor)
    while start >= 0:
        if not any(text.startswith(other, start) for other in names):
            form = (
                _FORMS.match(text, start + len(core))
                if text.startswith(core, start) and core != name
                else None
            )
            if form is not None:
                return text[start : form.end()]
            window = text[start : start + len(name)]
            differ = [i for i, (a, b) in enumerate(zip(window, name, strict=False)) if a != b]
            if len(window) == len(name) and len(differ) == 1 and _CJK.match(window[differ[0]]):
                after = text[start + len(name) : start + len(name) + 1]
                before = text[start - 1 : start] if start else ""
                bounded = not _CJK.match(after) and (not _CJK.match(before) or before in "为是人")
                if not person or bounded:
                    return window
        start = text.find(anchor, start + 1)
    return None


def _signature_page(slots: Sequence[Slot]) -> int | None:
    return max((s.line.page for s in slots), default=None)


def _signatures(
    parties: Sequence[Party], slots: Sequence[Slot], pages: ContractPages, signed: dict[int, bool]
) -> list[Finding]:
    """Natural persons must sign: an empty `（签字）` slot on a digital page, or no handwriting in it
    on a scan."""
    out = []
    index = {id(line): i for i, line in enumerate(pages.lines)}
    for slot in slots:
        party = _slot_party(parties, slots, slot)
        if party is None or not ("签字" in slot.asks or "签名" in slot.asks):
            continue
        if slot.line.page in pages.scanned:
            empty = not signed.get(index.get(id(slot.line), -1), False)
        else:
            empty = is_blank(slot.filled)
        if empty:
            out.append(
                _finding(
                    "missing_signature",
                    "high",
                    f"{slot.role}（{party.name}）的签字处为空",
                    Evidence(page=slot.line.page, text=slot.line.text, bbox=slot.line.bbox),
                    party=party,
                )
            )
    return out


def _slot_party(parties: Sequence[Party], slots: Sequence[Slot], slot: Slot) -> Party | None:
    """Whose slot: the party of that role, or for 法定代表人/负责人/授权代表 the organisation whose
    盖章 slot comes just before it."""
    by_role = {p.role: p for p in parties}
    if slot.role in by_role:
        return by_role[slot.role]
    before = [s for s in slots[: slots.index(slot)] if s.role in by_role]
    return by_role[before[-1].role] if before else None


def _seals(
    parties: Sequence[Party], slots: Sequence[Slot], pages: ContractPages, seals: Sequence[Seal]
) -> list[Finding]:
    """Every corporate party's round seal on a scanned signature page, naming that party.

    A seal names a party when every character read on its ring is in the party's name, in order
    (characters hidden under text or read too unsurely are missing from the reading, which is
    no evidence). Characters read that are not in the name are: `seal_doubt` says how much.
    """
    page = _signature_page(slots)
    if page is None or page not in pages.scanned:
        return []  # a digital draft has no seal image to judge (cli-contract convention 6)
    unmatched = [s for s in seals if s.page == page]
    missing = []
    for party in (p for p in parties if p.kind == "organisation"):  # first every seal that names its party
        named = [s for s in unmatched if _names(s.text, party.name)]
        if named:
            unmatched.remove(max(named, key=lambda s: _compare(s.text, party.name)[0]))
        else:
            missing.append(party)
    candidates = [s for s in unmatched if s.shape != "square" or len(_ring_name(s.text)) >= 5]
    out = []
    for party in missing:  # then a party without its seal: another name's seal, or none at all
        slot = next((s for s in slots if s.role == party.role and s.line.page == page), None)
        where = Evidence(
            page=page, text=slot.line.text if slot else party.name, bbox=slot.line.bbox if slot else None
        )
        if not candidates:
            out.append(
                _finding(
                    "missing_seal",
                    "high",
                    f"签署页未见{party.role}「{party.name}」的印章",
                    where,
                    party=party,
                )
            )
            continue
        seal = max(candidates, key=lambda s: _closeness(s.text, party.name))
        candidates.remove(seal)
        severity = seal_doubt(seal, party.name)
        shown = seal.text or "无法识别"
        if severity == "low":  # a ring too little or too unsurely read: for a person (or a vision model)
            message = f"{party.role}「{party.name}」处的印章印文识别为「{shown}」，请人工核对"
        else:
            message = f"{party.role}「{party.name}」处的印章文字为「{shown}」，与当事人名称不符"
        out.append(
            _finding(
                "seal_name_mismatch",
                severity,
                message,
                Evidence(page=page, text=seal.text, bbox=seal.bbox),
                where,
                party=party,
            )
        )
    return out


def seal_doubt(seal: Seal, name: str) -> Severity:
    """How sure it is that `seal`, which does not name the party, is another name's seal.

    The evidence is the characters read on the ring that are not in `name` (城西支行 for 滨江支行,
    有限责任公司 for 有限公司), weighed by `Seal.score` (the share of the ring read surely):
    "high" with at least `_SEAL_EXTRA` such characters on a ring read surely (`_SEAL_SURE`),
    "medium" on one read mostly surely (`_SEAL_LIKELY`), "low" (a doubt for a person or a vision
    model to settle) otherwise: a single character differing is as likely an OCR slip.
    """
    extra = _compare(seal.text, name)[1]
    if extra >= _SEAL_EXTRA and seal.score >= _SEAL_SURE:
        return "high"
    if extra >= _SEAL_EXTRA and seal.score >= _SEAL_LIKELY:
        return "medium"
    return "low"


def _ring_name(seal_text: str) -> str:
    """The seal's text without the kind of seal (合同专用章 …): the organisation's name, if read. The
    kind's first character may be misread (会同专用章): it is no character of the name."""
    return re.sub(r"(?:.?同|财务)?专用.?章?$|公章$|[\s★*]", "", seal_text)


def _compare(seal_text: str, name: str) -> tuple[int, int]:
    """(characters of the ring that are in the party's name in order, characters that are not)."""
    ring = _ring_name(seal_text)
    matched = extra = 0
    for op, i1, i2, _, _ in SequenceMatcher(None, ring, name, autojunk=False).get_opcodes():
        if op == "equal":
            matched += i2 - i1
        elif op in ("replace", "delete"):  # read on the ring, not in the name
            extra += i2 - i1
    return matched, extra


def _closeness(seal_text: str, name: str) -> tuple[int, int]:
    matched, extra = _compare(seal_text, name)
    return matched, -extra


def _names(seal_text: str, name: str) -> bool:
    """Whether the seal's reading is the party's name, some characters perhaps unread."""
    matched, extra = _compare(seal_text, name)
    return extra == 0 and matched >= _SEAL_LEGIBLE * len(name)
