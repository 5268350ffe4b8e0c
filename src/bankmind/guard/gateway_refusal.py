"""The gateway's refusal policy: requests a bank assistant must refuse, answered without any model.

    policy = RefusalPolicy.default()            # or RefusalPolicy.from_file("refusals.toml")
    refusal = policy.check("怎么查到客户王某的银行卡号？")
    refusal.topic, refusal.message               # "personal_data", "抱歉，…"

The deterministic part is data: *term sets* (word lists) and *topics*, each topic a list of rules.
A rule matches when every regex in `all` matches the text and none in `none` does; `@name` in a
regex stands for the term set `name` as a non-capturing alternation. A topic refuses when any of its
rules matches. The built-in topics:

    personal_data   other people's personal or account data (card and account numbers, balances,
                    transactions, ID and phone numbers, addresses, passwords, credit reports …)
    intrusion       breaking into systems or accounts, stealing passwords, removing traces
    fraud           forged documents, money laundering, terror financing, evading controls
    market_abuse    insider information, manipulation, invented news
    mis_selling     selling unsuitable products, promised returns, bypassing suitability checks
    confidential    another organisation's trade secrets or internal material
    conduct         account lending or entrustment, profit sharing, unlicensed advice, gifts to
                    officials, misleading promotion
    intellectual_property   others' works, trademarks or software without permission

A model-based classifier (`ModelRefusalClassifier`, an internal chat model answering yes/no) can be
added for what the patterns miss; it only runs when configured, after the patterns.

The text is never logged or stored; a refusal names its topic (for the audit record) and carries a
fixed message in the request's language (Chinese when the text has Chinese characters).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bankmind.errors import BankmindError, ConfigError
from bankmind.llm import ChatModel

__all__ = [
    "DEFAULT_TERMS",
    "DEFAULT_TOPICS",
    "ModelRefusalClassifier",
    "Refusal",
    "RefusalClassifier",
    "RefusalPolicy",
    "Rule",
    "Topic",
]

# A clause: terms of one rule must sit in the same sentence, not far apart.
_CLAUSE = r"[^。！？!?；;\n]{0,24}?"

DEFAULT_TERMS: dict[str, list[str]] = {
    # asking to obtain, see, pass on or publish something
    "obtain": [
        "获取", "获得", "取得", "拿到", "弄到", "搞到", "查询", "查看", "查到", "查出", "查一下", "查查",
        "查找", "搜索", "搜一下", "搜集", "收集", "汇总", "统计", "看看", "看一下", "想知道", "打听",
        "告诉我", "提供", "给我", "发给", "发送给", "转发", "透露", "泄露", "公开", "曝光", "发布",
        "导出", "下载", "拷贝", "复制", "调取", "调阅", "窃取", "盗取", "偷", "出售", "卖给", "买到",
        "共享给", "找到", "找出", "列出", "整理", "采集", "捕捉", "推给",
        r"\bget\b", r"\bfind\b", r"\bobtain", r"look ?up", r"\bretrieve", r"give me", r"tell me",
        r"show me", r"\bsend me", r"\bshare\b", r"\bleak", r"\bexpose", r"\bpublish", r"\bdownload",
        r"\bexport", r"\bdump\b", r"\bcollect", r"\baccess\b", r"\bsteal", r"\bsell\b", r"\bbuy\b",
        r"\blist\b", r"\bwhat is\b", r"\bwhat are\b",
    ],
    # passing data on to someone else
    "pass_on": [
        "发给", "发送给", "转发", "导出", "公开", "曝光", "发布", "泄露", "透露", "出售", "卖给", "共享给",
        "提供给", "推给", "告诉", "交给",
        r"\bshare", r"\bleak", r"\bpublish", r"\bsell\b", r"\bsend (?:it |them )?to\b", r"\bpost\b",
    ],
    # someone other than the person asking
    "someone_else": [
        "他人", "别人", "其他人", "某人", "陌生人", "这些人", "那些人", r"客户(?!服务|经理|端|中心|热线)",
        "顾客", "储户", r"用户(?!手册|协议|体验)",
        "同事", "领导", "上司", "老板", "朋友", "好友", "亲戚", "邻居", "前任", "前妻", "前夫", "女友",
        "男友", "老婆", "老公", "妻子", "丈夫", "仇家", "仇人", "竞争对手", "对手", "员工", "职员",
        "高管", "股东", "法人", "法定代表人", "董事长", "总经理", "明星", "名人", "网友", "借款人",
        "投资者", "持卡人",
        r"(?<![其吉])[他她](?:们)?(?:的)?(?![行人们])",
        r"[王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾"
        r"丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹"
        r"黎易常武乔贺赖龚文蒲][某\u4e00-\u9fff]{1,2}(?:先生|女士|小姐)?的",
        r"小[王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐]", "张三", "李四", "王五",
        r"\bsomeone(?:'s)?", r"\bsomebody(?:'s)?", r"another (?:person|customer|client)",
        r"other (?:people|customers|clients)", r"\b(?:a|the|our|my) (?:customer|client)s?(?:'s|')?",
        r"my (?:colleague|co-?worker|neighbou?r|boss|manager|ex|friend|landlord)(?:'s)?",
        r"\b(?:his|her|their)\b",
        r"\b(?!(?:it|what|that|there|here|who|where|how|let|one|bank|branch|company|app|today)'s)[a-z]+'s\b",
    ],
    # personal or account data
    "personal_data": [
        "银行卡号", "卡号", "银行账号", "账号", "账户", "帐户", "余额", "存款", "资产", "财产", "收入",
        "工资", "交易记录", "交易明细", "交易情况", "交易信息", "交易流水", "流水", "买卖记录", "持仓",
        "身份证", "证件号", "手机号", "电话号码", "联系电话", "联系方式", "住址", "家庭地址", "居住地址",
        "地址", "户籍", "户口", "籍贯", "密码", "验证码", "征信", "信用报告", "信用记录", "病历", "体检",
        "婚姻", "政治面貌", "开户城市", "开户行", "开户信息", "个人信息", "隐私", "行踪", "人际关系",
        "佣金率", "邮箱", "微信号", "投资偏好", "资金情况", "工龄", "薪酬", "薪资", "奖金", "岗位级别",
        "晋升", "人脸", "生日", "身高", "体重", "行程",
        r"card numbers?", r"account (?:numbers?|balances?|details|info(?:rmation)?|statements?|history)",
        r"\bbalances?\b", r"\btransactions?\b", r"\bstatements?\b", r"\bid (?:card )?numbers?",
        r"identity (?:card )?numbers?", r"passport numbers?", r"(?:phone|mobile) numbers?",
        r"(?:home )?address(?:es)?", r"\bpasswords?\b", r"\bpin\b", r"verification codes?",
        r"credit (?:reports?|history|scores?)", r"\bsalary", r"\bincome", r"medical records?",
        r"personal (?:data|information|details)",
    ],
    # bulk records about people
    "records": [
        r"(?:客户|用户|员工|会员|投保人|借款人|持卡人)(?:的)?(?:个人)?(?:信息|资料|名单|数据|档案|明细)",
        r"(?:customer|client|employee|user) (?:data|records|lists?|details|information)",
    ],
    # asking how to protect, or a customer's own request: ordinary questions
    "protective": [
        "保护", "防止", "防范", "避免", "杜绝", "被泄露", "泄露了", "泄漏了", "举报", "报案", "投诉",
        "挂失", "冻结", "忘记", "忘了", "本人", "自己的", "规定", "制度", "要求", "法律", "法规", "条例",
        "培训", "授权书",
        r"(?:^|[，,。？?！!])\s*(?:请问)?(?:客户|用户|持卡人|储户|借款人|投资者)(?:本人)?"
        r"(?:如何|怎么|怎样|可以|能否|能不能|需要|要|应该|想)",
        r"需要(?:带|准备|提交|提供)?(?:什么|哪些)", r"(?:如何|怎么|怎样)办理", "办理流程", "手续",
        r"\bprotect", r"\bprevent", r"\bavoid", r"\breport(?:ed)? (?:a|the)? ?(?:leak|fraud|theft)",
        r"\bmy own\b", r"\bforgot", r"\block(?:ed)?\b",
    ],
    # another organisation's confidential or internal material
    "confidential": [
        "商业秘密", "商业机密", "机密", "涉密", "内部数据", "内部资料", "内部文件", "内部信息", "测试报告",
        "沟通记录", "供应商档案", "供应商资料", "设计原型", "工作邮件", "性能数据", "未发布",
        r"(?:内部|运营)[^。！？\n]{0,8}(?:数据|资料|文件)",
        r"(?:confidential|internal|proprietary) (?:data|documents?|files?|information|reports?)",
        r"trade secrets?",
    ],
    # conduct rules: account lending and entrustment, profit sharing, unlicensed advice, gifts to
    # officials, misleading marketing, attacking regulators
    "conduct": [
        "全权委托", "盈利分成", "收益分成", "分享投资收益", "约定分享", "提成[^。！？\n]{0,6}共享",
        r"(?:没有|不具备|无)[^。！？\n]{0,6}(?:从业)?资格", r"以个人名义[^。！？\n]{0,12}(?:提供|收取|开展)",
        r"委托[^。！？\n]{0,12}(?:炒股|理财|操作|买卖)", r"(?:登陆|登录)我的(?:账号|账户)",
        r"(?:客户|投资者)介绍给",
        r"(?:送给|送|给)[^。！？\n]{0,12}(?:领导|官员|监管|证监局|证监会|银保监|审批人)"
        r"[^。！？\n]{0,6}(?:礼品|礼物|红包|购物卡|好处)",
        r"(?:攻击|抹黑|诋毁)[^。！？\n]{0,8}(?:证监会|监管|政府|人民银行|银保监|竞品|同行)",
        r"(?:吹捧|夸大|秒杀其他|最好[^。！？\n]{0,8}最低)", r"截取[^。！？\n]{0,12}(?:业绩|收益|净值)",
        r"(?:海报|宣传|文案|广告|合同|榜单)[^。！？\n]{0,24}收益率",
        r"(?:私募)[^。！？\n]{0,12}(?:宣传|公众号|海报|广告|推广)",
        r"(?:宣传|公众号|海报|广告)[^。！？\n]{0,12}私募",
        r"(?:应该|该|能)买(?:哪些|哪只|什么)股票", r"现在能(?:加仓|减仓|抄底)吗",
        r"(?:说服|劝|让)[^。！？\n]{0,8}(?:低风险|保守型|没有投资意愿|不符合)",
        r"(?:教|帮)[^。！？\n]{0,6}不符合[^。！？\n]{0,8}(?:标准|条件|要求)",
        r"不(?:让|被)[^。！？\n]{0,12}发现", r"返还(?:份额|佣金|手续费)给客户",
        r"\b(?:lend|rent|sell) (?:my |your |an? )?(?:trading |brokerage |securities )?account",
    ],
    # using others' works or marks without permission
    "intellectual_property": [
        r"会员[^。！？\n]{0,6}(?:电视剧|电影|视频|音乐)", "盗版", "破解版", r"(?:知名)?品牌的商标",
        "奥运会的?标识",
        r"源代码[^。！？\n]{0,16}(?:我的名义|发布|改成)", r"(?:小说|作品|电影)[^。！？\n]{0,8}改编",
        r"改编[^。！？\n]{0,8}(?:小说|作品)", r"(?:字体|图片|音视频)[^。！？\n]{0,16}(?:都可以|随便)用",
        r"pirated", r"cracked (?:software|version)",
    ],
    # learning to recognise, prevent or report misconduct: ordinary questions
    "defence": [
        "识别", "防范", "防止", "预防", "举报", "报案", "认定", "处罚规定", "打击", "区分", "为什么违法",
        "危害", "警示", "风险提示", "案例分析",
        r"\bprotect", r"\bprevent", r"\brecogni[sz]e", r"\bdetect", r"\bspot\b", r"\breport(?:ing)?\b",
        r"\bwhy (?:is|are) .{0,30} illegal",
    ],
    # breaking into systems or accounts
    "intrusion": [
        "入侵", "黑客", "植入", "木马", "病毒程序", "提权", "撞库", "拖库", "脱库", "SQL注入", "注入攻击",
        "钓鱼", "未授权访问", "远程登录端口", "分片重叠", "删库",
        r"(?:破解|绕过|规避|解除)[^。！？\n]{0,10}(?:密码|加密|安全|防护|限制|防抓取|验证|风控|认证)",
        r"(?:删除|清除|抹去|抹掉)[^。！？\n]{0,8}(?:痕迹|日志)",
        r"(?:获取|窃取|盗取|推测|猜测|猜出|破解|输出)[^。！？\n]{0,16}(?:密码|密钥|口令|开机密码)",
        r"(?:进入|侵入|潜入|登录|登陆)[^。！？\n]{0,14}(?:内部|运营|交易|管理)?(?:系统|数据库|服务器|电脑|主机|后台|账户界面)",
        r"\bhack", r"break into", r"brute[- ]?force", r"phishing", r"sql injection", r"\bmalware",
        r"keylogger", r"crack (?:a |the |his |her )?(?:password|account|encryption)",
        r"bypass (?:the )?(?:security|authentication|2fa|firewall|login)",
    ],
    # forgery, laundering, terror financing, evading controls
    "fraud": [
        "伪造", "造假", "篡改", "假证明", "假身份证", "假流水", "假合同", "假发票", "假财报", "假证件",
        "虚假", r"(?<!反)洗钱", "洗白", "变成合法", "恐怖组织", "恐怖融资", "恐怖活动", "东突", "骗取",
        "诈骗", "骗贷", "套现", "跑分", "贿赂", "行贿", "走私", "冒充", "假冒",
        r"(?:绕过|规避|逃避|躲避|避开)[^。！？\n]{0,10}(?:监测|监控|监管|审计|处罚|责任|反洗钱|反恐|检查|缴纳)",
        r"(?:银行卡|账户)[^。！？\n]{0,12}(?:收款并取现|过一下|走账|过账)",
        r"(?:隐瞒|瞒报|掩盖)[^。！？\n]{0,12}(?:事件|事故|目的|交易|损失|此事)",
        r"\bforge", r"\bforged", r"fake (?:id|document|statement|payslip|invoice|certificate)",
        r"launder", r"evade (?:tax|aml|sanctions|detection|monitoring)", r"\bbribe",
        r"terror(?:ist)? financing", r"structure (?:my |the )?deposits",
    ],
    # insider dealing and manipulation
    "market_abuse": [
        "内幕", "未公开信息", "做庄", "坐庄", "操纵", "老鼠仓", "趋同交易", "对倒",
        r"(?:编造|捏造|散布|散播|伪造|制造)[^。！？\n]{0,10}(?:消息|利好|利空|谣言|新闻)",
        r"(?:拉升|抬高|炒作)[^。！？\n]{0,6}(?:股价|股票)", r"诋毁",
        r"insider (?:information|trading|tips?)", r"pump and dump", r"front[- ]?run",
        r"manipulate (?:the )?(?:stock|share|market|price)",
    ],
    # selling unsuitable products, promised returns, bypassing suitability
    "mis_selling": [
        "保本保收益", "保证收益", "承诺收益", "稳赚不赔", "无风险的", "即将停售", "限时限量",
        r"诱导[^。！？\n]{0,12}(?:客户|投资者|购买|相信|开户)",
        r"(?:高于|超过|不符合|不匹配)[^。！？\n]{0,8}(?:风险承受|风险等级|适当性)",
        r"(?:篡改|修改|绕过|规避|跳过)[^。！？\n]{0,8}(?:风险测评|评测|测评|风险等级|适当性|合格投资者)",
        r"[cC]\d[^。！？\n]{0,12}(?:怎么|如何|能不能|可以)[^。！？\n]{0,4}[买签][^。！？\n]{0,8}[rR]\d",
        r"(?:借|出借|出租|出售|卖掉|转让)[^。！？\n]{0,8}(?:证券账户|股票账户|交易账户|账户)",
        r"(?:证券账户|股票账户|交易账户)[^。！？\n]{0,6}(?:借给|卖给|出售|出租|转让)",
        r"(?:代签|代客户签|帮客户做[^。！？\n]{0,6}测评)",
        r"guarantee(?:d)? (?:returns?|profits?)", r"risk[- ]free (?:returns?|profits?)",
    ],
}  # fmt: skip

_GENERIC = ("抱歉，我不能协助处理这一请求。", "Sorry, I can't help with this request.")
_MESSAGES: dict[str, tuple[str, str]] = {
    "personal_data": (
        "抱歉，我不能提供、查询或协助获取他人的个人信息或账户信息。如确有业务需要，请通过行内经授权的"
        "系统和流程办理。",
        "Sorry, I can't provide, look up or help obtain another person's personal or account data. "
        "If there is a business need, use the bank's authorised systems and procedures.",
    ),
    "intrusion": (
        "抱歉，我不能协助入侵系统或账户、获取密码或绕过安全措施。",
        "Sorry, I can't help break into systems or accounts, obtain passwords or bypass security controls.",
    ),
    "fraud": (
        "抱歉，我不能协助伪造材料、洗钱、规避监管或其他违法违规行为。",
        "Sorry, I can't help forge documents, launder money, evade controls or break the law otherwise.",
    ),
    "market_abuse": (
        "抱歉，我不能协助内幕交易、操纵市场或编造、传播虚假信息。",
        "Sorry, I can't help with insider dealing, market manipulation or spreading false information.",
    ),
    "mis_selling": (
        "抱歉，我不能协助向投资者销售不适当的产品、承诺收益或绕过适当性管理要求。",
        "Sorry, I can't help sell unsuitable products, promise returns or bypass suitability rules.",
    ),
    "confidential": (
        "抱歉，我不能提供或协助获取其他机构的商业秘密或内部资料。",
        "Sorry, I can't provide or help obtain another organisation's confidential or internal material.",
    ),
    "conduct": (
        "抱歉，这一请求违反金融从业行为规范（如出借账户、私下代客理财、收益分成、无资质投资建议或误导性"
        "宣传），我不能协助。如有疑问，请咨询合规部门。",
        "Sorry, this request breaches financial conduct rules (account lending, private discretionary "
        "trading, profit sharing, unlicensed advice or misleading promotion); please ask Compliance.",
    ),
    "intellectual_property": (
        "抱歉，我不能协助未经授权使用他人的作品、商标或软件。",
        "Sorry, I can't help use others' works, trademarks or software without permission.",
    ),
}


@dataclass(frozen=True)
class Rule:
    """Matches when every regex in `all` matches and none in `none` does (`@set` = a term set)."""

    all: tuple[str, ...]
    none: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    """Something the gateway refuses, with the fixed answer in Chinese and English."""

    name: str
    rules: tuple[Rule, ...]
    message_zh: str
    message_en: str
    enabled: bool = True


def _topic(name: str, *rules: Rule) -> Topic:
    zh, en = _MESSAGES[name]
    return Topic(name=name, rules=rules, message_zh=zh, message_en=en)


DEFAULT_TOPICS: tuple[Topic, ...] = (
    # Asking for someone's data ("查一下客户王某的卡号") or passing it on ("把客户名单发给…"), in that
    # order within one sentence. Working *with* data already in the prompt ("借款人张伟，身份证号…，
    # 请概括风险点") is the gateway's everyday job: masking protects it, nothing is refused.
    _topic(
        "personal_data",
        Rule(all=(rf"@obtain{_CLAUSE}@someone_else{_CLAUSE}@personal_data",), none=("@protective",)),
        Rule(all=(rf"@someone_else{_CLAUSE}@personal_data{_CLAUSE}@pass_on",), none=("@protective",)),
        Rule(all=(rf"@obtain{_CLAUSE}@records",), none=("@protective",)),
        Rule(all=(rf"@records{_CLAUSE}@pass_on",), none=("@protective",)),
    ),
    _topic("intrusion", Rule(all=("@intrusion",), none=("@defence",))),
    _topic("fraud", Rule(all=("@fraud",), none=("@defence",))),
    _topic("market_abuse", Rule(all=("@market_abuse",), none=("@defence",))),
    _topic("mis_selling", Rule(all=("@mis_selling",), none=("@defence",))),
    _topic("confidential", Rule(all=("@obtain", "@confidential"), none=("@defence", "我行", "本行", "我司"))),
    _topic("conduct", Rule(all=("@conduct",), none=("@defence",))),
    _topic("intellectual_property", Rule(all=("@intellectual_property",), none=("@defence",))),
)


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused: the topic (audited) and the answer the client gets."""

    topic: str
    message: str
    by: str = "patterns"  # or "classifier"


class RefusalClassifier(Protocol):
    """A second opinion for what the patterns miss: the topic to refuse, or None."""

    def classify(self, text: str) -> str | None: ...


@dataclass(frozen=True)
class _CompiledRule:
    all: tuple[re.Pattern[str], ...]
    none: tuple[re.Pattern[str], ...]

    def matches(self, text: str) -> bool:
        return all(p.search(text) for p in self.all) and not any(p.search(text) for p in self.none)


_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
_ESCAPES = re.compile(r"\\(?:u[0-9a-fA-F]{4}|[a-zA-Z])")


def _alternation(words: Sequence[str]) -> str:
    """A term set as one group. Latin-script terms sit behind a `(?=[a-z])` guard, so a Chinese
    text is not tried against every English word at every position (several times faster)."""
    latin = [w for w in words if _LATIN.search(_ESCAPES.sub("", w))]
    other = [w for w in words if w not in latin]
    branches = []
    if other:
        branches.append("|".join(other))
    if latin:
        branches.append(r"(?=[a-z])(?:" + "|".join(latin) + ")")
    return "(?:" + "|".join(branches) + ")"


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@dataclass
class RefusalPolicy:
    """Topics of requests to refuse; `check(text)` answers the first topic that matches, or None."""

    topics: Sequence[Topic] = DEFAULT_TOPICS
    terms: Mapping[str, Sequence[str]] = field(default_factory=lambda: dict(DEFAULT_TERMS))
    classifier: RefusalClassifier | None = None
    _compiled: list[tuple[Topic, list[_CompiledRule]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._compiled = []
        for topic in self.topics:
            if not topic.enabled:
                continue
            rules = [
                _CompiledRule(
                    tuple(self._compile(topic.name, r) for r in rule.all),
                    tuple(self._compile(topic.name, r) for r in rule.none),
                )
                for rule in topic.rules
            ]
            self._compiled.append((topic, rules))

    @classmethod
    def default(cls, *, classifier: RefusalClassifier | None = None) -> RefusalPolicy:
        return cls(classifier=classifier)

    @classmethod
    def from_file(cls, path: Path, *, classifier: RefusalClassifier | None = None) -> RefusalPolicy:
        """Built-in topics and terms, changed by a TOML file:

        [terms]                       # replace or add term sets
        someone_else = ["他人", "客户"]
        [[topic]]                     # replace (same name) or add a topic
        name = "personal_data"
        enabled = true
        message_zh = "…"
        message_en = "…"
        rules = [{ all = ["@obtain", "@someone_else.{0,20}@personal_data"], none = ["@protective"] }]
        """
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read the refusal policy {path}: {exc}") from None
        return cls.from_mapping(data, source=str(path), classifier=classifier)

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, source: str = "policy", classifier: RefusalClassifier | None = None
    ) -> RefusalPolicy:
        terms = dict(DEFAULT_TERMS)
        for name, words in dict(data.get("terms", {})).items():
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise ConfigError(f"{source}: terms.{name} must be a list of strings")
            terms[name] = words
        topics = {t.name: t for t in DEFAULT_TOPICS}
        for raw in data.get("topic", []):
            try:
                name = str(raw["name"])
                base = topics.get(name)
                rules = tuple(
                    Rule(all=tuple(r["all"]), none=tuple(r.get("none", ()))) for r in raw.get("rules", [])
                ) or (base.rules if base else ())
                topics[name] = Topic(
                    name=name,
                    rules=rules,
                    message_zh=str(raw.get("message_zh", base.message_zh if base else _GENERIC[0])),
                    message_en=str(raw.get("message_en", base.message_en if base else _GENERIC[1])),
                    enabled=bool(raw.get("enabled", True)),
                )
            except (KeyError, TypeError) as exc:
                raise ConfigError(f"{source}: a [[topic]] entry is incomplete ({exc})") from None
        return cls(topics=tuple(topics.values()), terms=terms, classifier=classifier)

    def _compile(self, topic: str, regex: str) -> re.Pattern[str]:
        def expand(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.terms:
                raise ConfigError(f"refusal topic '{topic}' uses unknown term set '@{name}'")
            return _alternation(self.terms[name])

        source = re.sub(r"@([a-z_]+)", expand, regex)
        try:
            return re.compile(source, re.IGNORECASE)
        except re.error as exc:
            raise ConfigError(f"refusal topic '{topic}' has an invalid pattern: {exc}") from None

    @property
    def topic_names(self) -> list[str]:
        return [topic.name for topic, _ in self._compiled]

    def match(self, text: str) -> str | None:
        """The first topic whose patterns match `text` (the classifier is not asked)."""
        norm = _normalise(text)
        for topic, rules in self._compiled:
            if any(rule.matches(norm) for rule in rules):
                return topic.name
        return None

    def check(self, text: str) -> Refusal | None:
        """A refusal for `text`, or None: the patterns first, then the classifier if one is set."""
        name = self.match(text)
        by = "patterns"
        if name is None and self.classifier is not None and text.strip():
            name = self.classifier.classify(text)
            by = "classifier"
        if name is None:
            return None
        return Refusal(topic=name, message=self.message(name, text), by=by)

    def message(self, topic_name: str, text: str) -> str:
        topic = next((t for t, _ in self._compiled if t.name == topic_name), None)
        zh, en = (topic.message_zh, topic.message_en) if topic else _MESSAGES["personal_data"]
        return zh if _is_chinese(text) else en


_CLASSIFIER_PROMPT = (
    "你是银行的合规审查员。判断用户的请求是否属于以下任何一类："
    "（1）索取、查询、泄露他人的个人信息或账户信息；（2）入侵系统、窃取密码；"
    "（3）伪造材料、洗钱、规避监管；（4）内幕交易、操纵市场；（5）向投资者违规销售。"
    "只回答一个字：是 或 否。"
)


class ModelRefusalClassifier:
    """Asks a chat model (use an *internal* one: it sees the raw request) whether to refuse.

    Answers "personal_data" for a yes (the audit record says `by: classifier`), None otherwise or
    when the model fails: a classifier outage never blocks the gateway.
    """

    def __init__(self, model: ChatModel, *, topic: str = "personal_data") -> None:
        self.model = model
        self.topic = topic

    def classify(self, text: str) -> str | None:
        messages = [{"role": "system", "content": _CLASSIFIER_PROMPT}, {"role": "user", "content": text}]
        try:
            answer = self.model.complete(messages, max_tokens=3, temperature=0.0).content.strip().lower()
        except BankmindError:
            return None
        return self.topic if answer.startswith(("是", "yes")) else None
