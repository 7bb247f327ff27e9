"""Messages from the insurers about applications (queue ``gateway.dms``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.dms import service
from kit.contracts import dms
from kit.crypto import DataCipher
from kit.messaging import Binding, QueueSpec, Received, Unprocessable
from kit.messaging.envelope import utcnow
from kit.runtime import ConsumerSpec

QUEUE = "gateway.dms"

Effect = Callable[[AsyncSession, Any], Awaitable[None]]


def _handler(effect: Effect) -> Callable[[AsyncSession, Received[Any]], Awaitable[None]]:
    async def handle(session: AsyncSession, message: Received[Any]) -> None:
        try:
            await effect(session, message.payload)
        except LookupError as exc:  # an application or insurer that does not exist: never will
            raise Unprocessable(str(exc)) from exc

    return handle


def consumer(cipher: DataCipher, max_deliveries: int) -> ConsumerSpec:
    async def policy(session: AsyncSession, issued: dms.PolicyIssued) -> None:
        await service.record_policy(session, cipher, issued, now=utcnow())

    effects: dict[str, Effect] = {
        dms.DMS_OFFER_MADE.type: lambda s, p: service.record_offer(s, p, now=utcnow()),
        dms.DMS_OFFER_REFUSED.type: lambda s, p: service.record_refusal(s, p, now=utcnow()),
        dms.DMS_PAYMENT_LINK_ISSUED.type: lambda s, p: service.record_payment_link(s, p, now=utcnow()),
        dms.DMS_PAYMENT_FAILED.type: lambda s, p: service.record_payment_failure(s, p, now=utcnow()),
        dms.DMS_CONTRACT_PAID.type: lambda s, p: service.record_paid(s, p, now=utcnow()),
        dms.DMS_POLICY_ISSUED.type: policy,
    }
    return ConsumerSpec(
        queue=QueueSpec(
            QUEUE,
            bindings=tuple(Binding(c.exchange, c.binding_key) for c in dms.FROM_INSURERS),
            delivery_limit=max_deliveries,
        ),
        handlers={message_type: _handler(effect) for message_type, effect in effects.items()},
    )
