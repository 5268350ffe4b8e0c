"""PERSON: surnames plus cue words, honorifics, personal facts and jieba's name dictionary."""

from __future__ import annotations

import pytest

from .spans import assert_spans

CUE = (0.85, 1.0)

# fmt: off
CASES = [
    # cue words before, honorifics and titles after, speaker labels, personal facts
    ("客户张伟先生来电", [("PERSON", 2, 4, (0.95, 1.0))]),
    ("借款人：欧阳娜娜，身份证", [("PERSON", 4, 8, CUE)]),
    ("王先生您好", [("PERSON", 0, 1, (0.8, 0.8))]),
    ("谢谢李经理。", [("PERSON", 2, 3, (0.8, 1.0))]),
    ("客户经理刘洋建议按月还款", [("PERSON", 4, 6, CUE)]),
    ("吴重阳，中国国籍，大学本科", [("PERSON", 0, 3, CUE)]),
    ("林金和，男，中国国籍", [("PERSON", 0, 3, CUE)]),
    ("张伟：你好，我想查询余额", [("PERSON", 0, 2, CUE)]),
    ("我叫成德海。", [("PERSON", 2, 5, CUE)]),              # a surname that is also a word, after 我叫
    ("户名：于洋", [("PERSON", 3, 5, CUE)]),
    ("经办柜员安炜静，复核人白萍平。", [("PERSON", 4, 7, CUE), ("PERSON", 11, 14, CUE)]),
    ("法定代表人：江宁，", [("PERSON", 6, 8, CUE)]),          # a place name used as a given name
    ("联系人：王磊明天到", [("PERSON", 4, 6, CUE)]),      # 明天 is a word: the name is 王磊
    ("客户马先生，李女士和诸葛亮", [("PERSON", 2, 3, (0.9, 1.0)), ("PERSON", 6, 7, (0.8, 1.0)),
                               ("PERSON", 10, 13, (0.7, 1.0))]),
    # ordinary words and firms that start with a surname character
    ("由于利率上升，客户高兴地表示马上还款。", []),
    ("关于工商银行的方案，金额为万元。", []),
    ("出借人向人民法院提起诉讼", []),
    ("债务人和担保人的责任", []),
    ("任副总经理，分管财务", []),
    ("现任浙江康恩贝制药股份有限公司董事", []),
    ("北京市金杜律师事务所律师", []),
    ("当事人迟延履行后发生不可抗力", []),
    ("法人解散；", []),
    ("谢谢您的耐心", []),
    ("付款人：\n收款人：", []),
]
# fmt: on


@pytest.mark.parametrize("text, expected", CASES)
def test_person(text: str, expected: list) -> None:  # type: ignore[type-arg]
    assert_spans(text, expected, entities=["PERSON"])
