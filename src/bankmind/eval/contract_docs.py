"""Generated Chinese bank contracts with known fields and seeded defects, for `bankmind eval contracts`.

    contract = make_contract(7, "流动资金借款合同", defects=("amount_mismatch",))
    contract.fields.amount, contract.fields.amount_in_words   # Decimal('1200000'), '壹佰贰拾万元整' …
    contract.defects                                           # (Defect('amount_mismatch', '大写…'),)
    contracts = make_set(1, 60)                                # ≥ 30% clean, every code, loan + security sets

Real contracts cannot leave a bank, so the measurement runs on contracts built here from a seed:
个人借款合同, 流动资金借款合同 and 固定资产借款合同 (type loan), 保证合同, 抵押合同 and 质押合同,
each with a parties block (统一社会信用代码 / 居民身份证号码 with valid check digits, 法定代表人
or 负责人, 住所), numbered articles and a signature page last. Guarantee, mortgage and pledge
contracts name the main contract's number and its principal (their `amount`, cli-contract
convention 1) and, for collateral, its value (never the amount). `make_group` builds a loan with
the contracts securing it, consistent or with one deliberate disagreement (`CrossDefect`). The
text is laid out once, in points on A4 pages (`Line`), which the text PDF and the 150 dpi scan
both follow, so each field's page and box is known; `contract_render` writes the files.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from bankmind.contracts.ids import make_resident_id, make_uscc
from bankmind.contracts.numerals import amount_in_words
from bankmind.documents.pdf_writer import A4, LEFT, text_width, wrap
from bankmind.eval.contract_clauses import Text, body, sign_blocks
from bankmind.eval.contract_defects import APPLY_ORDER, DEFECT_CODES, apply_defect, name_variant, needs_person
from bankmind.eval.contract_draft import LOAN_TYPES, Draft, MainDebt, new_draft
from bankmind.eval.contract_truth import (
    CONTRACT_TYPES,
    FORMATS,
    KINDS,
    LOAN_KINDS,
    SCAN_ONLY_CODES,
    SECURITY_KINDS,
    CrossDefect,
    Defect,
    Format,
    GeneratedContract,
    Line,
    Paragraph,
    ParagraphRole,
    SealMark,
    SignatureSlot,
    TruthFields,
    TruthParty,
)

__all__ = [
    "BODY_SIZE",
    "CONTRACT_TYPES",
    "DEFECT_CODES",
    "FORMATS",
    "KINDS",
    "LOAN_KINDS",
    "MIN_SET_SIZE",
    "SECURITY_KINDS",
    "TITLE_SIZE",
    "CrossDefect",
    "Defect",
    "GeneratedContract",
    "make_contract",
    "make_group",
    "make_set",
]

TITLE_SIZE, BODY_SIZE = 18.0, 11.0
"""Font sizes in points, for the text PDF and the scan alike."""
_TOP, _BOTTOM, _GAP = 72.0, 770.0, 4.0
_SIGN_TOP, _ORG_BLOCK, _PERSON_BLOCK = 96.0, 150.0, 104.0
MIN_SET_SIZE = 20
"""`make_set` needs this many contracts to hold every defect code and ≥ 30% clean ones."""
_CLEAN_SHARE = 0.35
_FORMAT_WEIGHTS: dict[Format, int] = {"docx": 3, "text_pdf": 3, "scanned_pdf": 3, "txt": 1}
_CN = "〇一二三四五六七八九"


@dataclass
class _Spec:
    text: str
    role: ParagraphRole
    fields: tuple[str, ...] = ()
    printed: str | None = None
    top: float | None = None
    """Fixed position on the signature page; None flows with the body."""


def make_contract(
    seed: int,
    kind: str,
    defects: Sequence[str] = (),
    *,
    format: Format | None = None,
    main: GeneratedContract | None = None,
    name: str | None = None,
) -> GeneratedContract:
    """A contract of `kind` (see `KINDS`) drawn from `seed`, with `defects` (codes of `DEFECT_CODES`) seeded.

    `format` is the rendering it is meant for (default: drawn from the seed; `scanned_pdf` when a
    defect needs a page image). `main` makes a guarantee/mortgage/pledge secure that loan contract.
    Raises ValueError for an unknown kind or code, or a defect the kind cannot carry.
    """
    return _make(seed, kind, tuple(defects), format, main=main, name=name)


def _make(
    seed: int,
    kind: str,
    codes: tuple[str, ...],
    fmt: Format | None,
    *,
    main: GeneratedContract | None = None,
    name: str | None = None,
    group: str | None = None,
    cross: str | None = None,
    security: str | None = None,
    other: TruthParty | None = None,
) -> GeneratedContract:
    if kind not in KINDS:
        raise ValueError(f"unknown contract kind {kind!r}; use one of {', '.join(KINDS)}")
    unknown = [c for c in codes if c not in DEFECT_CODES]
    if unknown:
        raise ValueError(f"unknown defect code {unknown[0]!r}; use one of {', '.join(DEFECT_CODES)}")
    if main is not None and (kind in LOAN_KINDS or main.kind not in LOAN_KINDS):
        raise ValueError("`main` is a loan contract, and only a guarantee, mortgage or pledge refers to one")
    person = needs_person(codes)
    if person and kind in ("流动资金借款合同", "固定资产借款合同"):
        raise ValueError(f"invalid_id needs a natural person; a {kind} is between two organisations")
    if fmt is None:
        picker = random.Random(seed * 31 + 5)  # noqa: S311 - reproducible test data, not secrets
        fmt = picker.choices(list(_FORMAT_WEIGHTS), weights=list(_FORMAT_WEIGHTS.values()))[0]
    if SCAN_ONLY_CODES & set(codes):
        fmt = "scanned_pdf"
    debt, bank = (_main_debt(main), main.parties[0]) if main is not None else (None, None)
    d = new_draft(seed, kind, fmt, main=debt, bank=bank, person=person, other=other)
    if security is not None:
        d.security = security
    cross_defects = _cross(d, cross) if cross else ()
    ordered = sorted(dict.fromkeys(codes), key=APPLY_ORDER.index)
    seeded = tuple(Defect(code, apply_defect(d, code)) for code in ordered)  # type: ignore[arg-type]
    return _assemble(d, seeded, name=name or f"{kind}-{seed}", group=group, cross=cross_defects)


def _main_debt(loan: GeneratedContract) -> MainDebt:
    f = loan.fields
    if not (f.contract_number and f.amount and f.term_months and f.start_date and f.end_date):
        raise ValueError("the main loan contract must state its number, amount and period (no blanks)")
    return MainDebt(
        f.contract_number,
        loan.kind,
        LOAN_TYPES[loan.kind],
        loan.parties[1].name,
        f.amount,
        f.term_months,
        date.fromisoformat(f.start_date),
        date.fromisoformat(f.end_date),
    )


def _cross(d: Draft, what: str) -> tuple[CrossDefect, ...]:
    """Make the security contract disagree with its loan on `what`; the disagreement, as truth."""
    main = d.main
    assert main is not None
    if what == "main_contract_number":
        i = d.rng.choice([i for i, c in enumerate(main.number) if c.isdigit()][-4:])
        right, main.number = (
            main.number,
            f"{main.number[:i]}{(int(main.number[i]) + d.rng.randint(1, 9)) % 10}",
        )
        main.number += right[i + 1 :]
        wrong, detail = main.number, f"主合同编号写作{main.number}，借款合同编号为{right}"
    elif what == "amount":
        right = str(main.amount)
        d.amount = (d.amount * Decimal(d.rng.choice(("1.1", "0.9", "1.2", "0.5", "10")))).quantize(
            Decimal(1000)
        )
        d.words = amount_in_words(d.amount)
        wrong, detail = str(d.amount), f"主债权本金{d.amount}元与借款金额{main.amount}元不符"
    elif what == "debtor":
        right, main.debtor = main.debtor, name_variant(main.debtor, d.rng.choice)
        wrong, detail = main.debtor, f"债务人写作“{main.debtor}”，借款人为“{right}”"
    else:
        bank = d.parties[0]
        head = bank.name[: bank.name.index("公司") + 2]
        branch = d.rng.choice([b for b in ("城西支行", "北城支行", "科技支行") if not bank.name.endswith(b)])
        d.parties[0] = replace(bank, name=head + branch, id_number=make_uscc(d.seed * 7 + 3))
        right, wrong = bank.name, head + branch
        detail = f"债权人为“{wrong}”，贷款人为“{right}”"
    return (CrossDefect(what, right, wrong, detail),)  # type: ignore[arg-type]


def _article(n: int) -> str:
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else "十" if tens == 1 else _CN[tens] + "十") + (_CN[ones] if ones else "")


def _specs(d: Draft) -> tuple[list[_Spec], list[tuple[int, int | None, int]]]:
    """The paragraphs in order, and per sign block (block index, seal-line spec, slot-line spec)."""
    specs = [_Spec(d.kind, "title"), _Spec(f"合同编号：{d.number}", "number", ("contract_number",))]
    tags = ("（甲方）", "（乙方）") if d.seed % 3 == 0 else ("", "")
    for i, p in enumerate(d.parties):
        specs.append(_Spec(f"{p.role}{tags[i]}：{p.name}", "party", (f"party:{i}",)))
        label = "统一社会信用代码" if p.kind == "organisation" else "居民身份证号码"
        specs.append(_Spec(f"{label}：{p.id_number}", "party", (f"id:{i}",)))
        if p.kind == "organisation":
            specs.append(_Spec(f"{'负责人' if i == 0 else '法定代表人'}：{p.legal_representative}", "party"))
        specs.append(_Spec(f"住所：{p.address}", "party"))
        if p.kind == "person":
            specs.append(_Spec(f"联系电话：{d.phone}", "party"))
    bank, other = d.bank.role, d.other.role
    if d.contract_type == "loan":
        lead = f"{bank}与{other}根据《中华人民共和国民法典》等有关法律法规的规定，"
        lead += f"就{other}向{bank}申请借款事宜，"
    else:
        lead = f"为确保主合同项下债务的履行，{other}自愿向{bank}提供担保。"
        lead += "各方根据《中华人民共和国民法典》等有关法律法规的规定，"
    specs.append(_Spec(lead + "经平等协商，订立本合同，以资共同遵守。", "preamble"))
    for n, clause in enumerate(body(d), start=1):
        specs.append(_Spec(f"第{_article(n)}条 {clause.heading}", "heading"))
        specs.extend(_Spec(text, "body", fields) for text, fields in clause.paragraphs)
    specs.append(_Spec("（以下无正文）", "body"))
    specs.append(_Spec("（本页无正文，为签署页）", "body", top=_SIGN_TOP))
    top = _SIGN_TOP + 60
    blocks: list[tuple[int, int | None, int]] = []
    for b, block in enumerate(sign_blocks(d)):
        seal_at = None
        if block.seal_line is not None:
            seal_at = len(specs)
            specs.append(_sign(block.seal_line, None, top))
            top += 48
        blocks.append((b, seal_at, len(specs)))
        specs.append(_sign(block.slot_line, block.slot_printed, top))
        top += _ORG_BLOCK - 48 if block.seal_line is not None else _PERSON_BLOCK
    signed = "____年__月__日" if "signing_date" in d.blanks else d.date_text(d.signing, d.sign_date_style)
    specs.append(_Spec(f"签订日期：{signed}", "date", ("signing_date",), top=top))
    specs.append(_Spec(f"签订地点：{d.place}", "date", ("signing_place",), top=top + 24))
    return specs, blocks


def _sign(line: Text, printed: str | None, top: float) -> _Spec:
    text, fields = line
    return _Spec(text, "sign", fields, printed=printed if printed != text else None, top=top)


def _layout(specs: list[_Spec]) -> tuple[list[int], list[Line], int]:
    """Each paragraph's page, the lines in points, and the page count; the signature page is last."""
    pages: list[int] = []
    lines: list[Line] = []
    page, top = 1, _TOP
    for index, spec in enumerate(specs):
        if spec.top is not None:  # the signature page
            sign_page = page + 1
            pages.append(sign_page)
            lines.append(Line(index, spec.text, sign_page, LEFT, spec.top, BODY_SIZE))
            continue
        size = TITLE_SIZE if spec.role == "title" else BODY_SIZE
        step = size * 1.5
        parts = wrap(spec.text, size)
        if spec.role == "heading" and top + 3 * step > _BOTTOM:
            page, top = page + 1, _TOP
        pages.append(page if top + size <= _BOTTOM else page + 1)
        for part in parts:
            if top + size > _BOTTOM:
                page, top = page + 1, _TOP
            x = (A4[0] - text_width(part, size)) / 2 if spec.role == "title" else LEFT
            lines.append(Line(index, part, page, x, top, size))
            top += step
        top += _GAP + (12 if spec.role == "title" else 0)
    return pages, lines, page + 1


def _assemble(
    d: Draft, defects: tuple[Defect, ...], *, name: str, group: str | None, cross: tuple[CrossDefect, ...]
) -> GeneratedContract:
    specs, blocks = _specs(d)
    pages, lines, count = _layout(specs)
    paragraphs = tuple(Paragraph(s.text, pages[i], s.role, s.fields, s.printed) for i, s in enumerate(specs))
    seals: list[SealMark] = []
    slots: list[SignatureSlot] = []
    for (_, seal_at, slot_at), block in zip(blocks, sign_blocks(d), strict=True):
        party = d.parties[block.party]
        if seal_at is not None and block.seal_text is not None:
            seals.append(
                SealMark(
                    count, party.name, block.seal_text, block.seal_kind, "round", block.seal_present, seal_at
                )
            )
        if block.name_seal:
            seals.append(SealMark(count, party.name, f"{block.signer}印", "", "square", True, slot_at))
        slots.append(
            SignatureSlot(
                count,
                party.name,
                block.slot_printed.rstrip("："),
                block.signer,
                block.signed,
                slot_at,
                block.fingerprint,
            )
        )
    return GeneratedContract(
        seed=d.seed,
        kind=d.kind,
        contract_type=CONTRACT_TYPES[d.kind],
        title=d.kind,
        format=d.format,
        name=name,
        paragraphs=paragraphs,
        lines=tuple(lines),
        pages=count,
        fields=_fields(d),
        defects=defects,
        seals=tuple(seals),
        signatures=tuple(slots),
        group=group,
        cross_defects=cross,
    )


def _fields(d: Draft) -> TruthFields:
    blank = d.blanks.__contains__
    loan = d.contract_type == "loan"
    return TruthFields(
        contract_number=d.number,
        parties=tuple(d.parties),
        amount=None if blank("amount") else d.amount,
        amount_in_words=None if blank("amount") else d.words,
        currency="CNY",
        interest_rate=None if not loan or blank("rate") or d.rate is None else d.rate.annual,
        term=f"{d.term_months}个月",
        term_months=d.term_months,
        start_date=d.start.isoformat(),
        end_date=None if blank("end_date") else d.end.isoformat(),
        signing_date=None if blank("signing_date") else d.signing.isoformat(),
        signing_place=d.place,
        purpose=d.purpose if loan and not blank("purpose") and "purpose" not in d.dropped else None,
        main_contract_number=None if d.main is None or blank("main_contract_number") else d.main.number,
        collateral=d.collateral or None,
        collateral_value=d.collateral_value,
        guarantee_type=_guarantee_type(d),
        default_interest="加收50%" if loan and "default" not in d.dropped else None,
        dispute_resolution=None if "dispute" in d.dropped else _forum(d),
    )


def _guarantee_type(d: Draft) -> str | None:
    """What the 担保方式 (a loan's) or 保证方式 (a guarantee's) clause says, None without one."""
    if d.contract_type == "guarantee":
        return None if "mode" in d.dropped else "连带责任保证"
    if d.contract_type != "loan" or "security" in d.dropped:
        return None
    written = re.search(r"担保方式为([^，。]+)", d.security)
    return written[1] if written else d.security


def _forum(d: Draft) -> str:
    """Where the dispute clause sends disputes (`contract_clauses._dispute`)."""
    return f"{d.bank.role}住所地有管辖权的人民法院" if d.court.endswith("法院") else d.court


# multi-document sets and whole evaluation sets ----------------------------------------------------
def make_group(
    seed: int,
    *,
    loan_kind: str | None = None,
    securities: Sequence[str] | None = None,
    inconsistent: str | None = None,
    formats: Sequence[Format] | None = None,
    group: str | None = None,
) -> list[GeneratedContract]:
    """A loan contract followed by the guarantee/mortgage/pledge contracts securing it.

    They agree on the main contract's number, the principal, the debtor and the creditor, unless
    `inconsistent` names one of those (main_contract_number, amount, debtor, creditor): then the
    first security contract gets it wrong and records a `CrossDefect`.
    """
    rng = random.Random(seed * 17 + 3)  # noqa: S311 - reproducible test data, not secrets
    loan_kind = loan_kind or rng.choice(LOAN_KINDS)
    if securities is None:
        pool = ("保证合同", "抵押合同") if loan_kind == "个人借款合同" else SECURITY_KINDS
        securities = rng.sample(pool, rng.choice((1, 2)))
    if inconsistent not in (None, "main_contract_number", "amount", "debtor", "creditor"):
        raise ValueError(
            f"inconsistent must be main_contract_number, amount, debtor or creditor, not {inconsistent!r}"
        )
    group = group or f"G{seed}"
    fmts = (
        list(formats)
        if formats
        else [
            rng.choices(list(_FORMAT_WEIGHTS), list(_FORMAT_WEIGHTS.values()))[0]
            for _ in range(len(securities) + 1)
        ]
    )
    ways = {"保证合同": "保证", "抵押合同": "抵押", "质押合同": "质押"}
    security = "、".join(ways[k] for k in securities)
    text = f"本合同项下借款的担保方式为{security}，担保合同由担保人与贷款人另行签订。"
    loan = _make(seed, loan_kind, (), fmts[0], name=f"{group}-{loan_kind}", group=group, security=text)
    out = [loan]
    for j, kind in enumerate(securities):
        other = None  # a third party, drawn by the draft
        borrower = loan.parties[1]
        if kind == "抵押合同" and rng.random() < 0.5:  # the borrower mortgages its own property
            other = replace(borrower, role="抵押人")
        elif kind == "保证合同" and borrower.legal_representative and rng.random() < 0.5:
            birth = date(rng.randint(1965, 1990), rng.randint(1, 12), rng.randint(1, 28))
            other = TruthParty(  # the borrower's owner guarantees its debt personally
                borrower.legal_representative,
                "保证人",
                "person",
                make_resident_id(seed * 10 + j, birth),
                None,
                borrower.address,
            )
        out.append(
            _make(
                seed * 10 + j + 1,
                kind,
                (),
                fmts[(j + 1) % len(fmts)],
                main=loan,
                name=f"{group}-{kind}",
                group=group,
                cross=inconsistent if j == 0 else None,
                other=other,
            )
        )
    return out


def make_set(seed: int, n: int) -> list[GeneratedContract]:
    """`n` contracts for evaluation: ≥ 30% clean, every defect code, all kinds and formats, loan sets.

    About a fifth of the contracts come in multi-document sets (`make_group`), every other set with a
    cross-document disagreement; the other defective contracts carry one defect, some two.
    Raises ValueError when `n` < MIN_SET_SIZE.
    """
    if n < MIN_SET_SIZE:
        raise ValueError(
            f"make_set needs n ≥ {MIN_SET_SIZE} to hold every defect code and ≥ 30% clean contracts"
        )
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    units: list[list[GeneratedContract]] = []
    fields = ("main_contract_number", "amount", "debtor", "creditor")
    for g in range(max(2, n // 10)):
        securities = ["保证合同"] if g % 3 == 0 else ["抵押合同"] if g % 3 == 1 else ["保证合同", "质押合同"]
        loan_kind = "个人借款合同" if g % 4 == 1 else rng.choice(("流动资金借款合同", "固定资产借款合同"))
        if loan_kind == "个人借款合同":
            securities = [s for s in securities if s != "质押合同"] or ["保证合同"]
        inconsistent = fields[(g // 2) % 4] if g % 2 else None
        units.append(
            make_group(
                rng.randrange(1, 2**31),
                loan_kind=loan_kind,
                securities=securities,
                inconsistent=inconsistent,
                group=f"G{g + 1:02d}",
            )
        )
    grouped = sum(len(u) for u in units)
    clean_grouped = sum(c.clean for u in units for c in u)
    singles = n - grouped
    clean_singles = max(0, math.ceil(_CLEAN_SHARE * n) - clean_grouped)
    defective = singles - clean_singles
    if defective < len(DEFECT_CODES):
        raise ValueError(f"make_set({seed}, {n}): too few contracts for every defect code; use a larger n")
    codes = list(DEFECT_CODES)
    rng.shuffle(codes)
    codes += [rng.choice(DEFECT_CODES) for _ in range(defective - len(codes))]
    clean_formats: list[Format] = [
        "scanned_pdf",
        "docx",
        "text_pdf",
        "scanned_pdf",
        "txt",
        "text_pdf",
        "docx",
    ]
    for i in range(singles):
        plan: tuple[str, ...] = ()
        if i >= clean_singles:
            plan = (codes[i - clean_singles],)
        kind = _kind_for(plan, rng)
        fmt: Format = clean_formats[i % len(clean_formats)] if not plan else _format_for(plan, rng)
        if plan and rng.random() < 0.2:
            extra = [c for c in DEFECT_CODES if c not in plan and _fits(c, kind)]
            plan = (*plan, rng.choice(extra))
        units.append([_make(rng.randrange(1, 2**31), kind, plan, fmt, name=f"{kind}")])
    rng.shuffle(units)
    out = [c for unit in units for c in unit]
    for index, contract in enumerate(out):
        contract.name = f"c{index + 1:03d}-{contract.name}"
    return out


def _kind_for(codes: tuple[str, ...], rng: random.Random) -> str:
    if "rate_out_of_range" in codes and "invalid_id" in codes:
        return "个人借款合同"
    if "rate_out_of_range" in codes:
        return rng.choice(LOAN_KINDS)
    if "invalid_id" in codes:
        return rng.choice(("个人借款合同", *SECURITY_KINDS))
    return rng.choice(KINDS)


def _format_for(codes: tuple[str, ...], rng: random.Random) -> Format:
    if SCAN_ONLY_CODES & set(codes):
        return "scanned_pdf"
    return rng.choices(list(_FORMAT_WEIGHTS), weights=list(_FORMAT_WEIGHTS.values()))[0]


def _fits(code: str, kind: str) -> bool:
    if code in SCAN_ONLY_CODES:
        return False  # one seal defect a contract: the two could hit the same seal
    if code == "rate_out_of_range":
        return kind in LOAN_KINDS
    if code == "invalid_id":
        return kind not in ("流动资金借款合同", "固定资产借款合同")
    return True
