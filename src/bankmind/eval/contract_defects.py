"""Seeded contract defects: one generator per finding code, each editing a `Draft` before its text is written.

Each defect is realistic (a slip a drafter or a signing meeting really makes) and detectable from the
document alone: the words of an amount that say another amount, a clause and every word of it gone,
a key slot left `________`, an end date the term does not give, a rate above 4 × LPR or a 月利率 that
is an annual figure, an ID or USCC whose check character is wrong, a party named differently on the
signature page or in the body, a company's seal missing or naming another organisation, an empty
签字 slot. Each generator returns the detail a reviewer can verify and records what it touched, so a
second defect on the same contract changes something else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from bankmind.contracts.ids import corrupt_check_digit
from bankmind.contracts.numerals import amount_in_words
from bankmind.contracts.types import FindingCode
from bankmind.eval.contract_clauses import DROPPABLE
from bankmind.eval.contract_draft import Draft, Rate, add_months, figures

__all__ = [
    "APPLY_ORDER",
    "CLAUSE_KEYWORDS",
    "DEFECT_CODES",
    "LOOKALIKES",
    "apply_defect",
    "name_variant",
    "needs_person",
]

DEFECT_CODES: tuple[FindingCode, ...] = (
    "amount_mismatch",
    "missing_clause",
    "blank_field",
    "date_inconsistent",
    "rate_out_of_range",
    "invalid_id",
    "invalid_uscc",
    "party_mismatch",
    "missing_seal",
    "missing_signature",
    "seal_name_mismatch",
)
"""Every code the generator seeds."""

APPLY_ORDER: tuple[FindingCode, ...] = (
    "amount_mismatch",
    "missing_clause",
    "date_inconsistent",
    "rate_out_of_range",
    "blank_field",
    "invalid_id",
    "invalid_uscc",
    "party_mismatch",
    "missing_seal",
    "seal_name_mismatch",
    "missing_signature",
)
"""The order defects are applied to one contract: a blank goes where no other defect changed a value."""

CLAUSE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "借款用途": ("借款用途", "贷款用途"),
    "还款方式": ("还款方式", "还本付息方式", "等额本息", "等额本金", "到期一次"),
    "争议解决": ("争议", "诉讼", "仲裁"),
    "保证方式": ("保证方式", "连带责任保证", "一般保证"),
    "保证范围": ("保证范围", "担保范围"),
    "保证期间": ("保证期间",),
    "担保范围": ("担保范围", "抵押范围", "质押范围"),
    "质押财产交付": ("交付", "出质登记", "质押登记"),
}
"""What shows a clause is there: none of these words remain once it is dropped."""

LOOKALIKES = dict(
    zip(
        "恒鑫源盛博祥华润宏明禾程诚丰杰远伟芳敏静丽磊军洋勇涛超霞刚英玉兰萍红鹏志文斌辉宇浩凯晨欣怡佳琪俊婷梅燕"
        "强艳娟秀飞国涵轩桐雪平",
        "衡新元胜搏翔化闰弘铭和诚成峰洁源玮方民婧莉垒君阳永滔潮侠钢瑛钰岚平虹朋智雯彬晖雨皓恺辰昕仪嘉淇峻亭玫艳"
        "蔷燕鹃琇菲帼晗萱彤学萍",
        strict=True,
    )
)
"""Characters and the homophone a typist slips into (恒达 → 衡达, 张伟 → 张玮)."""

_SUFFIX_SWAPS = (("股份有限公司", "有限公司"), ("有限责任公司", "有限公司"), ("有限公司", "有限责任公司"))


def needs_person(codes: tuple[str, ...]) -> bool | None:
    """Whether the counterparty must be a natural person for these defects (invalid_id needs one)."""
    return True if "invalid_id" in codes else None


def name_variant(name: str, rng_pick: Callable[[list[str]], str], *, keep: int | None = None) -> str:
    """The same name with one realistic slip: a company form swapped or one character mistyped.

    The first `keep` characters (default: a person's surname, a company's two-character city) stay.
    """
    options: list[str] = []
    for suffix, other in _SUFFIX_SWAPS:
        if name.endswith(suffix):
            options.append(name.removesuffix(suffix) + other)
            break
    core = name
    for suffix in ("股份有限公司", "有限责任公司", "有限公司"):
        core = core.removesuffix(suffix)
    start = keep if keep is not None else 1 if len(core) <= 4 else 2  # a surname, a city prefix
    for i in range(start, len(core)):
        if core[i] in LOOKALIKES:
            options.append(name[:i] + LOOKALIKES[core[i]] + name[i + 1 :])
    return rng_pick(options) if options else name[:-1] + ("铭" if name.endswith("明") else "明")


def _org(d: Draft) -> int:
    return 1 if d.other.kind == "organisation" and d.rng.random() < 0.8 else 0


def _amount_mismatch(d: Draft) -> str:
    amount = d.amount
    digits = list(str(int(amount)))
    wrong = amount
    while wrong == amount or wrong <= 0:
        way = d.rng.choice(("zero", "digit", "swap"))
        if way == "zero":
            wrong = (
                amount * 10
                if d.rng.random() < 0.5 or amount < 10_000
                else (amount / 10).quantize(Decimal("0.01"))
            )
        elif way == "digit":
            i = d.rng.randrange(min(3, len(digits)))
            choices = (
                [c for c in "123456789" if c != digits[i]]
                if i == 0
                else [c for c in "0123456789" if c != digits[i]]
            )
            changed = [*digits[:i], d.rng.choice(choices), *digits[i + 1 :]]
            wrong = Decimal("".join(changed)) + amount % 1
        else:
            pairs = [
                i for i in range(len(digits) - 1) if digits[i] != digits[i + 1] and (i or digits[1] != "0")
            ]
            if not pairs:
                continue
            i = d.rng.choice(pairs)
            digits2 = digits[:]
            digits2[i], digits2[i + 1] = digits2[i + 1], digits2[i]
            wrong = Decimal("".join(digits2)) + amount % 1
    d.words = amount_in_words(wrong)
    d.touched.add("amount")
    return f"大写{d.words}（{wrong:.2f}元）与小写{figures(amount, 0)}不符"


def _missing_clause(d: Draft) -> str:
    options = {k: v for k, v in DROPPABLE[d.contract_type].items() if f"clause:{k}" not in d.touched}
    if "purpose" in d.blanks:
        options.pop("purpose", None)
    key = d.rng.choice(sorted(options))
    d.dropped.add(key)
    d.touched.update({f"clause:{key}", key})
    return f"缺少“{options[key]}”条款"


def _blank_field(d: Draft) -> str:
    slots = (
        ("amount", "rate", "end_date", "purpose", "signing_date")
        if d.contract_type == "loan"
        else ("amount", "end_date", "signing_date", "main_contract_number")
    )
    taken = {
        "end_date": "dates",
        "signing_date": "dates",
        "rate": "rate",
        "amount": "amount",
        "purpose": "purpose",
    }
    free = [s for s in slots if taken.get(s, s) not in d.touched]
    slot = d.rng.choice(free)
    d.blanks.add(slot)
    d.touched.add(taken.get(slot, slot))
    names = {
        "amount": "金额",
        "rate": "利率",
        "end_date": "到期日",
        "purpose": "借款用途",
        "signing_date": "签订日期",
        "main_contract_number": "主合同编号",
    }
    return f"{names[slot]}留空未填"


def _date_inconsistent(d: Draft) -> str:
    ways = ["term", "reversed"] + (["signed_late"] if d.contract_type == "loan" else [])
    way = d.rng.choice(ways)
    d.touched.add("dates")
    if way == "signed_late":
        d.signing = d.start + timedelta(days=d.rng.randint(3, 45))
        return f"签订日期{d.signing.isoformat()}晚于起始日{d.start.isoformat()}"
    if way == "reversed":
        years = d.end.year - d.start.year + 1
        d.end = add_months(d.end, -12 * years)
        return f"到期日{d.end.isoformat()}早于起始日{d.start.isoformat()}"
    exact = add_months(d.start, d.term_months)
    while True:
        if d.rng.random() < 0.5:
            end = add_months(d.start, d.term_months + d.rng.choice((-3, -2, -1, 1, 2, 3, 6, 12)))
            end -= timedelta(days=d.rng.choice((0, 1)))
        else:
            end = exact + timedelta(days=d.rng.choice((-40, -20, -10, -5, -3, 2, 5, 10, 15, 30)))
        if end not in (exact, exact - timedelta(days=1)) and end > d.start:
            break
    d.end = end
    return f"期限{d.term_months}个月与起止日{d.start.isoformat()}至{end.isoformat()}不符"


def _rate_out_of_range(d: Draft) -> str:
    nominal = d.rate.annual if d.rate and d.rate.annual else Decimal("4.35")
    way = d.rng.choice(("high", "zero", "monthly", "spread"))
    d.touched.add("rate")
    if way == "high":
        annual = Decimal(d.rng.randint(250, 480) * 5) / 100
        d.rate = Rate(f"本合同项下借款为固定利率，年利率为{annual}%，借款期限内不作调整。", annual)
    elif way == "zero":
        annual = Decimal("0.00")
        d.rate = Rate(f"本合同项下借款为固定利率，年利率为{annual}%，借款期限内不作调整。", annual)
    elif way == "monthly":
        annual = nominal * 12
        d.rate = Rate(f"本合同项下借款为固定利率，月利率为{nominal}%，借款期限内不作调整。", annual)
    else:
        bp = d.rng.choice((-350, -300, 1000, 1200, 1500))
        annual = Decimal("3.00") + Decimal(bp) / 100
        spread = f"加{bp}个基点" if bp > 0 else f"减{-bp}个基点"
        d.rate = Rate(
            "本合同项下借款为浮动利率，以本合同签订日前一个工作日全国银行间同业拆借中心公布的1年期贷款市场报价"
            f"利率（LPR）为定价基础，当期LPR为3.00%，{spread}（1个基点为0.01%），即年利率为{annual}%。",
            annual,
        )
    return f"年利率{annual}%超出范围（高于12%或不大于0）"


def _invalid_id(d: Draft) -> str:
    people = [i for i, p in enumerate(d.parties) if p.kind == "person"]
    if not people:
        raise ValueError(f"invalid_id needs a party who is a natural person; a {d.kind} has none")
    i = people[0]
    party = d.parties[i]
    d.parties[i] = replace(party, id_number=corrupt_check_digit(party.id_number))
    d.touched.add(f"id:{i}")
    return f"{party.role}{party.name}的居民身份证号码校验位错误（{d.parties[i].id_number}）"


def _invalid_uscc(d: Draft) -> str:
    i = _org(d)
    party = d.parties[i]
    d.parties[i] = replace(party, id_number=corrupt_check_digit(party.id_number))
    d.touched.add(f"id:{i}")
    return f"{party.role}{party.name}的统一社会信用代码校验位错误（{d.parties[i].id_number}）"


def _party_mismatch(d: Draft) -> str:
    i = 1 if d.rng.random() < 0.8 else 0
    party = d.parties[i]
    printed = party.kind == "organisation" or d.format != "scanned_pdf"
    where = "sign" if printed and (i == 0 or d.rng.random() < 0.6) else "body"
    if i == 0:  # a bank: its head office signs for the branch, or its brand is mistyped
        head = party.name[: party.name.index("公司") + 2]
        typo = name_variant(head, d.rng.choice, keep=0) + party.name[len(head) :]
        variant = head if d.rng.random() < 0.5 else typo
    else:
        variant = name_variant(party.name, d.rng.choice)
    if where == "sign":
        d.sign_names[i] = variant
        d.touched.add(f"sign:{i}")
        return f"签署页{party.role}名称“{variant}”与首部“{party.name}”不一致"
    d.body_name = variant
    return f"正文中{party.role}名称“{variant}”与首部“{party.name}”不一致"


def _missing_seal(d: Draft) -> str:
    i = _org(d)
    d.missing_seals.add(i)
    d.touched.add(f"seal:{i}")
    return f"签署页缺少{d.parties[i].role}{d.parties[i].name}的印章"


def _seal_name_mismatch(d: Draft) -> str:
    orgs = [i for i, p in enumerate(d.parties) if p.kind == "organisation" and f"seal:{i}" not in d.touched]
    if not orgs:
        raise ValueError(
            f"seal_name_mismatch needs an organisation whose seal is on the page; {d.kind} has none left"
        )
    i = d.rng.choice(orgs)
    name = d.parties[i].name
    if i == 0:
        head = name[: name.index("公司") + 2]
        branch = name[len(head) :]
        others = [b for b in ("城西支行", "北城支行", "科技支行", "工业园区支行") if b != branch]
        text = head + d.rng.choice(others)
    else:
        text = name_variant(name, d.rng.choice)
        if d.rng.random() < 0.5:  # a related company's seal, not a typo
            text = name[:2] + d.rng.choice(("华宇", "金盛", "伟业", "明达")) + "贸易有限公司"
    d.seal_texts[i] = text
    d.touched.add(f"seal:{i}")
    return f"{d.parties[i].role}印章印文“{text}”与名称“{name}”不符"


def _missing_signature(d: Draft) -> str:
    people = [i for i, p in enumerate(d.parties) if p.kind == "person" and f"sign:{i}" not in d.touched]
    i = people[0] if people else (1 if f"sign:{1}" not in d.touched else 0)
    d.unsigned.add(i)
    d.touched.add(f"sign:{i}")
    party = d.parties[i]
    who = party.name if party.kind == "person" else f"{party.name}的法定代表人或授权代理人"
    return f"签署页{who}未签字"


_GENERATORS: dict[str, Callable[[Draft], str]] = {
    "amount_mismatch": _amount_mismatch,
    "missing_clause": _missing_clause,
    "blank_field": _blank_field,
    "date_inconsistent": _date_inconsistent,
    "rate_out_of_range": _rate_out_of_range,
    "invalid_id": _invalid_id,
    "invalid_uscc": _invalid_uscc,
    "party_mismatch": _party_mismatch,
    "missing_seal": _missing_seal,
    "missing_signature": _missing_signature,
    "seal_name_mismatch": _seal_name_mismatch,
}


def apply_defect(d: Draft, code: str) -> str:
    """Seed defect `code` into `d`; the detail says what was done. Raises ValueError if it cannot apply."""
    if code not in _GENERATORS:
        raise ValueError(f"unknown defect code {code!r}; use one of {', '.join(DEFECT_CODES)}")
    if code == "rate_out_of_range" and d.contract_type != "loan":
        raise ValueError(f"rate_out_of_range needs a loan contract; a {d.kind} states no contract rate")
    return _GENERATORS[code](d)
