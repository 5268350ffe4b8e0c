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
