"""What the gateway asks of the register over AMQP (queue ``registry.requests``): a policy for the
holder or their child (OMS-01, OMS-03), a foreigner's application (OMS-05) and operations from the
cabinet (OMS-04, OMS-06).

Each gets its answer back on the ``registry`` exchange in the same transaction as the change; the
change itself is also announced as ``oms.policy.changed`` like any other. While the register is down
the requests wait in the queue. Redeliveries are absorbed by the inbox (one answer per message).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import TypeVar

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kit.calendar import business_day
from kit.contracts.base import Contract, Payload
from kit.contracts.oms import (
    OMS_FOREIGNER_APPLICATION_REVIEWED,
    OMS_FOREIGNER_APPLICATION_SUBMITTED,
    OMS_POLICY_LOOKUP_ANSWERED,
    OMS_POLICY_LOOKUP_REQUESTED,
    OMS_POLICY_OPERATION_ANSWERED,
    OMS_POLICY_OPERATION_REQUESTED,
    OMS_POLICY_REQUEST_ANSWERED,
    OMS_POLICY_REQUESTED,
    ForeignerApplicationReviewed,
    ForeignerApplicationSubmitted,
    FoundPolicy,
    NeededInformation,
    PolicyLookupAnswered,
    PolicyLookupRequested,
    PolicyOperationAnswered,
    PolicyOperationRequested,
    PolicyRequestAnswered,
    PolicyRequested,
    PolicySnapshot,
)
from kit.messaging import Binding, Outbox, QueueSpec, Received
from kit.messaging.envelope import utcnow
from kit.runtime import ConsumerSpec
from registry.policies import rules, service
from registry.policies.models import Policy
from registry.policies.rules import Operation, PolicyStatus
from registry.policies.schemas import ChangeInsurerIn, ChangeRegionIn, DocumentIn, IssueIn

QUEUE = "registry.requests"
SOURCE = "gateway"
Q = TypeVar("Q", bound=Payload)
A = TypeVar("A", bound=Payload)


def _snapshot(policy: Policy) -> PolicySnapshot:
    return PolicySnapshot(
        **service.contacts(policy).model_dump(),
        status=policy.status.value,
        insurer=policy.insurer,
        region=policy.region,
        valid_from=policy.valid_from,
        valid_until=policy.valid_until,
    )


def _problems(invalid: ValidationError) -> list[tuple[str, str]]:
    return [(".".join(map(str, e["loc"])), e["msg"]) for e in invalid.errors()]


async def answer_request(
    session: AsyncSession, outbox: Outbox, request: PolicyRequested, now: datetime
) -> PolicyRequestAnswered:
    """OMS-01/OMS-03: issue the policy, or say which one the person holds (OMS-02), or refuse."""
    if request.insured == "child":
        refusal = rules.child_refusal(
            request.person.document.kind, request.person.birth_date, business_day(now)
        )
        if refusal is not None:
            return PolicyRequestAnswered(
                request_id=request.request_id,
                outcome="refused",
                rule=refusal.rule,
                reason_ru=refusal.ru,
                reason_en=refusal.en,
                at=now,
            )
    try:
        body = IssueIn.model_validate(
            {"person": request.person.model_dump(), "region": request.region, "insurer": request.insurer}
        )
        policy, _ = await service.issue(session, outbox, body, source=SOURCE, at=now)
    except service.Refused as refused:
        existing = refused.existing
        return PolicyRequestAnswered(
            request_id=request.request_id,
            outcome="already_insured" if existing is not None else "refused",
            enp=existing.enp if existing is not None else None,
            policy=_snapshot(existing) if existing is not None else None,
            rule=refused.refusal.rule,
            reason_ru=refused.refusal.ru,
            reason_en=refused.refusal.en,
            at=now,
        )
    except ValidationError as invalid:
        problems = "; ".join(f"{field}: {message}" for field, message in _problems(invalid))
        return PolicyRequestAnswered(
            request_id=request.request_id,
            outcome="refused",
            rule="OMS-01",
            reason_ru=f"Данные заявления неполны или неверны: {problems}",
            reason_en=f"The request's data is incomplete or invalid: {problems}",
            at=now,
        )
    return PolicyRequestAnswered(
        request_id=request.request_id, outcome="issued", enp=policy.enp, policy=_snapshot(policy), at=now
    )


async def review_foreigner(
    session: AsyncSession, outbox: Outbox, application: ForeignerApplicationSubmitted, now: datetime
) -> ForeignerApplicationReviewed:
    """OMS-05: approve (issue the policy bounded by the stay document) or say what is needed."""
    person, stay, card = application.person, application.stay, application.migration_card

    def reviewed(outcome: str, **fields: object) -> ForeignerApplicationReviewed:
        return ForeignerApplicationReviewed.model_validate(
            {
                "application_id": application.application_id,
                "attempt": application.attempt,
                "outcome": outcome,
                "at": now,
                **fields,
            }
        )

    needs = rules.foreigner_needs(
        passport_valid_until=person.document.valid_until,
        stay_until=card.stay_until,
        ground_kind=stay.kind,
        ground_valid_until=stay.valid_until,
        employer_inn=stay.employer_inn,
        scans={scan.kind for scan in application.scans},
        today=business_day(now),
    )
    if needs:
        return reviewed("information_needed", needed=[NeededInformation(**vars(n)) for n in needs])
    ends: date = rules.foreigner_policy_ends(stay.kind, stay.valid_until, card.stay_until)
    person_data = person.model_dump()
    person_data["document"] = {
        "kind": stay.kind,
        "number": stay.number,
        "issued_on": stay.issued_on,
        "valid_until": stay.valid_until or ends,
    }
    try:
        body = IssueIn.model_validate(
            {
                "person": person_data,
                "region": application.region,
                "insurer": application.insurer,
                "valid_until": ends,
            }
        )
        passport = person.document
        policy, _ = await service.issue(
            session,
            outbox,
            body,
            source=SOURCE,
            at=now,
            other_documents=[DocumentIn.model_validate(passport.model_dump())],
        )
    except service.Refused as refused:
        if refused.existing is not None:
            return reviewed("already_insured", enp=refused.existing.enp, policy=_snapshot(refused.existing))
        refusal = refused.refusal
        needed = NeededInformation(
            field=refused.field or "application", rule=refusal.rule, ru=refusal.ru, en=refusal.en
        )
        return reviewed("information_needed", needed=[needed])
    except ValidationError as invalid:
        needed_list = [
            NeededInformation(field=field, rule="OMS-05", ru=f"Неверное значение: {message}", en=message)
            for field, message in _problems(invalid)
        ]
        return reviewed("information_needed", needed=needed_list)
    return reviewed("approved", enp=policy.enp, policy=_snapshot(policy))


async def answer_operation(
    session: AsyncSession, outbox: Outbox, request: PolicyOperationRequested, now: datetime
) -> PolicyOperationAnswered:
    """OMS-04, OMS-06 from the cabinet: the same rules as the register's REST operations."""

    def refused(rule: str, ru: str, en: str) -> PolicyOperationAnswered:
        return PolicyOperationAnswered(
            operation_id=request.operation_id,
            enp=request.enp,
            outcome="refused",
            rule=rule,
            reason_ru=ru,
            reason_en=en,
            at=now,
        )

    policy = await service.by_enp(session, request.enp, lock=True)
    if policy is None:
        return refused("ID-01", f"Полиса с ЕНП {request.enp} нет", f"No policy with ЕНП {request.enp}")
    operation = Operation(request.operation)
    change: ChangeInsurerIn | ChangeRegionIn | None = None
    given = {"reason": request.reason, "insurer": request.insurer, "region": request.region}
    given = {name: value for name, value in given.items() if value is not None}  # missing ones are named
    try:
        if operation is Operation.change_insurer:
            change = ChangeInsurerIn.model_validate({**given, "relocation": request.relocation})
        elif operation is Operation.change_region:
            change = ChangeRegionIn.model_validate(given)
    except ValidationError as invalid:
        problems = "; ".join(f"{field}: {message}" for field, message in _problems(invalid))
        return refused(
            "OMS-04", f"Операция задана неполно: {problems}", f"The operation is incomplete: {problems}"
        )
    try:
        await service.operate(
            session, outbox, policy, operation, reason=request.reason, source=SOURCE, at=now, change=change
        )
    except service.Refused as refusal:
        return refused(refusal.refusal.rule, refusal.refusal.ru, refusal.refusal.en)
    return PolicyOperationAnswered(
        operation_id=request.operation_id, enp=policy.enp, outcome="done", policy=_snapshot(policy), at=now
    )


async def answer_lookup(
    session: AsyncSession, outbox: Outbox, lookup: PolicyLookupRequested, now: datetime
) -> PolicyLookupAnswered:
    """OMS-02: by СНИЛС when the gateway knows it, else by name, date of birth and document number
    (a name and a date of birth alone are shared by namesakes in a national register)."""
    person = lookup.person
    found: Sequence[Policy] = ()
    if person.snils:
        found = await service.by_snils(session, person.snils)
    elif lookup.document_number:
        found = await service.by_name(
            session,
            person.last_name,
            person.first_name,
            person.patronymic,
            person.birth_date,
            lookup.document_number,
        )
    policies = [
        FoundPolicy(enp=p.enp, **_snapshot(p).model_dump())
        for p in found
        if p.status is not PolicyStatus.terminated
    ]
    return PolicyLookupAnswered(
        lookup_id=lookup.lookup_id, outcome="found" if policies else "not_found", policies=policies, at=now
    )


def answering(
    outbox: Outbox,
    answer: Callable[[AsyncSession, Outbox, Q, datetime], Awaitable[A]],
    contract: Contract,
    correlation: Callable[[Q], str],
) -> Callable[[AsyncSession, Received[Q]], Awaitable[None]]:
    """A handler that answers in the same transaction as the change: one answer per message (the inbox
    absorbs redeliveries), in the asker's correlation, caused by the asking message."""

    async def handle(session: AsyncSession, message: Received[Q]) -> None:
        asked = message.payload
        await outbox.put(
            session,
            contract,
            await answer(session, outbox, asked, utcnow()),
            correlation_id=correlation(asked),
            causation_id=str(message.envelope.message_id),
        )

    return handle


def consumer(outbox: Outbox, max_deliveries: int) -> ConsumerSpec:
    contracts = (
        OMS_POLICY_REQUESTED,
        OMS_FOREIGNER_APPLICATION_SUBMITTED,
        OMS_POLICY_OPERATION_REQUESTED,
        OMS_POLICY_LOOKUP_REQUESTED,
    )
    return ConsumerSpec(
        queue=QueueSpec(
            QUEUE,
            bindings=tuple(Binding(c.exchange, c.binding_key) for c in contracts),
            delivery_limit=max_deliveries,
        ),
        handlers={
            OMS_POLICY_REQUESTED.type: answering(
                outbox, answer_request, OMS_POLICY_REQUEST_ANSWERED, lambda r: f"oms.request.{r.request_id}"
            ),
            OMS_FOREIGNER_APPLICATION_SUBMITTED.type: answering(
                outbox,
                review_foreigner,
                OMS_FOREIGNER_APPLICATION_REVIEWED,
                lambda a: f"oms.foreigner.{a.application_id}",
            ),
            OMS_POLICY_OPERATION_REQUESTED.type: answering(
                outbox,
                answer_operation,
                OMS_POLICY_OPERATION_ANSWERED,
                lambda o: f"oms.operation.{o.operation_id}",
            ),
            OMS_POLICY_LOOKUP_REQUESTED.type: answering(
                outbox, answer_lookup, OMS_POLICY_LOOKUP_ANSWERED, lambda q: f"oms.lookup.{q.lookup_id}"
            ),
        },
    )
