"""The register's messages (queue ``gateway.oms``): the policy appears in the holder's cabinet without
an application (OMS-02), every change is a notification (OMS-07), and the answers to requests,
operations and foreigners' applications reach the cabinet."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts.service import accounts_matching
from gateway.oms import foreigners, lookups, service
from gateway.settings import GatewaySettings
from kit.contracts.base import Payload
from kit.contracts.oms import (
    OMS_FOREIGNER_APPLICATION_REVIEWED,
    OMS_POLICY_CHANGED,
    OMS_POLICY_LOOKUP_ANSWERED,
    OMS_POLICY_OPERATION_ANSWERED,
    OMS_POLICY_REQUEST_ANSWERED,
    PolicyChanged,
    PolicyLookupAnswered,
    PolicySnapshot,
    person_match_values,
)
from kit.crypto import DataCipher
from kit.messaging import Binding, QueueSpec, Received, Unprocessable
from kit.runtime import ConsumerSpec

QUEUE = "gateway.oms"
P = TypeVar("P", bound=Payload)


def recording(
    record: Callable[[AsyncSession, P], Awaitable[None]],
) -> Callable[[AsyncSession, Received[P]], Awaitable[None]]:
    """A handler for the register's answer to something the gateway asked: an answer to a request the
    gateway does not know cannot be processed (dead-lettered at once, not retried)."""

    async def handle(session: AsyncSession, message: Received[P]) -> None:
        try:
            await record(session, message.payload)
        except LookupError as exc:
            raise Unprocessable(str(exc)) from exc

    return handle


def consumer(cipher: DataCipher, settings: GatewaySettings) -> ConsumerSpec:
    async def on_policy_changed(session: AsyncSession, message: Received[PolicyChanged]) -> None:
        event = message.payload
        person = event.person
        values = person_match_values(
            person.last_name, person.first_name, person.patronymic, person.birth_date, person.snils
        )
        # The holder found by their identifiers, and any cabinet already showing it (a parent's, for a child).
        matching = await accounts_matching(session, cipher, values)
        showing = await service.accounts_showing(session, event.enp)
        snapshot = PolicySnapshot.model_validate(event.model_dump(include=set(PolicySnapshot.model_fields)))
        for account_id in dict.fromkeys([*matching, *showing]):
            # Whoever shows a change first tells the holder: this announcement, or the register's
            # answer to what the holder asked (an answer and its announcement carry the same time).
            if await service.show_policy(session, account_id, event.enp, snapshot, event.at):
                service.notify_change(session, account_id, event.enp, event.operation, event.reason)

    on_request_answered = recording(service.record_answer)
    on_operation_answered = recording(service.record_operation_answer)
    on_foreigner_reviewed = recording(foreigners.record_review)

    async def record_lookup(session: AsyncSession, answer: PolicyLookupAnswered) -> None:
        await lookups.record_answer(session, answer, settings)

    contracts = (
        OMS_POLICY_CHANGED,
        OMS_POLICY_REQUEST_ANSWERED,
        OMS_POLICY_OPERATION_ANSWERED,
        OMS_FOREIGNER_APPLICATION_REVIEWED,
        OMS_POLICY_LOOKUP_ANSWERED,
    )
    return ConsumerSpec(
        queue=QueueSpec(
            QUEUE,
            bindings=tuple(Binding(c.exchange, c.binding_key) for c in contracts),
            delivery_limit=settings.max_deliveries,
        ),
        handlers={
            OMS_POLICY_CHANGED.type: on_policy_changed,
            OMS_POLICY_REQUEST_ANSWERED.type: on_request_answered,
            OMS_POLICY_OPERATION_ANSWERED.type: on_operation_answered,
            OMS_FOREIGNER_APPLICATION_REVIEWED.type: on_foreigner_reviewed,
            OMS_POLICY_LOOKUP_ANSWERED.type: recording(record_lookup),
        },
    )
