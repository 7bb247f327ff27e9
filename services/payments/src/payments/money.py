"""Money: integers in kopecks inside, decimal strings on the API (PAY-02). No floats anywhere."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, JsonValue

from kit.contracts.payments import Amount
from kit.errors import rule_error

__all__ = ["Amount", "AmountIn", "format_kopecks", "parse_kopecks"]

#: Currencies this acquirer settles. ISO 4217 codes; only roubles for now (PAY-02, DMS-17).
SUPPORTED_CURRENCIES = frozenset({"RUB"})
#: Largest single amount accepted, in kopecks (10 000 000.00 RUB).
MAX_KOPECKS = 1_000_000_000

_AMOUNT = re.compile(r"^(0|[1-9]\d{0,11})(\.\d{1,2})?$")


def parse_kopecks(value: str) -> int:
    """``"1234.5"`` → ``123450``. Exact: the string is split, never converted through a float."""
    match = _AMOUNT.fullmatch(value)
    if match is None:
        raise ValueError(value)
    whole, fraction = match.group(1), (match.group(2) or ".")[1:]
    return int(whole) * 100 + int(fraction.ljust(2, "0"))


def format_kopecks(kopecks: int) -> str:
    return f"{kopecks // 100}.{kopecks % 100:02d}"


def _amount_value(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, str):
        raise rule_error(
            "amount_not_a_string",
            ru='Сумма передаётся строкой с точкой, например "1234.50" (не числом)',
            en='The amount is a string with a dot, e.g. "1234.50" (not a number)',
        )
    try:
        kopecks = parse_kopecks(raw)
    except ValueError:
        raise rule_error(
            "amount_format",
            ru='Сумма: цифры и не больше двух знаков после точки, например "1234.50"',
            en='The amount takes digits and at most two decimals, e.g. "1234.50"',
        ) from None
    if kopecks <= 0:
        raise rule_error(
            "amount_positive", ru="Сумма должна быть больше нуля", en="The amount must be above zero"
        )
    if kopecks > MAX_KOPECKS:
        raise rule_error(
            "amount_too_large", ru="Сумма больше 10 000 000.00", en="The amount is above 10 000 000.00"
        )
    return kopecks


def _currency(raw: Any) -> str:
    if not isinstance(raw, str) or raw not in SUPPORTED_CURRENCIES:
        raise rule_error(
            "currency_unsupported",
            ru=f"Валюта не поддерживается; допустимо: {', '.join(sorted(SUPPORTED_CURRENCIES))}",
            en=f"Unsupported currency; allowed: {', '.join(sorted(SUPPORTED_CURRENCIES))}",
        )
    return raw


Kopecks = Annotated[int, BeforeValidator(_amount_value)]
Currency = Annotated[str, BeforeValidator(_currency)]


class AmountIn(BaseModel):
    """An amount as a client sends it: ``{"value": "1234.50", "currency": "RUB"}``."""

    model_config = ConfigDict(extra="forbid")

    value: Kopecks = Field(
        json_schema_extra={"type": "string", "pattern": _AMOUNT.pattern, "example": "1234.50"}
    )
    currency: Currency = Field(
        json_schema_extra={"type": "string", "enum": list[JsonValue](sorted(SUPPORTED_CURRENCIES))}
    )
