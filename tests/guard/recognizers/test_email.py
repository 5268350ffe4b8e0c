"""EMAIL: addresses next to Chinese text, punycode domains; no half addresses."""

from __future__ import annotations

import pytest

from .spans import assert_spans

# fmt: off
CASES = [
    ("邮箱zhang.wei@example.com。", [("EMAIL", 2, 23, (1.0, 1.0))]),
    ("info@presidio.site", [("EMAIL", 0, 18, (0.9, 0.9))]),
    ("try one of these emails: info@presidio.site or anotherinfo@presidio.site",
     [("EMAIL", 25, 43, (1.0, 1.0)), ("EMAIL", 47, 72, (0.9, 0.9))]),  # "emails" is a context word
    ("user@xn--80ak6aa92e.com", [("EMAIL", 0, 23, (0.9, 0.9))]),
    ("a@xn--d1acufc.xn--p1ai", [("EMAIL", 0, 22, (0.9, 0.9))]),
    ("联系：Li_Ming+bank@corp.icbc.com.cn，谢谢", [("EMAIL", 3, 32, (0.9, 0.9))]),
    # near misses
    ("my email is info@presidio.", []),
    ("this is not an email: hello-world here", []),
    ("a..b@example.com", []),
    ("@example.com", []),
]
# fmt: on


@pytest.mark.parametrize("text, expected", CASES)
def test_email(text: str, expected: list) -> None:  # type: ignore[type-arg]
    assert_spans(text, expected, entities=["EMAIL"])
