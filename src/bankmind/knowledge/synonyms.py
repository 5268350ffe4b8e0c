"""Everyday words bank staff type, and the words statutes and policies use for the same thing.

    statutory_terms("一家典当公司想改个名字") -> ["变更名称"]

Full-text search only finds the words a chunk contains; regulations say 变更名称 where a teller
says 改名. Each colloquial phrase found in a question adds the formal terms to the lexical query
(nothing is removed, and the question's vector is left as typed). The list is written from
banking and regulatory usage, one concept per line; extend it with a bank's own vocabulary.
"""

from __future__ import annotations

__all__ = ["COLLOQUIAL", "statutory_terms"]

COLLOQUIAL: dict[tuple[str, ...], tuple[str, ...]] = {
    ("改名", "改个名", "换名字", "换个名"): ("变更名称",),
    ("搬家", "换地址", "挪地方", "换个地方办公"): ("变更住所", "变更营业场所"),
    ("开张", "开门营业", "开业"): ("开业",),
    ("关门", "不干了", "停业"): ("终止", "解散", "停业"),
    ("倒闭", "倒了", "破产了", "垮了"): ("破产", "被撤销"),
    ("放贷的银行", "放款的银行", "放贷", "放款"): ("贷款", "发放贷款", "商业银行"),
    ("借钱给", "借给"): ("出借", "借款"),
    ("还钱", "还款", "还不上", "还不起"): ("偿还", "归还", "清偿"),
    ("欠钱", "欠款", "欠债"): ("债务", "借款"),
    ("利息太高", "高利贷"): ("利率", "利息"),
    ("砍头息",): ("利息预先", "预先在本金中扣除"),
    ("老板", "大股东"): ("控股股东", "实际控制人"),
    ("关系户", "自己人", "内部人"): ("关系人", "关联方"),
    ("担保公司", "做担保的公司"): ("融资担保公司",),
    ("小贷公司", "小额贷款的公司"): ("小额贷款公司",),
    ("典当行", "当铺"): ("典当行",),
    ("监管", "监管部门", "监管局"): ("监督管理部门", "监督管理机构"),
    ("人行", "央行"): ("中国人民银行",),
    ("银保监", "银监会", "金融监管总局"): ("银行业监督管理机构",),
    ("罚多少", "罚款多少", "挨罚", "处罚"): ("罚款", "处罚"),
    ("谈话", "约谈"): ("监管谈话", "监督管理谈话"),
    ("冻结账户", "冻账户", "冻了"): ("冻结",),
    ("查账户", "查流水", "调流水"): ("查询", "账户"),
    ("身份证", "证件"): ("身份证件", "有效身份证件"),
    ("存折", "存单"): ("存款凭证", "存折"),
    ("开户", "开个户", "办卡"): ("开立", "开立账户"),
    ("销户", "注销账户"): ("撤销", "销户"),
    ("洗钱",): ("洗钱", "反洗钱"),
    ("征信报告", "查征信", "上征信"): ("信用报告", "征信"),
    ("信用卡套现", "套现"): ("套取现金", "信用卡"),
    ("盗刷",): ("伪卡交易", "盗刷"),
    ("合同无效", "合同不算数"): ("无效",),
    ("签字", "签名"): ("签名", "签章"),
    ("多久", "多长时间", "几天", "几年"): ("期限", "期间"),
}


def statutory_terms(question: str) -> list[str]:
    """The formal terms for the colloquial phrases in `question`, in table order, without repeats."""
    terms: list[str] = []
    for phrases, formal in COLLOQUIAL.items():
        if any(p in question for p in phrases):
            terms.extend(t for t in formal if t not in terms)
    return terms
