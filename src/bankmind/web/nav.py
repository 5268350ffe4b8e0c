"""The workbench navigation: a registry that capabilities add themselves to as they land.

    from bankmind.web.nav import NavEntry, register
    register(NavEntry("recon", "/recon", "估值核对", "Valuation reconciliation", ...))

Entries with `landed=False` are shown greyed out on the home page ("coming soon") and left out of
the top bar. Entries with `roles` are shown only to users holding one of them (the admin pages:
`roles=("admin",)`); the pages themselves still check, hiding a link is not access control. The
built-in entries are registered below exactly as a capability would register.
"""

from __future__ import annotations

from dataclasses import dataclass

from bankmind.types import Principal

__all__ = ["NavEntry", "entries", "register"]


@dataclass(frozen=True)
class NavEntry:
    """One place in the workbench: where it lives and what it is called in each language."""

    key: str
    path: str
    label_zh: str
    label_en: str
    description_zh: str = ""
    description_en: str = ""
    landed: bool = True
    roles: tuple[str, ...] = ()

    def visible_to(self, user: Principal) -> bool:
        """Everybody sees an entry without `roles`; otherwise only holders of one of them."""
        return not self.roles or any(role in self.roles for role in user.roles)

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_zh

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" else self.description_zh


_entries: list[NavEntry] = []


def register(entry: NavEntry) -> NavEntry:
    """Add an entry (or replace the one with the same key, e.g. when a capability lands)."""
    for i, existing in enumerate(_entries):
        if existing.key == entry.key:
            _entries[i] = entry
            return entry
    _entries.append(entry)
    return entry


def entries() -> tuple[NavEntry, ...]:
    """Every registered entry, in registration order."""
    return tuple(_entries)


register(
    NavEntry(
        "status",
        "/status",
        "状态",
        "Status",
        "查看数据库、模型和文字识别是否正常工作。",
        "See whether the store, the models and OCR work.",
    )
)
register(
    NavEntry(
        "jobs",
        "/jobs",
        "任务",
        "Jobs",
        "查看后台任务的进度和结果。",
        "Follow background jobs and see their results.",
    )
)
register(
    NavEntry(
        "uploads",
        "/uploads",
        "上传",
        "Upload",
        "上传合同、估值表、报表或扫描件，供各项功能使用。",
        "Upload contracts, valuation tables, statements or scans for every capability.",
    )
)
register(
    NavEntry(
        "kb",
        "/kb",
        "知识助手",
        "Knowledge assistant",
        "就行内制度和法规提问，回答逐句标注出处，只依据您有权阅读的文档。",
        "Ask about the bank's rules and regulations; cited answers from the documents you may read.",
    )
)
register(
    NavEntry(
        "recon",
        "/recon",
        "估值核对",
        "Valuation reconciliation",
        "核对管理人与托管人的估值表，按严重程度汇总差异，逐条说明和跟进。",
        "Reconcile the manager's and the custodian's valuation tables; breaks by severity, each followed up.",
    )
)
register(
    NavEntry(
        "contracts",
        "/contracts",
        "合同质检",
        "Contract inspection",
        "检查合同的金额、日期、利率、证件号码、必备条款和签字盖章，在原文页面上标出每个问题。",
        "Check amounts, dates, rates, IDs, clauses, signatures and seals, each marked on its page.",
    )
)
register(
    NavEntry(
        "admin",
        "/admin",
        "管理",
        "Admin",
        "管理用户、API 密钥、部门策略，查看用量和审计日志。",
        "Manage users, API keys and department policies; see usage and the audit log.",
        roles=("admin",),
    )
)
