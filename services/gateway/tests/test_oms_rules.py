"""The cabinet's ОМС rules as pure functions: children (OMS-01), operations (OMS-04), a foreigner's
application and its scans (OMS-05, ID-03)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from gateway.oms import rules
from gateway.oms.lookups import next_attempt_after
from gateway.oms.schemas import ChildIn, ForeignerApplicationIn, OmsOperationIn

TODAY = date(2026, 11, 30)


def child(**change: Any) -> ChildIn:
    """A valid child; the certificate issued nine days after the birth unless given."""
    born = change.get("birth_date", date(2020, 3, 1))
    data: dict[str, Any] = {
        "name": {"last_name": "Иванова", "first_name": "Мария", "patronymic": "Петровна"},
        "sex": "female",
        "birth_date": born,
        "birth_certificate": {"series": "II-АБ", "number": "123456", "issued_on": born + timedelta(days=9)},
    }
    return ChildIn.model_validate(data | change)


def fields(violations: list[Any]) -> set[tuple[str, str]]:
    return {(v.field, v.rule) for v in violations}


def test_a_child_under_14_with_a_birth_certificate_passes():  # OMS-01
    assert rules.child_violations(child(), TODAY) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"birth_date": date(2012, 11, 30)}, {("child.birth_date", "OMS-01")}),  # 14 today
        ({"birth_date": date(2012, 12, 1)}, set()),  # 14 tomorrow
        (
            {"birth_date": date(2026, 12, 1)},
            {
                ("child.birth_date", "date-not-future"),
                ("child.birth_certificate.issued_on", "date-not-future"),
            },
        ),
        (
            {"name": {"last_name": "Ivanova", "first_name": "Мария"}},
            {("child.name.last_name", "name-cyrillic")},
        ),
    ],
)
def test_child_violations(change, expected):  # OMS-01
    assert fields(rules.child_violations(child(**change), TODAY)) == expected


def test_a_certificate_is_issued_after_birth_and_not_in_the_future():
    early = child(birth_certificate={"series": "II-АБ", "number": "123456", "issued_on": date(2020, 2, 1)})
    late = child(birth_certificate={"series": "II-АБ", "number": "123456", "issued_on": date(2027, 1, 1)})
    assert fields(rules.child_violations(early, TODAY)) == {
        ("child.birth_certificate.issued_on", "after-birth")
    }
    assert fields(rules.child_violations(late, TODAY)) == {
        ("child.birth_certificate.issued_on", "date-not-future")
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"operation": "suspend"}, set()),
        ({"operation": "suspend", "insurer": "smo-alfa"}, {("insurer", "OMS-04")}),
        ({"operation": "resume", "relocation": True}, {("relocation", "OMS-04")}),
        ({"operation": "change_insurer"}, {("insurer", "OMS-04")}),
        ({"operation": "change_insurer", "insurer": "smo-vita", "region": "50"}, {("region", "OMS-04")}),
        ({"operation": "change_insurer", "insurer": "smo-vita", "region": "50", "relocation": True}, set()),
        ({"operation": "change_region", "region": "50"}, {("insurer", "OMS-04")}),
        ({"operation": "change_region", "region": "50", "insurer": "smo-vita"}, set()),
    ],
)
def test_what_each_operation_needs(body, expected):  # OMS-04
    assert (
        fields(rules.operation_violations(OmsOperationIn.model_validate({"reason": "причина", **body})))
        == expected
    )


def application(**change: Any) -> ForeignerApplicationIn:
    data: dict[str, Any] = {
        "birth_place": "Ташкент",
        "migration_card": {
            "number": "1234567",
            "entry_date": date(2026, 6, 1),
            "stay_until": date(2027, 6, 1),
        },
        "stay": {
            "kind": "labour_contract",
            "number": "15",
            "issued_on": date(2026, 6, 10),
            "valid_until": date(2027, 6, 10),
            "employer_inn": "7707083893",
        },
        "address": "г. Москва, ул. Тверская, д. 1",
        "region": "77",
        "insurer": "smo-alfa",
        "consent_to_personal_data": True,
    }
    return ForeignerApplicationIn.model_validate(data | change)


def test_a_consistent_foreigners_application_passes():  # OMS-05
    assert rules.foreigner_violations(application(), TODAY) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"consent_to_personal_data": False}, {("consent_to_personal_data", "OMS-05")}),
        (
            {
                "migration_card": {
                    "number": "1",
                    "entry_date": date(2026, 12, 1),
                    "stay_until": date(2026, 11, 1),
                }
            },
            {("migration_card.entry_date", "date-not-future"), ("migration_card.stay_until", "period-order")},
        ),
        (
            {
                "stay": {
                    "kind": "labour_contract",
                    "number": "1",
                    "issued_on": date(2026, 1, 1),
                    "employer_inn": "7707083890",
                }
            },
            {("stay.employer_inn", "ID-03")},
        ),
        (
            {
                "stay": {
                    "kind": "residence_permit",
                    "number": "1",
                    "issued_on": date(2026, 1, 1),
                    "valid_until": date(2025, 1, 1),
                    "employer_inn": "7707083893",
                }
            },
            {("stay.valid_until", "period-order"), ("stay.employer_inn", "OMS-05")},
        ),
    ],
)
def test_a_foreigners_application_names_each_error(change, expected):  # OMS-05, ID-03
    assert fields(rules.foreigner_violations(application(**change), TODAY)) == expected


def test_both_scans_are_required():  # OMS-05
    assert fields(rules.missing_scans(set())) == {
        ("scans.passport", "OMS-05"),
        ("scans.migration_card", "OMS-05"),
    }
    assert rules.missing_scans({"passport", "migration_card"}) == []


@pytest.mark.parametrize(
    ("declared", "head", "accepted"),
    [
        ("image/jpeg", b"\xff\xd8\xff\xe0", True),
        ("IMAGE/PNG; charset=binary", b"\x89PNG\r\n\x1a\n", True),
        ("application/pdf", b"%PDF-1.7", True),
        ("application/pdf", b"\xff\xd8\xff\xe0", False),  # a JPEG called a PDF
        ("image/gif", b"GIF89a", False),
        ("", b"%PDF-1.7", False),
        ("application/pdf", b"", False),  # empty
    ],
)
def test_a_scan_is_what_its_type_says(declared, head, accepted):  # OMS-05
    assert (rules.scan_type_problem(rules.media_type(declared), head) is None) == accepted


@pytest.mark.parametrize(
    ("attempts", "pause"),
    [(1, timedelta(seconds=60)), (2, timedelta(seconds=240)), (3, timedelta(seconds=960)), (4, None)],
)
def test_the_register_is_asked_again_with_growing_pauses_then_not(attempts, pause):  # OMS-02
    assert next_attempt_after(attempts, first_pause=60, limit=4) == pause
