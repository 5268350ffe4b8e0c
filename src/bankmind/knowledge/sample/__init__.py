"""The sample knowledge base: the staff handbook of a fictional bank, so `make run` answers at once.

青禾农村商业银行 (Qinghe Rural Commercial Bank) does not exist. Its handbook was written for
bankmind in the style of Chinese bank internal regulations (章 and 条, items （一）（二）…), with
invented, internally consistent rules; no real bank's text is copied. Figures that law or the
regulators fix (account class limits, overseas cash limits) follow the public rules.

    SAMPLE_DIR / "01-账户开立管理办法.md"      # 7 章, 第一条 … 第二十七条, one article per line
    QUESTIONS[0]    # ("同一个客户在本行最多能开几个II类户？", "01-账户开立管理办法.md", "第八条")

`SAMPLE_DIR` holds four regulations (01–04, Markdown), an English FAQ for international customers
(05, one `##` heading per question) and the fee schedule (06, CSV whose 依据条款 column names the
article each fee comes from). The one scanned page, a 柜面业务须知 notice, is drawn on demand by
`bankmind.knowledge.sample.scanned_page.render_scanned_notice` (it needs a CJK font).

`QUESTIONS` are (question, file name, locator) triples for retrieval and answer tests: questions
staff ask, each answered in exactly one place of the handbook. The locator is where that place is:
the article (`第十二条`), the FAQ's heading, or the 服务项目 cell of the fee-schedule row; each
occurs verbatim in its file. `UNANSWERABLE` are questions the handbook does not cover (foreign
exchange options, corporate wealth management, mortgages, …): the assistant should say so rather
than answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from bankmind.config import Settings
from bankmind.knowledge.index import KnowledgeIndex
from bankmind.knowledge.ingest import IngestReport, ingest
from bankmind.knowledge.sample.scanned_page import render_scanned_notice

__all__ = ["QUESTIONS", "SAMPLE_DIR", "SAMPLE_KB", "SCANNED_NAME", "UNANSWERABLE", "install_sample"]

log = logging.getLogger(__name__)

SAMPLE_KB = "青禾银行员工手册"
"""The knowledge base `bankmind kb sample` (and `make run`) fills with the handbook."""
SCANNED_NAME = "07-柜面业务须知（扫描件）.png"

SAMPLE_DIR = Path(__file__).parent / "handbook"
"""The folder of handbook files (package data)."""

_ACCOUNTS = "01-账户开立管理办法.md"
_CARDS = "02-银行卡业务操作规程.md"
_LOANS = "03-个人贷款管理细则.md"
_COMPLAINTS = "04-客户投诉处理办法.md"
_FAQ = "05-card-services-faq-en.md"
_FEES = "06-收费标准.csv"

QUESTIONS: list[tuple[str, str, str]] = [
    ("同一个客户在本行最多能开几个II类户？", _ACCOUNTS, "第八条"),
    ("联网核查系统暂时用不了，能不能先留存身份证复印件给客户开户？", _ACCOUNTS, "第十二条"),
    ("代理他人开立个人银行账户，需要提供哪些材料？", _ACCOUNTS, "第十六条"),
    ("客户由他人陪同开户，陪同人员代为回答，客户本人说不清开户用途，怎么处理？", _ACCOUNTS, "第十九条"),
    ("持卡人本人来不了，家属可以代办借记卡书面挂失吗？", _CARDS, "第十条"),
    ("客户挂失后找到了原卡，但已经补办了新卡，原卡还能继续用吗？", _CARDS, "第十三条"),
    ("扣借记卡年费的时候卡里余额不够怎么办？", _CARDS, "第二十条"),
    ("客户的借记卡被ATM吞了，应该在几天内到哪里领取？", _CARDS, "第二十一条"),
    ("个人消费贷款单户最高能贷多少？", _LOANS, "第七条"),
    ("个人贷款利率以什么为定价基准？", _LOANS, "第十条"),
    ("个人消费贷款单笔支付金额超过多少必须采用受托支付？", _LOANS, "第十九条"),
    ("个人贷款逾期超过多少天，要把催收资料移交总行资产保全部？", _LOANS, "第二十四条"),
    ("客户投诉应当在多少个工作日内答复？", _COMPLAINTS, "第十一条"),
    ("涉及金额多大的投诉属于重大投诉？要在多长时间内上报？", _COMPLAINTS, "第十四条"),
    ("投诉办结后多少个工作日内要回访客户？", _COMPLAINTS, "第十六条"),
    ("客户在境内其他银行的ATM上取现，本行收手续费吗？", _FEES, "境内跨行ATM取现"),
    ("开立个人存款证明收费多少？", _FEES, "开立个人存款证明"),
    ("Is there an outlet where I can be served in English?", _FAQ,
     "Do any outlets offer service in English?"),
    ("Can I add my Qinghe debit card to Alipay?", _FAQ, "Can I link my card to WeChat Pay or Alipay?"),
    ("What do I need to do to close my account before I leave China?", _FAQ,
     "How do I close my account before leaving China?"),
]  # fmt: skip

UNANSWERABLE: list[str] = [
    "本行外汇期权业务的保证金比例是多少？",
    "公司客户购买本行对公理财产品的起购金额是多少？",
    "个人住房贷款的首付比例最低是多少？",
    "信用卡账单分期的手续费率是多少？",
    "员工出差的差旅费报销标准是多少？",
    "What is the interest rate on a three-year fixed deposit?",
]


def install_sample(
    index: KnowledgeIndex,
    settings: Settings,
    *,
    kb: str = SAMPLE_KB,
    progress: Callable[[int, int, str], None] | None = None,
) -> IngestReport:
    """Ingest the handbook and its scanned page into `kb` (unchanged files are skipped, so running
    it on every start costs a hash per file). The scanned page is drawn under BANKMIND_HOME; without
    a CJK font it is left out, with a warning, and the rest still goes in."""
    scans = settings.home / "sample"
    scans.mkdir(parents=True, exist_ok=True)
    page = scans / SCANNED_NAME
    paths = [SAMPLE_DIR]
    if page.exists() or render_scanned_notice(page) is not None:
        paths.append(page)
    else:
        log.warning("knowledge.sample.no_cjk_font", extra={"fix": "apt-get install fonts-wqy-microhei"})
    return ingest(index, settings, kb, paths, progress=progress)
