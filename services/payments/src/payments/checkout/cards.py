"""The test bank behind the payment page (pure): card checks, card brands and the published test cards.

A card number lives only inside :func:`check_card`: what leaves it is the brand, the last four digits
and the outcome. Nothing here stores, logs or puts a number into an exception (issue 3, PCI DSS 3.4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from stdnum import luhn


class Brand(StrEnum):
    visa = "Visa"
    mastercard = "MasterCard"
    mir = "Mir"


class Outcome(StrEnum):
    """What the test bank answers to a well-formed card."""

    success = "success"
    insufficient_funds = "insufficient_funds"
    three_d_secure = "three_d_secure"
    general_decline = "general_decline"


@dataclass(frozen=True)
class PublishedCard:
    number: str
    outcome: Outcome
    description_ru: str

    @property
    def digits(self) -> str:
        return self.number.replace(" ", "")


#: The published test cards (the page and the docs show them). Any expiry in the future, any CVC.
TEST_CARDS: tuple[PublishedCard, ...] = (
    PublishedCard("5555 5555 5555 4477", Outcome.success, "оплата проходит"),
    PublishedCard("2200 0000 0000 0004", Outcome.success, "оплата проходит (карта «Мир»)"),
    PublishedCard("5555 5555 5555 5599", Outcome.insufficient_funds, "отказ: недостаточно средств"),
    PublishedCard(
        "4000 0000 0000 3220",
        Outcome.three_d_secure,
        "запрашивает код подтверждения (3-D Secure), затем оплата проходит",
    ),
)
_OUTCOMES = {card.digits: card.outcome for card in TEST_CARDS}

#: The one-time code of the test bank's confirmation step; the page shows it as a hint.
THREE_DS_CODE = "123456"
#: Wrong codes allowed before the bank declines the payment (3d_secure_failed).
THREE_DS_ATTEMPTS = 3

# Ranges from the card schemes' published BIN tables, enough to name the brand on a receipt.
_MIR = range(2200, 2205)
_MASTERCARD_2 = range(2221, 2721)
_MASTERCARD_5 = range(51, 56)


def brand_of(digits: str) -> Brand | None:
    if digits.startswith("4"):
        return Brand.visa
    if len(digits) >= 4 and int(digits[:4]) in _MIR:
        return Brand.mir
    if len(digits) >= 2 and int(digits[:2]) in _MASTERCARD_5:
        return Brand.mastercard
    if len(digits) >= 4 and int(digits[:4]) in _MASTERCARD_2:
        return Brand.mastercard
    return None


def outcome_of(digits: str) -> Outcome:
    """A test shop: only the published test cards are accepted; any other real-looking card is
    declined (general_decline), so a real card can never be charged here."""
    return _OUTCOMES.get(digits, Outcome.general_decline)


@dataclass(frozen=True)
class CardForm:
    """What the payer typed. The number and CVC stay out of ``repr`` so that no log or traceback
    can print them."""

    number: str = field(default="", repr=False)
    expiry: str = ""
    cvc: str = field(default="", repr=False)
    holder: str = ""


@dataclass(frozen=True)
class AcceptedCard:
    """A well-formed card, reduced to what may be kept: brand, last four, and the bank's answer."""

    brand: Brand | None
    last4: str
    outcome: Outcome


@dataclass(frozen=True)
class CardCheck:
    card: AcceptedCard | None
    #: Field name (number, expiry, cvc, holder) → a message in Russian for the payer.
    errors: dict[str, str]


_SEPARATORS = re.compile(r"[\s-]+")
_EXPIRY = re.compile(r"^(\d{2})\s*/\s*(\d{2})$")
_CVC = re.compile(r"^\d{3}$")
_HOLDER = re.compile(r"^[A-Za-z]+(?: [A-Za-z]+)*$")
HOLDER_MAX = 26  # what fits on the card's face
EXPIRY_MAX_YEARS = 20


def digits_of(number: str) -> str:
    """Spaces and hyphens are how people group the digits; they are not part of the number."""
    return _SEPARATORS.sub("", number)


def number_error(digits: str) -> str | None:
    if not digits:
        return "Введите номер карты"
    if not digits.isdigit():
        return "Номер карты состоит только из цифр"
    if not 13 <= len(digits) <= 19:
        return "В номере карты от 13 до 19 цифр"
    if not luhn.is_valid(digits):
        return "Номер карты введён с ошибкой — проверьте цифры"
    return None


def expiry_error(expiry: str, today: date) -> str | None:
    """``MM/YY``; a card is valid through the last day of its month."""
    match = _EXPIRY.fullmatch(expiry.strip())
    if match is None:
        return "Срок действия — в формате ММ/ГГ, например 08/29"
    month, year = int(match.group(1)), 2000 + int(match.group(2))
    if not 1 <= month <= 12:
        return "Месяц — от 01 до 12"
    if (year, month) < (today.year, today.month):
        return "Срок действия карты истёк"
    if year > today.year + EXPIRY_MAX_YEARS:
        return "Проверьте год: карты не выпускают на такой срок"
    return None


def cvc_error(cvc: str) -> str | None:
    if _CVC.fullmatch(cvc.strip()) is None:
        return "CVC — три цифры на обороте карты"
    return None


def normalize_holder(holder: str) -> str:
    return " ".join(holder.split()).upper()


def holder_error(holder: str) -> str | None:
    name = normalize_holder(holder)
    if not name:
        return "Введите имя владельца, как на карте"
    if _HOLDER.fullmatch(name) is None:
        return "Имя владельца — латинскими буквами, как на карте"
    if len(name) > HOLDER_MAX:
        return f"Имя владельца — не длиннее {HOLDER_MAX} символов"
    return None


def check_card(form: CardForm, today: date) -> CardCheck:
    digits = digits_of(form.number)
    checks = {
        "number": number_error(digits),
        "expiry": expiry_error(form.expiry, today),
        "cvc": cvc_error(form.cvc),
        "holder": holder_error(form.holder),
    }
    errors = {name: message for name, message in checks.items() if message is not None}
    if errors:
        return CardCheck(card=None, errors=errors)
    return CardCheck(
        card=AcceptedCard(brand=brand_of(digits), last4=digits[-4:], outcome=outcome_of(digits)), errors={}
    )


# --- the confirmation step (3-D Secure-like) ---------------------------------------------------


class CodeVerdict(StrEnum):
    accepted = "accepted"
    malformed = "malformed"  # not six digits: a typo, not counted as an attempt
    wrong = "wrong"  # counted; attempts remain
    failed = "failed"  # the last attempt was wrong: the bank declines the payment


@dataclass(frozen=True)
class CodeCheck:
    verdict: CodeVerdict
    failed_attempts: int
    message: str | None = None


def check_code(code: str, failed_before: int) -> CodeCheck:
    code = code.strip()
    if re.fullmatch(r"\d{6}", code) is None:
        return CodeCheck(CodeVerdict.malformed, failed_before, "Код — шесть цифр из SMS")
    if code == THREE_DS_CODE:
        return CodeCheck(CodeVerdict.accepted, failed_before)
    failed = failed_before + 1
    if failed >= THREE_DS_ATTEMPTS:
        return CodeCheck(CodeVerdict.failed, failed, "Код неверный, попытки закончились")
    left = THREE_DS_ATTEMPTS - failed
    return CodeCheck(CodeVerdict.wrong, failed, f"Код неверный. Осталось попыток: {left}")
