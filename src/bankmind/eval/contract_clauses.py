"""The clauses of a generated contract, written from its `Draft`, and its signature page.

Clause wording follows the model loan, guarantee, mortgage and pledge contracts of Chinese banks:
every 民法典 第六百六十八条 item (借款种类、币种、用途、数额、利率、期限和还款方式) in a loan contract, the
第六百八十四条 / 第四百条 / 第四百二十七条 items in guarantee, mortgage and pledge contracts. Each droppable
clause's keywords are kept out of the other clauses, so a dropped clause is really gone.
"""

from __future__ import annotations

from dataclasses import dataclass

from bankmind.eval.contract_draft import Draft, Rate, figures

__all__ = ["BLANK", "DROPPABLE", "Clause", "SignBlock", "Text", "body", "sign_blocks"]

BLANK = "________"
"""How a template's unfilled slot looks."""

DROPPABLE: dict[str, dict[str, str]] = {
    "loan": {"purpose": "借款用途", "repayment": "还款方式", "dispute": "争议解决"},
    "guarantee": {"mode": "保证方式", "scope": "保证范围", "period": "保证期间", "dispute": "争议解决"},
    "mortgage": {"scope": "担保范围", "dispute": "争议解决"},
    "pledge": {"scope": "担保范围", "delivery": "质押财产交付", "dispute": "争议解决"},
}
"""Clauses a missing_clause defect may drop, by contract type: clause key → the clause's name."""

_CN = "〇一二三四五六七八九"

Text = tuple[str, tuple[str, ...]]
"""A paragraph's text and the truth fields it states."""


@dataclass
class Clause:
    key: str
    heading: str
    paragraphs: list[Text]


@dataclass
class SignBlock:
    """One party's place on the signature page: 盖章 line (organisations) and 签字 slot."""

    party: int
    seal_line: Text | None
    slot_line: Text
    slot_printed: str
    signer: str
    signed: bool = True
    seal_text: str | None = None
    seal_kind: str = "合同专用章"
    seal_present: bool = True
    name_seal: bool = False
    fingerprint: bool = False


# clauses -----------------------------------------------------------------------------------------
def _amount_text(d: Draft, lead: str) -> Text:
    if "amount" in d.blanks:
        return f"{lead}人民币（大写）{BLANK}（小写）{BLANK}。", ("amount", "amount_in_words", "currency")
    return (
        f"{lead}人民币（大写）{d.words}（小写）{figures(d.amount, d.figure_style)}。",
        ("amount", "amount_in_words", "currency"),
    )


def _period_text(d: Draft, lead: str) -> Text:
    end = "____年__月__日" if "end_date" in d.blanks else d.date_text(d.end)
    return f"{lead}{d.term_months}个月，自{d.date_text(d.start)}起至{end}止。", (
        "term",
        "start_date",
        "end_date",
    )


def _dispute(d: Draft, who: str) -> Clause:
    if d.court.endswith("法院"):
        way = f"向{who}住所地有管辖权的人民法院提起诉讼"
    else:
        way = f"提交{d.court}按其届时有效的仲裁规则进行仲裁，仲裁裁决是终局的"
    return Clause(
        "dispute", "争议解决", [(f"本合同履行中发生的争议，由各方协商解决；协商不成的，{way}。", ())]
    )


def _closing(d: Draft) -> Clause:
    copies = len(d.parties) + 1
    return Clause(
        "other",
        "其他约定",
        [
            (
                "本合同自各方签字或盖章之日起生效。本合同未尽事宜，由各方另行签订补充协议，补充协议与本合同具有同等效力。",
                (),
            ),
            (f"本合同一式{_CN[copies]}份，各方各执一份，其余用于办理相关手续，每份具有同等法律效力。", ()),
            ("其他约定事项：无。", ()),
        ],
    )


def _loan_body(d: Draft) -> list[Clause]:
    bank, other = d.bank.role, d.other.role
    rate = d.rate or Rate("", None)
    rate_text = "本合同项下借款年利率为______%。" if "rate" in d.blanks else rate.text
    purpose = BLANK if "purpose" in d.blanks else d.purpose
    holder = d.body_name or d.other.name
    security = {
        "信用": "本合同项下借款为信用借款，无担保。",
        "保证": "本合同项下借款的担保方式为保证，保证人与贷款人另行签订保证合同。",
        "抵押": "本合同项下借款的担保方式为抵押，抵押人与贷款人另行签订抵押合同并办理抵押登记。",
        "质押": "本合同项下借款的担保方式为质押，出质人与贷款人另行签订质押合同。",
    }.get(d.security, d.security)
    clauses = [
        Clause(
            "amount",
            "借款种类、币种及金额",
            [
                (f"借款种类：{d.loan_type}。", ()),
                ("币种：人民币。", ("currency",)),
                _amount_text(d, "借款金额："),
            ],
        ),
        Clause(
            "purpose",
            "借款用途",
            [
                (f"借款用途：{purpose}。", ("purpose",)),
                (
                    f"未经{bank}书面同意，{other}不得改变借款用途，不得将借款用于股本权益性投资、证券、期货、理财等"
                    "投资，不得用于国家禁止生产、经营的领域。",
                    (),
                ),
            ],
        ),
        Clause(
            "term",
            "借款期限",
            [
                _period_text(d, "本合同项下借款期限为"),
                ("实际放款日与上述起始日不一致的，借款期限自实际放款日起算，以借款借据记载为准。", ()),
            ],
        ),
        Clause(
            "rate",
            "借款利率和计息",
            [
                (rate_text, ("interest_rate",)),
                ("本合同项下借款按日计息，日利率＝年利率÷360。", ()),
            ],
        ),
        Clause(
            "payout",
            "借款的发放与支付",
            [
                (f"{bank}将借款发放至{other}的以下账户：户名：{holder}，账号：{d.account}。", ("body_name",)),
                (
                    f"单笔支付金额超过人民币100万元的，{bank}采用受托支付方式，将借款支付给{other}的交易对象。",
                    (),
                ),
            ],
        ),
        Clause(
            "repayment",
            "还款",
            [
                (d.repayment, ()),
                (f"{other}提前归还借款的，应提前30日向{bank}提出书面申请，经{bank}同意后方可办理。", ()),
            ],
        ),
        Clause("security", "担保方式", [(security, ())]),
        Clause(
            "duties",
            "双方的权利和义务",
            [
                (
                    f"{other}应按时足额归还借款本息，如实提供{bank}要求的财务资料和经营信息，接受{bank}对借款使用"
                    "情况的检查和监督。",
                    (),
                ),
                (
                    f"{bank}应按本合同约定发放借款，并对{other}提供的非公开信息保密，法律法规另有规定的除外。",
                    (),
                ),
            ],
        ),
        Clause(
            "default",
            "违约责任",
            [
                (
                    f"{other}未按期归还借款本金的，{bank}有权对逾期借款自逾期之日起按本合同约定的借款利率加收50%"
                    "计收罚息；对不能按期支付的利息，按罚息利率计收复利。",
                    (),
                ),
                (
                    f"{other}未按约定用途使用借款的，对挪用部分自挪用之日起按本合同约定的借款利率加收100%计收罚息，"
                    f"{bank}有权提前收回已发放的借款。",
                    (),
                ),
            ],
        ),
        _dispute(d, bank),
        _closing(d),
    ]
    return clauses


def _secured_debt(d: Draft, what: str) -> Clause:
    main = d.main
    assert main is not None
    number = BLANK if "main_contract_number" in d.blanks else main.number
    return Clause(
        "debt",
        f"被{what}的主债权",
        [
            (
                f"本合同{what}的主债权为{d.bank.role}依据其与债务人{main.debtor}签订的《{main.title}》"
                f"（主合同编号：{number}，以下简称“主合同”）向债务人发放的{main.loan_type}。",
                ("main_contract_number",),
            ),
            _amount_text(d, "主债权本金为"),
            _period_text(d, "债务人履行债务的期限为"),
        ],
    )


def _scope(d: Draft, name: str) -> Clause:
    return Clause(
        "scope",
        name,
        [
            (
                f"本合同的{name}包括主合同项下的借款本金、利息、罚息、复利、违约金、损害赔偿金以及实现债权和"
                "担保权利的费用（包括但不限于案件受理费、保全费、律师费、公告费、执行费等）。",
                (),
            )
        ],
    )


def _guarantee_body(d: Draft) -> list[Clause]:
    creditor = d.bank.role
    return [
        _secured_debt(d, "保证"),
        Clause("mode", "保证方式", [("本合同项下的保证方式为连带责任保证。", ())]),
        _scope(d, "保证范围"),
        Clause(
            "period",
            "保证期间",
            [
                (
                    "本合同的保证期间为主合同约定的债务履行期限届满之日起三年。主合同债务分期履行的，每期债务的"
                    "保证期间均为最后一期债务履行期限届满之日起三年。",
                    (),
                )
            ],
        ),
        Clause(
            "promise",
            "保证人的声明与承诺",
            [
                (
                    f"保证人{d.body_name or d.other.name}具有签订和履行本合同的主体资格，"
                    "已充分了解主合同的全部内容，"
                    f"自愿为债务人的债务向{creditor}提供保证；{creditor}与债务人协议变更主合同的，应事先征得保证人"
                    "的书面同意。",
                    ("body_name",),
                )
            ],
        ),
        _dispute(d, creditor),
        _closing(d),
    ]


def _value_text(d: Draft) -> Text:
    assert d.collateral_value is not None
    return (
        f"经各方确认，上述财产的评估价值为{d.collateral_value:,.2f}元。该价值不作为实现担保物权时处分财产的"
        "价格依据。",
        ("collateral_value",),
    )


def _mortgage_body(d: Draft) -> list[Clause]:
    creditor = d.bank.role
    owner = d.body_name or d.other.name
    return [
        _secured_debt(d, "担保"),
        Clause(
            "property",
            "抵押财产",
            [(f"抵押财产为{d.collateral}，所有权人为{owner}。", ("collateral", "body_name")), _value_text(d)],
        ),
        _scope(d, "担保范围"),
        Clause(
            "registry",
            "抵押登记",
            [
                (
                    f"抵押人应于本合同签订之日起15日内会同{creditor}到不动产登记机构办理"
                    "抵押登记，并将不动产登记证明交由抵押权人保管。",
                    (),
                )
            ],
        ),
        Clause(
            "custody",
            "抵押财产的占有与保险",
            [
                (
                    "抵押期间，抵押财产由抵押人占有、使用和维护；未经抵押权人书面同意，抵押人不得出租、转让、"
                    "赠与或以其他方式处分抵押财产。抵押人应为抵押财产办理财产保险。",
                    (),
                )
            ],
        ),
        Clause(
            "enforce",
            "抵押权的实现",
            [
                (
                    f"债务人未按主合同约定履行到期债务的，{creditor}有权以抵押财产"
                    "折价或者以拍卖、变卖抵押财产所得的价款优先受偿。",
                    (),
                )
            ],
        ),
        _dispute(d, creditor),
        _closing(d),
    ]


def _pledge_body(d: Draft) -> list[Clause]:
    creditor = d.bank.role
    owner = d.body_name or d.other.name
    return [
        _secured_debt(d, "担保"),
        Clause(
            "property",
            "质押财产",
            [(f"质押财产为{d.collateral}，权利人为{owner}。", ("collateral", "body_name")), _value_text(d)],
        ),
        _scope(d, "担保范围"),
        Clause(
            "delivery",
            "质押财产的交付与出质登记",
            [
                (
                    f"出质人应于本合同签订之日将质押财产的权利凭证交付{creditor}，需要办理出质登记的，应于本合同签订"
                    "之日起10日内办妥出质登记。",
                    (),
                )
            ],
        ),
        Clause(
            "enforce",
            "质权的实现",
            [
                (
                    f"债务人未按主合同约定履行到期债务的，{creditor}有权以质押财产"
                    "折价或者以拍卖、变卖质押财产所得的价款优先受偿。",
                    (),
                )
            ],
        ),
        _dispute(d, creditor),
        _closing(d),
    ]


def body(d: Draft) -> list[Clause]:
    """The numbered articles of the contract, without the dropped ones."""
    builders = {
        "loan": _loan_body,
        "guarantee": _guarantee_body,
        "mortgage": _mortgage_body,
        "pledge": _pledge_body,
    }
    return [c for c in builders[d.contract_type](d) if c.key not in d.dropped]


def sign_blocks(d: Draft) -> list[SignBlock]:
    """Each party's 盖章 line and 签字 slot, in parties-block order."""
    blocks: list[SignBlock] = []
    for i, party in enumerate(d.parties):
        shown = d.sign_names.get(i, party.name)
        signed = i not in d.unsigned
        if party.kind == "person":
            label = f"{party.role}（签字）"
            blocks.append(
                SignBlock(
                    party=i,
                    seal_line=None,
                    slot_line=(f"{label}：{shown if signed else ''}", (f"sign:{i}",)),
                    slot_printed=f"{label}：",
                    signer=party.name,
                    signed=signed,
                    fingerprint=True,
                )
            )
            continue
        rep_label = "负责人或授权代理人（签字）" if i == 0 else "法定代表人或授权代理人（签字）"
        rep = party.legal_representative or ""
        blocks.append(
            SignBlock(
                party=i,
                seal_line=(f"{party.role}（盖章）：{shown}", (f"sign:{i}",)),
                slot_line=(f"{rep_label}：{rep if signed else ''}", ()),
                slot_printed=f"{rep_label}：",
                signer=rep,
                signed=signed,
                seal_text=d.seal_texts.get(i, party.name),
                seal_kind="合同专用章" if i == 0 or d.seed % 2 else "公章",
                seal_present=i not in d.missing_seals,
                name_seal=i in d.name_seals,
            )
        )
    return blocks
