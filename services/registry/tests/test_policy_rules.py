"""OMS-04, OMS-05, OMS-06 as pure rules."""

from __future__ import annotations

from datetime import date

import pytest

from registry.identifiers import is_valid_enp
from registry.policies.rules import (
    Operation,
    PolicyStatus,
    foreigner_valid_until,
    insurer_change_refusal,
    is_expired,
    status_refusal,
)
from registry.policies.service import enp_for, name_key


@pytest.mark.parametrize(
    ("today", "last_change", "relocation", "refused_with"),
    [
        (date(2026, 11, 1), None, False, None),  # 1 November itself is still allowed
        (date(2026, 11, 2), None, False, "after-november-1"),
        (date(2026, 12, 31), None, True, None),  # relocation: no date limit
        (date(2026, 6, 1), date(2026, 2, 1), False, "once-a-year"),  # second change in a year
        (date(2026, 6, 1), date(2026, 2, 1), True, None),  # with relocation: no limit
        (date(2027, 1, 10), date(2026, 10, 30), False, None),  # a new calendar year
    ],
)
def test_change_of_insurer(today, last_change, relocation, refused_with):  # OMS-04
    refusal = insurer_change_refusal(today, last_change, relocation=relocation)
    assert (refusal.code if refusal else None) == refused_with
    if refusal:
        assert refusal.rule == "OMS-04"
        assert refusal.ru
        assert refusal.en


def test_operations_by_status():  # OMS-04, OMS-06
    assert status_refusal(Operation.suspend, PolicyStatus.active) is None
    assert status_refusal(Operation.resume, PolicyStatus.suspended) is None
    assert status_refusal(Operation.resume, PolicyStatus.active) is not None
    assert status_refusal(Operation.change_insurer, PolicyStatus.suspended) is not None
    for operation in (Operation.suspend, Operation.resume, Operation.change_region, Operation.terminate):
        assert status_refusal(operation, PolicyStatus.terminated) is not None


def test_a_foreigners_policy_ends_with_the_document():  # OMS-05
    assert foreigner_valid_until(None, date(2027, 3, 1)) == date(2027, 3, 1)
    assert foreigner_valid_until(date(2028, 1, 1), date(2027, 3, 1)) == date(2027, 3, 1)
    assert foreigner_valid_until(date(2026, 12, 1), date(2027, 3, 1)) == date(2026, 12, 1)
    assert is_expired(date(2027, 3, 1), date(2027, 3, 2))
    assert not is_expired(date(2027, 3, 1), date(2027, 3, 1))
    assert not is_expired(None, date(2099, 1, 1))


def test_enp_carries_the_region_and_a_luhn_digit():  # ID-01
    enp = enp_for("77", 42)
    assert enp.startswith("77")
    assert len(enp) == 16
    assert is_valid_enp(enp)
    assert enp_for("77", 43) != enp


def test_names_compare_without_case_and_yo():
    assert name_key("Ёлкина", "анна", None) == name_key("ЕЛКИНА ", "Анна", "")
