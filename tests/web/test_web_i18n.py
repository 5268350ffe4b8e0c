"""The message catalogue is complete in both languages and covers every error code."""

from __future__ import annotations

import re
from pathlib import Path

from bankmind.errors import ALL_ERRORS
from bankmind.web.i18n import LANGS, MESSAGES, Translator
from bankmind.web.nav import entries

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "bankmind" / "web" / "templates"


def test_both_languages_have_the_same_messages() -> None:
    assert set(MESSAGES) == set(LANGS)
    assert set(MESSAGES["zh"]) == set(MESSAGES["en"])


def test_every_error_code_has_a_text_in_each_language() -> None:
    for cls in ALL_ERRORS:
        for lang in LANGS:
            assert f"error.{cls.code}" in MESSAGES[lang], (lang, cls.code)
    assert Translator("zh").error_title("file_too_large") == "文件过大"
    assert Translator("zh").error_title("some_future_code") == "操作失败"


def test_every_message_id_used_in_a_template_exists() -> None:
    used: set[str] = set()
    for path in TEMPLATES.rglob("*.html"):
        # literal ids only: t("check." ~ name) style prefixes are covered by the tests below
        used |= set(
            re.findall(r"""\bt\(\s*["']([a-z_.]+[a-z_])["']\s*[,)]""", path.read_text(encoding="utf-8"))
        )
    assert used, "no messages found: did the templates change how they call t()?"
    assert not used - set(MESSAGES["zh"]), sorted(used - set(MESSAGES["zh"]))


def test_every_health_check_and_job_status_has_a_label() -> None:
    for name in ("store", "chat", "reasoning", "vision", "embedding", "ocr"):
        assert f"check.{name}" in MESSAGES["zh"]
    for status in ("queued", "running", "succeeded", "failed"):
        assert f"job.{status}" in MESSAGES["zh"]


def test_navigation_entries_are_named_in_both_languages() -> None:
    for entry in entries():
        assert entry.label("zh") and entry.label("en") and entry.label("zh") != entry.label("en")
    assert [e.label("zh") for e in entries()][:3] == ["状态", "任务", "上传"]


def test_unknown_languages_fall_back_to_chinese_and_missing_ids_show_the_id() -> None:
    assert Translator("fr")("login.title") == "登录"
    assert Translator("en")("no.such.message") == "no.such.message"
    assert Translator("zh")("home.welcome", name="王五") == "您好，王五"


def test_every_message_is_used() -> None:
    web = TEMPLATES.parent
    sources = "".join(
        p.read_text(encoding="utf-8")
        for p in web.rglob("*")
        if p.suffix in {".html", ".py"} and p.name != "i18n.py"
    )
    dynamic = ("check.", "job.", "error.")  # looked up as t("check." ~ name), t.error_title(code)
    unused = [key for key in MESSAGES["zh"] if not key.startswith(dynamic) and key not in sources]
    assert not unused, f"remove unused messages from web/i18n.py: {unused}"
