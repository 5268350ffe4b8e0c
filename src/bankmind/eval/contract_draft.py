"""The values a generated contract states (parties, amounts, dates, rates), drawn from a seed.

A `Draft` holds every value a contract states; defect generators (`contract_defects`) change it
before `contract_clauses` writes the text, so the truth is read off the same draft the text came
from. Names, banks and places are invented (the pools below); ID numbers and USCCs have valid check
digits (`contracts.ids`); amounts in words come from `contracts.numerals`.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from bankmind.contracts.ids import make_resident_id, make_uscc
from bankmind.contracts.numerals import amount_in_words
from bankmind.eval.contract_truth import CONTRACT_TYPES, LOAN_KINDS, Format, TruthParty

__all__ = [
    "LOAN_TYPES",
    "Draft",
    "MainDebt",
    "Rate",
    "add_months",
    "cn_date",
    "company_name",
    "figures",
    "new_draft",
    "person_name",
]

_BANKS = (
    ("青禾", "农村商业银行股份有限公司", "青农商"),
    ("东湖", "农村商业银行股份有限公司", "东农商"),
    ("瑞丰", "银行股份有限公司", "瑞银"),
    ("金川", "村镇银行股份有限公司", "金村"),
    ("汇泽", "银行股份有限公司", "汇银"),
    ("南溪", "农村商业银行股份有限公司", "南农商"),
    ("嘉禾", "银行股份有限公司", "嘉银"),
)
_BRANCHES = ("城东支行", "开发区支行", "滨江支行", "营业部", "高新区支行", "城南支行", "新城支行")
_PLACES = (
    ("浙江省", "宁波市", ("鄞州区", "海曙区", "江北区")),
    ("江苏省", "苏州市", ("姑苏区", "吴中区", "相城区")),
    ("山东省", "潍坊市", ("奎文区", "潍城区", "坊子区")),
    ("四川省", "绵阳市", ("涪城区", "游仙区")),
    ("湖北省", "宜昌市", ("西陵区", "伍家岗区")),
    ("福建省", "泉州市", ("丰泽区", "鲤城区")),
    ("河南省", "洛阳市", ("西工区", "涧西区")),
)
_ROADS = (
    "人民路", "解放路", "建设路", "中山路", "长江路", "学府路", "工业大道", "迎宾大道", "文化路", "新华街",
)  # fmt: skip
_BRANDS = (
    "恒达", "鑫源", "永盛", "博远", "瑞祥", "丰华", "德润",
    "宏图", "启明", "天禾", "锦程", "嘉诚", "越丰", "泓远",
)  # fmt: skip
_TRADES = (
    "机械制造", "纺织", "食品", "建材", "电子科技", "物流", "农业开发", "包装材料", "汽车零部件", "五金制品",
)  # fmt: skip
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜"
)
_GIVEN = "伟芳敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉兰萍红鹏飞国志文斌辉宇浩凯晨欣怡佳琪涵轩桐俊婷雪梅燕"
_ROLES = {
    "loan": ("贷款人", "借款人"),
    "guarantee": ("债权人", "保证人"),
    "mortgage": ("抵押权人", "抵押人"),
    "pledge": ("质权人", "出质人"),
}
LOAN_TYPES = {
    "个人借款合同": "个人消费贷款",
    "流动资金借款合同": "流动资金贷款",
    "固定资产借款合同": "固定资产贷款",
}
_CN = "〇一二三四五六七八九"


@dataclass(frozen=True)
class Rate:
    """The contract rate as written, and the annual percentage it means."""

    text: str
    annual: Decimal | None


@dataclass
class MainDebt:
    """The loan a guarantee, mortgage or pledge secures, as this document describes it."""

    number: str
    title: str
    loan_type: str
    debtor: str
    amount: Decimal
    term_months: int
    start: date
    end: date


@dataclass
class Draft:
    """Every value a generated contract states; defects edit it before the text is written."""

    rng: random.Random
    seed: int
    kind: str
    format: Format
    number: str
    parties: list[TruthParty]
    amount: Decimal
    words: str
    figure_style: int
    date_style: int
    sign_date_style: int
    start: date
    end: date
    signing: date
    term_months: int
    place: str
    court: str
    loan_type: str = ""
    purpose: str = ""
    rate: Rate | None = None
    repayment: str = ""
    security: str = ""
    account: str = ""
    main: MainDebt | None = None
    collateral: str = ""
    collateral_value: Decimal | None = None
    blanks: set[str] = field(default_factory=set)
    dropped: set[str] = field(default_factory=set)
    touched: set[str] = field(default_factory=set)
    """What defects already changed, so a second defect picks something else."""
    sign_names: dict[int, str] = field(default_factory=dict)
    body_name: str | None = None
    seal_texts: dict[int, str] = field(default_factory=dict)
    missing_seals: set[int] = field(default_factory=set)
    unsigned: set[int] = field(default_factory=set)
    name_seals: set[int] = field(default_factory=set)
    phone: str = ""
    """A natural person's 联系电话 in the parties block (drawn before defects, like every value)."""

    @property
    def contract_type(self) -> str:
        return CONTRACT_TYPES[self.kind]

    @property
    def bank(self) -> TruthParty:
        return self.parties[0]

    @property
    def other(self) -> TruthParty:
        return self.parties[1]

    def date_text(self, day: date, style: int | None = None) -> str:
        return cn_date(day, self.date_style if style is None else style)


# values ------------------------------------------------------------------------------------------
def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the month's end (2024-01-31 + 1 → 2024-02-29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def cn_date(day: date, style: int = 0) -> str:
    """2025年6月4日 (0), 2025年06月04日 (1) or 二〇二五年六月四日 (2), as contracts write dates."""
    if style == 1:
        return f"{day.year}年{day.month:02d}月{day.day:02d}日"
    if style == 2:
        year = "".join(_CN[int(c)] for c in str(day.year))
        return f"{year}年{_cn_small(day.month)}月{_cn_small(day.day)}日"
    return f"{day.year}年{day.month}月{day.day}日"


def _cn_small(n: int) -> str:
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else "十" if tens == 1 else _CN[tens] + "十") + (_CN[ones] if ones else "")


def figures(amount: Decimal, style: int) -> str:
    """The 小写 amount: ¥1,000,000.00 (0), ￥1,000,000.00元 (1) or 1000000.00元 (2)."""
    if style == 0:
        return f"¥{amount:,.2f}"
    if style == 1:
        return f"￥{amount:,.2f}元"
    return f"{amount:.2f}元"


def person_name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))


def company_name(rng: random.Random, city: str) -> str:
    suffix = rng.choices(("有限公司", "股份有限公司", "有限责任公司"), weights=(8, 1, 1))[0]
    return f"{city.removesuffix('市')}{rng.choice(_BRANDS)}{rng.choice(_TRADES)}{suffix}"


def _address(rng: random.Random, place: tuple[str, str, tuple[str, ...]]) -> str:
    province, city, districts = place
    return f"{province}{city}{rng.choice(districts)}{rng.choice(_ROADS)}{rng.randint(1, 899)}号"


def _person(rng: random.Random, role: str, place: tuple[str, str, tuple[str, ...]], seed: int) -> TruthParty:
    birth = date(rng.randint(1962, 2000), rng.randint(1, 12), rng.randint(1, 28))
    return TruthParty(
        person_name(rng), role, "person", make_resident_id(seed, birth), None, _address(rng, place)
    )


def _company(rng: random.Random, role: str, place: tuple[str, str, tuple[str, ...]], seed: int) -> TruthParty:
    name = company_name(rng, place[1])
    return TruthParty(name, role, "organisation", make_uscc(seed), person_name(rng), _address(rng, place))


def _bank(rng: random.Random, role: str, place: tuple[str, str, tuple[str, ...]], seed: int) -> TruthParty:
    brand, form, _ = rng.choice(_BANKS)
    name = f"{brand}{form}{rng.choice(_BRANCHES)}"
    return TruthParty(name, role, "organisation", make_uscc(seed), person_name(rng), _address(rng, place))


def _amount(rng: random.Random, kind: str) -> Decimal:
    low, high, step = {
        "个人借款合同": (30, 1000, 1_000),
        "流动资金借款合同": (50, 3000, 10_000),
        "固定资产借款合同": (30, 1500, 100_000),
    }.get(kind, (50, 3000, 10_000))
    amount = Decimal(rng.randint(low, high) * step)
    if rng.random() < 0.1:  # now and then an amount that is not round
        amount += Decimal(rng.randint(1, 99) * 10) + Decimal(rng.choice((0, 0, 50, 5))) / 100
    return amount


def _number(rng: random.Random, bank: str, kind: str, year: int) -> str:
    abbr = next((a for brand, _, a in _BANKS if bank.startswith(brand)), "银")
    word = {
        "个人借款合同": "个借",
        "流动资金借款合同": "流借",
        "固定资产借款合同": "固借",
        "保证合同": "保",
        "抵押合同": "抵",
        "质押合同": "质",
    }[kind]
    code = {
        "个人借款合同": "GJ",
        "流动资金借款合同": "LD",
        "固定资产借款合同": "GD",
        "保证合同": "BZ",
        "抵押合同": "DY",
        "质押合同": "ZY",
    }[kind]
    if rng.random() < 0.5:
        return f"（{year}）{abbr}{word}字第{rng.randint(1, 9999):04d}号"
    return f"{code}{year}{rng.randint(1, 999999):06d}"


def _rate(rng: random.Random, kind: str, months: int) -> Rate:
    if rng.random() < 0.4:
        annual = Decimal(rng.randint(56, 130) * 5) / 100
        if kind == "个人借款合同" and rng.random() < 0.3:
            monthly = (annual * 10 / 12).quantize(Decimal("0.001"))
            return Rate(
                f"本合同项下借款为固定利率，年利率为{annual}%（折合月利率{monthly}‰），借款期限内不作调整。",
                annual,
            )
        return Rate(f"本合同项下借款为固定利率，年利率为{annual}%，借款期限内不作调整。", annual)
    long = months > 60
    lpr = Decimal("3.50") if long else Decimal("3.00")
    bp = rng.choice((-30, -20, -10, 0, 15, 25, 45, 60, 85, 100, 150, 200, 250))
    annual = lpr + Decimal(bp) / 100
    tenor = "5年期以上" if long else "1年期"
    spread = f"加{bp}个基点" if bp >= 0 else f"减{-bp}个基点"
    return Rate(
        f"本合同项下借款为浮动利率，以本合同签订日前一个工作日全国银行间同业拆借中心公布的{tenor}贷款市场报价"
        f"利率（LPR）为定价基础，当期LPR为{lpr}%，{spread}（1个基点为0.01%），即年利率为{annual}%。"
        "利率每12个月调整一次，调整日为每年的1月1日。",
        annual,
    )


def _purpose(rng: random.Random, kind: str, city: str) -> str:
    if kind == "个人借款合同":
        return rng.choice(("家庭住房装修", "购买家用汽车", "子女教育支出", "购买家具家电"))
    if kind == "固定资产借款合同":
        product = rng.choice(("精密零部件", "环保包装材料", "冷链仓储", "智能家电配件"))
        return f"{city.removesuffix('市')}年产{rng.randint(5, 80)}万件{product}生产线建设项目"
    return rng.choice(("采购原材料", "支付货款", "日常生产经营周转", "支付员工工资及水电费"))


def _repayment(rng: random.Random, kind: str, day: int) -> str:
    if kind == "个人借款合同":
        way = rng.choice(("等额本息", "等额本金"))
        return f"本合同项下借款采用{way}还款方式，借款人应于每月{day}日偿还当期借款本息。"
    if kind == "固定资产借款合同":
        return (
            "还款方式为按季付息、分期还本：借款人应于每季末月的20日支付利息，自借款发放满12个月后"
            "每6个月等额归还借款本金一次，借款期限届满时结清全部本息。"
        )
    way = rng.choice(("按月付息，到期一次还本", "按季付息，到期一次还本"))
    return f"本合同项下借款的还款方式为{way}，结息日为每月（季）的20日。"


def new_draft(
    seed: int,
    kind: str,
    fmt: Format,
    *,
    main: MainDebt | None = None,
    bank: TruthParty | None = None,
    person: bool | None = None,
    other: TruthParty | None = None,
) -> Draft:
    """The values of a clean contract of `kind`, all drawn from `seed`.

    `main` and `bank` make a guarantee/mortgage/pledge refer to a given loan (multi-document sets);
    `other` is a given counterparty (its role is set here); `person` forces the counterparty to be a
    natural person (True) or an organisation (False).
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    place = rng.choice(_PLACES)
    ctype = CONTRACT_TYPES[kind]
    bank_role, other_role = _ROLES[ctype]
    if bank is None:
        bank = _bank(rng, bank_role, place, seed * 7 + 1)
    else:
        bank = TruthParty(
            bank.name, bank_role, bank.kind, bank.id_number, bank.legal_representative, bank.address
        )
    if person is None:
        person = kind == "个人借款合同" or (kind not in LOAN_KINDS and rng.random() < 0.45)
    maker = _person if person else _company
    drawn = maker(rng, other_role, place, seed * 7 + 2)
    given = other is not None and not (person and other.kind != "person")
    other = replace(other, role=other_role) if given and other is not None else drawn
    start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 640))
    months = {"个人借款合同": (12, 60), "流动资金借款合同": (6, 36), "固定资产借款合同": (36, 120)}
    term = rng.randint(*months.get(kind, (6, 36)))
    if kind in LOAN_KINDS:
        amount = _amount(rng, kind)
    else:
        if main is None:
            debtor = company_name(rng, place[1]) if rng.random() < 0.6 else person_name(rng)
            loan_kind = "流动资金借款合同" if "公司" in debtor else "个人借款合同"
            main = MainDebt(
                _number(rng, bank.name, loan_kind, start.year),
                loan_kind,
                LOAN_TYPES[loan_kind],
                debtor,
                _amount(rng, loan_kind),
                term,
                start,
                add_months(start, term) - timedelta(days=rng.choice((0, 1))),
            )
        amount, term, start = main.amount, main.term_months, main.start
    end = add_months(start, term) - timedelta(days=rng.choice((0, 1)))
    if main is not None:
        end = main.end
    signing = start - timedelta(days=rng.choice((0, 0, 1, 2, 3, 5, 7)))
    district = place[2][0]
    draft = Draft(
        rng=rng,
        seed=seed,
        kind=kind,
        format=fmt,
        number=_number(rng, bank.name, kind, signing.year),
        parties=[bank, other],
        amount=amount,
        words=amount_in_words(amount),
        figure_style=rng.randrange(3),
        date_style=rng.choice((0, 0, 1)),
        sign_date_style=rng.choice((0, 1, 2)),
        start=start,
        end=end,
        signing=signing,
        term_months=term,
        place=f"{place[0]}{place[1]}{district}",
        court=f"{place[1]}{district}人民法院"
        if rng.random() < 0.7
        else f"{place[1].removesuffix('市')}仲裁委员会",
        main=main,
    )
    if kind in LOAN_KINDS:
        draft.loan_type = LOAN_TYPES[kind]
        draft.purpose = _purpose(rng, kind, place[1])
        draft.rate = _rate(rng, kind, term)
        draft.repayment = _repayment(rng, kind, rng.randint(1, 28))
        draft.security = rng.choice(("保证", "抵押", "质押") if kind != "个人借款合同" else ("信用", "保证"))
        draft.account = "62" + "".join(str(rng.randrange(10)) for _ in range(17))
    elif kind == "抵押合同":
        draft.collateral_value = (amount * Decimal(rng.choice((13, 15, 18, 20))) / 10).quantize(
            Decimal(10000)
        )
        area = Decimal(rng.randint(6000, 40000)) / 100
        draft.collateral = (
            f"抵押人所有的位于{_address(rng, place)}的房产，不动产权证书号："
            f"{place[0][:1]}（{start.year - rng.randint(1, 8)}）{place[1]}不动产权"
            f"第{rng.randint(1, 99999):07d}号，"
            f"建筑面积{area}平方米"
        )
    elif kind == "质押合同":
        draft.collateral_value = (amount * Decimal(rng.choice((11, 12, 15))) / 10).quantize(Decimal(1000))
        draft.collateral = rng.choice(
            (
                f"出质人持有的定期存单一张（存单号：{rng.randint(10**11, 10**12 - 1)}）",
                f"出质人对{company_name(rng, place[1])}享有的应收账款",
                f"出质人持有的{company_name(rng, place[1])}{rng.randint(5, 40)}%的股权",
            )
        )
    if rng.random() < 0.25:
        draft.name_seals.add(1 if other.kind == "organisation" else 0)
    draft.phone = f"1{rng.choice('3578')}{rng.randint(10**8, 10**9 - 1)}"
    return draft
