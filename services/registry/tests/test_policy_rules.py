"""OMS-04, OMS-05, OMS-06 as pure rules."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from registry.identifiers import is_valid_enp
from registry.policies.rules import (
    Operation,
    PolicyStatus,
    child_refusal,
    foreigner_needs,
    foreigner_policy_ends,
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


@pytest.mark.parametrize(
    ("kind", "birth_date", "refused_with"),
    [
        ("birth_certificate", date(2020, 5, 1), None),
        ("birth_certificate", date(2012, 11, 22), None),  # 13 the day before the 14th birthday
        ("birth_certificate", date(2012, 11, 21), "child-has-passport"),  # 14 today
        ("passport", date(2020, 5, 1), "birth-certificate-required"),
        ("birth_certificate", date(2026, 12, 1), "born-in-future"),
    ],
)
def test_a_child_is_named_by_the_birth_certificate_until_14(kind, birth_date, refused_with):  # OMS-01
    refusal = child_refusal(kind, birth_date, date(2026, 11, 21))
    assert (refusal.code if refusal else None) == refused_with
    if refusal:
        assert refusal.rule == "OMS-01"


TODAY = date(2026, 11, 21)
COMPLETE: dict[str, Any] = {
    "passport_valid_until": date(2030, 1, 1),
    "stay_until": date(2027, 3, 1),
    "ground_kind": "labour_contract",
    "ground_valid_until": date(2027, 6, 30),
    "employer_inn": "7707083893",
    "scans": {"passport", "migration_card"},
    "today": TODAY,
}


def test_a_complete_foreigners_application_needs_nothing():  # OMS-05
    assert foreigner_needs(**COMPLETE) == []


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"passport_valid_until": date(2026, 11, 20)}, ["person.document.valid_until"]),
        ({"stay_until": date(2026, 11, 20)}, ["migration_card.stay_until"]),
        ({"employer_inn": None}, ["stay.employer_inn"]),
        ({"ground_valid_until": date(2026, 11, 1)}, ["stay.valid_until"]),
        ({"scans": {"passport"}}, ["scans.migration_card"]),
        ({"scans": set()}, ["scans.passport", "scans.migration_card"]),
        # A residence document bounds the policy itself; the migration card's stay does not matter.
        ({"ground_kind": "residence_permit", "stay_until": date(2026, 1, 1), "employer_inn": None}, []),
        ({"ground_kind": "temporary_residence", "ground_valid_until": None}, ["stay.valid_until"]),
    ],
)
def test_the_review_names_what_is_needed(change, fields):  # OMS-05
    needed = foreigner_needs(**(COMPLETE | change))
    assert [n.field for n in needed] == fields
    assert all(n.rule == "OMS-05" and n.ru and n.en for n in needed)


@pytest.mark.parametrize(
    ("kind", "ground_ends", "stay_until", "ends"),
    [
        ("labour_contract", date(2027, 6, 30), date(2027, 3, 1), date(2027, 3, 1)),  # the stay ends first
        ("labour_contract", date(2027, 1, 31), date(2027, 3, 1), date(2027, 1, 31)),  # the contract first
        ("labour_contract", None, date(2027, 3, 1), date(2027, 3, 1)),  # open-ended contract
        ("temporary_residence", date(2029, 4, 1), date(2027, 3, 1), date(2029, 4, 1)),
    ],
)
def test_a_foreigners_policy_does_not_outlast_the_contract_or_the_stay(
    kind, ground_ends, stay_until, ends
):  # OMS-05
    assert foreigner_policy_ends(kind, ground_ends, stay_until) == ends
