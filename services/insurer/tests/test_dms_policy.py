"""The contract's dates, the policy's deadline and content, its PDF (DMS-06, DMS-09, DMS-10)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from insurer_demo_volga import VolgaMed
from pypdf import PdfReader

from insurer.dms import pdf, policy
from insurer.plugin import DmsTariff, load_plugin, plugin_problems
from services.insurer.tests.dms_fixtures import application

VOLGA = load_plugin("volga")


def test_contract_takes_effect_on_payment_or_at_the_permit_start():  # DMS-09
    assert policy.contract_period(date(2026, 11, 23), date(2026, 11, 1), 6) == (
        date(2026, 11, 23),
        date(2027, 5, 22),
    )
    assert policy.contract_period(date(2026, 11, 23), date(2026, 12, 1), 3) == (
        date(2026, 12, 1),
        date(2027, 2, 28),
    )


def test_policy_due_two_working_days_after_payment():  # DMS-06, ID-05
    assert policy.policy_due_by(date(2026, 11, 27)) == date(2026, 12, 1)  # Friday → Tuesday
    assert policy.policy_due_by(date(2026, 12, 30)) == date(2027, 1, 12)  # across the New Year holidays


def issued(sequence: int = 1, **change):
    return policy.build_policy(
        VOLGA,
        application(**change),
        sequence=sequence,
        issued_on=date(2026, 11, 23),
        valid_from=date(2026, 11, 23),
        valid_until=date(2027, 5, 22),
        sum_insured_kopecks=10_000_000,
        premium_kopecks=429_000,
        product_name="ДМС-мигрант «Волга-Мед»",
        programme="Неотложная помощь",
        territory=["77"],
        special_terms=[],
    )


def test_policy_names_everything_dms_10_requires():  # DMS-10
    data = issued(sequence=42)
    assert (data.series, data.number) == ("ВМД-77", "0000000042")
    assert data.visual_control_number == VOLGA.visual_control_number("ВМД-77", "0000000042")
    assert data.policyholder == "Рахимов Алишер Бахтиёрович"
    assert data.insured.name_latin.last_name == "RAKHIMOV"
    assert data.insurer.licence_number == "СЛ № 0000-ДЕМО"
    assert data.insurer.bik == "049900001"
    assert data.insurer.signatory_name
    assert "77" in data.territory


def test_visual_control_number_catches_a_mistyped_digit():  # DMS-10
    right = VOLGA.visual_control_number("ВМД-77", "0000000042")
    assert len(right) == 2
    assert VOLGA.visual_control_number("ВМД-77", "0000000024") != right


def test_territory_must_include_the_work_region():  # DMS-10
    with pytest.raises(ValueError, match="work region"):
        policy.build_policy(
            VOLGA,
            application(),
            sequence=1,
            issued_on=date(2026, 11, 23),
            valid_from=date(2026, 11, 23),
            valid_until=date(2027, 5, 22),
            sum_insured_kopecks=10_000_000,
            premium_kopecks=1,
            product_name="x",
            programme="x",
            territory=["50"],
            special_terms=[],
        )


def test_the_pdf_is_a_printable_russian_document_with_every_field():  # DMS-10
    data = issued(sequence=7)
    document = pdf.render_policy_pdf(data, synthetic=True)
    assert document.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(document)).pages[0].extract_text()
    for expected in (
        "ВМД-77",
        "0000000007",
        data.visual_control_number,
        "Рахимов Алишер",
        "RAKHIMOV",
        "23.11.2026",
        "22.05.2027",
        "100 000,00 руб.",
        "4 290,00 руб.",
        "СЛ № 0000-ДЕМО",
        "049900001",
        "ДЕМО",
    ):
        assert expected in text, expected
    assert (
        pdf.qr_payload(data) == f"ДМС-мигрант;серия=ВМД-77;номер=0000000007;КН={data.visual_control_number}"
    )


def test_documents_rendered_one_after_another_keep_their_own_glyphs():
    # Rendering subsets the font tables in place: each document must have its own copy, or the
    # second one misses glyphs the first did not use.
    first = pdf.render_policy_pdf(issued(), synthetic=True)
    other = issued(applicant={"name_latin": {"last_name": "FRANKOWSKI", "first_name": "KAROL"}})
    second = PdfReader(io.BytesIO(pdf.render_policy_pdf(other, synthetic=True))).pages[0].extract_text()
    assert "FRANKOWSKI KAROL" in second
    assert first.startswith(b"%PDF")


def test_the_pdf_is_the_same_for_the_same_policy():
    assert pdf.render_policy_pdf(issued(), synthetic=False) == pdf.render_policy_pdf(
        issued(), synthetic=False
    )
    assert b"/Title" in pdf.render_policy_pdf(issued(), synthetic=False)


class Cheap(VolgaMed):
    def dms_tariff(self, region: str) -> DmsTariff:
        tariff = super().dms_tariff(region)
        assert tariff is not None
        return replace(tariff, sum_insured_kopecks=5_000_000)

    def dms_terms(self, region: str):
        return (3, 5, 13)


def test_a_plugin_with_a_bad_tariff_is_refused():  # DMS-03, DMS-02
    problems = "; ".join(plugin_problems(Cheap(), expected_code="volga"))
    assert "below 100 000 RUB (DMS-03)" in problems
    assert "term 13 is not a whole number of months 1–12" in problems
    assert "no term coefficient for 5 months" in problems
