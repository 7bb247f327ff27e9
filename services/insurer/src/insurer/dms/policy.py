"""The contract's dates (DMS-09), the policy's deadline (DMS-06) and its content (DMS-10). Pure."""

from __future__ import annotations

from datetime import date

from insurer.dms.quote import cover_period
from insurer.plugin import InsurerPlugin
from kit.calendar import add_working_days
from kit.contracts.dms import DmsApplication, InsurerDetails, Money, PolicyData

#: DMS-06: the policy is due within this many working days of payment.
POLICY_DUE_WORKING_DAYS = 2


def contract_period(paid_on: date, permit_valid_from: date, term_months: int) -> tuple[date, date]:
    """DMS-09: the contract takes effect on payment, but not before the permit starts when that is
    later, and runs for the term (the last day included)."""
    return cover_period(max(paid_on, permit_valid_from), term_months)


def policy_due_by(paid_on: date) -> date:
    """DMS-06: 2 working days after payment on the Russian production calendar (ID-05)."""
    return add_working_days(paid_on, POLICY_DUE_WORKING_DAYS)


def insurer_details(plugin: InsurerPlugin) -> InsurerDetails:
    identity = plugin.identity
    return InsurerDetails(
        legal_name=identity.legal_name,
        licence_number=identity.licence.number,
        licence_issued_on=identity.licence.issued_on,
        inn=identity.inn,
        ogrn=identity.ogrn,
        address=identity.address,
        phone=identity.phone,
        website=identity.website,
        bank_name=identity.bank.bank_name,
        bik=identity.bank.bik,
        settlement_account=identity.bank.settlement_account,
        correspondent_account=identity.bank.correspondent_account,
        signatory_name=identity.signatory.full_name,
        signatory_position=identity.signatory.position,
    )


def full_name(application: DmsApplication) -> str:
    name = application.applicant.name_cyrillic
    return " ".join(part for part in (name.last_name, name.first_name, name.patronymic) if part)


def build_policy(
    plugin: InsurerPlugin,
    application: DmsApplication,
    *,
    sequence: int,
    issued_on: date,
    valid_from: date,
    valid_until: date,
    sum_insured_kopecks: int,
    premium_kopecks: int,
    product_name: str,
    programme: str,
    territory: list[str],
    special_terms: list[str],
) -> PolicyData:
    """DMS-10: everything the policy must name. The policyholder of an individual contract is the
    insured; the territory must include the work region."""
    if application.work_region not in territory:
        raise ValueError(f"territory {territory} does not include the work region {application.work_region}")
    series = plugin.policy_series(application.work_region)
    number = plugin.policy_number(sequence)
    return PolicyData(
        series=series,
        number=number,
        visual_control_number=plugin.visual_control_number(series, number),
        issued_on=issued_on,
        valid_from=valid_from,
        valid_until=valid_until,
        territory=territory,
        sum_insured=Money(kopecks=sum_insured_kopecks),
        premium=Money(kopecks=premium_kopecks),
        product_name=product_name,
        programme=programme,
        policyholder=full_name(application),
        insured=application.applicant,
        insurer=insurer_details(plugin),
        special_terms=special_terms,
    )
