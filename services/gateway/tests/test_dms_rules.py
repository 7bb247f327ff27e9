"""The gateway's pure ДМС rules: the application's checks and the statuses (no I/O)."""

from __future__ import annotations

from datetime import date

import pytest

from gateway.dms import rules
from gateway.dms.rules import ApplicationStatus as S
from gateway.dms.service import rub
from gateway.violations import Violation
from kit.contracts.dms import Applicant, IdentityDocument, MedicalCondition, PersonName, WorkPermit

TODAY = date(2026, 11, 23)


def applicant(**change: object) -> Applicant:
    base = {
        "name_cyrillic": PersonName(last_name="Рахимов", first_name="Алишер"),
        "name_latin": PersonName(last_name="RAKHIMOV", first_name="ALISHER"),
        "sex": "male",
        "birth_date": date(1994, 3, 15),
        "citizenship": "UZB",
        "document": IdentityDocument(
            type="foreign_passport", number="FA1234567", issued_on=date(2019, 5, 20), issued_by="MIA"
        ),
        "address_in_russia": "г. Москва, ул. Примерная, д. 1",
        "phone": "+7 (900) 123-45-67",
        "email": "alisher@example.com",
    }
    return Applicant.model_validate({**base, **change})


def permit(valid_from: date, valid_until: date) -> WorkPermit:
    return WorkPermit(kind="patent", number="7700123456", valid_from=valid_from, valid_until=valid_until)


def rules_of(violations: list[Violation]) -> set[tuple[str, str]]:
    return {(v.field, v.rule) for v in violations}


def test_a_well_formed_applicant_passes():  # DMS-05
    assert rules.applicant_violations(applicant(), TODAY) == []


def test_a_russian_citizen_is_refused_with_a_clear_reason():  # DMS-01
    found = rules.applicant_violations(applicant(citizenship="RUS"), TODAY)
    assert ("applicant.citizenship", "DMS-01") in rules_of(found)
    reason = next(v for v in found if v.rule == "DMS-01")
    assert "иностранные граждане" in reason.ru
    assert "foreign citizens" in reason.en


def test_stateless_persons_may_apply():  # DMS-01
    assert rules.applicant_violations(applicant(citizenship="XXA"), TODAY) == []


def test_names_must_be_in_their_scripts():  # DMS-05, ID-04
    found = rules.applicant_violations(
        applicant(
            name_cyrillic=PersonName(last_name="Rakhimov", first_name="Алишер"),
            name_latin=PersonName(last_name="Рахимов", first_name="ALI5HER"),
        ),
        TODAY,
    )
    assert rules_of(found) == {
        ("applicant.name_cyrillic.last_name", "name-cyrillic"),
        ("applicant.name_latin.last_name", "ID-04"),
        ("applicant.name_latin.first_name", "ID-04"),
    }
    # The Cyrillic spelling given in the Latin field gets the ICAO Doc 9303 form as a hint (iuliia).
    hint = next(v for v in found if v.field == "applicant.name_latin.last_name")
    assert "Rakhimov" in hint.en


def test_latin_names_are_kept_as_in_the_passport():  # ID-04: any Latin spelling, hyphens, apostrophes
    assert (
        rules.applicant_violations(
            applicant(name_latin=PersonName(last_name="O'ZBEKOV-RAHIMOV", first_name="Alisher")), TODAY
        )
        == []
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"birth_date": date(2030, 1, 1)}, ("applicant.birth_date", "date-in-past")),
        ({"birth_date": date(2010, 1, 1)}, ("applicant.birth_date", "min-age")),
        ({"phone": "12-34"}, ("applicant.phone", "phone")),
        ({"email": "not-an-address"}, ("applicant.email", "email")),
    ],
)
def test_dates_and_contacts(change: dict[str, object], expected: tuple[str, str]):  # DMS-05
    assert expected in rules_of(rules.applicant_violations(applicant(**change), TODAY))


def test_document_dates():  # DMS-05
    future = IdentityDocument(
        type="foreign_passport", number="1", issued_on=date(2027, 1, 1), issued_by="MIA"
    )
    expired = IdentityDocument(
        type="foreign_passport",
        number="1",
        issued_on=date(2015, 1, 1),
        issued_by="MIA",
        valid_until=date(2025, 1, 1),
    )
    assert ("applicant.document.issued_on", "date-not-future") in rules_of(
        rules.applicant_violations(applicant(document=future), TODAY)
    )
    assert ("applicant.document.valid_until", "document-expired") in rules_of(
        rules.applicant_violations(applicant(document=expired), TODAY)
    )


def test_the_term_follows_the_patent():  # DMS-02
    six_months = permit(date(2026, 12, 1), date(2027, 5, 31))
    assert rules.permit_violations(six_months, 6, TODAY) == []
    found = rules.permit_violations(six_months, 9, TODAY)
    assert rules_of(found) == {("term_months", "DMS-02")}
    assert "6" in found[0].ru


def test_an_expired_or_inverted_patent_is_refused():  # DMS-05
    assert rules_of(rules.permit_violations(permit(date(2025, 1, 1), date(2025, 12, 31)), 3, TODAY)) == {
        ("permit.valid_until", "permit-expired")
    }
    assert rules_of(rules.permit_violations(permit(date(2027, 1, 1), date(2026, 12, 31)), 3, TODAY)) == {
        ("permit.valid_until", "period-order")
    }


def test_whole_months_covered_counts_a_started_month():
    assert rules.whole_months_covered(permit(date(2026, 1, 1), date(2026, 12, 31)), date(2026, 1, 1)) == 12
    assert rules.whole_months_covered(permit(date(2026, 1, 1), date(2026, 3, 15)), date(2026, 1, 1)) == 3
    assert rules.whole_months_covered(permit(date(2026, 1, 1), date(2026, 3, 15)), date(2026, 4, 1)) == 0


def test_consent_and_declaration():  # DMS-12, DMS-05
    assert rules_of(rules.consent_violations(False)) == {("consent_to_personal_data", "DMS-12")}
    assert rules.consent_violations(True) == []
    twice = [MedicalCondition.hiv, MedicalCondition.hiv]
    assert rules_of(rules.declaration_violations(twice)) == {("medical_declaration", "unique")}


def test_the_application_must_agree_with_the_confirmed_account():  # ACC-02
    found = rules.account_mismatches(applicant(), "TJK", date(1990, 1, 1))
    assert rules_of(found) == {("applicant.citizenship", "ACC-02"), ("applicant.birth_date", "ACC-02")}
    assert rules.account_mismatches(applicant(), "UZB", date(1994, 3, 15)) == []


def test_sum_insured_minimum():  # DMS-03
    assert rules.offer_is_acceptable(10_000_000)
    assert not rules.offer_is_acceptable(9_999_999)


def test_policy_due_two_working_days_after_payment():  # DMS-06, ID-05
    assert rules.policy_due_by(date(2026, 11, 23)) == date(2026, 11, 25)  # Monday → Wednesday
    assert rules.policy_due_by(date(2026, 11, 27)) == date(2026, 12, 1)  # Friday → Tuesday
    # Paid on 30 December: 31 December is a day off by decree and 1–10 January are holidays, so the
    # two working days are 30 December → 11 and 12 January (the `holidays` calendar, ID-05).
    assert rules.policy_due_by(date(2026, 12, 30)) == date(2027, 1, 12)


def test_deadline_breach():  # DMS-06
    due = date(2026, 11, 25)
    assert not rules.deadline_breached(due, date(2026, 11, 25), date(2026, 11, 30))
    assert rules.deadline_breached(due, date(2026, 11, 26), date(2026, 11, 26))
    assert rules.deadline_breached(due, None, date(2026, 11, 26))  # still missing after the due date
    assert not rules.deadline_breached(due, None, date(2026, 11, 25))
    assert not rules.deadline_breached(None, None, date(2030, 1, 1))


def test_collection_outcome():  # DMS-06
    assert rules.collection_outcome(["offered", "refused"], 1) is S.offers_received
    assert rules.collection_outcome(["refused", "refused"], 0) is S.refused
    assert rules.collection_outcome(["refused", "asked"], 0) is S.no_offers
    assert rules.collection_outcome([], 0) is S.no_offers


def test_status_moves():  # DMS-06
    assert rules.can_move(S.submitted, S.offers_received)
    assert rules.can_move(S.no_offers, S.offers_received)  # a late offer reopens
    assert rules.can_move(S.payment_failed, S.offer_accepted)  # a new payment link
    assert not rules.can_move(S.paid, S.withdrawn)  # paid applications are not withdrawn
    assert not rules.can_move(S.policy_issued, S.paid)
    for terminal in (S.policy_issued, S.offer_expired, S.withdrawn):
        assert rules.TRANSITIONS[terminal] == frozenset()
    assert S.paid not in rules.WITHDRAWABLE


def test_roubles_are_printed_from_kopecks():  # PAY-02
    assert rub(1_234_567) == "12 345,67 ₽"
    assert rub(5) == "0,05 ₽"
