"""The workbench's message catalogue: Chinese by default, English with `?lang=en`.

Messages are keyed by id; every error code (`bankmind.errors`) has a title under `error.<code>`.
`tests/web/test_i18n.py` fails when a language misses a key or an error code has no text.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request

__all__ = ["DEFAULT_LANG", "LANGS", "LANG_COOKIE", "MESSAGES", "Translator", "pick_lang"]

LANGS: Final = ("zh", "en")
DEFAULT_LANG: Final = "zh"
LANG_COOKIE: Final = "bankmind_lang"

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "zh": {
        "app.name": "bankmind 智能工作台",
        "app.product": "智能工作台",
        "app.footer": "本地部署 · 数据不出行",
        "nav.home": "首页",
        "nav.main": "主导航",
        "lang.other": "English",
        "action.login": "登录",
        "action.logout": "退出登录",
        "action.recheck": "重新检查",
        "action.back_home": "返回首页",
        "user.signed_in_as": "当前用户",
        "login.title": "登录",
        "login.intro": "请使用管理员为您创建的账号登录。",
        "login.name": "用户名",
        "login.password": "密码",
        "login.failed": "用户名或密码错误。",
        "login.no_account": "还没有账号？请管理员运行 bankmind users add 创建。",
        "home.title": "首页",
        "home.welcome": "您好，{name}",
        "home.intro": "请选择要使用的功能。",
        "home.coming": "即将推出",
        "status.title": "系统状态",
        "status.intro": "当前使用的数据库、模型和文字识别组件，以及它们是否正常响应。",
        "status.loading": "正在检查各组件……",
        "status.part": "组件",
        "status.in_use": "当前使用",
        "status.state": "状态",
        "status.detail": "说明",
        "status.fix": "处理办法",
        "status.latency": "耗时",
        "status.ok": "正常",
        "status.failed": "异常",
        "status.all_ok": "全部组件工作正常。",
        "status.some_failed": "部分组件异常，请按“处理办法”一栏修复。",
        "status.ms": "{ms} 毫秒",
        "check.store": "数据库",
        "check.chat": "对话模型",
        "check.reasoning": "推理模型",
        "check.vision": "视觉模型",
        "check.embedding": "向量模型",
        "check.ocr": "文字识别（OCR）",
        "jobs.title": "任务",
        "jobs.intro": "耗时较长的工作以任务方式在后台运行，进度每秒刷新。",
        "jobs.empty": "暂无任务。",
        "jobs.created": "创建时间",
        "jobs.finished": "完成时间",
        "jobs.result": "结果",
        "jobs.error": "错误",
        "job.queued": "排队中",
        "job.running": "运行中",
        "job.succeeded": "已完成",
        "job.failed": "失败",
        "uploads.title": "上传文件",
        "uploads.intro": "文件类型按内容识别（而非文件名），按内容指纹保存。",
        "uploads.limit": "单个文件不超过 {mb} MB。可上传：{kinds}。",
        "uploads.file": "选择文件",
        "uploads.submit": "上传",
        "uploads.sending": "正在上传……",
        "uploads.stored": "已保存",
        "uploads.id": "编号",
        "uploads.filename": "文件名",
        "uploads.kind": "类型",
        "uploads.media_type": "媒体类型",
        "uploads.size": "大小",
        "uploads.bytes": "{n} 字节",
        "uploads.hash": "内容指纹（SHA-256）",
        "admin.title": "管理",
        "admin.sections": "管理功能",
        "admin.department": "部门",
        "admin.none": "（无）",
        "admin.no_department": "（无部门）",
        "admin.unlimited": "不限",
        "admin.users.title": "用户",
        "admin.users.intro": (
            "可登录工作台的账号，以及只通过 API 密钥访问的账号。角色决定能看到哪些文档和功能。"
        ),
        "admin.users.name": "用户名",
        "admin.users.roles": "角色",
        "admin.users.roles_hint": "多个角色用逗号分隔，例如 custody, credit；admin 为管理员。",
        "admin.users.password": "初始密码",
        "admin.users.password_hint": "至少 8 个字符；请通过安全渠道告知本人。",
        "admin.users.add": "添加用户",
        "admin.users.added": "已创建用户 {name}。",
        "admin.users.empty": "暂无用户。",
        "admin.users.reset": "重置密码",
        "admin.users.new_password": "新密码",
        "admin.users.reset_hint": "重置后，该用户已登录的会话全部失效。",
        "admin.users.password_set": "已重置 {name} 的密码，其已登录的会话已全部退出。",
        "admin.keys.title": "API 密钥",
        "admin.keys.intro": (
            "行内其他系统用 API 密钥调用 /api 和 /v1，权限与所属用户相同。系统只保存密钥的哈希，密钥仅在创建"
            "时显示一次。"
        ),
        "admin.keys.prefix": "前缀",
        "admin.keys.name": "名称",
        "admin.keys.user": "用户",
        "admin.keys.created": "创建时间",
        "admin.keys.last_used": "最近使用",
        "admin.keys.state": "状态",
        "admin.keys.active": "有效",
        "admin.keys.revoked": "已吊销",
        "admin.keys.never": "从未使用",
        "admin.keys.empty": "暂无密钥。",
        "admin.keys.create": "创建密钥",
        "admin.keys.issued": "已为 {user} 创建密钥：",
        "admin.keys.select_hint": "单击即可全选",
        "admin.keys.copy_hint": (
            "请立即复制并妥善保存（单击密钥即可全选）。此密钥只显示这一次，离开本页后只能看到它的前缀。"
        ),
        "admin.keys.revoke": "吊销",
        "admin.keys.revoke_confirm": "确定吊销密钥 {prefix}…？使用它的系统将立即无法访问。",
        "admin.keys.revoked_now": "已吊销用户 {user} 的密钥 {prefix}…。",
        "admin.keys.revoked_before": "用户 {user} 的密钥 {prefix}… 此前已被吊销。",
        "admin.departments.title": "部门与策略",
        "admin.departments.intro": "每个部门的模型使用策略和每日令牌额度；修改后对下一次请求立即生效。",
        "admin.departments.name": "部门名称",
        "admin.departments.no_external": "禁用外部模型",
        "admin.departments.mask_internal": "内部模型也脱敏",
        "admin.departments.keep_masked_text": "审计保留脱敏文本",
        "admin.departments.tokens_per_day": "每日令牌额度",
        "admin.departments.no_external_help": (
            "该部门的请求一律不得发往外部（第三方）模型，只能使用行内部署的模型。"
        ),
        "admin.departments.mask_internal_help": (
            "发往行内模型的提示词也先脱敏；发往外部模型的提示词始终脱敏。"
        ),
        "admin.departments.keep_masked_text_help": (
            "审计日志除哈希外还保存脱敏后的提示词和回答（从不保存原文）。"
        ),
        "admin.departments.tokens_per_day_help": (
            "该部门每天（北京时间）可用的输入加输出令牌数；留空表示不限。用完后返回 429，次日零点恢复。"
        ),
        "admin.departments.save": "保存",
        "admin.departments.add": "添加部门",
        "admin.departments.added": "已添加部门 {name}。",
        "admin.departments.saved": "已保存部门 {name} 的策略。",
        "admin.departments.empty": "暂无部门。",
        "admin.usage.title": "用量",
        "admin.usage.intro": "各部门经网关调用模型的请求数和令牌数，按北京时间自然日统计。",
        "admin.usage.today": "今日（{day}）",
        "admin.usage.week": "最近 {n} 天（含今日）的令牌数",
        "admin.usage.requests": "请求数",
        "admin.usage.tokens_in": "输入令牌",
        "admin.usage.tokens_out": "输出令牌",
        "admin.usage.tokens": "合计令牌",
        "admin.usage.share": "已用额度",
        "admin.usage.total": "合计",
        "admin.usage.empty": "暂无部门和用量。",
        "admin.usage.note": "令牌数为输入与输出之和；额度按当前设置显示。",
        "admin.audit.title": "审计日志",
        "admin.audit.intro": (
            "每次模型调用和管理操作都记入一条以哈希链串联的记录。此处不显示任何提示词或回答内容，只显示个人信"
            "息的类型和数量、令牌数、耗时和结果。"
        ),
        "admin.audit.verify": "验证哈希链",
        "admin.audit.verifying": "正在验证……",
        "admin.audit.verify_hint": "重新计算全部记录的哈希，检查是否有记录被修改、删除、调换或插入。",
        "admin.audit.chain_ok": "哈希链完整",
        "admin.audit.chain_broken": "哈希链已被破坏",
        "admin.audit.checked": "已检查 {n} 条记录，未发现问题。",
        "admin.audit.head_seq": "最新记录序号",
        "admin.audit.head_hash": "最新记录哈希",
        "admin.audit.anchor_hint": (
            "请把最新记录的序号和哈希记在数据库以外；以后用 bankmind audit verify --anchor 序号:哈希 验证，还"
            "能发现末尾被截断或改写。"
        ),
        "admin.audit.problems": "发现 {n} 处问题（共检查 {checked} 条记录）：",
        "admin.audit.omitted": "另有 {n} 处问题未列出；请用 bankmind audit verify 查看全部。",
        "admin.audit.kind": "问题",
        "admin.audit.detail": "说明",
        "admin.audit.kind_edited": "被修改",
        "admin.audit.kind_deleted": "被删除",
        "admin.audit.kind_reordered": "顺序被调换",
        "admin.audit.kind_inserted": "被插入",
        "admin.audit.from": "起始日期",
        "admin.audit.to": "截止日期",
        "admin.audit.principal": "用户",
        "admin.audit.action": "操作",
        "admin.audit.outcome": "结果",
        "admin.audit.filter": "筛选",
        "admin.audit.clear": "清除筛选",
        "admin.audit.seq": "序号",
        "admin.audit.time": "时间（北京）",
        "admin.audit.model": "模型",
        "admin.audit.pii": "个人信息",
        "admin.audit.tokens": "令牌（入/出）",
        "admin.audit.latency": "耗时",
        "admin.audit.hash": "哈希",
        "admin.audit.operator": "（命令行）",
        "admin.audit.empty": "没有符合条件的记录。",
        "admin.audit.pages": "翻页",
        "admin.audit.page": "第 {n} 页",
        "admin.audit.newer": "较新",
        "admin.audit.older": "较早",
        "error.title": "出错了",
        "error.request_id": "请求编号",
        "error.error": "操作失败",
        "error.input_error": "输入无法处理",
        "error.unsupported_format": "不支持的文件类型",
        "error.file_too_large": "文件过大",
        "error.empty_file": "文件为空",
        "error.zip_bomb": "压缩包解压后过大，已拒绝",
        "error.encrypted_file": "文件已加密或设有密码",
        "error.not_found": "未找到",
        "error.model_not_found": "没有这个模型",
        "error.authentication_failed": "请先登录",
        "error.permission_denied": "没有权限",
        "error.csrf_failed": "页面已过期或安全令牌无效，请刷新页面后重新提交",
        "error.quota_exceeded": "请求过于频繁，请稍后再试",
        "error.config_error": "配置有误",
        "error.model_not_installed": "模型尚未安装",
        "error.upstream_error": "模型服务出错",
        "error.upstream_timeout": "模型服务响应超时",
        "error.internal_error": "服务器内部错误",
        "error.method_not_allowed": "不支持该请求方式",
        "error.http_error": "请求无法完成",
    },
    "en": {
        "app.name": "bankmind workbench",
        "app.product": "workbench",
        "app.footer": "On-premises · data stays in the bank",
        "nav.home": "Home",
        "nav.main": "Main navigation",
        "lang.other": "中文",
        "action.login": "Log in",
        "action.logout": "Log out",
        "action.recheck": "Check again",
        "action.back_home": "Back to the home page",
        "user.signed_in_as": "Signed in as",
        "login.title": "Log in",
        "login.intro": "Log in with the account your administrator created for you.",
        "login.name": "User name",
        "login.password": "Password",
        "login.failed": "Wrong user name or password.",
        "login.no_account": "No account yet? Ask an administrator to run bankmind users add.",
        "home.title": "Home",
        "home.welcome": "Hello, {name}",
        "home.intro": "Choose what you want to work on.",
        "home.coming": "Coming soon",
        "status.title": "System status",
        "status.intro": "The store, models and OCR in use, and whether each of them answers.",
        "status.loading": "Checking each part…",
        "status.part": "Part",
        "status.in_use": "In use",
        "status.state": "State",
        "status.detail": "Detail",
        "status.fix": "How to fix",
        "status.latency": "Time",
        "status.ok": "Working",
        "status.failed": "Not working",
        "status.all_ok": "Every part works.",
        "status.some_failed": "Some parts do not work; see the “How to fix” column.",
        "status.ms": "{ms} ms",
        "check.store": "Store",
        "check.chat": "Chat model",
        "check.reasoning": "Reasoning model",
        "check.vision": "Vision model",
        "check.embedding": "Embedding model",
        "check.ocr": "OCR",
        "jobs.title": "Jobs",
        "jobs.intro": "Long work runs in the background as a job; progress refreshes every second.",
        "jobs.empty": "No jobs yet.",
        "jobs.created": "Created",
        "jobs.finished": "Finished",
        "jobs.result": "Result",
        "jobs.error": "Error",
        "job.queued": "Queued",
        "job.running": "Running",
        "job.succeeded": "Finished",
        "job.failed": "Failed",
        "uploads.title": "Upload a file",
        "uploads.intro": "File types are recognised from the content, not the name.",
        "uploads.limit": "Files up to {mb} MB. Accepted: {kinds}.",
        "uploads.file": "File",
        "uploads.submit": "Upload",
        "uploads.sending": "Uploading…",
        "uploads.stored": "Stored",
        "uploads.id": "Id",
        "uploads.filename": "File name",
        "uploads.kind": "Kind",
        "uploads.media_type": "Media type",
        "uploads.size": "Size",
        "uploads.bytes": "{n} bytes",
        "uploads.hash": "Content hash (SHA-256)",
        "admin.title": "Admin",
        "admin.sections": "Administration",
        "admin.department": "Department",
        "admin.none": "(none)",
        "admin.no_department": "(no department)",
        "admin.unlimited": "No limit",
        "admin.users.title": "Users",
        "admin.users.intro": (
            "Accounts that log in to the workbench, and accounts that act only through API keys. Roles "
            "decide which documents and capabilities a user sees."
        ),
        "admin.users.name": "User name",
        "admin.users.roles": "Roles",
        "admin.users.roles_hint": (
            "Separate several roles with commas, e.g. custody, credit; admin makes an administrator."
        ),
        "admin.users.password": "Initial password",
        "admin.users.password_hint": "At least 8 characters; hand it over through a safe channel.",
        "admin.users.add": "Add user",
        "admin.users.added": "User {name} created.",
        "admin.users.empty": "No users yet.",
        "admin.users.reset": "Reset password",
        "admin.users.new_password": "New password",
        "admin.users.reset_hint": "Every open session of the user ends when the password is reset.",
        "admin.users.password_set": "Password of {name} reset; their open sessions have ended.",
        "admin.keys.title": "API keys",
        "admin.keys.intro": (
            "The bank's other systems call /api and /v1 with an API key, which acts as its user. Only the "
            "key's hash is kept: a key is shown once, when it is created."
        ),
        "admin.keys.prefix": "Prefix",
        "admin.keys.name": "Name",
        "admin.keys.user": "User",
        "admin.keys.created": "Created",
        "admin.keys.last_used": "Last used",
        "admin.keys.state": "State",
        "admin.keys.active": "Active",
        "admin.keys.revoked": "Revoked",
        "admin.keys.never": "Never",
        "admin.keys.empty": "No keys yet.",
        "admin.keys.create": "Create key",
        "admin.keys.issued": "New key for {user}:",
        "admin.keys.select_hint": "Click to select all",
        "admin.keys.copy_hint": (
            "Copy it now and keep it safe (click the key to select it). It is shown only this once; "
            "afterwards only its prefix is visible."
        ),
        "admin.keys.revoke": "Revoke",
        "admin.keys.revoke_confirm": "Revoke key {prefix}…? Systems using it lose access at once.",
        "admin.keys.revoked_now": "Key {prefix}… of {user} revoked.",
        "admin.keys.revoked_before": "Key {prefix}… of {user} was already revoked.",
        "admin.departments.title": "Departments and policies",
        "admin.departments.intro": (
            "Each department's model policy and daily token quota; changes apply from the next request."
        ),
        "admin.departments.name": "Department name",
        "admin.departments.no_external": "No external models",
        "admin.departments.mask_internal": "Mask for internal models",
        "admin.departments.keep_masked_text": "Keep masked text in audit",
        "admin.departments.tokens_per_day": "Tokens per day",
        "admin.departments.no_external_help": (
            "Requests from this department never go to an external (third-party) model, only to models run "
            "in the bank."
        ),
        "admin.departments.mask_internal_help": (
            "Mask personal data toward the bank's own models too; prompts to external models are always "
            "masked."
        ),
        "admin.departments.keep_masked_text_help": (
            "The audit log keeps the masked prompt and answer besides their hashes (never the original text)."
        ),
        "admin.departments.tokens_per_day_help": (
            "Input plus output tokens the department may use per day (Beijing time); empty for no limit. "
            "When used up, requests get 429 until midnight."
        ),
        "admin.departments.save": "Save",
        "admin.departments.add": "Add department",
        "admin.departments.added": "Department {name} added.",
        "admin.departments.saved": "Policy of {name} saved.",
        "admin.departments.empty": "No departments yet.",
        "admin.usage.title": "Usage",
        "admin.usage.intro": (
            "Requests and tokens each department sent to models through the gateway, per calendar day in "
            "Beijing time."
        ),
        "admin.usage.today": "Today ({day})",
        "admin.usage.week": "Tokens in the last {n} days (today included)",
        "admin.usage.requests": "Requests",
        "admin.usage.tokens_in": "Tokens in",
        "admin.usage.tokens_out": "Tokens out",
        "admin.usage.tokens": "Tokens",
        "admin.usage.share": "Quota used",
        "admin.usage.total": "Total",
        "admin.usage.empty": "No departments or usage yet.",
        "admin.usage.note": "Tokens are input plus output; quotas are shown as currently set.",
        "admin.audit.title": "Audit log",
        "admin.audit.intro": (
            "Every model call and administrative change is a record in a hash chain. No prompt or answer is "
            "shown here: only the types and counts of personal data, tokens, latency and outcome."
        ),
        "admin.audit.verify": "Verify chain",
        "admin.audit.verifying": "Verifying…",
        "admin.audit.verify_hint": (
            "Recomputes every record's hash to find records that were edited, deleted, moved or inserted."
        ),
        "admin.audit.chain_ok": "The chain is intact",
        "admin.audit.chain_broken": "The chain is broken",
        "admin.audit.checked": "{n} records checked, no problems found.",
        "admin.audit.head_seq": "Latest record",
        "admin.audit.head_hash": "Its hash",
        "admin.audit.anchor_hint": (
            "Write the latest record's number and hash down outside the database; bankmind audit verify "
            "--anchor SEQ:HASH then also finds a log cut short or rewritten at its end."
        ),
        "admin.audit.problems": "{n} problem(s) in {checked} records:",
        "admin.audit.omitted": "{n} more problem(s) not listed; run bankmind audit verify to see them all.",
        "admin.audit.kind": "Problem",
        "admin.audit.detail": "Detail",
        "admin.audit.kind_edited": "Edited",
        "admin.audit.kind_deleted": "Deleted",
        "admin.audit.kind_reordered": "Moved",
        "admin.audit.kind_inserted": "Inserted",
        "admin.audit.from": "From",
        "admin.audit.to": "To",
        "admin.audit.principal": "User",
        "admin.audit.action": "Action",
        "admin.audit.outcome": "Outcome",
        "admin.audit.filter": "Filter",
        "admin.audit.clear": "Clear filters",
        "admin.audit.seq": "Seq",
        "admin.audit.time": "Time (Beijing)",
        "admin.audit.model": "Model",
        "admin.audit.pii": "Personal data",
        "admin.audit.tokens": "Tokens (in/out)",
        "admin.audit.latency": "Latency",
        "admin.audit.hash": "Hash",
        "admin.audit.operator": "(command line)",
        "admin.audit.empty": "No records match.",
        "admin.audit.pages": "Pages",
        "admin.audit.page": "Page {n}",
        "admin.audit.newer": "Newer",
        "admin.audit.older": "Older",
        "error.title": "Something went wrong",
        "error.request_id": "Request id",
        "error.error": "The request failed",
        "error.input_error": "The input cannot be processed",
        "error.unsupported_format": "Unsupported file type",
        "error.file_too_large": "File too large",
        "error.empty_file": "Empty file",
        "error.zip_bomb": "The archive expands too much; refused",
        "error.encrypted_file": "The file is encrypted or password-protected",
        "error.not_found": "Not found",
        "error.model_not_found": "No such model",
        "error.authentication_failed": "Please log in",
        "error.permission_denied": "Not allowed",
        "error.csrf_failed": "The page has expired or its security token is invalid; reload it and retry",
        "error.quota_exceeded": "Too many requests; try again later",
        "error.config_error": "Configuration error",
        "error.model_not_installed": "Model not installed",
        "error.upstream_error": "The model server failed",
        "error.upstream_timeout": "The model server timed out",
        "error.internal_error": "Internal server error",
        "error.method_not_allowed": "Method not allowed",
        "error.http_error": "The request cannot be completed",
    },
}


class Translator:
    """Looks up message ids in one language: `t("home.welcome", name="张三")`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        self._messages = MESSAGES[self.lang]

    def __call__(self, key: str, **params: object) -> str:
        text = self._messages.get(key) or MESSAGES["en"].get(key) or key
        return text.format(**params) if params else text

    def error_title(self, code: str) -> str:
        """The title shown for an error code; unknown codes get the generic one."""
        key = f"error.{code}"
        return self(key) if key in self._messages else self("error.error")


def pick_lang(request: Request) -> str:
    """`?lang=` first, then the remembered cookie, then Chinese."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGS:
            return candidate
    return DEFAULT_LANG
