"""The registry: built-ins and a bank's own recognizers register the same way; bad names fail clearly."""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Iterator

import pytest

from bankmind.errors import ConfigError
from bankmind.guard.pii import Analyzer, PiiConfig
from bankmind.guard.recognizers import Candidate, Recognizer, RecognizerRegistry, default_registry

BUILTIN = ["address", "bank_card", "cn_id", "cn_mobile", "cn_phone", "email", "passport", "person", "uscc"]


class StaffIdRecognizer(Recognizer):
    name = "staff_id"
    entity = "STAFF_ID"
    context = ("工号",)

    def analyze(self, text: str) -> Iterator[Candidate]:
        for m in re.finditer(r"(?<![0-9A-Z])BK\d{6}(?![0-9])", text):
            yield Candidate(m.start(), m.end(), 0.5)


@pytest.fixture
def staff_plugin(monkeypatch: pytest.MonkeyPatch) -> str:
    module = types.ModuleType("bank_staff_ids")
    module.register = lambda registry: registry.register(StaffIdRecognizer)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bank_staff_ids", module)
    return "bank_staff_ids"


def test_builtins_register_through_the_registry() -> None:
    assert default_registry().names() == BUILTIN


def test_a_plugin_registers_like_a_builtin(staff_plugin: str) -> None:
    analyzer = Analyzer(PiiConfig(plugins=(staff_plugin,)))
    assert "staff_id" in analyzer.recognizers
    [span] = analyzer.scan("经办人工号BK123456")
    assert (span.type, span.text, span.score) == ("STAFF_ID", "BK123456", 0.85)  # 0.5 + context 工号


def test_only_the_configured_recognizers_run() -> None:
    analyzer = Analyzer(PiiConfig(recognizers=("cn_mobile",)))
    assert analyzer.entities == ("CN_MOBILE",)
    assert [s.type for s in analyzer.scan("客户张伟，手机13812345678")] == ["CN_MOBILE"]


def test_unknown_recognizer_lists_the_valid_names() -> None:
    with pytest.raises(ConfigError) as info:
        Analyzer(PiiConfig(recognizers=("cn_id", "iban")))
    assert str(info.value) == f"unknown PII recognizer 'iban'; valid names: {', '.join(BUILTIN)}"


def test_plugin_errors_say_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="cannot be imported"):
        default_registry(["no_such_module_for_pii"])
    monkeypatch.setitem(sys.modules, "empty_plugin", types.ModuleType("empty_plugin"))
    with pytest.raises(ConfigError, match=r"has no register\(registry\) function"):
        default_registry(["empty_plugin"])


def test_two_recognizers_with_one_name_clash() -> None:
    registry = RecognizerRegistry()
    registry.register(StaffIdRecognizer)
    clone = type("StaffIdRecognizer2", (StaffIdRecognizer,), {})
    with pytest.raises(ConfigError, match="two PII recognizers are named 'staff_id'"):
        registry.register(clone)


def test_configured_context_words_add_to_the_builtin_ones() -> None:
    plain = Analyzer(PiiConfig(recognizers=("passport",)))
    assert plain.scan("出入境证件E12345678") == []
    extended = Analyzer(PiiConfig(recognizers=("passport",), context_words={"PASSPORT": ("出入境证件",)}))
    assert [s.text for s in extended.scan("出入境证件E12345678")] == ["E12345678"]
    assert "出入境证件" in extended.context_words("PASSPORT") and "护照" in extended.context_words("PASSPORT")


def test_a_bad_bin_file_is_a_config_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "bins.txt"
    empty.write_text("# nothing here\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="holds no BIN prefixes"):
        Analyzer(PiiConfig(bank_card_bins=(empty,)))
    with pytest.raises(ConfigError, match="cannot be read"):
        Analyzer(PiiConfig(bank_card_bins=(tmp_path / "missing.txt",)))
