"""Offers and refusals of the two demo insurers (DMS-01, DMS-02, DMS-07, DMS-08, DMS-09)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from insurer.dms.quote import OfferTerms, Refusal, quote
from insurer.plugin import load_plugin
from services.insurer.tests.dms_fixtures import TODAY, application

VOLGA, TAIGA = load_plugin("volga"), load_plugin("taiga")


def offer(plugin, **change) -> OfferTerms:
    answer = quote(plugin, application(**change), today=TODAY)
    assert isinstance(answer, OfferTerms), answer
    return answer


def refusal(plugin, **change) -> Refusal:
    answer = quote(plugin, application(**change), today=TODAY)
    assert isinstance(answer, Refusal), answer
    return answer


def test_volga_worked_example():  # DMS-07
    # 100 000 RUB × 5.5 % × man 30 (1.00) × urgent care (1) × alone (1) × standard clinics (1)
    # × Moscow (1.30) × 6 months (0.60) = 4 290.00 RUB
    terms = offer(VOLGA)
    assert terms.premium.kopecks == 429_000
    assert terms.sum_insured_kopecks == 10_000_000  # DMS-03 minimum
    assert terms.premium.factors["region"] == Decimal("1.30")
    assert terms.synthetic_tariffs is True


def test_taiga_worked_example_rounded_once_half_up():  # DMS-07, PAY-02
    # 150 000 RUB × 4.5 % × 1.00 × 1 × 1 × 1.10 × 1.35 × 0.65 = 6 515.4375 RUB → 651 544 kopecks
    terms = offer(TAIGA)
    assert terms.premium.exact_kopecks == Decimal("651543.75")
    assert terms.premium.kopecks == 651_544


def test_the_two_insurers_differ_and_volga_is_cheaper_for_an_ordinary_applicant():  # DMS-07
    assert offer(VOLGA).premium.kopecks < offer(TAIGA).premium.kopecks
    assert offer(VOLGA).sum_insured_kopecks != offer(TAIGA).sum_insured_kopecks


def test_sex_and_age_change_the_premium():  # DMS-07
    woman = offer(VOLGA, applicant={"sex": "female"})
    older = offer(VOLGA, applicant={"birth_date": "1980-01-01"})
    assert woman.premium.kopecks == 471_900  # × 1.10
    assert older.premium.kopecks == 514_800  # × 1.20


def test_age_outside_the_tariff_is_refused():  # DMS-07
    answer = refusal(TAIGA, applicant={"birth_date": "1960-01-01"})
    assert answer.reason_code == "age-not-insured"
    assert "18–44" in answer.reason_ru


def test_terms_per_insurer_and_region():  # DMS-02
    answer = refusal(VOLGA, term_months=5)
    assert (answer.rule, answer.reason_code) == ("DMS-02", "term-not-offered")
    assert "3, 6, 9, 12" in answer.reason_ru
    # Taiga sells any whole number of months in Novosibirsk (54), not in Moscow.
    assert offer(TAIGA, work_region="54", term_months=5).term_months == 5
    assert refusal(TAIGA, term_months=5).rule == "DMS-02"


def test_region_not_served():
    answer = refusal(TAIGA, work_region="63")
    assert answer.reason_code == "region-not-served"


def test_russian_citizen_refused_by_the_insurer_too():  # DMS-01
    assert refusal(VOLGA, applicant={"citizenship": "RUS"}).rule == "DMS-01"


@pytest.mark.parametrize(
    ("plugin", "condition"), [(VOLGA, "tuberculosis"), (VOLGA, "hiv"), (TAIGA, "cancer"), (TAIGA, "dialysis")]
)
def test_underwriting_refusals_carry_their_reason(plugin, condition):  # DMS-08
    answer = refusal(plugin, medical_declaration=[condition])
    assert answer.rule == "DMS-08"
    assert condition in answer.reason_ru
    assert condition in answer.reason_en


def test_underwriting_special_terms_load_the_premium():  # DMS-08
    volga = offer(VOLGA, medical_declaration=["congenital_anomaly"])
    assert volga.premium.kopecks == 643_500  # 4 290.00 × 1.5
    assert volga.special_terms
    taiga = offer(TAIGA, medical_declaration=["tuberculosis"])  # Volga refuses this one, Taiga loads it
    assert taiga.premium.factors["underwriting"] == Decimal("2.0")


def test_cover_starts_at_the_later_of_today_and_the_permit():  # DMS-09
    now = offer(VOLGA)
    assert (now.cover_from, now.cover_until) == (TODAY, date(2027, 5, 22))
    later = offer(
        VOLGA,
        permit={"kind": "patent", "number": "1", "valid_from": "2026-12-15", "valid_until": "2027-12-14"},
    )
    assert (later.cover_from, later.cover_until) == (date(2026, 12, 15), date(2027, 6, 14))


def test_territory_includes_the_work_region():  # DMS-10
    assert offer(VOLGA).territory == ("77",)
    assert offer(TAIGA).territory == ("77", "54")
