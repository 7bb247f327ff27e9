"""An insurer's answer to an application (DMS-06): an offer with its premium, or a reasoned refusal.

Pure: the plugin supplies the tariff, terms and underwriting; this module applies them in a fixed
order, so every insurer refuses for the same kinds of reason and computes the premium the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from insurer.dms.premium import PremiumQuote, premium
from insurer.plugin import Decline, InsurerPlugin
from kit.calendar import age_on
from kit.contracts.dms import RUSSIA, DmsApplication


@dataclass(frozen=True)
class OfferTerms:
    product_code: str
    product_name: str
    programme: str
    sum_insured_kopecks: int
    premium: PremiumQuote
    term_months: int
    cover_from: date
    cover_until: date
    territory: tuple[str, ...]
    special_terms: tuple[str, ...]
    valid_for: timedelta
    synthetic_tariffs: bool


@dataclass(frozen=True)
class Refusal:
    rule: str
    reason_code: str
    reason_ru: str
    reason_en: str


def cover_period(start: date, term_months: int) -> tuple[date, date]:
    """From ``start`` for ``term_months`` whole months, the last day included."""
    return start, start + relativedelta(months=term_months) - timedelta(days=1)


def quote(plugin: InsurerPlugin, application: DmsApplication, *, today: date) -> OfferTerms | Refusal:
    applicant = application.applicant
    region = application.work_region
    if applicant.citizenship == RUSSIA:  # the gateway refuses these first; an insurer checks again
        return Refusal(
            "DMS-01",
            "russian-citizen",
            "ДМС-мигрант оформляется только иностранным гражданам и лицам без гражданства",
            "ДМС-мигрант is only for foreign citizens and stateless persons",
        )
    tariff = plugin.dms_tariff(region) if region in plugin.regions() else None
    if tariff is None:
        return Refusal(
            "DMS-06",
            "region-not-served",
            f"Страховщик не работает в регионе {region}",
            f"The insurer does not work in region {region}",
        )
    terms = sorted(plugin.dms_terms(region))
    if application.term_months not in terms:
        listed = ", ".join(str(t) for t in terms)
        return Refusal(
            "DMS-02",
            "term-not-offered",
            f"В регионе {region} страховщик заключает договоры на {listed} мес.",
            f"In region {region} the insurer offers terms of {listed} months",
        )
    # DMS-09: cover starts on payment, not before the permit starts; the offer assumes payment today.
    cover_from, cover_until = cover_period(max(today, application.permit.valid_from), application.term_months)
    age = age_on(applicant.birth_date, cover_from)
    band = tariff.band_for(age)
    if band is None:
        ages = ", ".join(f"{b.min_age}–{b.max_age}" for b in tariff.age_bands)
        return Refusal(
            "DMS-07",
            "age-not-insured",
            f"Тариф страховщика предусматривает возраст {ages} лет; застрахованному будет {age}",
            f"The insurer's tariff covers ages {ages}; the insured will be {age}",
        )
    decision = plugin.dms_underwrite(application.medical_declaration)
    if isinstance(decision, Decline):
        return Refusal("DMS-08", decision.reason_code, decision.reason_ru, decision.reason_en)
    quoted = premium(
        tariff.sum_insured_kopecks,
        tariff.base_annual_tariff,
        {
            "sex_age": band.coefficient(applicant.sex),
            "scope": tariff.scope,
            "group_size": tariff.group_size,
            "clinic_category": tariff.clinic_category,
            "region": tariff.region,
        },
        tariff.term[application.term_months],
        underwriting_loading=decision.loading,
    )
    territory = (region, *(r for r in tariff.extra_territory if r != region))
    return OfferTerms(
        product_code=tariff.product_code,
        product_name=tariff.product_name,
        programme=tariff.programme,
        sum_insured_kopecks=tariff.sum_insured_kopecks,
        premium=quoted,
        term_months=application.term_months,
        cover_from=cover_from,
        cover_until=cover_until,
        territory=territory,
        special_terms=decision.special_terms,
        valid_for=tariff.offer_valid_for,
        synthetic_tariffs=tariff.synthetic,
    )
