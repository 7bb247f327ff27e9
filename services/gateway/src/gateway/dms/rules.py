"""Pure rules of the ДМС-мигрант application (no I/O): what may be submitted, how statuses move.

Each check returns the violations it finds, every one naming the field and the rule, in Russian
and English, so the applicant sees all that is wrong at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from gateway.violations import Violation, name_violations
from kit.calendar import add_working_days, age_on
from kit.contracts.dms import RUSSIA, Applicant, MedicalCondition, WorkPermit

#: DMS-03: the least sum insured an offer may carry, in kopecks (100 000 RUB).
MIN_SUM_INSURED_KOPECKS = 10_000_000
#: Labour patents and work permits are issued to adults.
MIN_AGE = 18
#: DMS-06: the policy is due within this many working days of payment.
POLICY_DUE_WORKING_DAYS = 2

_PHONE = re.compile(r"^\+?\d{10,15}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ApplicationStatus(StrEnum):
    submitted = "submitted"
    offers_received = "offers_received"
    no_offers = "no_offers"
    refused = "refused"
    offer_accepted = "offer_accepted"
    awaiting_payment = "awaiting_payment"
    payment_failed = "payment_failed"
    paid = "paid"
    policy_issued = "policy_issued"
    offer_expired = "offer_expired"
    withdrawn = "withdrawn"


S = ApplicationStatus
#: Which status may follow which (DMS-06). Anything else is a bug or a stale message.
TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    S.submitted: frozenset({S.offers_received, S.no_offers, S.refused, S.withdrawn}),
    # A late offer reopens an application that had none.
    S.no_offers: frozenset({S.offers_received, S.withdrawn}),
    S.refused: frozenset({S.offers_received, S.withdrawn}),
    S.offers_received: frozenset({S.offer_accepted, S.offer_expired, S.withdrawn}),
    S.offer_accepted: frozenset({S.awaiting_payment, S.paid, S.withdrawn}),
    S.awaiting_payment: frozenset({S.payment_failed, S.paid, S.withdrawn}),
    # After a failure the applicant asks for a new link: back to waiting for it.
    S.payment_failed: frozenset({S.offer_accepted, S.paid, S.withdrawn}),
    S.paid: frozenset({S.policy_issued}),
    S.policy_issued: frozenset(),
    S.offer_expired: frozenset(),
    S.withdrawn: frozenset(),
}
#: While open, an insurer's answer is recorded, even after the collection deadline.
OPEN_FOR_ANSWERS = frozenset({S.submitted, S.offers_received, S.no_offers, S.refused})
WITHDRAWABLE = frozenset(s for s, following in TRANSITIONS.items() if S.withdrawn in following)

STATUS_TEXT: dict[ApplicationStatus, tuple[str, str]] = {
    S.submitted: ("Заявление отправлено страховщикам", "Application sent to the insurers"),
    S.offers_received: ("Получены предложения страховщиков", "Offers received"),
    S.no_offers: ("Предложений нет", "No offers"),
    S.refused: ("Страховщики отказали", "Refused by the insurers"),
    S.offer_accepted: (
        "Предложение выбрано, ожидается ссылка на оплату",
        "Offer accepted, awaiting the payment link",
    ),
    S.awaiting_payment: ("Ожидается оплата", "Awaiting payment"),
    S.payment_failed: ("Оплата не прошла", "Payment failed"),
    S.paid: ("Оплачено, полис оформляется", "Paid, the policy is being issued"),
    S.policy_issued: ("Полис оформлен", "Policy issued"),
    S.offer_expired: ("Срок действия предложений истёк", "The offers expired"),
    S.withdrawn: ("Заявление отозвано", "Application withdrawn"),
}


def can_move(current: ApplicationStatus, following: ApplicationStatus) -> bool:
    return following in TRANSITIONS[current]


def collection_outcome(answers: Sequence[str], offers: int) -> ApplicationStatus:
    """How collecting ends: with offers; refused when every insurer asked refused; else no offers.

    ``answers`` holds each asked insurer's state: ``asked``, ``offered`` or ``refused``."""
    if offers:
        return S.offers_received
    if answers and all(answer == "refused" for answer in answers):
        return S.refused
    return S.no_offers


def policy_due_by(paid_on: date) -> date:
    """DMS-06: 2 working days after payment, on the production calendar (ID-05)."""
    return add_working_days(paid_on, POLICY_DUE_WORKING_DAYS)


def deadline_breached(due_by: date | None, issued_on: date | None, today: date) -> bool:
    """A policy issued after its due date, or still missing after it, breaches DMS-06."""
    if due_by is None:
        return False
    return (issued_on or today) > due_by


def offer_is_acceptable(sum_insured_kopecks: int) -> bool:
    """DMS-03: at least 100 000 RUB per insured person."""
    return sum_insured_kopecks >= MIN_SUM_INSURED_KOPECKS


def whole_months_covered(permit: WorkPermit, start: date) -> int:
    """How many months of cover, from ``start``, the permit's validity allows (a started month counts)."""
    if permit.valid_until < start:
        return 0
    span = relativedelta(permit.valid_until, start)
    return span.years * 12 + span.months + (1 if span.days >= 0 else 0)


# -- the application --------------------------------------------------------------------------------


def applicant_violations(applicant: Applicant, today: date) -> list[Violation]:
    found: list[Violation] = []
    if applicant.citizenship == RUSSIA:
        found.append(
            Violation(
                "applicant.citizenship",
                "DMS-01",
                "ДМС-мигрант оформляют только иностранные граждане и лица без гражданства; "
                "гражданину России полис не нужен — для работы достаточно полиса ОМС",
                "ДМС-мигрант is only for foreign citizens and stateless persons; "
                "a Russian citizen is covered by ОМС (compulsory medical insurance)",
            )
        )
    found.extend(name_violations(applicant.name_cyrillic, "applicant.name_cyrillic", latin=False))
    found.extend(name_violations(applicant.name_latin, "applicant.name_latin", latin=True))
    if applicant.birth_date >= today:
        found.append(
            Violation(
                "applicant.birth_date",
                "date-in-past",
                "Дата рождения должна быть в прошлом",
                "The date of birth must be in the past",
            )
        )
    elif age_on(applicant.birth_date, today) < MIN_AGE:
        found.append(
            Violation(
                "applicant.birth_date",
                "min-age",
                f"Патент и разрешение на работу выдают с {MIN_AGE} лет",
                f"Patents and work permits are issued from the age of {MIN_AGE}",
            )
        )
    document = applicant.document
    if document.issued_on > today:
        found.append(
            Violation(
                "applicant.document.issued_on",
                "date-not-future",
                "Дата выдачи документа не может быть в будущем",
                "The document's issue date cannot be in the future",
            )
        )
    elif document.issued_on <= applicant.birth_date:
        found.append(
            Violation(
                "applicant.document.issued_on",
                "after-birth",
                "Документ выдан раньше даты рождения",
                "The document was issued before the date of birth",
            )
        )
    if document.valid_until is not None and document.valid_until < today:
        found.append(
            Violation(
                "applicant.document.valid_until",
                "document-expired",
                "Срок действия документа истёк",
                "The identity document has expired",
            )
        )
    phone = re.sub(r"[\s()-]", "", applicant.phone)
    if not _PHONE.fullmatch(phone):
        found.append(
            Violation(
                "applicant.phone",
                "phone",
                "Телефон: от 10 до 15 цифр, можно с «+» в начале",
                "Phone: 10 to 15 digits, optionally starting with '+'",
            )
        )
    if applicant.email is not None and not _EMAIL.fullmatch(applicant.email):
        found.append(
            Violation(
                "applicant.email", "email", "Неверный адрес электронной почты", "Invalid e-mail address"
            )
        )
    return found


def permit_violations(permit: WorkPermit, term_months: int, today: date) -> list[Violation]:
    found: list[Violation] = []
    if permit.valid_until < permit.valid_from:
        found.append(
            Violation(
                "permit.valid_until",
                "period-order",
                "Окончание срока действия раньше его начала",
                "The validity ends before it starts",
            )
        )
        return found
    if permit.valid_until < today:
        found.append(
            Violation(
                "permit.valid_until",
                "permit-expired",
                "Срок действия патента (разрешения) истёк",
                "The patent (work permit) has expired",
            )
        )
        return found
    start = max(today, permit.valid_from)
    allowed = whole_months_covered(permit, start)
    if term_months > allowed:
        found.append(
            Violation(
                "term_months",
                "DMS-02",
                f"Срок страхования следует сроку патента (разрешения): не больше {allowed} мес.",
                f"The insurance term follows the patent (permit): at most {allowed} months",
            )
        )
    return found


def declaration_violations(conditions: Sequence[MedicalCondition]) -> list[Violation]:
    if len(set(conditions)) != len(conditions):
        return [
            Violation(
                "medical_declaration", "unique", "Заболевание указано дважды", "A condition is listed twice"
            )
        ]
    return []


def consent_violations(consent: bool) -> list[Violation]:
    if consent:
        return []
    return [
        Violation(
            "consent_to_personal_data",
            "DMS-12",
            "Без согласия на обработку персональных данных договор не заключается",
            "No contract without consent to the processing of personal data",
        )
    ]


def account_mismatches(
    applicant: Applicant, citizenship: str | None, birth_date: date | None
) -> list[Violation]:
    """ACC-02: the confirmed account carries citizenship and date of birth; the application must agree."""
    found = []
    if citizenship is not None and applicant.citizenship != citizenship:
        found.append(
            Violation(
                "applicant.citizenship",
                "ACC-02",
                f"Гражданство не совпадает с подтверждённой учётной записью ({citizenship})",
                f"Citizenship differs from the confirmed account ({citizenship})",
            )
        )
    if birth_date is not None and applicant.birth_date != birth_date:
        found.append(
            Violation(
                "applicant.birth_date",
                "ACC-02",
                "Дата рождения не совпадает с подтверждённой учётной записью",
                "The date of birth differs from the confirmed account",
            )
        )
    return found


def is_expired(valid_until: datetime, now: datetime) -> bool:
    return valid_until <= now
