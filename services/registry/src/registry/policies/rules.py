"""Pure rules of an ОМС policy's life (OMS-04, OMS-05, OMS-06). Each refusal names its rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kit.calendar import age_on
from kit.contracts.oms import CHILD_PASSPORT_AGE, REQUIRED_SCANS


class PolicyStatus(StrEnum):
    active = "active"
    suspended = "suspended"  # military service (OMS-06)
    terminated = "terminated"


class Operation(StrEnum):
    issue = "issue"
    suspend = "suspend"
    resume = "resume"
    change_insurer = "change_insurer"
    change_region = "change_region"
    terminate = "terminate"


@dataclass(frozen=True)
class Refusal:
    rule: str
    code: str
    ru: str
    en: str


#: From which status each operation may start.
ALLOWED_FROM: dict[Operation, frozenset[PolicyStatus]] = {
    Operation.suspend: frozenset({PolicyStatus.active}),
    Operation.resume: frozenset({PolicyStatus.suspended}),
    Operation.change_insurer: frozenset({PolicyStatus.active}),
    Operation.change_region: frozenset({PolicyStatus.active}),
    Operation.terminate: frozenset({PolicyStatus.active, PolicyStatus.suspended}),
}
STATUS_AFTER: dict[Operation, PolicyStatus] = {
    Operation.suspend: PolicyStatus.suspended,
    Operation.resume: PolicyStatus.active,
    Operation.change_insurer: PolicyStatus.active,
    Operation.change_region: PolicyStatus.active,
    Operation.terminate: PolicyStatus.terminated,
}


def status_refusal(operation: Operation, status: PolicyStatus) -> Refusal | None:
    if status in ALLOWED_FROM[operation]:
        return None
    return Refusal(
        "OMS-04",
        "status-does-not-allow",
        f"Операция «{operation}» невозможна для полиса в статусе «{status}»",
        f"Operation {operation} is not possible for a policy that is {status}",
    )


#: OMS-04: the insurer may be changed until 1 November of the year (inclusive).
LAST_CHANGE_MONTH_DAY = (11, 1)


def insurer_change_refusal(today: date, last_change_on: date | None, *, relocation: bool) -> Refusal | None:
    """OMS-04 (326-ФЗ art. 16): once per calendar year, no later than 1 November, for any reason; on a
    change of residence neither limit applies."""
    if relocation:
        return None
    if (today.month, today.day) > LAST_CHANGE_MONTH_DAY:
        return Refusal(
            "OMS-04",
            "after-november-1",
            "Сменить страховую медицинскую организацию без смены места жительства можно до 1 ноября",
            "Without a change of residence the insurer can be changed only until 1 November",
        )
    if last_change_on is not None and last_change_on.year == today.year:
        return Refusal(
            "OMS-04",
            "once-a-year",
            "Страховую медицинскую организацию можно менять раз в календарный год "
            f"(последняя смена {last_change_on:%d.%m.%Y})",
            f"The insurer can be changed once a calendar year (last change {last_change_on:%Y-%m-%d})",
        )
    return None


def foreigner_valid_until(requested: date | None, document_ends: date) -> date:
    """OMS-05: a foreigner's policy does not outlast the labour contract, residence permit or stay."""
    return document_ends if requested is None else min(requested, document_ends)


def is_expired(valid_until: date | None, today: date) -> bool:
    """OMS-05, OMS-06: a policy whose term (the foreigner's document) has ended is no longer valid."""
    return valid_until is not None and valid_until < today


def child_refusal(document_kind: str, birth_date: date, today: date) -> Refusal | None:
    """OMS-01: a parent asks for a child's policy with the birth certificate; from 14 the child has a
    passport and is identified by it."""
    if document_kind != "birth_certificate":
        return Refusal(
            "OMS-01",
            "birth-certificate-required",
            "Ребёнка указывают по свидетельству о рождении",
            "A child is identified by the birth certificate",
        )
    if birth_date > today:
        return Refusal(
            "OMS-01", "born-in-future", "Дата рождения в будущем", "The date of birth is in the future"
        )
    if age_on(birth_date, today) >= CHILD_PASSPORT_AGE:
        return Refusal(
            "OMS-01",
            "child-has-passport",
            f"С {CHILD_PASSPORT_AGE} лет ребёнка указывают по паспорту, а не по свидетельству о рождении",
            f"From {CHILD_PASSPORT_AGE} a child is identified by the passport, not the birth certificate",
        )
    return None


@dataclass(frozen=True)
class Needed:
    """What a foreigner's application lacks (OMS-05), named by its field."""

    field: str
    rule: str
    ru: str
    en: str


def foreigner_needs(
    *,
    passport_valid_until: date | None,
    stay_until: date,
    ground_kind: str,
    ground_valid_until: date | None,
    employer_inn: str | None,
    scans: set[str],
    today: date,
) -> list[Needed]:
    """OMS-05 review: an employed foreigner or one with a residence document, with a valid passport,
    a period of stay that has not ended, and the scans of the passport and the migration card."""
    needed: list[Needed] = []
    if passport_valid_until is not None and passport_valid_until < today:
        needed.append(
            Needed(
                "person.document.valid_until",
                "OMS-05",
                "Срок действия паспорта истёк: нужен действующий паспорт",
                "The passport has expired: a valid passport is needed",
            )
        )
    if ground_kind == "labour_contract":
        if stay_until < today:
            needed.append(
                Needed(
                    "migration_card.stay_until",
                    "OMS-05",
                    "Срок пребывания по миграционной карте истёк: нужна карта с продлённым сроком",
                    "The period of stay on the migration card has ended: an extended card is needed",
                )
            )
        if not employer_inn:
            needed.append(
                Needed(
                    "stay.employer_inn",
                    "OMS-05",
                    "Полис ОМС получает официально трудоустроенный иностранец: укажите ИНН работодателя",
                    "An ОМС policy is for an officially employed foreigner: give the employer's ИНН",
                )
            )
    elif ground_valid_until is None:
        needed.append(
            Needed(
                "stay.valid_until",
                "OMS-05",
                "Укажите срок действия разрешения на временное проживание или вида на жительство",
                "Give the end date of the temporary residence permit or residence permit",
            )
        )
    if ground_valid_until is not None and ground_valid_until < today:
        needed.append(
            Needed(
                "stay.valid_until",
                "OMS-05",
                "Срок действия документа-основания истёк: нужен действующий договор или разрешение",
                "The document the policy rests on has ended: a current contract or permit is needed",
            )
        )
    for kind, (ru, en) in REQUIRED_SCANS.items():
        if kind not in scans:
            needed.append(
                Needed(f"scans.{kind}", "OMS-05", f"Нужна скан-копия: {ru}", f"A scan of the {en} is needed")
            )
    return needed


def foreigner_policy_ends(ground_kind: str, ground_valid_until: date | None, stay_until: date) -> date:
    """OMS-05: the term does not exceed the labour contract and the period of stay, or the residence
    document."""
    if ground_kind == "labour_contract":
        return stay_until if ground_valid_until is None else min(ground_valid_until, stay_until)
    assert ground_valid_until is not None, "a residence document always has its end date"
    return ground_valid_until
