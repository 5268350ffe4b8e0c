"""The fields and parties of a contract, each with the line it was read from.

    found = extract(pages, rules)
    found.fields["amount"].value      # 1000000.0 (the figure written in digits, 小写)
    found.fields["start_date"].value  # "2025-06-04", also from 二〇二五年六月四日
    found.parties[0]                  # Party(name="某某银行股份有限公司", role="贷款人", …)

Fields are found by their labels (合同编号, 借款金额 …（大写）…（小写）, 借款用途, 借款期限 … 自…起至…止,
利率, 还款方式, 担保方式, 罚息, 争议解决, 签订日期 …) line by line; the value is normalised by
`numerals`, `dates` and `rates` and keeps its raw text and evidence. A label whose value is left
blank (`______`, `　　`) is recorded in `blanks`, which is what the blank-field check reads. The
parties block is the run of `角色：名称` lines before the first article, with the identifiers and
legal representative that follow each party. For guarantee, mortgage and pledge contracts
`amount` is the principal of the secured main debt (the first amount written in 大写/小写), never
the collateral's value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from bankmind.contracts.dates import parse_date, parse_term
from bankmind.contracts.numerals import parse_amount_figures, parse_amount_words
from bankmind.contracts.pages import ContractPages, TextLine
from bankmind.contracts.rates import parse_rate
from bankmind.contracts.types import Evidence, FieldValue, Party

__all__ = ["ROLES", "Extracted", "extract", "is_blank"]

ROLES = ("贷款人", "借款人", "保证人", "抵押人", "出质人", "质权人", "抵押权人", "债权人", "债务人")
"""Party roles as contracts write them; `甲方/乙方` in brackets after the role are tolerated."""
_ORG = re.compile(r"(公司|银行|分行|支行|合作社|中心|集团|企业|事务所|厂|店)")
_ROLE_LINE = re.compile(
    rf"^(?P<role>{'|'.join(ROLES)})\s*(?:[（(][^）)]{{1,8}}[）)])?\s*[:：]\s*(?P<name>.*)$"
)
_ID_LINE = re.compile(
    r"(统一社会信用代码|身份证(?:件)?(?:号码|号)?|证件号码)\s*[:：]?\s*(?P<id>[0-9A-Za-z*＊xX]*)"
)
_REP_LINE = re.compile(r"法定代表人|负责人")
_ARTICLE = re.compile(r"^第[一二三四五六七八九十百零〇\d]+条")
_BLANK = re.compile(r"^[\s_＿\-—－·.。…]*$")
_WORDS = re.compile(r"大写\s*[)）]?\s*[:：]?\s*(?P<v>[^（(（小]*)")
_FIGURES = re.compile(r"小写\s*[)）]?\s*[:：]?\s*(?P<v>[^）)，；;。]*)")
_CAPITAL = re.compile(
    r"(?P<v>(?:人民币)?[零壹贰叁肆伍陆柒捌玖拾佰仟万亿]+[元圆](?:[零壹贰叁肆伍陆柒捌玖]+[角分])*[整正]?)"
)
_FIGURE = re.compile(r"(?P<v>[¥￥]\s*[\d,]+(?:\.\d+)?|[\d,]+(?:\.\d+)?\s*(?:万)?元)")
_MONEY_LINE = re.compile(r"金额|本金|借款|贷款|主债权|数额")
_DATES = re.compile(r"自\s*(?P<start>.+?)\s*(?:起)?\s*至\s*(?P<end>.+?)\s*(?:止|$)")
_MENTION = frozenset("，,；;。、）)")
_OPENING = re.compile(r"^[（(【\[〔「『《]+$")
"""A value that is only an opening bracket: the rest, `2024）…第6665号`, wrapped onto the next line."""
_WRAPPED_FIELDS = frozenset({"main_contract_number", "term", "default_interest", "dispute_resolution"})
_LABELS: dict[str, re.Pattern[str]] = {
    "contract_number": re.compile(r"合同编号\s*[:：]\s*(?P<v>.*)"),
    "purpose": re.compile(r"(?:借款|贷款)用途\s*(?:为|是)?\s*[:：]?\s*(?P<v>.*)"),
    "term": re.compile(r"(?:借款|贷款|履行债务的)期限\s*(?:为|是)?\s*[:：]?\s*(?P<v>[^，,；;。自]*)"),
    "interest_rate": re.compile(r"(?P<v>(?:年|月|日)?(?:化)?利率.*)"),
    "repayment": re.compile(r"还款方式\s*(?:为|是)?\s*[:：]?\s*(?P<v>.*)"),
    "signing_date": re.compile(r"(?:签订|签约|签署)日期\s*[:：]\s*(?P<v>.*)"),
    "signing_place": re.compile(r"(?:签订|签约|签署)地点\s*[:：]\s*(?P<v>.*)"),
    "main_contract_number": re.compile(
        r"主合同编号\s*(?:为|是)?\s*[:：]?\s*(?P<v>[^，,；;。《》]*?)(?:[，,；;。《]|）?$)"
    ),
    "guarantee_type": re.compile(
        r"^.*(?:(?:担保|保证)方式\s*(?:为|是)?\s*[:：]?\s*|(?=信用借款))(?P<v>信用(?=借款)|[^，,；;。]*)"
    ),
    "default_interest": re.compile(r"(?=.*罚息).*?(?P<v>加收\s*\d+(?:\.\d+)?\s*[%％])"),
    "dispute_resolution": re.compile(
        r"(?=.*(?:诉讼|仲裁))(?:向|提交)\s*(?P<v>[^，,；;。向]{2,40}?(?:人民法院|仲裁委员会|仲裁院))"
    ),
}
"""Each field's label and where its value is (`v`). Besides the labels: 担保方式 is the last one of
its line (`担保方式：…担保方式为保证`) and reads 信用 from `借款为信用借款`; the default interest is
the first mark-up (`加收50%`) on a line about 罚息; the dispute forum is the court or arbitration
commission a line about 诉讼 or 仲裁 sends disputes to."""


@dataclass
class Extracted:
    """What was read: fields by name, parties in order, blank labels, and the signature slots."""

    fields: dict[str, FieldValue] = field(default_factory=dict)
    parties: list[Party] = field(default_factory=list)
    blanks: dict[str, Evidence] = field(default_factory=dict)
    title: str | None = None
    title_evidence: Evidence | None = None


def is_blank(value: str) -> bool:
    """A value left empty on purpose or by omission: nothing, underscores, dashes or spaces."""
    return bool(_BLANK.match(value))


def extract(pages: ContractPages) -> Extracted:
    """Fields and parties of `pages`; see the module docstring."""
    found = Extracted()
    lines = pages.lines
    title = _title(lines)
    if title is not None:
        found.title, found.title_evidence = title.text, _evidence(title)
    found.parties = _parties(lines)
    for line in lines:
        _amounts(found, line)
        _labelled(found, line)
        _dates(found, line)
    for line in _wrapped(lines):  # fields whose label or value a PDF or scan wrapped onto the next line
        if not found.fields.keys() >= _WRAPPED_FIELDS:
            _labelled(found, line, only=_WRAPPED_FIELDS)
            _dates(found, line)
    if "currency" not in found.fields and "amount" in found.fields:
        source = found.fields["amount"]
        text = source.raw + source.evidence.text
        currency = "USD" if "美元" in text else "EUR" if "欧元" in text else "HKD" if "港" in text else "CNY"
        found.fields["currency"] = FieldValue(
            name="currency", value=currency, raw=currency, evidence=source.evidence
        )
    return found


def _evidence(line: TextLine, text: str | None = None) -> Evidence:
    return Evidence(page=line.page, text=text or line.text, bbox=line.bbox)


def _title(lines: list[TextLine]) -> TextLine | None:
    for line in lines[:12]:
        compact = line.text.replace(" ", "")
        if compact.endswith("合同") and len(compact) <= 20:
            return line
    return None


def _set(found: Extracted, name: str, value: str | float | None, raw: str, line: TextLine) -> None:
    if name not in found.fields:  # the first occurrence is the field; later ones are references to it
        found.fields[name] = FieldValue(name=name, value=value, raw=raw, evidence=_evidence(line))


def _amounts(found: Extracted, line: TextLine) -> None:
    words, figures = _WORDS.search(line.text), _FIGURES.search(line.text)
    if not words and not figures and _MONEY_LINE.search(line.text):  # 人民币壹佰万元整（¥1,000,000.00）
        words, figures = _CAPITAL.search(line.text), _FIGURE.search(line.text)
    if words and "amount_in_words" not in found.fields:
        raw = words["v"].strip("：: ")
        if is_blank(raw):
            found.blanks.setdefault("amount_in_words", _evidence(line))
        else:
            value = parse_amount_words(raw)
            _set(found, "amount_in_words", re.sub(r"^(人民币|RMB)\s*[:：]?", "", raw).strip(), raw, line)
            if value is not None:
                found.fields["amount_in_words_value"] = FieldValue(
                    name="amount_in_words_value", value=float(value), raw=raw, evidence=_evidence(line)
                )
    if figures and "amount" not in found.fields:
        raw = figures["v"].strip("：: ")
        value = parse_amount_figures(raw)
        if is_blank(raw) or value is None:
            found.blanks.setdefault("amount", _evidence(line))
        else:
            _set(found, "amount", float(value), raw, line)


def _labelled(found: Extracted, line: TextLine, only: frozenset[str] | None = None) -> None:
    for name, pattern in _LABELS.items():
        if only is not None and name not in only:
            continue
        match = pattern.search(line.text)
        if not match or name in found.fields:
            continue
        raw = match["v"].strip()
        if raw[:1] in _MENTION:  # `…不得改变借款用途，…`: the word in a sentence, not a label
            continue
        if _OPENING.match(raw):  # read with the next line by the second pass (`_wrapped`)
            continue
        if name == "interest_rate":
            rate = parse_rate(raw)
            if rate is not None:
                _set(found, name, f"{format(rate.annual.normalize(), 'f')}%", raw, line)
            elif re.search(r"利率\s*[:：为]?\s*[_＿\s]*$|[_＿]{3,}\s*%", raw):
                found.blanks.setdefault(name, _evidence(line))
            continue
        if is_blank(raw):
            found.blanks.setdefault(name, _evidence(line))
            continue
        if name == "term":
            term = parse_term(raw)
            _set(found, name, raw if term is None else raw.strip(), raw, line)
        elif name == "signing_date":
            day = parse_date(raw)
            if day is None:
                found.blanks.setdefault(name, _evidence(line))
            else:
                _set(found, name, day.isoformat(), raw, line)
        else:
            _set(found, name, raw.rstrip("。；;，,"), raw, line)


def _wrapped(lines: list[TextLine]) -> list[TextLine]:
    """Each line joined with the next one of its page, cut at the end of the next line's first
    sentence: `…（主合同编` + `号：（2025）…第8606号。` reads as one."""
    out = []
    for line, following in pairwise(lines):
        if following.page == line.page and not _ARTICLE.match(following.text):
            rest = re.split(r"(?<=[。；;])", following.text, maxsplit=1)[0]
            out.append(TextLine(line.page, line.text + rest, line.bbox))
    return out


def _dates(found: Extracted, line: TextLine) -> None:
    if "start_date" in found.fields or ("期限" not in line.text and "自" not in line.text):
        return
    match = _DATES.search(line.text)
    if not match:
        return
    for name in ("start", "end"):
        raw = match[name]
        day = parse_date(raw)
        if day is None and is_blank(re.sub(r"[年月日]", "", raw)):
            found.blanks.setdefault(f"{name}_date", _evidence(line))
        elif day is not None:
            _set(found, f"{name}_date", day.isoformat(), raw, line)


def _parties(lines: list[TextLine]) -> list[Party]:
    """`角色：名称` lines before the first article, each with the identifier lines that follow it."""
    parties: list[Party] = []
    current: dict[str, object] | None = None
    for line in lines:
        if _ARTICLE.match(line.text):
            break
        role = _ROLE_LINE.match(line.text)
        if role:
            if current:
                parties.append(_party(current))
            name = re.split(r"\s{2,}|　|住所|地址", role["name"].strip())[0].strip()
            current = {"role": role["role"], "name": name, "line": line, "id": None, "rep": None}
            continue
        if current is None:
            continue
        ident = _ID_LINE.search(line.text)
        if ident and current["id"] is None:
            current["id"] = ident["id"]
        if _REP_LINE.search(line.text) and current["rep"] is None:
            current["rep"] = re.split(r"[:：]", line.text, maxsplit=1)[-1].strip() or None
    if current:
        parties.append(_party(current))
    return [p for p in parties if p.name]


def _party(data: dict[str, object]) -> Party:
    line = data["line"]
    assert isinstance(line, TextLine)
    name = str(data["name"])
    return Party(
        name=name,
        role=str(data["role"]),
        kind="organisation" if _ORG.search(name) else "person",
        id_number=str(data["id"]) if data["id"] is not None else None,
        legal_representative=str(data["rep"]) if data["rep"] else None,
        evidence=_evidence(line),
    )
