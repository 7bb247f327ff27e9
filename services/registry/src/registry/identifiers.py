"""Identifiers of the ОМС register: ЕНП (ID-01) and СНИЛС (ID-02). Pure functions.

ЕНП uses python-stdnum's Luhn. СНИЛС is not in python-stdnum, so its rule is written out here,
exactly as ID-02 states it.
"""

from __future__ import annotations

import re

from stdnum import luhn

_SNILS_SEPARATORS = re.compile(r"[\s-]")
#: Numbers up to 001-001-998 were issued before the check digit existed (ID-02).
_SNILS_CHECKED_FROM = 1_001_998


def enp_check_digit(first15: str) -> str:
    """The 16th digit of an ЕНП: the Luhn check digit of the first 15 (ID-01)."""
    if not re.fullmatch(r"\d{15}", first15):
        raise ValueError("an ЕНП starts with 15 digits")
    return str(luhn.calc_check_digit(first15))


def is_valid_enp(value: str) -> bool:
    """16 digits whose last is the Luhn check digit of the first 15 (ID-01)."""
    return bool(re.fullmatch(r"\d{16}", value)) and luhn.is_valid(value)


def normalize_snils(value: str) -> str:
    """``112-233-445 95`` → ``11223344595``."""
    return _SNILS_SEPARATORS.sub("", value)


def snils_check_number(first9: str) -> int:
    """ID-02: weights 9…1 over the first 9 digits; a sum under 100 is the check number; 100 and 101
    give 00; a larger sum is taken mod 101, where 100 again gives 00."""
    total = sum(int(digit) * weight for digit, weight in zip(first9, range(9, 0, -1), strict=True))
    if total < 100:
        return total
    if total in (100, 101):
        return 0
    remainder = total % 101
    return 0 if remainder == 100 else remainder


def is_valid_snils(value: str) -> bool:
    digits = normalize_snils(value)
    if not re.fullmatch(r"\d{11}", digits):
        return False
    if int(digits[:9]) <= _SNILS_CHECKED_FROM:
        return True
    return snils_check_number(digits[:9]) == int(digits[9:])
