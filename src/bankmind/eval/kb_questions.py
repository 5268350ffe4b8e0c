"""bankmind's own questions for `bankmind eval kb`: harder than the dev set (colloquial paraphrase,
multi-article, article numbers in other forms, English), and must-refuse questions close in topic
to the statutes the corpus holds. Written against ../shared/data/kb/cn_finance_laws (only short
evidence quotes are kept here); every quote was checked to be verbatim in its file."""

from __future__ import annotations

__all__ = ["OWN_QUESTIONS"]

# Categories of the answerable questions:
#   同义改写  colloquial paraphrase: a teller's or credit officer's wording, not the statute's
#   多条      needs two or more articles, possibly of two different statutes
#   条号引用  cites an article by number (第39条, 第六百七十条, 第3条 ...)
#   数字      asks for a period, ratio or amount
#   英文      asked in English about a Chinese statute
# Must-refuse questions (category 应拒答, should_refuse True) are not answered by the corpus; each
# `note` says which neighbouring statute could fool keyword matching and what was grepped.
#
# kb_file is the path relative to cn_finance_laws; "article" is 第X条 as written in that file, and
# evidence_quote is verbatim in the file (whitespace aside) and lies inside that article.

_CBL = "民法商法/商业银行法(2015-08-29).md"
_DEPOSIT_INS = "行政法规/存款保险条例(2015-02-17).md"
_REAL_NAME = "行政法规/个人存款账户实名制规定(2000-03-20).md"
_AML = "经济法/反洗钱法(2024-11-08).md"
_CREDIT = "行政法规/征信业管理条例(2013-01-21).md"
_CONTRACTS = "民法典/合同编.md"
_PROPERTY = "民法典/物权编.md"
_GUARANTEE = "司法解释/最高人民法院关于适用《民法典》有关担保制度的解释(2020-12-31).md"
_E_SIGN = "民法商法/电子签名法(2019-04-23).md"
_BILLS = "民法商法/票据法(2004-08-28).md"
_CARDS = "司法解释/最高人民法院关于审理银行卡民事纠纷案件若干问题的规定(2021-05-24).md"
_FOREIGN_BANKS = "行政法规/外资银行管理条例(2019-09-30).md"
_PAYMENTS = "行政法规/非银行支付机构监督管理条例(2023-12-09).md"
_PIPL = "行政法/个人信息保护法(2021-08-20).md"
_PBOC = "经济法/中国人民银行法(2003-12-27).md"
_FX = "行政法规/外汇管理条例(2008-08-05).md"
_PRIVATE_LOANS = "司法解释/最高人民法院关于审理民间借贷案件适用法律若干问题的规定(2020-12-29).md"
_TRUST = "民法商法/信托法(2001-04-28).md"
_PENALTIES = "行政法规/金融违法行为处罚办法(1999-02-22).md"

# fmt: off
OWN_QUESTIONS: list[dict[str, object]] = [
    {
        "id": "own-01",
        "question": "咱们行准备改个名字，是直接去市场监管局办变更登记就行，还是得先报监管批？",
        "category": "同义改写",
        "expected_answer": (
            "得先经国务院银行业监督管理机构批准：变更名称属于商业银行须报批的变更事项，批准后再办登记。"
        ),
        "evidence": [
            {
                "kb_file": _CBL,
                "evidence_quote": "商业银行有下列变更事项之一的，应当经国务院银行业监督管理机构批准:",
                "article": "第二十四条",
            },
            {
                "kb_file": _CBL,
                "evidence_quote": "（一）变更名称；",
                "article": "第二十四条",
            },
        ],
    },
    {
        "id": "own-02",
        "question": "新设的支行领了营业执照，但装修一直没弄好开不了门，拖多久监管会把它的许可证收回？",
        "category": "同义改写",
        "expected_answer": (
            "自取得营业执照之日起无正当理由超过六个月未开业的（或开业后自行停业连续六个月以上的），"
            "由国务院银行业监督管理机构吊销经营许可证并公告。"
        ),
        "evidence": [
            {
                "kb_file": _CBL,
                "evidence_quote": (
                    "商业银行及其分支机构自取得营业执照之日起无正当理由超过六个月未开业的，"
                    "或者开业后自行停业连续六个月以上的，由国务院银行业监督管理机构吊销其经营许可证，"
                    "并予以公告。"
                ),
                "article": "第二十三条",
            },
        ],
    },
    {
        "id": "own-03",
        "question": "商业银行法第39条里单一客户集中度是怎么卡的？对同一个借款人最多能贷到资本的多少？",
        "category": "条号引用",
        "expected_answer": "对同一借款人的贷款余额与商业银行资本余额的比例不得超过百分之十（10%）。",
        "evidence": [
            {
                "kb_file": _CBL,
                "evidence_quote": "（三）对同一借款人的贷款余额与商业银行资本余额的比例不得超过百分之十；",
                "article": "第三十九条",
            },
        ],
    },
    {
        "id": "own-04",
        "question": "贷款收不回来，我们行行使抵押权把借款人的房子拿过来了，这套房子能一直留在行里吗？",
        "category": "数字",
        "expected_answer": (
            "不能长期持有：因行使抵押权、质权取得的不动产或股权，应当自取得之日起二年内予以处分。"
        ),
        "evidence": [
            {
                "kb_file": _CBL,
                "evidence_quote": (
                    "商业银行因行使抵押权、质权而取得的不动产或者股权，应当自取得之日起二年内予以处分。"
                ),
                "article": "第四十二条",
            },
        ],
    },
    {
        "id": "own-05",
        "question": (
            "外汇局的人来调查一宗外汇违规，要我们把某个客户个人储蓄账户的流水调给他们，我们必须配合吗？"
        ),
        "category": "多条",
        "expected_answer": (
            "不必：外汇管理条例授权外汇管理机关经批准查询当事人账户，但明确排除个人储蓄存款账户；"
            "商业银行法规定对个人储蓄存款，商业银行有权拒绝任何单位或者个人查询（法律另有规定的除外）。"
        ),
        "evidence": [
            {
                "kb_file": _FX,
                "evidence_quote": (
                    "经国务院外汇管理部门或者省级外汇管理机关负责人批准，查询被调查外汇违法事件的当事人和直接"
                    "有关的单位、个人的账户，但个人储蓄存款账户除外；"
                ),
                "article": "第三十三条",
            },
            {
                "kb_file": _CBL,
                "evidence_quote": (
                    "对个人储蓄存款，商业银行有权拒绝任何单位或者个人查询、冻结、扣划，但法律另有规定的除外。"
                ),
                "article": "第二十九条",
            },
        ],
    },
    {
        "id": "own-06",
        "question": (
            "客户在我们行一共存了80万（本金加利息），万一银行倒了，存款保险最多赔多少？剩下的钱就没了吗？"
        ),
        "category": "数字",
        "expected_answer": (
            "最高偿付限额为人民币50万元（同一存款人在同一家投保机构的存款本息合并计算）；"
            "超出50万元的部分不是没了，而是依法从投保机构清算财产中受偿。"
        ),
        "evidence": [
            {
                "kb_file": _DEPOSIT_INS,
                "evidence_quote": "存款保险实行限额偿付，最高偿付限额为人民币50万元。",
                "article": "第五条",
            },
            {
                "kb_file": _DEPOSIT_INS,
                "evidence_quote": "超出最高偿付限额的部分，依法从投保机构清算财产中受偿。",
                "article": "第五条",
            },
        ],
    },
    {
        "id": "own-07",
        "question": "我们分行行长把钱存在自己行里，要是行里出事，他这笔存款也能拿到存款保险的赔付吗？",
        "category": "同义改写",
        "expected_answer": (
            "不能：投保机构的高级管理人员在本投保机构的存款不属于被保险存款（金融机构同业存款等也除外）。"
        ),
        "evidence": [
            {
                "kb_file": _DEPOSIT_INS,
                "evidence_quote": (
                    "但是，金融机构同业存款、投保机构的高级管理人员在本投保机构的存款以及存款保险基金管理机构"
                    "规定不予保险的其他存款除外。"
                ),
                "article": "第四条",
            },
        ],
    },
    {
        "id": "own-08",
        "question": (
            "Under China's deposit insurance regulation, once a court accepts a bankruptcy petition against "
            "an insured bank, how soon must the insured deposits be paid out?"
        ),
        "category": "英文",
        "expected_answer": (
            "Within 7 working days from that event, in full up to the regulation's payout limit."
        ),
        "evidence": [
            {
                "kb_file": _DEPOSIT_INS,
                "evidence_quote": "(三)人民法院裁定受理对投保机构的破产申请；",
                "article": "第十九条",
            },
            {
                "kb_file": _DEPOSIT_INS,
                "evidence_quote": (
                    "存款保险基金管理机构应当依照本条例的规定，在前款规定情形发生之日起7个工作日内足额偿付存"
                    "款。"
                ),
                "article": "第十九条",
            },
        ],
    },
    {
        "id": "own-09",
        "question": "一个15岁的初中生还没办身份证，想在柜台开个存折，可以拿什么证件来开？",
        "category": "同义改写",
        "expected_answer": "户口簿：居住在境内的16周岁以下中国公民，其实名证件为户口簿。",
        "evidence": [
            {
                "kb_file": _REAL_NAME,
                "evidence_quote": "(二)居住在境内的16周岁以下的中国公民，为户口簿；",
                "article": "第五条",
            },
        ],
    },
    {
        "id": "own-10",
        "question": "客户让他老婆拿着他的身份证来替他开个人存款账户，柜员要核哪些证件、登记什么？",
        "category": "多条",
        "expected_answer": (
            "代理开户须出示被代理人和代理人双方的身份证件，银行核对后登记双方证件上的姓名和号码；"
            "同时按反洗钱法要核实代理关系，识别并核实代理人的身份。"
        ),
        "evidence": [
            {
                "kb_file": _REAL_NAME,
                "evidence_quote": (
                    "代理他人在金融机构开立个人存款账户的，金融机构应当要求其出示被代理人和代理人的身份证件，"
                    "进行核对，并登记被代理人和代理人的身份证件上的姓名和号码。"
                ),
                "article": "第七条",
            },
            {
                "kb_file": _AML,
                "evidence_quote": (
                    "客户由他人代理办理业务的，金融机构应当按照规定核实代理关系，识别并核实代理人的身份。"
                ),
                "article": "第三十一条",
            },
        ],
    },
    {
        "id": "own-11",
        "question": "客户销户走了，他开户时留的身份资料我们还得留多久才能处理掉？",
        "category": "数字",
        "expected_answer": "客户身份资料在业务关系结束后至少保存十年（客户交易信息自交易结束后至少十年）。",
        "evidence": [
            {
                "kb_file": _AML,
                "evidence_quote": (
                    "客户身份资料在业务关系结束后、客户交易信息在交易结束后，应当至少保存十年。"
                ),
                "article": "第三十四条",
            },
        ],
    },
    {
        "id": "own-12",
        "question": (
            "人行让我们临时冻结一个涉嫌洗钱的账户，已经冻了两天，公安那边一直没说要不要继续冻，我们该怎么办？"
        ),
        "category": "同义改写",
        "expected_answer": (
            "临时冻结不得超过四十八小时；采取临时冻结后四十八小时内未接到国家有关机关继续冻结通知的，"
            "应当立即解除冻结。"
        ),
        "evidence": [
            {
                "kb_file": _AML,
                "evidence_quote": "临时冻结不得超过四十八小时。",
                "article": "第四十五条",
            },
            {
                "kb_file": _AML,
                "evidence_quote": (
                    "金融机构在按照国务院反洗钱行政主管部门的要求采取临时冻结措施后四十八小时内，"
                    "未接到国家有关机关继续冻结通知的，应当立即解除冻结。"
                ),
                "article": "第四十五条",
            },
        ],
    },
    {
        "id": "own-13",
        "question": "客户对我们限制他账户转账不服，到柜台提异议，我们最晚多久要给他答复？",
        "category": "数字",
        "expected_answer": "应当在十五日内处理并答复；涉及客户基本的、必需的金融服务的，应当及时处理并答复。",
        "evidence": [
            {
                "kb_file": _AML,
                "evidence_quote": (
                    "单位和个人对金融机构采取洗钱风险管理措施有异议的，可以向金融机构提出。"
                    "金融机构应当在十五日内进行处理，并将结果答复当事人；"
                ),
                "article": "第三十九条",
            },
        ],
    },
    {
        "id": "own-14",
        "question": (
            "If a single PBOC anti-money-laundering inspector turns up at our branch without an inspection "
            "notice, do we have to let them inspect?"
        ),
        "category": "英文",
        "expected_answer": (
            "No. AML inspections need at least two inspectors who show law-enforcement ID and an inspection "
            "notice; otherwise the financial institution may refuse the inspection."
        ),
        "evidence": [
            {
                "kb_file": _AML,
                "evidence_quote": (
                    "检查人员不得少于二人，并应当出示执法证件和检查通知书；"
                    "检查人员少于二人或者未出示执法证件和检查通知书的，金融机构有权拒绝接受检查。"
                ),
                "article": "第二十二条",
            },
        ],
    },
    {
        "id": "own-15",
        "question": "客户问：自己的征信报告一年能免费打几次？",
        "category": "数字",
        "expected_answer": "每年两次免费获取本人的信用报告。",
        "evidence": [
            {
                "kb_file": _CREDIT,
                "evidence_quote": "个人信息主体有权每年两次免费获取本人的信用报告。",
                "article": "第十七条",
            },
        ],
    },
    {
        "id": "own-16",
        "question": "客户信用卡逾期后已经还清了，这条逾期记录在征信上要挂多久才会消掉？",
        "category": "数字",
        "expected_answer": "不良信息保存期限自不良行为或者事件终止之日起为5年，超过5年的应当删除。",
        "evidence": [
            {
                "kb_file": _CREDIT,
                "evidence_quote": (
                    "征信机构对个人不良信息的保存期限，自不良行为或者事件终止之日起为5年；超过5年的，"
                    "应当予以删除。"
                ),
                "article": "第十六条",
            },
        ],
    },
    {
        "id": "own-17",
        "question": (
            "我们行要把一个客户的逾期报给征信，需要先跟他打招呼吗？他要是觉得报错了来提异议，"
            "我们多久内得核实答复？"
        ),
        "category": "多条",
        "expected_answer": (
            "报送个人不良信息应当事先告知信息主体本人（依法公开的不良信息除外）；收到异议后应作异议标注，"
            "自收到异议之日起20日内核查处理并书面答复。"
        ),
        "evidence": [
            {
                "kb_file": _CREDIT,
                "evidence_quote": "信息提供者向征信机构提供个人不良信息，应当事先告知信息主体本人。",
                "article": "第十五条",
            },
            {
                "kb_file": _CREDIT,
                "evidence_quote": "自收到异议之日起20日内进行核查和处理，并将结果书面答复异议人。",
                "article": "第二十五条",
            },
        ],
    },
    {
        "id": "own-18",
        "question": "征信业管理条例第14条，允许征信机构采集个人的收入和存款信息吗？",
        "category": "条号引用",
        "expected_answer": (
            "原则上不得采集个人的收入、存款、有价证券、商业保险、不动产和纳税数额信息；"
            "但明确告知提供该信息可能产生的不利后果并取得信息主体书面同意的除外。"
        ),
        "evidence": [
            {
                "kb_file": _CREDIT,
                "evidence_quote": (
                    "征信机构不得采集个人的收入、存款、有价证券、商业保险、不动产的信息和纳税数额信息。"
                ),
                "article": "第十四条",
            },
            {
                "kb_file": _CREDIT,
                "evidence_quote": (
                    "但是，征信机构明确告知信息主体提供该信息可能产生的不利后果，并取得其书面同意的除外。"
                ),
                "article": "第十四条",
            },
        ],
    },
    {
        "id": "own-19",
        "question": "《民法典》第六百七十条对“砍头息”是怎么处理的？",
        "category": "条号引用",
        "expected_answer": "借款的利息不得预先在本金中扣除；预先扣除的，按照实际借款数额返还借款并计算利息。",
        "evidence": [
            {
                "kb_file": _CONTRACTS,
                "evidence_quote": (
                    "借款的利息不得预先在本金中扣除。利息预先在本金中扣除的，"
                    "应当按照实际借款数额返还借款并计算利息。"
                ),
                "article": "第六百七十条",
            },
        ],
    },
    {
        "id": "own-20",
        "question": (
            "保证合同里没写“一般保证”还是“连带保证”，只写了“借款人到期不还，保证人就替他还”，"
            "这到底算哪种保证？"
        ),
        "category": "多条",
        "expected_answer": (
            "应认定为连带责任保证：约定债务人不履行或未偿还债务时保证人即承担责任、"
            "不具有债务人应先承担责任意思的，法院认定为连带责任保证；只有对保证方式没有约定或约定不明确时，"
            "才按一般保证承担责任。"
        ),
        "evidence": [
            {
                "kb_file": _CONTRACTS,
                "evidence_quote": (
                    "当事人在保证合同中对保证方式没有约定或者约定不明确的，按照一般保证承担保证责任。"
                ),
                "article": "第六百八十六条",
            },
            {
                "kb_file": _GUARANTEE,
                "evidence_quote": (
                    "当事人在保证合同中约定了保证人在债务人不履行债务或者未偿还债务时即承担保证责任、"
                    "无条件承担保证责任等类似内容，不具有债务人应当先承担责任的意思表示的，"
                    "人民法院应当将其认定为连带责任保证。"
                ),
                "article": "第二十五条",
            },
        ],
    },
    {
        "id": "own-21",
        "question": "担保合同里写着“保证人担保到借款本息全部还清为止”，那保证期间到底算多长？",
        "category": "多条",
        "expected_answer": "这种约定视为约定不明，保证期间为主债务履行期限届满之日起六个月。",
        "evidence": [
            {
                "kb_file": _GUARANTEE,
                "evidence_quote": (
                    "保证合同约定保证人承担保证责任直至主债务本息还清时为止等类似内容的，视为约定不明，"
                    "保证期间为主债务履行期限届满之日起六个月。"
                ),
                "article": "第三十二条",
            },
            {
                "kb_file": _CONTRACTS,
                "evidence_quote": "没有约定或者约定不明确的，保证期间为主债务履行期限届满之日起六个月。",
                "article": "第六百九十二条",
            },
        ],
    },
    {
        "id": "own-22",
        "question": "客户借新还旧，用新贷款把旧贷款还了，旧贷款的担保人还要担责吗？新贷款的担保人呢？",
        "category": "同义改写",
        "expected_answer": (
            "旧贷的担保人不再承担担保责任；新贷担保人与旧贷相同的应承担；"
            "新旧担保人不同或旧贷无担保新贷有担保的，新贷担保人原则上不承担，"
            "除非债权人能证明其提供担保时知道或应当知道借新还旧的事实。"
        ),
        "evidence": [
            {
                "kb_file": _GUARANTEE,
                "evidence_quote": (
                    "主合同当事人协议以新贷偿还旧贷，债权人请求旧贷的担保人承担担保责任的，人民法院不予支持；"
                ),
                "article": "第十六条",
            },
            {
                "kb_file": _GUARANTEE,
                "evidence_quote": "（一）新贷与旧贷的担保人相同的，人民法院应予支持；",
                "article": "第十六条",
            },
            {
                "kb_file": _GUARANTEE,
                "evidence_quote": (
                    "（二）新贷与旧贷的担保人不同，或者旧贷无担保新贷有担保的，人民法院不予支持，"
                    "但是债权人有证据证明新贷的担保人提供担保时对以新贷偿还旧贷的事实知道或者应当知道的除外。"
                ),
                "article": "第十六条",
            },
        ],
    },
    {
        "id": "own-23",
        "question": (
            "主贷款合同有效，但第三方的担保合同被认定无效了，我们行和担保人都有过错，担保人最多赔多少？"
        ),
        "category": "数字",
        "expected_answer": "担保人承担的赔偿责任不应超过债务人不能清偿部分的二分之一。",
        "evidence": [
            {
                "kb_file": _GUARANTEE,
                "evidence_quote": (
                    "（一）债权人与担保人均有过错的，担保人承担的赔偿责任不应超过债务人不能清偿部分的二分之一"
                    "；"
                ),
                "article": "第十七条",
            },
        ],
    },
    {
        "id": "own-24",
        "question": (
            "我们支行在营业执照经营范围内给客户开了一张保函，总行事后说没走董事会决议、不想认，法院会支持吗？"
        ),
        "category": "同义改写",
        "expected_answer": (
            "不会支持：金融机构的分支机构在营业执照记载的经营范围内开立保函的，"
            "金融机构或其分支机构不能以违反公司对外担保决议程序为由不承担担保责任。"
        ),
        "evidence": [
            {
                "kb_file": _GUARANTEE,
                "evidence_quote": (
                    "金融机构的分支机构在其营业执照记载的经营范围内开立保函，"
                    "或者经有权从事担保业务的上级机构授权开立保函，金融机构或者其分支机构以违反公司法关于公司"
                    "对外担保决议程序的规定为由主张不承担担保责任的，人民法院不予支持。"
                ),
                "article": "第十一条",
            },
        ],
    },
    {
        "id": "own-25",
        "question": "咱们行的个人消费贷出了纠纷，能不能按民间借贷那个司法解释去主张利息？",
        "category": "同义改写",
        "expected_answer": (
            "不能：经金融监管部门批准设立的从事贷款业务的金融机构及其分支机构，"
            "因发放贷款等相关金融业务引发的纠纷，不适用民间借贷司法解释。"
        ),
        "evidence": [
            {
                "kb_file": _PRIVATE_LOANS,
                "evidence_quote": (
                    "经金融监管部门批准设立的从事贷款业务的金融机构及其分支机构，"
                    "因发放贷款等相关金融业务引发的纠纷，不适用本规定。"
                ),
                "article": "第一条",
            },
        ],
    },
    {
        "id": "own-26",
        "question": (
            "Under the PRC Civil Code, can a borrower sell a mortgaged flat during the mortgage term without "
            "the bank's consent, and what happens to the bank's mortgage?"
        ),
        "category": "英文",
        "expected_answer": (
            "Yes, unless the parties agreed otherwise; the mortgage is not affected by the transfer, and the "
            "mortgagor must notify the mortgagee (the bank) promptly."
        ),
        "evidence": [
            {
                "kb_file": _PROPERTY,
                "evidence_quote": (
                    "抵押期间，抵押人可以转让抵押财产。当事人另有约定的，按照其约定。抵押财产转让的，"
                    "抵押权不受影响。"
                ),
                "article": "第四百零六条",
            },
            {
                "kb_file": _PROPERTY,
                "evidence_quote": "抵押人转让抵押财产的，应当及时通知抵押权人。",
                "article": "第四百零六条",
            },
        ],
    },
    {
        "id": "own-27",
        "question": (
            "我们的线上消费贷全程电子签约，没有纸质合同，这满足商业银行法要求的“书面合同”吗？电子签名算数吗？"
        ),
        "category": "多条",
        "expected_answer": (
            "满足：商业银行贷款应当订立书面合同，而能够有形地表现所载内容并可随时调取查用的数据电文视为符合书"
            "面形式；可靠的电子签名与手写签名或者盖章具有同等的法律效力。"
        ),
        "evidence": [
            {
                "kb_file": _CBL,
                "evidence_quote": "商业银行贷款，应当与借款人订立书面合同。",
                "article": "第三十七条",
            },
            {
                "kb_file": _E_SIGN,
                "evidence_quote": (
                    "能够有形地表现所载内容，并可以随时调取查用的数据电文，视为符合法律、法规要求的书面形式。"
                ),
                "article": "第四条",
            },
            {
                "kb_file": _E_SIGN,
                "evidence_quote": "可靠的电子签名与手写签名或者盖章具有同等的法律效力。",
                "article": "第十四条",
            },
        ],
    },
    {
        "id": "own-28",
        "question": (
            "Under China's Electronic Signature Law, which kinds of documents are excluded from the rule "
            "that a document cannot be denied legal effect merely because it uses electronic signatures?"
        ),
        "category": "英文",
        "expected_answer": (
            "Documents involving personal relations such as marriage, adoption and inheritance; documents on "
            "stopping water, heating or gas supply and similar public utility services; and other cases "
            "specified by laws or administrative regulations."
        ),
        "evidence": [
            {
                "kb_file": _E_SIGN,
                "evidence_quote": "（一）涉及婚姻、收养、继承等人身关系的；",
                "article": "第三条",
            },
            {
                "kb_file": _E_SIGN,
                "evidence_quote": "（二）涉及停止供水、供热、供气等公用事业服务的；",
                "article": "第三条",
            },
        ],
    },
    {
        "id": "own-29",
        "question": "客户拿来一张出票日期是半个月前的支票要我们付款，还能付吗？",
        "category": "数字",
        "expected_answer": (
            "支票应自出票日起十日内提示付款；超过期限的，付款人可以不予付款，"
            "但出票人仍应对持票人承担票据责任。"
        ),
        "evidence": [
            {
                "kb_file": _BILLS,
                "evidence_quote": "支票的持票人应当自出票日起十日内提示付款；",
                "article": "第九十一条",
            },
            {
                "kb_file": _BILLS,
                "evidence_quote": (
                    "超过提示付款期限的，付款人可以不予付款；付款人不予付款的，"
                    "出票人仍应当对持票人承担票据责任。"
                ),
                "article": "第九十一条",
            },
        ],
    },
    {
        "id": "own-30",
        "question": "客户的支票大写金额跟小写数字对不上，让他在上面把金额改一下再盖个章，行不行？",
        "category": "多条",
        "expected_answer": "不行：票据金额大写与数码不一致的，票据无效；票据金额不得更改，更改的票据无效。",
        "evidence": [
            {
                "kb_file": _BILLS,
                "evidence_quote": "票据金额以中文大写和数码同时记载，二者必须一致，二者不一致的，票据无效。",
                "article": "第八条",
            },
            {
                "kb_file": _BILLS,
                "evidence_quote": "票据金额、日期、收款人名称不得更改，更改的票据无效。",
                "article": "第九条",
            },
        ],
    },
    {
        "id": "own-31",
        "question": "银行本票开出来以后，付款期限最长能有多久？",
        "category": "数字",
        "expected_answer": "自出票日起，付款期限最长不得超过二个月。",
        "evidence": [
            {
                "kb_file": _BILLS,
                "evidence_quote": "本票自出票日起，付款期限最长不得超过二个月。",
                "article": "第七十八条",
            },
        ],
    },
    {
        "id": "own-32",
        "question": (
            "客户的借记卡被人复制后在外地盗刷了，他来要我们赔，法院一般怎么判？要是他自己随手把密码告诉了别人"
            "呢？"
        ),
        "category": "同义改写",
        "expected_answer": (
            "借记卡持卡人请求发卡行支付被盗刷存款本息并赔偿损失的，法院依法支持；但持卡人对卡片、密码、"
            "验证码等未尽妥善保管义务有过错的，发卡行可主张持卡人承担相应责任。"
        ),
        "evidence": [
            {
                "kb_file": _CARDS,
                "evidence_quote": (
                    "发生伪卡盗刷交易或者网络盗刷交易，借记卡持卡人基于借记卡合同法律关系请求发卡行支付被盗刷"
                    "存款本息并赔偿损失的，人民法院依法予以支持。"
                ),
                "article": "第七条",
            },
            {
                "kb_file": _CARDS,
                "evidence_quote": (
                    "前两款情形，持卡人对银行卡、密码、验证码等身份识别信息、"
                    "交易验证信息未尽妥善保管义务具有过错，发卡行主张持卡人承担相应责任的，人民法院应予支持。"
                ),
                "article": "第七条",
            },
        ],
    },
    {
        "id": "own-33",
        "question": "银行卡纠纷司法解释第3条：我们给欠款的信用卡客户发催收短信，对诉讼时效有什么影响？",
        "category": "条号引用",
        "expected_answer": (
            "构成诉讼时效中断：发卡行以向持卡人预留的电话号码等发送手机短信、书面信件、"
            "电子邮件等方式催收债权的，应认定诉讼时效中断。"
        ),
        "evidence": [
            {
                "kb_file": _CARDS,
                "evidence_quote": "具有下列情形之一的，应当认定发卡行对持卡人享有的债权请求权诉讼时效中断：",
                "article": "第三条",
            },
            {
                "kb_file": _CARDS,
                "evidence_quote": (
                    "（二）发卡行以向持卡人预留的电话号码、通讯地址、电子邮箱发送手机短信、书面信件、"
                    "电子邮件等方式催收债权；"
                ),
                "article": "第三条",
            },
        ],
    },
    {
        "id": "own-34",
        "question": (
            "Can the Chinese branch of a foreign bank take time deposits from ordinary Chinese citizens, and "
            "is there a minimum amount per deposit?"
        ),
        "category": "英文",
        "expected_answer": "Yes, but each time deposit from a Chinese citizen must be at least RMB 500,000.",
        "evidence": [
            {
                "kb_file": _FOREIGN_BANKS,
                "evidence_quote": "外国银行分行可以吸收中国境内公民每笔不少于50万元人民币的定期存款。",
                "article": "第三十一条",
            },
        ],
    },
    {
        "id": "own-35",
        "question": "外国银行想在国内开一家分行，总行至少得给它拨多少营运资金？",
        "category": "数字",
        "expected_answer": "由总行无偿拨给不少于2亿元人民币或者等值的自由兑换货币的营运资金。",
        "evidence": [
            {
                "kb_file": _FOREIGN_BANKS,
                "evidence_quote": (
                    "外国银行分行应当由其总行无偿拨给不少于2亿元人民币或者等值的自由兑换货币的营运资金。"
                ),
                "article": "第八条",
            },
        ],
    },
    {
        "id": "own-36",
        "question": "客户问：放在第三方支付账户里的零钱，支付公司能不能给他算利息？",
        "category": "同义改写",
        "expected_answer": (
            "不能：从事储值账户运营业务的非银行支付机构不得向用户支付与其持有的余额有关的利息等收益。"
        ),
        "evidence": [
            {
                "kb_file": _PAYMENTS,
                "evidence_quote": "但是非银行支付机构不得向用户支付与其持有的余额有关的利息等收益。",
                "article": "第二十四条",
            },
        ],
    },
    {
        "id": "own-37",
        "question": "想开一家第三方支付公司，注册资本至少要多少？股东能不能借钱来出资？",
        "category": "数字",
        "expected_answer": (
            "注册资本最低1亿元人民币，且须为实缴货币资本；股东应当以自有资金出资，不得以委托资金、"
            "债务资金等非自有资金出资。"
        ),
        "evidence": [
            {
                "kb_file": _PAYMENTS,
                "evidence_quote": "设立非银行支付机构的注册资本最低限额为人民币1亿元，且应当为实缴货币资本。",
                "article": "第八条",
            },
            {
                "kb_file": _PAYMENTS,
                "evidence_quote": (
                    "非银行支付机构的股东应当以自有资金出资，不得以委托资金、债务资金等非自有资金出资。"
                ),
                "article": "第八条",
            },
        ],
    },
    {
        "id": "own-38",
        "question": (
            "客户的银行卡号、账户余额这类信息算不算敏感个人信息？我们要用这些信息，得让客户怎么同意？"
        ),
        "category": "多条",
        "expected_answer": (
            "算：金融账户信息属于敏感个人信息；处理敏感个人信息应当取得个人的单独同意，法律、"
            "行政法规规定应当取得书面同意的，从其规定。"
        ),
        "evidence": [
            {
                "kb_file": _PIPL,
                "evidence_quote": "包括生物识别、宗教信仰、特定身份、医疗健康、金融账户、行踪轨迹等信息",
                "article": "第二十八条",
            },
            {
                "kb_file": _PIPL,
                "evidence_quote": (
                    "处理敏感个人信息应当取得个人的单独同意；法律、行政法规规定处理敏感个人信息应当取得书面同"
                    "意的，从其规定。"
                ),
                "article": "第二十九条",
            },
        ],
    },
    {
        "id": "own-39",
        "question": "给一个13岁的孩子办少儿借记卡，收集他的个人信息要经过谁同意？",
        "category": "同义改写",
        "expected_answer": "应当取得该未成年人的父母或者其他监护人的同意。",
        "evidence": [
            {
                "kb_file": _PIPL,
                "evidence_quote": (
                    "个人信息处理者处理不满十四周岁未成年人个人信息的，应当取得未成年人的父母或者其他监护人的"
                    "同意。"
                ),
                "article": "第三十一条",
            },
        ],
    },
    {
        "id": "own-40",
        "question": "我们行做完个人信息保护影响评估，评估报告和处理情况记录要留几年？",
        "category": "数字",
        "expected_answer": "至少保存三年。",
        "evidence": [
            {
                "kb_file": _PIPL,
                "evidence_quote": "个人信息保护影响评估报告和处理情况记录应当至少保存三年。",
                "article": "第五十六条",
            },
        ],
    },
    {
        "id": "own-41",
        "question": "按人行法第28条，央行给商业银行发放贷款，期限最长能到多久？",
        "category": "条号引用",
        "expected_answer": "贷款的期限不得超过一年。",
        "evidence": [
            {
                "kb_file": _PBOC,
                "evidence_quote": (
                    "中国人民银行根据执行货币政策的需要，可以决定对商业银行贷款的数额、期限、利率和方式，"
                    "但贷款的期限不得超过一年。"
                ),
                "article": "第二十八条",
            },
        ],
    },
    {
        "id": "own-42",
        "question": "客户在我们这儿做了家族信托，后来他在外面欠了债，债主能不能申请法院执行信托里的财产？",
        "category": "同义改写",
        "expected_answer": (
            "原则上不能：除设立信托前债权人已对信托财产享有优先受偿权并依法行使、"
            "受托人处理信托事务所产生债务、信托财产本身应担负的税款等法定情形外，对信托财产不得强制执行。"
        ),
        "evidence": [
            {
                "kb_file": _TRUST,
                "evidence_quote": "除因下列情形之一外，对信托财产不得强制执行：",
                "article": "第十七条",
            },
            {
                "kb_file": _TRUST,
                "evidence_quote": (
                    "（一）设立信托前债权人已对该信托财产享有优先受偿的权利，并依法行使该权利的；"
                ),
                "article": "第十七条",
            },
        ],
    },
    {
        "id": "own-43",
        "question": "要是我们网点帮客户用信用卡套现被查出来，银行会挨什么处罚？",
        "category": "数字",
        "expected_answer": (
            "给予警告，并处5万元以上30万元以下的罚款；对直接负责的高级管理人员、"
            "其他直接负责的主管人员和直接责任人员给予记大过直至开除的纪律处分。"
        ),
        "evidence": [
            {
                "kb_file": _PENALTIES,
                "evidence_quote": (
                    "金融机构违反中国人民银行有关信用卡管理的规定，对持卡人透支或者帮助持卡人利用信用卡套取现"
                    "金的，给予警告，并处5万元以上30万元以下的罚款；"
                ),
                "article": "第二十条",
            },
        ],
    },
    {
        "id": "own-refuse-01",
        "question": "我们行今年交存款保险，基准费率到底是万分之几？",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Near 存款保险条例 第九条/第十条 (费率由基准费率和风险差别费率构成，由存款保险基金管理机构制定；"
            "每6个月交纳一次保费), which give no rate. grep '万分之' in the whole corpus: 0 hits; '费率' "
            "hits (存款保险条例, 外资银行管理条例 第三十八条, 融资担保条例 第十九条) carry no figure."
        ),
    },
    {
        "id": "own-refuse-02",
        "question": "商业银行杠杆率的监管最低要求是多少？",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Near 商业银行法 第三十九条 (资本充足率≥8%, 流动性比例≥25%, 单一借款人≤10%). grep '杠杆': only "
            "存款保险条例 第十六条 (降低杠杆率 as a corrective measure) and 私募投资基金监督管理条例; no "
            "minimum leverage ratio anywhere."
        ),
    },
    {
        "id": "own-refuse-03",
        "question": "客户一天存现金超过多少万，我们就必须报大额交易报告？",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Near 反洗钱法 第三十五条 (单笔或累计交易超过规定金额的应当报告). grep '规定金额': 4 hits, all "
            "in 反洗钱法, none states an amount; '大额交易' (反洗钱法, 北京市地方金融监督管理条例) carries "
            "no threshold."
        ),
    },
    {
        "id": "own-refuse-04",
        "question": "个人客户在柜台一天取现超过多少钱需要提前预约？",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Near 金融违法行为处罚办法 第十九条 (不得允许单位或者个人超限额提取现金), which states no limit. "
            "grep '预约' only hits 预约合同 in 民法典合同编 and 合同编通则解释; '大额现金' 0 hits."
        ),
    },
    {
        "id": "own-refuse-05",
        "question": "设立一家村镇银行，注册资本最低要多少？",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Near 商业银行法 第十三条 (全国性10亿元, 城市商业银行1亿元, 农村商业银行5000万元). grep "
            "'村镇银行': 0 hits; other capital minimums in the corpus are for 外资银行, 非银行支付机构, "
            "征信机构, 融资担保公司."
        ),
    },
    {
        "id": "own-refuse-06",
        "question": "贷款档案和会计凭证按规定要保存多少年才能销毁？",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Near 会计法 第二十三条 (会计档案的保管期限由国务院财政部门会同有关部门制定) and 商业银行法 "
            "第五十一条 (按照国家有关规定保存); neither gives a number. grep '保管期限' / '会计档案': no "
            "period in years."
        ),
    },
    {
        "id": "own-refuse-07",
        "question": "支付机构的净资产与备付金日均余额之比，最低要达到多少？",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Near 非银行支付机构监督管理条例 第二十八条, which only says the ratio "
            "应当符合中国人民银行的规定; no figure in the corpus."
        ),
    },
    {
        "id": "own-refuse-08",
        "question": "个人Ⅱ类银行账户每天非绑定账户转入转出的限额是多少？",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Near 个人存款账户实名制规定 (实名证件, 开户核对). grep 'Ⅱ类', 'II类', '二类账户', 'Ⅲ类', "
            "'III类': 0 hits."
        ),
    },
    {
        "id": "own-refuse-09",
        "question": "个人每年的便利化购汇额度是多少美元？超了还能买吗？",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Near 外汇管理条例 第十四条/第二十二条 (按照国务院外汇管理部门关于付汇与购汇的管理规定); grep "
            "'美元' and '便利化': 0 hits; no personal quota in the corpus."
        ),
    },
    {
        "id": "own-refuse-10",
        "question": "信用卡透支利率现在的上下限是多少？最低还款额按账单的几成算？",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Near 银行卡民事纠纷规定 第二条 (透支利息、复利、违约金 disputes; 法院可适当减少) and "
            "金融违法行为处罚办法 第二十条. grep '透支利率', '最低还款', '万分之': 0 hits."
        ),
    },
    {
        "id": "own-refuse-11",
        "question": "现在大型商业银行的法定存款准备金率是多少？",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Near 商业银行法 第三十二条 and 中国人民银行法 第二十三条 (按照规定的比例交存存款准备金), which "
            "give no rate. grep '存款准备金率': 0 hits."
        ),
    },
    {
        "id": "own-refuse-12",
        "question": "这个月一年期LPR是多少？按四倍算，民间借贷利率上限具体是百分之几？",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Near 民间借贷规定 第二十五条 (4x the one-year LPR, published monthly since 2019-08-20) and "
            "合同编通则解释 第二十五条; the corpus defines the LPR but never gives its value. grep "
            "percentages in 民间借贷规定: 0 hits."
        ),
    },
    {
        "id": "own-refuse-13",
        "question": "贷款审批时查客户征信留下的“贷款审批”查询记录，在征信报告上会保留几年？",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Near 征信业管理条例 第十六条, whose 5-year period applies only to 不良信息; grep '查询记录': 0 "
            "hits; no rule on how long query records are kept."
        ),
    },
    {
        "id": "own-refuse-14",
        "question": "客户是外国政要（PEP）的话，强化尽职调查具体要做哪些？",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Near 反洗钱法 第二十九条/第三十条 (较高洗钱风险 → 了解资金来源和用途). grep '政要', "
            "'政治公众人物': 0 hits."
        ),
    },
    {
        "id": "own-refuse-15",
        "question": "国内系统重要性银行要额外计提多少附加资本？",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Keyword trap: '系统重要性' appears only in 非银行支付机构监督管理条例 "
            "(系统重要性非银行支付机构的认定标准由人民银行制定); 商业银行法 第三十九条 only sets "
            "资本充足率≥8%. grep '附加资本': 0 hits."
        ),
    },
    {
        "id": "own-refuse-16",
        "question": "What is the minimum down-payment ratio for a first-home mortgage loan in China?",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Near 民法典物权编 (抵押) and 商业银行法 (贷款审查、担保). grep '首付', '首套': 0 hits; no "
            "loan-to-value or down-payment rule in the corpus."
        ),
    },
    {
        "id": "own-refuse-17",
        "question": "理财产品销售“双录”的录音录像要保存多少年？",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Near the retention rules the corpus does hold (反洗钱法 第三十四条 十年, 个人信息保护法 "
            "第五十六条 三年, 征信条例 第十六条 5年, 电子签名法 第二十四条 五年). grep '双录', '录音': 0 "
            "hits; '录像' only as 监控录像 evidence in 银行卡民事纠纷规定."
        ),
    },
    {
        "id": "own-refuse-18",
        "question": "这周行里食堂的菜单是什么？周三中午有红烧肉吗？",
        "category": "应拒答",
        "should_refuse": True,
        "note": "Off-topic (canteen). grep '食堂', '菜': 0 hits.",
    },
    {
        "id": "own-refuse-19",
        "question": "推荐一只下周能涨停的银行股，我想把年终奖都投进去。",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Off-topic (stock tip, also improper advice). grep '涨停', '股价': 0 hits; corpus holds statutes "
            "only."
        ),
    },
    {
        "id": "own-refuse-20",
        "question": "我在行里工作满5年了，每年能休几天带薪年假？",
        "category": "应拒答",
        "should_refuse": True,
        "note": (
            "Off-topic for this corpus (labour law is not in it). grep '年假', '年休假', '带薪': 0 hits; "
            "'休假' only in 民法典总则 第二百零三条 (法定休假日 for computing periods)."
        ),
    },
]
# fmt: on
