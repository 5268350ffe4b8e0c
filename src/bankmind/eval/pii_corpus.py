"""A generated set of banking texts with gold PII spans and injected near misses.

Chat transcripts, loan review notes, KYC notes, complaint records and transfer instructions, built
from templates with a fixed seed. Every value is generated with a correct check digit (resident ID,
bank card, USCC) from real region codes and BIN prefixes, so the right answer is known by
construction. Near misses sit in the same texts: ID numbers with a wrong check character, card-like
contract, order and account numbers that fail Luhn, amounts, dates, long reference numbers that
contain a mobile number, invalid number segments, USCCs with a wrong check character.

    texts = generate(300, seed=20250604)
    texts[0].text, texts[0].spans, texts[0].near_misses
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from bankmind.guard.recognizers.bank_card import luhn_check_digit, luhn_valid
from bankmind.guard.recognizers.cn_id import check_character as id_check
from bankmind.guard.recognizers.cn_mobile import SEGMENTS
from bankmind.guard.recognizers.resources import current_divisions, load_bins, load_surnames
from bankmind.guard.recognizers.uscc import ALPHABET, org_check_character
from bankmind.guard.recognizers.uscc import check_character as uscc_check

DEFAULT_SEED = 20250604


@dataclass(frozen=True)
class GoldSpan:
    type: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class NearMiss:
    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class LabeledText:
    kind: str
    text: str
    spans: tuple[GoldSpan, ...]
    near_misses: tuple[NearMiss, ...]


@dataclass
class _Builder:
    parts: list[str] = field(default_factory=list)
    length: int = 0
    spans: list[GoldSpan] = field(default_factory=list)
    near: list[NearMiss] = field(default_factory=list)

    def add(self, text: str) -> _Builder:
        self.parts.append(text)
        self.length += len(text)
        return self

    def pii(self, type: str, value: str) -> _Builder:
        self.spans.append(GoldSpan(type, self.length, self.length + len(value), value))
        return self.add(value)

    def miss(self, kind: str, value: str) -> _Builder:
        self.near.append(NearMiss(kind, self.length, self.length + len(value), value))
        return self.add(value)

    def build(self, kind: str) -> LabeledText:
        return LabeledText(kind, "".join(self.parts), tuple(self.spans), tuple(self.near))


# value generators --------------------------------------------------------------------------------
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力国鹏斌宇浩凯丹婷雪琳晨欣怡佳俊峰"
    "晶慧倩颖志海波宁飞鑫彬亮健雷昊然梓涵轩博思瑞诗雨泽嘉睿欢琪悦晓春燕梅兰云龙凤新亚楠蕾媛洁璐薇琦"
    "阳东振永立德庆福禄寿喜光荣耀庭秋冬美惠淑贤良义礼智信忠孝仁爱铭哲远航翔宏伦炜晗煜萱蕊彤妍"
)
COMMON_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤温康施文牛樊葛邢"  # noqa: E501
ROADS = (
    "人民路", "解放路", "中山路", "建设路", "建国路", "胜利路", "友谊路", "文化路", "新华路", "长江路",
    "黄河路", "学府路", "科技路", "东风路", "红旗路", "光明路", "幸福路", "迎宾大道", "世纪大道",
    "滨江大道", "中山北路", "人民南路", "解放东路", "南京西路", "淮海中路", "五四路", "八一路", "青年路",
    "工业大道", "花园街", "振兴街", "朝阳街", "文昌巷", "金融街", "科技园路", "高新大道",
)  # fmt: skip
TOWNS = ("城关镇", "新华镇", "太平镇", "永安镇", "长安镇", "白沙镇", "河口乡", "东关街道", "西湖街道")
VILLAGES = ("王庄村", "李家村", "新建村", "东风村", "红星村", "杨柳村", "大河村")
DOMAINS = (
    "163.com",
    "qq.com",
    "126.com",
    "sina.com",
    "foxmail.com",
    "gmail.com",
    "example.com.cn",
    "corp.cn",
)
SYLLABLES = (
    "zhang",
    "wang",
    "li",
    "liu",
    "chen",
    "yang",
    "zhao",
    "wei",
    "min",
    "jing",
    "lei",
    "hua",
    "xiao",
    "ming",
)
AREA_CODES = (
    "010", "020", "021", "022", "023", "024", "025", "027", "028", "029", "0755", "0571", "0512", "0532",
    "0591", "0731", "0871", "0898", "0451", "0431", "0351", "0311", "0371", "0531", "0551", "0791",
    "0851", "0931", "0951", "0971", "0991", "0471", "0771", "0760", "0769", "0757",
)  # fmt: skip
COMPANIES = (
    "华鑫贸易有限公司",
    "恒通物流有限公司",
    "远大建材有限责任公司",
    "鼎盛科技股份有限公司",
    "丰收农业合作社",
)
MUNICIPALITIES = ("11", "12", "31", "50")


class Values:
    """Random realistic values, all valid by construction."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        divisions = current_divisions()
        self.counties = sorted(
            code
            for code, name in divisions.items()
            if not code.endswith("00") and name not in ("市辖区", "县") and len(name) >= 2
        )
        self.divisions = divisions
        self.bins = sorted(load_bins())
        surnames = load_surnames()
        self.compound = sorted(surnames.compound)[:12]
        self.cue_only = ("于", "成", "常", "时", "安", "向")

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def birth(self) -> str:
        year = self.rng.randint(1950, 2005)
        return f"{year}{self.rng.randint(1, 12):02d}{self.rng.randint(1, 28):02d}"

    def cn_id(self, *, wrong_check: bool = False) -> str:
        body = self.rng.choice(self.counties) + self.birth() + self.digits(3)
        check = id_check(body)
        if wrong_check:
            check = self.rng.choice([c for c in "0123456789X" if c != check])
        value = body + check
        roll = self.rng.random()
        if roll < 0.05:
            value = f"{value[:6]} {value[6:14]} {value[14:]}"
        elif roll < 0.08:
            value = self.wide(value)
        elif value.endswith("X") and roll < 0.3:
            value = value[:-1] + "x"
        return value

    def wide(self, value: str) -> str:
        """The same value typed with full-width digits (as some Chinese input methods do)."""
        return value.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})

    def cn_id15(self) -> str:
        return self.rng.choice(self.counties) + self.birth()[2:] + self.digits(3)

    def card(self, *, luhn: bool = True, grouped: bool | None = None) -> str:
        if self.rng.random() < 0.85:
            prefix = self.rng.choice(self.bins)
            length = self.rng.choice((16, 19, 19))
        else:
            prefix = self.rng.choice(("4", "5")) + self.digits(5)
            length = 16
        payload = prefix + self.digits(length - len(prefix) - 1)
        check = luhn_check_digit(payload)
        if not luhn:
            check = str((int(check) + self.rng.randint(1, 9)) % 10)
        number = payload + check
        if grouped is None:
            grouped = self.rng.random() < 0.35
        if grouped:
            sep = self.rng.choice((" ", " ", "-"))
            return sep.join(number[i : i + 4] for i in range(0, len(number), 4))
        return number

    def mobile(self) -> str:
        number = self.rng.choice(sorted(SEGMENTS)) + self.digits(8)
        style = self.rng.random()
        if style < 0.6:
            return number
        if style < 0.75:
            return f"{number[:3]}-{number[3:7]}-{number[7:]}"
        if style < 0.85:
            return f"{number[:3]} {number[3:7]} {number[7:]}"
        if style < 0.88:
            return self.wide(number)
        return self.rng.choice(("+86 ", "+86-", "0086 ", "+86", "(+86)")) + number

    def landline(self) -> str:
        area = self.rng.choice(AREA_CODES)
        sub = str(self.rng.randint(2, 8)) + self.digits(7 if len(area) == 3 or self.rng.random() < 0.7 else 6)
        style = self.rng.random()
        if style < 0.1:
            return f"{area}-{sub}转{self.rng.randint(100, 8999)}"
        if style < 0.6:
            return f"{area}-{sub}"
        if style < 0.8:
            return f"({area}){sub}"
        return f"{area}-{sub[:-4]} {sub[-4:]}"

    def email(self) -> str:
        local = self.rng.choice(SYLLABLES) + self.rng.choice(("", ".", "_")) + self.rng.choice(SYLLABLES)
        if self.rng.random() < 0.5:
            local += str(self.rng.randint(1, 9999))
        return f"{local}@{self.rng.choice(DOMAINS)}"

    def uscc(self, *, wrong_check: bool = False) -> str:
        head = self.rng.choice(("91", "91", "91", "92", "93", "12", "52", "11"))
        region = self.rng.choice(self.counties)
        org8 = "".join(self.rng.choice(ALPHABET[:10] if i < 6 else ALPHABET) for i in range(8))
        body = head + region + org8 + org_check_character(org8)
        check = uscc_check(body)
        if wrong_check:
            check = self.rng.choice([c for c in ALPHABET if c != check])
        return body + check

    def passport(self) -> str:
        if self.rng.random() < 0.6:
            return "E" + self.digits(8)
        return "E" + self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + self.digits(7)

    def person(self, *, compound: bool | None = None) -> str:
        roll = self.rng.random()
        if compound or (compound is None and roll < 0.08):
            surname = self.rng.choice(self.compound)
        elif roll < 0.12:
            surname = self.rng.choice(self.cue_only)
        else:
            surname = self.rng.choice(COMMON_SURNAMES)
        given = "".join(self.rng.choice(GIVEN_CHARS) for _ in range(1 if self.rng.random() < 0.3 else 2))
        return surname + given

    def surname(self) -> str:
        return self.rng.choice(COMMON_SURNAMES)

    def address(self) -> str:
        county = self.rng.choice(self.counties)
        province = self.divisions.get(county[:2] + "0000", "")
        city = self.divisions.get(county[:4] + "00", "")
        parts = [province]
        if county[:2] not in MUNICIPALITIES and city and city not in ("市辖区", "县") and "直辖" not in city:
            parts.append(city)
        parts.append(self.divisions[county])
        if self.rng.random() < 0.15:
            parts += [self.rng.choice(TOWNS), self.rng.choice(VILLAGES), f"{self.rng.randint(1, 12)}组"]
            parts.append(f"{self.rng.randint(1, 99)}号")
        else:
            parts += [self.rng.choice(ROADS), f"{self.rng.randint(1, 999)}号"]
            roll = self.rng.random()
            if roll < 0.3:
                building, unit, floor = (
                    self.rng.randint(1, 30),
                    self.rng.randint(1, 6),
                    self.rng.randint(1, 33),
                )
                parts.append(f"{building}栋{unit}单元{floor}0{self.rng.randint(1, 4)}室")
            elif roll < 0.5:
                parts.append(
                    f"{self.rng.randint(1, 20)}号楼{self.rng.randint(1, 28)}0{self.rng.randint(1, 8)}室"
                )
            elif roll < 0.6:
                parts.append(
                    f"{self.rng.choice('ABC')}座{self.rng.randint(5, 40)}0{self.rng.randint(1, 9)}室"
                )
        return "".join(parts)

    # near misses -------------------------------------------------------------------------------
    def amount(self) -> str:
        roll = self.rng.random()
        if roll < 0.4:
            return f"{self.rng.randint(1000, 99_999_999):,}.{self.rng.randint(0, 99):02d}"
        if roll < 0.7:
            return f"{self.rng.randint(10_000_000, 99_999_999_999)}.00"
        return f"{self.rng.choice(('13', '15', '18'))}{self.digits(9)}.{self.digits(2)}"

    def date(self) -> str:
        y, m, d = self.rng.randint(2000, 2026), self.rng.randint(1, 12), self.rng.randint(1, 28)
        return self.rng.choice((f"{y}{m:02d}{d:02d}", f"{y}-{m:02d}-{d:02d}", f"{y}/{m:02d}/{d:02d}"))

    def luhn_failing(self) -> str:
        while True:
            value = self.card(luhn=False, grouped=self.rng.random() < 0.2)
            if not luhn_valid(value.replace(" ", "").replace("-", "")):
                return value

    def contract_number(self) -> str:
        while True:
            value = self.rng.choice(("62", "60", "43", "52")) + self.digits(self.rng.choice((14, 15, 16, 17)))
            if not luhn_valid(value):
                return value

    def reference_number(self) -> str:
        """A long reference number with a mobile number inside it."""
        return self.date()[:4] + self.digits(4) + self.rng.choice(sorted(SEGMENTS)) + self.digits(8)

    def bad_mobile(self) -> str:
        return "1" + self.rng.choice("012") + self.digits(9)

    def account_number(self) -> str:
        """A corporate account number of the bank itself (not a card, fails Luhn)."""
        while True:
            value = self.rng.choice(("1100", "3100", "4400", "3201")) + self.digits(self.rng.choice((14, 16)))
            if not luhn_valid(value):
                return value


# templates -------------------------------------------------------------------------------------
Template = Callable[[_Builder, Values], None]


def _chat(b: _Builder, v: Values) -> None:
    name, surname = v.person(), v.surname()
    b.add(
        "【在线客服对话记录】\n客户：你好，我的借记卡被锁了。\n客服：您好，请问您是持卡人本人吗？请提供卡号。\n"
    )
    b.add("客户：是的，卡号").pii("BANK_CARD", v.card()).add("，我叫").pii("PERSON", name).add("。\n")
    b.add("客服：").pii("PERSON", name[:2] if name[:2] in v.compound else name[:1]).add("先生/女士您好，")
    b.add("请提供开户时预留的手机号。\n客户：").pii("CN_MOBILE", v.mobile()).add("，身份证号")
    b.pii("CN_ID", v.cn_id()).add("。\n客服：已核实，单号").miss("reference_number", v.reference_number())
    b.add("，解锁金额上限").miss("amount", v.amount()).add("元，如有疑问请联系客户经理")
    b.pii("PERSON", v.person()).add("，座机").pii("CN_PHONE", v.landline()).add("。\n")
    b.add("客户：好的，谢谢").pii("PERSON", surname).add("经理。\n")


def _loan_note(b: _Builder, v: Values) -> None:
    borrower = v.person()
    b.add("个人住房贷款审查意见\n借款人：").pii("PERSON", borrower).add("，身份证号码：").pii(
        "CN_ID", v.cn_id()
    )
    b.add("，现住址：").pii("ADDRESS", v.address()).add("。\n申请金额").miss("amount", v.amount())
    b.add("元，期限20年，合同编号").miss("contract_number", v.contract_number()).add("，申请日期")
    b.miss("date", v.date()).add("。\n还款账户").pii("BANK_CARD", v.card()).add("，联系电话")
    b.pii("CN_MOBILE", v.mobile()).add("。共同借款人").pii("PERSON", v.person()).add("（配偶），身份证号")
    b.pii("CN_ID", v.cn_id()).add("。\n经核查，借款人提供的原身份证号")
    b.miss("wrong_check_id", v.cn_id(wrong_check=True)).add("校验位有误，已更正。由于利率下调，")
    b.add("客户经理").pii("PERSON", v.person()).add("建议按月等额还款。\n")


def _kyc_note(b: _Builder, v: Values) -> None:
    b.add("对公客户尽职调查记录\n企业名称：").add(v.rng.choice(COMPANIES)).add("，统一社会信用代码：")
    b.pii("USCC", v.uscc()).add("，注册地址：").pii("ADDRESS", v.address()).add("。\n法定代表人：")
    b.pii("PERSON", v.person()).add("，护照号码：").pii("PASSPORT", v.passport()).add("，电子邮箱：")
    b.pii("EMAIL", v.email()).add("。\n财务负责人").pii("PERSON", v.person()).add("，手机")
    b.pii("CN_MOBILE", v.mobile()).add("，办公电话").pii("CN_PHONE", v.landline()).add("。\n")
    b.add("基本户账号").miss("account_number", v.account_number()).add("，")
    b.add("客户提交的旧版执照代码").miss("wrong_check_uscc", v.uscc(wrong_check=True))
    b.add("已作废。注册资本").miss("amount", v.amount()).add("元，成立日期").miss("date", v.date()).add(
        "。\n"
    )


def _complaint(b: _Builder, v: Values) -> None:
    name = v.person()
    b.add("投诉工单\n").pii("PERSON", name).add("女士来电反映，其信用卡").pii("BANK_CARD", v.card())
    b.add("于").miss("date", v.date()).add("发生一笔").miss("amount", v.amount()).add("元的境外交易，")
    b.add("本人否认。客户邮箱").pii("EMAIL", v.email()).add("，回访电话").pii("CN_MOBILE", v.mobile())
    b.add("。订单号").miss("luhn_failing", v.luhn_failing()).add("；客户称曾拨打")
    b.miss("bad_mobile", v.bad_mobile()).add("未接通。处理人：").pii("PERSON", v.person()).add("。\n")


def _transfer(b: _Builder, v: Values) -> None:
    b.add("跨行转账指令\n付款人：").pii("PERSON", v.person()).add("\n付款账号：").pii("BANK_CARD", v.card())
    b.add("\n收款人：").pii("PERSON", v.person()).add("\n收款账号：").pii("BANK_CARD", v.card(grouped=True))
    b.add("\n金额：").miss("amount", v.amount()).add("元\n附言：房租，联系人").pii("PERSON", v.person())
    b.add("，电话").pii("CN_MOBILE", v.mobile()).add("\n流水号：").miss(
        "reference_number", v.reference_number()
    )
    b.add("\n")


def _branch_visit(b: _Builder, v: Values) -> None:
    surname = v.surname()
    b.add("网点到访记录：").pii("PERSON", surname).add("先生持老版身份证").pii("CN_ID", v.cn_id15())
    b.add("办理换卡，新卡号").pii("BANK_CARD", v.card()).add("，通讯地址").pii("ADDRESS", v.address())
    b.add("，座机").pii("CN_PHONE", v.landline()).add("。经办柜员").pii("PERSON", v.person())
    b.add("，复核人").pii("PERSON", v.person()).add("。交易金额").miss("amount", v.amount()).add("元，凭证号")
    b.miss("contract_number", v.contract_number()).add("。\n")


TEMPLATES: dict[str, Template] = {
    "chat": _chat,
    "loan_note": _loan_note,
    "kyc_note": _kyc_note,
    "complaint": _complaint,
    "transfer": _transfer,
    "branch_visit": _branch_visit,
}


def generate(n: int = 300, *, seed: int = DEFAULT_SEED) -> list[LabeledText]:
    """`n` labelled texts, cycling through the templates; the same seed gives the same texts."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    values = Values(rng)
    kinds = list(TEMPLATES)
    texts: list[LabeledText] = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        builder = _Builder()
        TEMPLATES[kind](builder, values)
        texts.append(builder.build(kind))
    return texts
