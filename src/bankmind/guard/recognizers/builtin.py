"""The built-in recognizers, registered the way a plugin module registers its own."""

from __future__ import annotations

from bankmind.guard.recognizers import RecognizerRegistry
from bankmind.guard.recognizers.address import AddressRecognizer
from bankmind.guard.recognizers.bank_card import BankCardRecognizer
from bankmind.guard.recognizers.cn_id import CnIdRecognizer
from bankmind.guard.recognizers.cn_mobile import CnMobileRecognizer
from bankmind.guard.recognizers.cn_phone import CnPhoneRecognizer
from bankmind.guard.recognizers.email import EmailRecognizer
from bankmind.guard.recognizers.passport import PassportRecognizer
from bankmind.guard.recognizers.person import PersonRecognizer
from bankmind.guard.recognizers.uscc import UsccRecognizer

BUILTIN = (
    CnIdRecognizer,
    BankCardRecognizer,
    CnMobileRecognizer,
    CnPhoneRecognizer,
    EmailRecognizer,
    UsccRecognizer,
    PassportRecognizer,
    AddressRecognizer,
    PersonRecognizer,
)


def register(registry: RecognizerRegistry) -> None:
    for recognizer in BUILTIN:
        registry.register(recognizer)
