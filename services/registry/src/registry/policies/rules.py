"""Pure rules of an ОМС policy's life (OMS-04, OMS-05, OMS-06). Each refusal names its rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


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
