"""Column aliases of every custodian's 估值表, as one table of data.

Custodian systems name the same column differently (`市价` / `行情` / `行情收市价` / `估值单价`,
`成本-本币` / `本币成本`, `成本` over a `原币 | 本币` second header row). Header detection scores rows
by how many of these aliases they hold, so a new custodian is supported by adding a word here, never
by a branch in the parser. Where a table carries both 原币 and 本币 columns for a field, the 本币 one
wins (cli-contract.md, convention 1); where it carries two columns for one field under different
names, the alias listed first wins (`停牌信息` over `权益信息`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

__all__ = ["ALIASES", "CURRENCY_MARKS", "Field", "label_key", "match_alias", "match_label"]

Field = Literal[
    "subject_code",
    "subject_name",
    "security_code",
    "currency",
    "fx_rate",
    "quantity",
    "unit_cost",
    "cost",
    "cost_pct_nav",
    "price",
    "market_value",
    "mv_pct_nav",
    "appreciation",
    "status",
]

ALIASES: dict[Field, tuple[str, ...]] = {
    "subject_code": ("科目代码", "科目编码", "代码", "科目号"),
    "subject_name": ("科目名称", "名称", "科目"),
    "security_code": ("证券代码", "证券编码", "证券代号"),
    "currency": ("币种", "币别", "货币"),
    "fx_rate": ("汇率", "估值汇率"),
    "quantity": ("数量", "持仓数量", "证券数量", "持仓", "持有数量", "持仓量"),
    "unit_cost": ("单位成本", "成本价", "平均成本", "成本单价", "单位成本价"),
    "cost": ("成本", "成本金额", "持仓成本", "成本总额", "总成本"),
    "cost_pct_nav": ("成本占净值", "成本占比", "成本占净值比", "成本占净值比例"),
    "price": (
        "市价", "行情", "收盘价", "估值价格", "行情价格", "单位市价", "行情收市价", "收市价", "估值单价",
        "行情价", "估值价",
    ),
    "market_value": ("市值", "市值金额", "估值市值", "市值总额", "总市值"),
    "mv_pct_nav": ("市值占净值", "市值占比", "市值占净值比", "市值占净值比例"),
    "appreciation": ("估值增值", "估值增值额", "浮动盈亏", "估值增减值"),
    "status": ("停牌信息", "停牌标志", "停牌状态", "停牌", "交易状态", "权益信息"),
}  # fmt: skip

CURRENCY_MARKS: dict[str, Literal["local", "original"]] = {"本币": "local", "原币": "original"}
"""Words in a header that say which currency a money column is in; `本币` is the one compared."""

_SEPARATORS = re.compile(r"[\s\-_—－/|()（）\[\]【】:：%]+")


def label_key(text: str) -> str:
    """A header cell as compared with the aliases: NFKC, no spaces, separators or `%`
    (`成本占净值(%)`, `成本占净值％` and `成本占净值` are one label)."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))


_LOOKUP: dict[str, tuple[Field, int]] = {
    label_key(alias): (field, rank)
    for field, aliases in ALIASES.items()
    for rank, alias in enumerate(aliases)
}


def match_alias(text: str) -> tuple[Field | None, Literal["local", "original"] | None, int]:
    """The field a header label names, its currency mark and the alias's rank among the field's
    aliases (0 = listed first): `本币成本` -> (`cost`, `local`, 0)."""
    key = label_key(text)
    mark: Literal["local", "original"] | None = None
    for word, which in CURRENCY_MARKS.items():
        if word in key:
            mark = which
            key = key.replace(word, "")
    field, rank = _LOOKUP.get(key, (None, 0))
    return field, mark, rank


def match_label(text: str) -> tuple[Field | None, Literal["local", "original"] | None]:
    """The field a header label names and its currency mark: `成本-本币` -> (`cost`, `local`)."""
    field, mark, _ = match_alias(text)
    return field, mark
