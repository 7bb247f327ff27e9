"""ЕНП (ID-01) and СНИЛС (ID-02) checks."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.identifiers import enp_check_digit, is_valid_enp, is_valid_snils, snils_check_number


@pytest.mark.parametrize(
    ("enp", "valid"),
    [
        ("1234567890123452", True),
        ("1234567890123453", False),  # wrong check digit
        ("0000000000000000", True),
        ("123456789012345", False),  # 15 digits
        ("12345678901234520", False),  # 17 digits
        ("123456789012345a", False),
        ("1234 5678 9012 3452", False),  # no separators in an ЕНП
    ],
)
def test_enp(enp: str, valid: bool):  # ID-01
    assert is_valid_enp(enp) is valid


@given(st.text(alphabet="0123456789", min_size=15, max_size=15))
def test_every_generated_enp_is_valid_and_one_changed_digit_is_not(first15: str):  # ID-01
    enp = first15 + enp_check_digit(first15)
    assert is_valid_enp(enp)
    changed = enp[:-1] + str((int(enp[-1]) + 1) % 10)
    assert not is_valid_enp(changed)


@pytest.mark.parametrize(
    ("snils", "valid"),
    [
        ("112-233-445 95", True),  # sum 95 < 100: the sum itself
        ("11223344595", True),
        ("112-233-445 96", False),
        ("001-001-997 00", True),  # before the check digit existed: not checked
        ("001-001-998 12", True),  # the last unchecked number
        ("001-001-999 00", False),  # the first checked one, sum 9+8+...: checked and wrong
        ("1122334459", False),  # 10 digits
        ("abc-233-445 95", False),
    ],
)
def test_snils(snils: str, valid: bool):  # ID-02
    assert is_valid_snils(snils) is valid


@pytest.mark.parametrize(
    ("first9", "check"),
    [
        ("112233445", 95),  # 9+8+14+12+15+12+12+8+5 = 95: under 100, the sum itself
        ("000000109", 12),  # 1×3 + 9×1
        ("911001000", 0),  # 81+8+7+4 = 100 → 00
        ("911010000", 0),  # 81+8+7+5 = 101 → 00
        ("999999999", 1),  # 405 mod 101 = 1
    ],
)
def test_snils_check_number_examples(first9: str, check: int):  # ID-02
    assert snils_check_number(first9) == check


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_snils_check_number_rule(first9: str):  # ID-02
    total = sum(int(d) * w for d, w in zip(first9, range(9, 0, -1), strict=True))
    check = snils_check_number(first9)
    if total < 100:
        assert check == total
    elif total in (100, 101) or total % 101 == 100:
        assert check == 0
    else:
        assert check == total % 101
    assert 0 <= check <= 99
