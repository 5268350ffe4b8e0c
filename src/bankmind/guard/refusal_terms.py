"""The refusal policy's built-in data: term sets, the rules of each topic, the fixed answers.

`bankmind.guard.gateway_refusal` turns this into `DEFAULT_TERMS` and `DEFAULT_TOPICS`; a TOML file
can replace any term set or topic (see `RefusalPolicy.from_file`). A term is a regex; `@name` in a
rule stands for the term set `name`. Rules are built from general linguistic parts rather than
remembered phrases:

* a *request* (查一下、告诉我、发我、give me) about *someone else* (客户、老王、我同事、他的) and
  their *data* (卡号、余额、住哪、credit report), in one clause;
* a *misconduct* term per topic (伪造、拆分存现、内幕、保本保息、出借账户 …), unless the question
  is *education*: what it is, how to recognise or prevent it, what the law or the penalty is
  (什么是、如何识别、法律责任、处罚、red flags, how to detect …);
* a customer's own request or a staff procedure on customer data (本人、授权、法院冻结、继承、
  异议更正) is *protective*: not refused.

Every term should contain a literal of two or more characters where it can: the policy skips a
rule's regex when the literals it needs are absent (`refusal_prefilter`).
"""

from __future__ import annotations

__all__ = ["CLAUSE", "COMMON_TEXT", "GENERIC_MESSAGE", "MESSAGES", "TERMS", "TOPIC_RULES"]

# A clause: terms of one rule must sit in the same sentence, not far apart.
CLAUSE = r"[^。！？!?；;\n]{0,24}?"
# The same, within a term (a shorter reach).
_GAP = r"[^。！？!?；;\n]{0,12}"
_SHORT = r"[^。！？!?；;\n]{0,6}"
_EN_GAP = r"[^.?!;\n]{0,30}"
_BEFORE_PUBLIC = r"before (?:it|the [a-z]+)(?:'s| is| gets) (?:announced|public|published)"

# Common Chinese surnames: a surname with a title, an affix or a possessive is a person.
_SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
    "阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚"
    "文蒲"
)
# Surnames that are also common word starts (小于、小金库、小额) are left out after 小.
_SMALL = "王李张刘陈杨赵黄周吴徐孙胡朱林何郭罗梁宋郑谢韩唐冯董萧程曹袁邓许彭吕苏卢蒋蔡贾魏薛叶潘杜戴夏钟汪"
_HAN = r"[\u4e00-\u9fff]"
# Surnames that seldom start an ordinary word (not 余额、金额、黄金、方法、周期 …): a name right
# after a request verb ("查下李娟身份证").
_PLAIN_SURNAMES = (
    "王李张刘陈杨赵吴徐孙胡朱郭罗梁宋郑唐冯萧曹袁邓傅沈彭吕卢蒋蔡贾丁魏薛叶阎潘戴钟汪姜邹谭廖郝孔崔邱秦侯"
    "邵孟汤尹黎乔赖龚"
)

_RELATIVES = (
    "我爸", "我妈", "爸爸", "妈妈", "父亲", "母亲", "父母", "儿子", "女儿", "儿媳", "女婿", "丈夫",
    "妻子", "老公", "老婆", "媳妇", "对象", "男朋友", "女朋友", "男友", "女友", "前任", "前妻", "前夫",
    "未婚妻", "未婚夫", "哥哥", "姐姐", "弟弟", "妹妹", "兄弟", "嫂子", "姐夫", "妹夫", "弟媳", "叔叔",
    "阿姨", "舅舅", "舅妈", "姑姑", "姑父", "姨妈", "伯伯", "爷爷", "奶奶", "外公", "外婆", "侄子", "侄女",
    "外甥", "孙子", "孙女", "家人", "家属", "亲属", "亲戚", "亲家", "婆婆", "公公", "岳父", "岳母", "丈人",
    "丈母娘", "租客", "房东", "合伙人", "同学", "室友", "闺蜜", "老乡", "下属", "业主", "老板", "同事",
    "邻居", "隔壁", "朋友", "好友", "熟人", "仇家", "仇人", "对手", "情人",
    r"[表堂](?:哥|姐|弟|妹)", r"小(?:姨子|舅子|叔子)", r"大(?:舅子|伯子|姑子)",
    r"(?:科|处|局|部|厅|院|校|村|镇|县|市|组|班|所|队|庭|[支分]行)长(?!期|远|久|短|度|大|城|江)",
    "车主", "房主", "实习生", "新员工", "保姆", "司机",
)  # fmt: skip

_EN_PEOPLE = (
    r"\bmy (?:[a-z]+ )?(?:wife|husband|brother|sister|mother|mom|mum|father|dad|son|daughter|ex|"
    r"ex-(?:wife|husband|girlfriend|boyfriend|partner)|girlfriend|boyfriend|partner|tenant|landlord|"
    r"colleague|co-?worker|neighbou?r|boss|manager|friend|employee|cousin|uncle|aunt|roommate|"
    r"flatmate|in-laws?)(?:'s)?"
)
_EN_ROLES = (
    r"\b(?:customer|client|borrower|depositor|cardholder|account holder)s?'?(?! service| support| care)"
)
# A surname with a title, an affix or a possessive: a person.
_NAMED = (
    rf"[{_SURNAMES}][某\u4e00-\u9fff]{{1,2}}(?:先生|女士|小姐)?的",
    rf"[{_SURNAMES}](?:某某?|先生|女士|小姐|经理|行长|主任|老师|师傅|阿姨|大爷|大妈|叔|哥|姐"
    rf"|总(?![额量数计体部行价值资结共]))",
    rf"[{_SURNAMES}]{_HAN}{{1,2}}(?=名下|最近|上周|上个?月|这个?月|今年|去年|在你们|在我行|在贵行)",
    rf"(?<![养敬尊])老[{_SURNAMES}]", rf"小[{_SMALL}]", rf"姓[{_SURNAMES}]", "张三", "李四", "王五",
    rf"(?:客户|借款人|员工|同事|储户|持卡人|邻居|朋友)[{_SURNAMES}]{_HAN}{{1,2}}",
)  # fmt: skip

TERMS: dict[str, list[str]] = {
    # asking to obtain, see, pass on or publish something
    "obtain": [
        "获取", "获得", "取得", "拿到", "弄到", "搞到", "查询", "查看", "查到", "查出", "查查", "帮我查",
        "帮忙查", "查找", "搜索", "搜集", "收集", "汇总", "统计", "看看", "瞅瞅", "瞧瞧", "给我看", "看到",
        "想知道", "知道", "打听", "打探", "摸清", "告诉我", "告知", "提供", "发给", "发我", "传我", "了解",
        "确认一下", "核实一下", "核对一下", r"发(?:一下|一份)", r"贴(?:出来|给|到)",
        r"给我(?!妈|爸|爷|奶|哥|姐|弟|妹|老|儿|女|家|们)",
        "发送给", "转发", "透露", "泄露", "公开", "曝光", "发布", "导出", "下载", "拷贝", "复制", "调取",
        "调阅", "调出", "窃取", "盗取", "出售", "卖给", "卖我", "买到", "共享给", "找到", "找出", "列出",
        "列一下", "整理", "采集", "捕捉", "推给", "截图", "输出", "我需要", "我想要",
        r"[查看瞅瞧找调搜翻](?:一下|下|一[查看瞅瞧找搜翻眼])", r"[查找调搜翻导](?:出来|出)",
        r"[搞弄整拿要](?:一份|一下|个)", r"偷(?:看|拿|取|走|拍|录|偷)",
        r"\bget\b", r"\bfind\b", r"\bobtain", r"look ?up", r"\bretrieve", r"give me", r"tell me",
        r"\bpull\b", r"show me", r"\bsend\b", r"\bshare\b", r"\bleak", r"\bexpose", r"\bpublish",
        r"\bdownload", r"\bexport", r"\bdump\b", r"\bcollect", r"\baccess\b", r"\bsteal", r"\bsell\b",
        r"\bbuy\b", r"\blist\b", r"\bcheck\b", r"\bwhat(?:'s| is| are| did)\b", r"\bi need\b",
        r"\bhow much\b", r"\bdig up\b", r"\btrack down\b",
    ],
    # passing data on to someone else
    "pass_on": [
        "发给", "发到", "发送给", "转发", "导出", "公开", "曝光", "发布", "泄露", "透露", "出售", "卖给",
        "共享给", "提供给", "推给", "告诉", "交给", "截图", r"(?:发|传|转|寄|邮|抄送|卖)(?:给)?我",
        r"给我(?!妈|爸|爷|奶|哥|姐|弟|妹|老|儿|女|家|们)", r"导(?:一份|一下)?出来", r"传(?:到|给)",
        r"贴(?:出来|给|到)",
        r"\bshare", r"\bleak", r"\bpublish", r"\bsell\b", r"\bsend (?:it |them )?to\b", r"\bpost\b",
    ],
    # a particular other person: named, a relative or acquaintance, he or she
    "someone_close": [
        *_RELATIVES, *_NAMED,
        "某人", "此人", "这个人", "那个人", "每个人", "所有人", "户主", "机主", "开户人",
        r"(?<![其吉])[他她](?:们)?(?:的)?(?![行人们])",
        _EN_PEOPLE, r"\b(?:his|her|their)\b", r"\bsomeone(?:'s)?", r"\bsomebody(?:'s)?", r"account holder",
        r"\b(?!(?:it|what|that|there|here|who|where|how|let|one|bank|branch|company|app|today)'s)[a-z]+'s\b",
    ],
    # anyone other than the person asking, including customers and staff in general
    "someone_else": [
        *_RELATIVES, *_NAMED,
        "他人", "别人", "其他人", "某人", "陌生人", "这些人", "那些人", r"客户(?!服务|经理|端|中心|热线)",
        "顾客", "储户", "会员", "股民", r"用户(?!手册|协议|体验)", "领导", "上司", "竞争对手", "员工",
        "职员", "高管", "股东", "法人", "法定代表人", "董事长", "总经理", "明星", "名人", "网友", "借款人",
        "投资者", "持卡人", "户主", "机主", "开户人", "每个人", "所有人", "人群",
        r"(?<![其吉])[他她](?:们)?(?:的)?(?![行人们])",
        r"\bsomeone(?:'s)?", r"\bsomebody(?:'s)?", r"another (?:person|customer|client)",
        r"other (?:people|customers|clients)", r"\b(?:everyone|everybody)\b",
        r"\ball (?:staff|employees|customers|clients)", _EN_ROLES,
        r"\bthe (?:lady|man|woman|guy|gentleman|person|girl|boy|couple)\b", _EN_PEOPLE,
        r"\b(?:his|her|their)\b",
        r"\b(?!(?:it|what|that|there|here|who|where|how|let|one|bank|branch|company|app|today)'s)[a-z]+'s\b",
    ],
    # personal or account data
    "personal_data": [
        "银行卡号", "卡号", "银行账号", "账号", "账户", "帐户", "余额", "存款", "资产", "财产", "收入",
        "工资", "交易记录", "交易明细", "交易情况", "交易信息", "交易流水", "流水", "买卖记录", "持仓",
        "身份证", "证件号", "手机号", "电话", "联系方式", "住址", "地址", "住哪", "住在哪", "家住",
        "工作单位", "户籍", "户口", "籍贯", "密码", "验证码", "征信", "信用报告", "信用记录", "信用情况",
        "信用分", "病历", "体检", "婚姻", "政治面貌", "开户城市", "开户行", "开户信息", "开户资料",
        "个人信息", "隐私", "行踪", "定位", "人际关系", "佣金率", "邮箱", "微信号", "投资偏好", "资金情况",
        "工龄", "薪酬", "薪资", "奖金", "岗位级别", "晋升", "人脸", "生日", "身高", "体重", "行程", "姓名",
        "照片", "卡里", "卡上", "名下", "额度", "账单", "消费", "开房记录", "转账记录", "取款记录", "进账",
        "进出", "收支", "社保", "公积金", "养老金", "退休金", "审批结果", "负债", "欠款", "房贷", "车贷",
        "定期", "还剩", r"(?:还款|贷款|借款|逾期|通话|取款|存款|开户|登录)(?:记录|情况|信息|余额|金额|明细)",
        r"开(?:了|过)户", r"有没有[^。！？!?；;\n]{0,8}开(?:过|了)?户",
        r"(?:有|买了|存了|投了)多少(?:理财|基金|股票|钱|存款|保险)",
        r"(?:存|欠|贷|花|取|转|赚|挣|借)(?:了|着|过|银行)", r"(?:还有|有没有|有多少)钱",
        r"在哪(?:个|家)?(?:网点|支行|银行)",
        r"card (?:numbers?|details)",
        r"account (?:numbers?|balances?|details|info(?:rmation)?|statements?|history)",
        r"(?:savings|bank|current|checking|online banking) accounts?", r"\baccounts? (?:here|with you)",
        r"\bbalances?\b", r"\btransactions?\b", r"\bstatements?\b", r"\bid (?:card )?numbers?",
        r"identity (?:card )?numbers?", r"passport numbers?", r"(?:phone|mobile) numbers?",
        r"(?:home )?address(?:es)?", r"\bpasswords?\b", r"\bpin\b", r"verification codes?", r"\bcvv\b",
        r"credit (?:reports?|history|scores?|limits?)", r"\bsalary", r"\bincome", r"medical records?",
        r"personal (?:data|information|details)", r"\bspen[dt]\b", r"\bspending\b", r"\bdeposits\b",
        r"how much money", r"\bearn(?:s|ings)\b", r"pay ?slips?", r"\bwages\b", r"\bwhereabouts\b",
        r"\bcredentials\b", r"bank (?:details|information|info|records)",
    ],
    # a question about a value: how much, which, what, who
    "ask": [
        "是多少", "有多少", "多少", "是什么", "是啥", "几张", "几个", "哪张", "哪家", "哪个银行", "在哪",
        "哪里", "哪儿", "住哪", "是谁", "谁的", "是不是", "有没有", "给谁",
    ],
    # an amount someone has, owes or spent
    "amount": [
        r"(?:有|买了|存了|投了|还有|欠了?|贷了?|花了|取了|赚了|挣了)多少(?:钱|理财|基金|股票|存款|保险|贷款)",
        r"(?:还有|有没有)钱", r"\bhow much (?:money )?(?:does|did|has|is) (?:he|she|they)\b",
    ],
    # whose it is
    "whose": [
        "是谁的", "谁的", "户主是谁", "机主是谁", "是谁", r"(?:对应)?的(?:人|主人)",
        r"\bwho (?:owns|is behind|holds)", r"\bwhose\b",
    ],
    # bulk records about people
    "records": [
        r"(?:客户|用户|员工|会员|投保人|借款人|持卡人|储户|业主|股东|人群|人员)(?:的)?(?:个人)?"
        r"(?:信息|资料|名单|清单|数据|档案|明细|花名册|通讯录)",
        r"(?:customer|client|employee|user) (?:data|records|lists?|details|information)",
    ],
    # a customer's own request, or a staff procedure on customer data: ordinary questions
    "protective": [
        "保护", "防止", "防范", "避免", "杜绝", "被泄露", "泄露了", "泄漏了", "泄露事件", "举报", "报案",
        "挂失", "冻结", "忘记", "忘了", "本人", "自己的", "规定", "制度", "要求", "法律", "法规", "条例",
        "培训", "授权", "流程", "手续", "责任", "处罚", "处分", "继承", "已故", "去世", "身故", "异议",
        "更正", r"核实(?:身份|客户身份|本人)", "核验", "司法", "法院", "监护",
        r"(?:向谁|如何|怎么|应该|应当)(?:报告|举报|反映|投诉)",
        r"(?:如果|一旦)?发现(?:有人|同事|员工|客户经理)", r"被(?:盗|骗|冒用|冒名|盗刷|诈骗|套取)",
        r"记不(?:清|得|住)", r"是否[^。！？!?；;\n]{0,10}(?:齐全|一致|完整|真实|相符|匹配)",
        r"(?:^|[，,。？?！!])\s*(?:请问)?(?:客户|用户|持卡人|储户|借款人|投资者)(?:本人)?"
        r"(?:如何|怎么|怎样|可以|能否|能不能|需要|要|应该|想)",
        rf"需要{_SHORT}(?:什么|哪些)", r"(?:如何|怎么|怎样)办理",
        r"\bprotect", r"\bprevent", r"\bavoid", r"\breport(?:ed)? (?:a|the)? ?(?:leak|fraud|theft)",
        r"\bmy own\b", r"\bforgot", r"\block(?:ed)?\b", r"court order", r"\bexecutor", r"\bdeceased",
        r"\bdisputes?\b", r"\bverify\b", r"\bprocedure", r"\bconsent\b", r"\bauthori[sz]",
    ],
    # another organisation's confidential or internal material
    "confidential": [
        "商业秘密", "商业机密", "机密", "涉密", "内部数据", "内部资料", "内部文件", "内部信息", "测试报告",
        "沟通记录", "供应商档案", "供应商资料", "设计原型", "工作邮件", "性能数据", "未发布",
        r"(?:内部|运营)[^。！？\n]{0,8}(?:数据|资料|文件)",
        r"(?:confidential|internal|proprietary) (?:data|documents?|files?|information|reports?)",
        r"trade secrets?",
    ],
    # conduct rules: account lending and entrustment, profit sharing, kickbacks and gifts, private
    # deals with customers, misappropriation, unlicensed advice, misleading marketing
    "conduct": [
        "全权委托", "盈利分成", "收益分成", "利润分成", "分享投资收益", "约定分享", "好处费", "回扣",
        "高利贷", "挪用", r"挪(?:去|到|作)", "代持", "冲存款", "飞单", "代签", "代为签",
        r"(?:盈利|利润|收益|赚的)[^。！？\n]{0,4}我拿",
        r"[一二三四五六七八九][一二三四五六七八九]分(?:成|账)?",
        r"(?:全权|代为|帮[他她]|替[他她])(?:打理|管理|操作)[^。！？\n]{0,6}(?:账户|资金|股票|基金)",
        r"(?:用|借用|盗用|动用)(?:客户|储户|别人)的?(?:账户|卡|钱|资金|名义|额度)", r"(?:拿|收|吃|给我)返点",
        r"提成[^。！？\n]{0,6}共享", rf"替我{_SHORT}签",
        r"(?:没有|不具备|无)[^。！？\n]{0,6}(?:从业)?资格", r"以个人名义[^。！？\n]{0,12}(?:提供|收取|开展)",
        r"委托[^。！？\n]{0,12}(?:炒股|理财|操作|买卖)", r"(?:登陆|登录)我的(?:账号|账户)",
        r"(?:客户|投资者)介绍给",
        r"(?:送给|送|给)[^。！？\n]{0,12}(?:领导|官员|监管|证监局|证监会|银保监|审批人)"
        r"[^。！？\n]{0,6}(?:礼品|礼物|红包|购物卡|好处)",
        rf"(?:领导|审批|官员|监管){_SHORT}送礼", rf"送礼{_GAP}(?:领导|审批|官员|监管|才会?批)",
        rf"收(?:他|她|客户|借款人|对方|人家){_GAP}(?:辛苦费|感谢费|茶水费|介绍费|好处|红包|回扣|钱)",
        rf"私下{_GAP}(?:帮|替|代|给|收|理财|炒股|操作|贴息|借|放贷|交易|分成|办)",
        rf"(?:借给|出借|出租|租给|卖给|出售|转让|卖掉){_GAP}(?:银行卡|账户|卡|账号|U盾)",
        rf"(?:银行卡|账户|卡|账号|U盾){_SHORT}(?:借给|出借|出租|租给|卖给|出售)",
        rf"(?:借给|借用|出借|出租|出售|卖掉|转让){_SHORT}(?:证券账户|股票账户|交易账户|对公账户|账户)",
        r"借(?:[他她你我]的|用)?(?:账户|账号|银行卡|卡)",
        r"(?:转|打|汇|存)(?:到|进|入|给)我(?:的)?(?:私人|个人)的?(?:账户|卡|银行卡|微信|支付宝)",
        rf"(?:私人|个人)(?:消费|开支|费用){_GAP}(?:报成|报销|算成|记成|入账)",
        rf"(?:拉|介绍|劝){_GAP}(?:民间借贷|高利贷|集资)",
        r"(?:找|向|跟)(?:客户|储户|借款人)借(?:钱|款)?", r"客户借(?:给)?我",
        r"借(?:钱)?给(?:客户|储户|借款人)",
        rf"报销{_GAP}私人", r"对半分|平分(?:利润|收益)|利润平分",
        r"(?:帮|替|代)客户[^。！？\n]{0,4}(?:炒|操作|买卖|交易|打理)[^。！？\n]{0,4}(?:股|期货|基金|账户|证券)",
        r"(?:怎么|如何)(?:收|拿|接受)[^。！？\n]{0,6}(?:不违规|合规|不算)",
        r"(?:购物卡|红包|礼金|礼品|礼物|好处)[^。！？\n]{0,10}(?:怎么|如何)(?:收|拿)",
        r"\buse (?:my|his|her) (?:position|job|role|access)\b",
        r"(?:私人|个人)(?:旅游|聚餐|购物|消费|开支|费用)[^。！？\n]{0,12}(?:报成|报销|算成|记成|入账)",
        r"(?:攻击|抹黑|诋毁)[^。！？\n]{0,8}(?:证监会|监管|政府|人民银行|银保监|竞品|同行)",
        r"(?:吹捧|夸大|秒杀其他|最好[^。！？\n]{0,8}最低)", r"截取[^。！？\n]{0,12}(?:业绩|收益|净值)",
        r"(?:海报|宣传|文案|广告|合同|榜单)[^。！？\n]{0,24}收益率",
        r"(?:私募)[^。！？\n]{0,12}(?:宣传|公众号|海报|广告|推广)",
        r"(?:宣传|公众号|海报|广告)[^。！？\n]{0,12}私募",
        r"(?:应该|该|能)买(?:哪些|哪只|什么)股票", r"现在能(?:加仓|减仓|抄底)吗",
        r"(?:说服|劝|让)[^。！？\n]{0,8}(?:低风险|保守型|没有投资意愿|不符合)",
        r"(?:教|帮)[^。！？\n]{0,6}不符合[^。！？\n]{0,8}(?:标准|条件|要求)",
        r"返还(?:份额|佣金|手续费)给客户",
        r"\b(?:lend|rent|sell|loan)(?: out)? (?:my |your |an? |our )?(?:[a-z]+ )?accounts?\b",
        r"\bkick-?backs?\b", r"(?:share|split)(?: the)? profits? (?:privately|secretly|on the side)",
        r"\bprofit[- ]shar", r"\bbribes?\b",
    ],
    # hiding what one does: a request to get away with something
    "evasion": [
        rf"(?:不被|不会被|不让{_SHORT}|免得被|别被|逃过|躲过|避开)(?:人)?"
        r"(?:发现|查到|查出|查|察觉|注意到|追查|稽核|审计|上报|监管)",
        r"不(?:引起|惹)(?:注意|怀疑)", r"不会被(?:问|盘问|追问|查问)", r"不走(?:审批|流程|正规)",
        r"未经(?:审批|授权|批准|允许)", r"without (?:approval|authori[sz]ation|permission|credentials)",
        r"(?:比较|更|最|很)隐蔽", r"隐蔽(?:一点|些|地)", r"不显眼",
        r"不留(?:下)?(?:痕迹|记录|证据|书面)", r"神不知鬼不觉",
        r"without (?:getting |being |it )?(?:caught|flagged|detected|noticed|traced|showing up)",
        r"(?:avoid|not) (?:getting |being )?(?:caught|flagged|detected)",
        r"so (?:nobody|no one) (?:sees|notices|finds)", r"\b(?:unnoticed|undetected)\b", r"under the radar",
        rf"\bhide\b{_EN_GAP}from (?:compliance|audit|auditors|the bank|my manager|regulators?)",
        r"(?:doesn't|does not|won't|will not|don't|do not) (?:file a report|report it|notice|flag|catch)",
        r"without (?:declaring|disclosing|reporting|telling)", r"应付(?:一下)?(?:审计|检查|监管|稽核)",
        r"without (?:the bank|anyone|them|compliance|my (?:boss|manager|wife|husband)) "
        r"(?:knowing|noticing|finding out)",
        r"\b(?:commission|fee|cut|money)\b[^.?!;\n]{0,45}\bon the side\b",
    ],
    # using others' works or marks without permission
    "intellectual_property": [
        r"会员[^。！？\n]{0,6}(?:电视剧|电影|视频|音乐)", "盗版", "破解版", r"(?:知名)?品牌的商标",
        "奥运会的?标识",
        r"源代码[^。！？\n]{0,16}(?:我的名义|发布|改成)", r"(?:小说|作品|电影)[^。！？\n]{0,8}改编",
        r"改编[^。！？\n]{0,8}(?:小说|作品)", r"(?:字体|图片|音视频)[^。！？\n]{0,16}(?:都可以|随便)用",
        r"pirated", r"cracked (?:software|version)",
    ],
    # learning what misconduct is, how to recognise, prevent or report it, what the law says, or
    # being its victim: education and help, not a request to commit it
    "defence": [
        r"(?<!人脸|指纹|声纹|虹膜|身份)识别(?!系统|码)", "防范", "防止", "预防", "防护", "举报", "报案",
        "认定", "打击", "区分", "区别", "范围",
        "为什么违法", "为什么不能", "为何不能", "危害", "警示", "风险提示", "提示风险", "案例", "什么是",
        "是什么", "什么叫", "是指", "含义", "定义", "什么意思", "法律责任", "刑事责任", "什么责任",
        "判几年", "判刑", "量刑", "定罪", "立案标准", "入罪", "罪名", "属于什么", "规定", "监管要求",
        "适当性要求", "特征", "迹象", "风险点", "后果", "法律风险", "培训", "内部控制", "内控", "合规要求",
        "手法", "怎么运作", "如何运作", "怎样运作", r"(?:审批|办理|申请|报告|上报|处置|处理|查控|冻结)流程",
        "投诉", "查控", "止付", "追回", "挽回", "涉案",
        r"(?:向谁|如何|怎么|应该|应当)(?:报告|举报|反映)", r"(?:如果|一旦)?发现(?:有人|同事|员工|客户经理)",
        r"(?:知情人|董监高|高管|员工|职员|工作人员|从业人员|客户经理|理财经理|柜员|银行|公司|机构)(?:是否)?"
        r"(?:可以|能否|能不能|允许|可不可以|能)",
        r"被(?:冻结|封|锁|止付|起诉|调查|处罚|处分|推销|误导|欺骗|忽悠)",
        r"有(?:什么|哪些)(?:风险|危害|后果|问题|影响)", r"(?:通常|一般|常见|主要)(?:有|的)?哪些",
        r"(?:审计|监管|银行|风控|合规)(?:应该|应当|需要)?(?:关注|注意|核查)",
        r"处罚(?:情况|决定|结果)", rf"{_HAN}{{1,4}}案(?:的|件)?(?:处罚|判决|情况|分析|启示)",
        rf"承担{_SHORT}责任", r"(?:什么|哪些|怎么|如何|怎样)(?:样的)?(?:处罚|处分|惩处|惩戒)",
        r"(?:处罚|处分|惩处)(?:规定|标准|措施|依据|案例|力度|有哪些|是什么)",
        r"(?:常见|典型|主要|具体|有哪些|有什么)表现|表现(?:形式|为|有哪些)", rf"构成{_GAP}罪",
        r"(?<!绕过|绕开|规避|逃避|躲避|避开|躲过|逃过|避过)反(?:洗钱|诈骗|电诈|欺诈|舞弊|腐败|贿赂)",
        r"(?<!办法|方法|途径|渠道|手段|技巧|窍门|门路|路子|方式)(?:包括|有)哪些(?!办法|方法|途径|渠道|技巧|门路|路子|窍门|手段|方式)",
        r"(?:如何|怎么|怎样|及时|主动)(?:识别|发现|甄别|监测|监控|排查|防范|防止|堵截|拦截|审核|核查|应对)",
        rf"(?:判断|鉴别|核实|辨别|甄别|检查){_GAP}(?:是否|真伪|真假)",
        r"(?:违规|违法|合规|合法|诈骗|骗局|犯罪|洗钱|内幕交易)(?:吗|嘛|么)", r"是不是(?:诈骗|骗局|违法|违规)",
        r"(?<![不免止])被(?:盗刷|盗用|盗|骗|冒用|冒名|泄露|入侵|钓鱼|诈骗|套现|挪|利用|操纵|洗钱)",
        r"(?<!-)\bprotect", r"\bprevent", r"\brecogni[sz]", r"\bdetect", r"\bspot\b", r"\bidentify",
        r"\breport(?:ing)? (?:it|this|them|suspicious|fraud|a scam|an? incident)\b", r"\bpenalt",
        r"\bconsequences?\b", r"red flags?", r"warning signs?", r"\bsigns of\b", r"\bcontrols?\b",
        r"\brespond to\b", r"\bwhy (?:is|are) .{0,30} illegal", r"\billegal\?",
        r"\b(?:rules|regulations|law)\b",
        r"\bwhat(?:'s| is| are) (?!the (?:best|easiest|safest|quickest|fastest|cheapest) way)",
        r"\bhow (?:do|can|should|does) (?:a |the )?(?:banks?|staff|compliance|regulators?)\b",
        r"\btraining\b", r"\bwarn\b", r"what should (?:i|we|they|customers) do",
        r"\bexplain (?:the |what|why)", r"\bdifference between\b", r"\bdefinition\b",
        r"\bis (?:this|it|that) (?:a scam|fraud|illegal|legal)",
    ],
    # breaking into systems or accounts
    "intrusion": [
        "入侵", "黑客", "植入", "木马", "病毒程序", "提权", "撞库", "拖库", "脱库", "SQL注入", "注入攻击",
        "钓鱼", "未授权访问", "远程登录端口", "分片重叠", "删库", "侧录", "盗刷", "克隆卡", "远程控制",
        r"抓包[^。！？\n]{0,10}(?:改|篡改|修改)", "嗅探",
        r"远程(?:登录|控制|连接)[^。！？\n]{0,10}(?:服务器|主机|电脑)",
        r"利用[^。！？\n]{0,8}(?:漏洞|bug|缺陷)",
        r"(?:读取|截获|拦截|监听|窃听|偷看)(?:客户|别人|他人|用户|[他她])的?(?:手机|电脑)?上?的?(?:银行)?"
        r"(?:短信|验证码|通话|通讯录|相册|聊天记录)",
        r"(?:破解|绕过|规避|解除|跳过)[^。！？\n]{0,10}"
        r"(?:密码|加密|安全|防护|限制|防抓取|验证|风控|认证|识别|人脸|指纹|CVV|U盾|UKey|证书)",
        r"(?:删除|清除|抹去|抹掉|关掉|关闭|停用|禁用)[^。！？\n]{0,10}(?:痕迹|日志|审计|监控)",
        r"(?:获取|窃取|盗取|推测|猜测|猜出|破解|输出|截获|拦截)[^。！？\n]{0,16}"
        r"(?:密码|密钥|口令|开机密码|验证码|证书)",
        r"(?:进入|侵入|潜入|黑进|闯入)[^。！？\n]{0,14}(?:内部|核心|运营|交易|管理)?"
        r"(?:系统|数据库|服务器|电脑|主机|后台|账户界面)",
        r"(?:登录|登陆|进入|操作|控制|盗用|冒用)(?:别人|他人|[他她]人?|客户|同事|领导)的?"
        r"(?:网银|账户|账号|手机银行|电脑|邮箱|系统|工号|U盾|UKey)",
        rf"(?:偷偷|私自|冒用){_GAP}(?:UKey|U盾|账号|工号|权限|密码)",
        rf"(?:复制|克隆){_GAP}(?:磁条|芯片|银行卡)", rf"(?:拿到|窃取|盗用|偷|弄到|搞到){_GAP}权限",
        r"(?:拿到|弄到|搞到|套出|骗到)[^。！？\n]{0,10}(?:别人|他人|[他她]的|行长|领导|同事|客户|柜员|管理员)"
        r"[^。！？\n]{0,8}(?:密码|口令|账号)",
        r"\bhack", r"break into", r"brute[- ]?force", r"phishing", r"sql injection", r"\bmalware",
        r"keylogger", r"crack (?:a |the |his |her )?(?:password|account|encryption)",
        rf"bypass{_EN_GAP}(?:security|authentication|2fa|two-factor|otp|verification|firewall|login|controls?)",
        rf"(?:admin|root|privileged) access{_EN_GAP}without",
        rf"(?:disable|delete|erase|wipe|turn off){_EN_GAP}(?:audit|logs?\b|logging)",
        rf"(?:disable|bypass|turn off|get around|evade){_EN_GAP}"
        r"(?:fraud (?:monitoring|detection|checks?|alerts?)|monitoring system|security controls?)",
        rf"\bsteal\b{_EN_GAP}(?:credentials?|passwords?|logins?|card (?:details|numbers?)|pins?|otp)",
        r"fake (?:login|log-in|sign-in) page", rf"\bclon(?:e|ing)\b{_EN_GAP}(?:card|sim|phone)",
        r"\bskimm(?:er|ing)\b",
        r"\b(?:try|tries|trying|guess|guessing)\b[^.?!;\n]{0,20}passwords?\b", r"password spraying",
        r"credential stuffing",
        rf"(?:get into|access|log ?in(?:to)?|enter){_EN_GAP}"
        r"without (?:credentials|a password|authori[sz]ation|permission)",
    ],
    # forgery, laundering, structuring, terror financing, evading controls
    "fraud": [
        "伪造", "造假", "篡改", "假证明", "假身份证", "假流水", "假合同", "假发票", "假财报", "假证件",
        "假账", "虚假", r"(?<!反)洗钱", "洗白", "洗干净", "变成合法", "恐怖组织", "恐怖融资", "恐怖活动",
        "东突", "骗取", "诈骗", "骗贷", "套现", "跑分", "贿赂", "行贿", "走私", "冒充", "假冒", "虚开",
        "虚构", "地下钱庄", "空壳公司", "赃款", "黑钱", "偷税", "逃税", "漏税", r"(?<!合理)避税",
        r"不想(?:交|缴|纳)税", r"绕(?:过|开)(?:去|它|系统|限制|规定|风控)",
        rf"假的?{_SHORT}(?:流水|证明|合同|发票|材料|证件|身份证|执照|报表|公章|印章|签名|单据|回单|凭证|记录|截图"
        r"|回执|报告|资料|账单)",
        r"(?:账|报表|流水|财务|业绩)[^。！？\n]{0,6}(?:看起来|显得)[^。！？\n]{0,4}(?:好看|漂亮|更好|更多)",
        "粉饰",
        r"(?:做|开|弄|编|造|搞|出具)[几一两]?[份张个套]假",
        r"让[^。！？\n]{0,10}(?:逾期|不良|征信)[^。！？\n]{0,8}(?:消失|消除|删除|没有|洗白)",
        r"(?:花钱|找人|托关系)[^。！？\n]{0,6}(?:消除|删除|修复|摆平|搞定|通融)", "征信修复",
        r"每(?:笔|次)[^。！？\n]{0,4}(?:不超过|少于|低于|控制在)[^。！？\n]{0,4}(?:[一二两三四五]万|[1-5]万|[1-5]0000)",
        r"(?:弄|搞|运|带|偷偷转)(?:出境|到境外|到国外)", r"虚拟货币[^。！？\n]{0,10}(?:出境|境外|换汇|洗)",
        r"[pP](?:一[张份下个]|图)",
        r"(?:绕过|绕开|规避|逃避|躲避|避开|躲过|逃过|避过)[^。！？!?；;\n]{0,20}"
        r"(?:监测|监控|监管|审计|处罚|责任|反洗钱|反恐|检查|缴纳|报告|上报|申报)",
        rf"(?:分开|拆分|拆成|分散|分批|分几次|分几个|每次){_GAP}(?:存|转|取|汇){_GAP}"
        r"(?:上报|报告|监测|监控|发现|察觉|大额)",
        r"(?:用|借用|冒用|盗用)(?:别人|他人|[他她]人?)的?(?:身份证|身份|证件|名义)",
        rf"(?:逾期|不良)记录{_SHORT}(?:改掉|删掉|去掉|抹掉|洗掉)",
        r"(?:收入证明|工资条|工资流水|银行流水|流水|存款证明|资产证明|财务报表|报表|征信报告|审计报告"
        rf"|发票){_GAP}(?:改成|改为|[pP]成|做成|调高|改高|美化|做高|做大)",
        r"(?:银行卡|账户)[^。！？\n]{0,12}(?:收款并取现|过一下|走账|过账)",
        r"(?:隐瞒|瞒报|掩盖)[^。！？\n]{0,12}(?:事件|事故|目的|交易|损失|此事)",
        r"\bforge", r"\bforged",
        rf"\bfake\b{_EN_GAP}"
        r"(?:id|document|statement|payslip|pay stub|paystub|invoice|certificate|letter|record|receipt"
        r"|screenshot)",
        r"launder", r"evade (?:tax|aml|sanctions|detection|monitoring)", r"\b(?:falsify|fabricate|doctor)\b",
        r"terror(?:ist)? financing", r"structure (?:my |the )?deposits", r"pretend(?:ing)? to be",
        r"\bimpersonat", r"(?:stay|keep|remain) (?:under|below)" + _EN_GAP + r"(?:threshold|limit|radar)",
        r"make (?:my |the |our )?(?:income|revenue|profits?|balance|statements?|turnover|sales)"
        rf"{_EN_GAP}look",
        rf"\binflate\b{_EN_GAP}(?:income|revenue|profits?|sales|turnover|statements?)",
        r"\b(?:fictitious|non-?existent|sham|bogus|counterfeit)\b",
        r"\b(?:made-up|false|fake|invented) (?:employment|income|details|information|figures|documents?)",
        r"for an? (?:company|person|business|firm) that (?:doesn't|does not) exist",
    ],
    # insider dealing and manipulation
    "market_abuse": [
        "内幕", "未公开信息", "未公开的消息", "未公开的信息", "做庄", "坐庄", "操纵", "老鼠仓", "趋同交易",
        "对倒", "对敲", "拉抬", "尾盘拉升", "砸盘", "申报撤单", "虚假申报", "配合买卖", "抢先交易",
        "来回倒手", "左手倒右手", "自买自卖", r"成交量[^。！？\n]{0,4}(?:做大|做上去|放大|刷)",
        rf"(?:write|spread|post|start|create|make up){_EN_GAP}rumou?rs?",
        r"so (?:the|its) (?:stock|share price|price) "
        r"(?:drops|falls|jumps|rises|goes up|goes down|tanks|spikes)",
        r"(?:编造|捏造|散布|散播|伪造|制造|写|编(?!写|辑|制|码|号|程|排|译|织))[^。！？\n]{0,16}"
        r"(?:假消息|消息|利好|利空|谣言|新闻)", "喊单",
        r"(?:报告|公告|消息|研报|业绩|财报)[^。！？\n]{0,20}(?:先|提前)(?:买|卖|建仓|抛|布局)",
        r"(?:拉升|抬高|炒作|做高)[^。！？\n]{0,6}(?:股价|股票|收盘价)",
        r"(?:价格|股价|收盘价)[^。！？\n]{0,6}(?:炒|拉|抬|做|推)(?:上去|上来|高|起来)",
        rf"提前{_SHORT}(?:买入|买|建仓|布局|埋伏|介入|卖出|抛)", rf"抢在{_GAP}(?:前面?|之前)(?:买|卖)",
        rf"(?:还没|尚未|没有?)(?:出来|出|公布|公开|披露|公告){_GAP}(?:买|建仓|布局|埋伏|交易|炒)",
        rf"(?:要|将|即将|准备)(?:发|发布|公布|披露){_SHORT}(?:公告|消息|业绩){_GAP}(?:买|建仓|布局|埋伏)",
        r"(?:我们|我司|我所在的?)公司[^。！？\n]{0,20}(?:要|将|即将|准备|马上)(?:发|公布|披露|宣布|发布)"
        r"[^。！？\n]{0,24}(?:买|建仓|布局|埋伏|增持)",
        r"(?:几个|多个|一批|一起|联合|组织)[^。！？\n]{0,10}(?:大户|账户|人|资金)[^。！？\n]{0,16}"
        r"(?:拉|炒|抬|砸|出货)",
        rf"透露{_GAP}(?:公告|业绩|财报|重组|并购)", r"诋毁", "造势",
        r"(?:票|股票|股价|价格)[^。！？\n]{0,4}(?:炒|拉|做|抬|推)(?:起来|上去|上来|高)",
        r"insider (?:information|trading|tips?)", r"pump and dump", r"front[- ]?run",
        r"manipulate (?:the )?(?:stock|share|market|price)", r"\bspoof(?:ing)? (?:orders|bids)",
        r"fake (?:press release|news|announcement|rumou?rs?|reports?)",
        rf"\b(?:pump|ramp|push|drive)\b{_EN_GAP}(?:price|stock|shares?)[^.?!;\n]{{0,10}}\bup\b",
        rf"\bcoordinate\b{_EN_GAP}(?:price|stock|shares?)",
        rf"\btrade on\b{_EN_GAP}(?:confidential|non-?public|inside|merger|unannounced)",
        rf"{_BEFORE_PUBLIC}{_EN_GAP}(?:buy|trade|sell)", rf"(?:profit|make money){_EN_GAP}{_BEFORE_PUBLIC}",
        r"\b(?:takeover|merger|acquisition|earnings) tips?\b",
        rf"(?:buy|trade|sell){_EN_GAP}{_BEFORE_PUBLIC}",
    ],
    # selling unsuitable products, promised returns, bypassing suitability
    "mis_selling": [
        "保本保收益", "保本保息", "稳稳的", r"(?:别|不要|不用|不)(?:提|说|讲)风险",
        r"(?:不够|不达标|不符合|达不到)[^。！？\n]{0,12}(?:怎么|如何|帮)[^。！？\n]{0,6}(?:过|通过|买到|绕)",
        r"(?:convince|persuade|talk)[^.?!;\n]{0,30}(?:retired|retiree|pensioner|elderly|old)[^.?!;\n]{0,40}"
        r"(?:savings|high-risk|fund|invest)", "保证收益", "承诺收益", "稳赚不赔", "只赚不赔", "包赚",
        "绝对不会亏",
        "无风险的", "零风险", "保底收益", "即将停售", "限时限量", "肯定赚", "一定赚", "保证赚", "保你赚",
        "只涨不跌", "收益有保障", "本金有保障", r"(?<!会)不会亏", "不亏本",
        rf"(?:说|讲|宣传|承诺|保证|告诉|写|包装){_GAP}(?:保本|保息|保底|稳赚|零风险|无风险|没有风险|一样安全)",
        rf"(?:写成|说成|包装成|当成|宣传成){_SHORT}(?:预期收益|保本|存款|定期|无风险)",
        r"诱导[^。！？\n]{0,12}(?:客户|投资者|购买|相信|开户)",
        r"(?:让|使|令)(?:客户|投资者|老人|老年人|他们|对方)误?以为",
        r"(?:高于|超过|不符合|不匹配)[^。！？\n]{0,8}(?:风险承受|风险等级|适当性|合格投资者)",
        r"(?:篡改|修改|绕过|规避|跳过)[^。！？\n]{0,8}(?:风险测评|评测|测评|风险等级|适当性|合格投资者)",
        rf"(?:测评|评估|风险等级){_GAP}(?:改成|改为|调成|调高|改高|做成)",
        rf"测评{_SHORT}(?:怎么|如何)(?:填|答|做|选){_SHORT}(?:通过|过|达到|够|高)",
        r"(?:保守型|谨慎型|稳健型|[cC][12])[^。！？\n]{0,12}(?:卖|推荐|买)[^。！？\n]{0,8}(?:[rR][3-5]|高风险)",
        r"[cC][1-5][^。！？\n]{0,12}(?:怎么|如何)[^。！？\n]{0,4}[买签][^。！？\n]{0,8}[rR][1-5]",
        r"(?:稀里糊涂|糊里糊涂|没看清|不看|没看)[^。！？\n]{0,6}(?:签|买)",
        r"(?:话术|宣传|文案|告诉客户|跟客户说|对客户说)[^。！？\n]{0,16}(?:跟|和|与)(?:存款|定期)一样",
        r"(?:改|修改|调整|美化)[^。！？\n]{0,8}(?:年龄|收入|资产|答案|选项)[^。！？\n]{0,10}(?:测评|评估|问卷)",
        rf"\bpromis(?:e|es|ing)\b{_EN_GAP}(?:returns?|yield|profits?|interest)",
        rf"[rR][1-5]{_GAP}(?:卖给|推荐给|卖)[^。！？\n]{{0,6}}[cC][1-5]",
        rf"(?:别|不要|不用|不让|不提){_SHORT}(?:看|读|细看|提){_SHORT}(?:风险揭示|风险提示|退保损失|损失)",
        rf"凑{_GAP}(?:资产证明|收入证明|流水|资产)", rf"双录{_GAP}(?:引导|走过场|直接说)",
        rf"(?:劝|说服|让|忽悠|诱导|推销|卖){_GAP}(?:老人|老年|退休|[6-9][0-9]岁|大爷|大妈){_GAP}"
        r"(?:买|投|取出|购买|转)",
        rf"(?:老人|老年|退休){_SHORT}(?:推销|卖|推荐){_SHORT}(?:高风险|私募|权益|股票型)",
        r"(?:代签|代客户签|帮客户做[^。！？\n]{0,6}测评)",
        r"guarantee(?:d)? (?:returns?|profits?)", r"risk[- ]free (?:returns?|profits?)", r"\bno risk\b",
        rf"(?:skip|bypass|avoid|get around){_EN_GAP}suitability",
        rf"(?:think|believe|seem){_EN_GAP}(?:principal[- ]protected|risk[- ]free|guaranteed)",
        r"(?:assur|promis|guarante|convinc)[^.?!;\n]{0,50}"
        r"(?:never lose|can't lose|cannot lose|risk[- ]free|safe as)",
        rf"\bsign\b{_EN_GAP}without (?:reading|understanding)",
        r"as safe as (?:a |the )?(?:deposit|savings|bank)",
    ],
}  # fmt: skip

GENERIC_MESSAGE = ("抱歉，我不能协助处理这一请求。", "Sorry, I can't help with this request.")
MESSAGES: dict[str, tuple[str, str]] = {
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

_ANYONE = "(?:@someone_close|@someone_else)"

# Each topic: its rules as (all, none) pairs, in the order topics are tried.
TOPIC_RULES: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = {
    # Asking for someone's data in one sentence: request, person, data in either order ("查一下客户
    # 王某的卡号", "what is the credit score of my tenant"), the data topicalised ("我老婆的消费记录
    # 帮我查一下"), a question about it ("老张的卡号是什么", "他卡里还有多少钱"), a name right after
    # the verb ("查下李娟身份证"), whose a number is, or passing it on ("把客户名单发给…"). Working
    # *with* data already in the prompt ("借款人张伟，身份证号…，请概括风险点") is the gateway's
    # everyday job: masking protects it, nothing is refused.
    "personal_data": (
        ((rf"@obtain{CLAUSE}{_ANYONE}{CLAUSE}@personal_data",), ("@protective",)),
        ((rf"@obtain{CLAUSE}@personal_data{CLAUSE}{_ANYONE}",), ("@protective",)),
        ((rf"{_ANYONE}{CLAUSE}@personal_data{CLAUSE}@pass_on",), ("@protective",)),
        ((rf"@someone_close{CLAUSE}@personal_data{CLAUSE}@ask",), ("@protective",)),
        ((rf"@someone_close{CLAUSE}@amount",), ("@protective",)),
        ((rf"@someone_close{CLAUSE}@personal_data{CLAUSE}@obtain",), ("@protective",)),
        ((rf"@obtain{CLAUSE}@personal_data{CLAUSE}@whose",), ("@protective",)),
        ((rf"@obtain[{_PLAIN_SURNAMES}]{_HAN}{{1,2}}{CLAUSE}@personal_data",), ("@protective",)),
        ((rf"@obtain{CLAUSE}@records",), ("@protective",)),
        ((rf"@records{CLAUSE}@pass_on",), ("@protective",)),
    ),
    "intrusion": ((("@intrusion",), ("@defence",)),),
    "fraud": ((("@fraud",), ("@defence",)),),
    "market_abuse": ((("@market_abuse",), ("@defence",)),),
    "mis_selling": ((("@mis_selling",), ("@defence",)),),
    "confidential": ((("@obtain", "@confidential"), ("@defence", "我行", "本行", "我司")),),
    "conduct": ((("@conduct",), ("@defence",)), (("@evasion",), ("@defence",))),
    "intellectual_property": ((("@intellectual_property",), ("@defence",)),),
}

# Ordinary bank text, for the prefilter only: a clause of words that occur here is checked after a
# clause of rarer ones (speed only; what is refused does not depend on it).
COMMON_TEXT = (
    "客户经理对借款人的个人经营性贷款进行贷前调查，核实身份证件、营业执照和收入证明，查询征信报告，"
    "分析近一年的银行流水、账户余额、交易明细和资产负债情况。客户在我行开立结算账户，办理借记卡和信用卡，"
    "绑定预留手机号，开通手机银行和网上银行的转账功能。请根据以上信息整理贷款合同的主要条款，提示风险并"
    "给出贷后管理建议；客户可以通过柜面或手机银行查询存款、理财、基金和保险产品的收益，办理挂失、冻结、"
    "转账、汇款和缴费，个人和企业客户的资料由客户经理按制度保管。"
    "The customer opened a current account with an ID card and proof of income; please summarise the "
    "loan agreement, the account balance and the transaction history, and check the credit report."
)
