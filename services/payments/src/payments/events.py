"""Every status change is an event: an AMQP message through the outbox and a webhook delivery
to each subscription of the merchant, written in the transaction of the change, with one event id."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kit.contracts.payments import (
    PAYMENT_EVENTS,
    REFUND_SUCCEEDED,
    PaymentEvent,
    PaymentObject,
    RefundEvent,
    RefundObject,
)
from kit.messaging import Outbox
from kit.messaging.envelope import utcnow
from payments.webhooks.models import WebhookDelivery, WebhookSubscription


async def emit_payment_event(session: AsyncSession, outbox: Outbox, payment: PaymentObject) -> None:
    """Publish ``payment.<status>`` (for waiting_for_capture, succeeded and canceled)."""
    contract = PAYMENT_EVENTS[f"payment.{payment.status}"]
    event = PaymentEvent(event=contract.type, object=payment)
    envelope = await outbox.put(
        session,
        contract,
        event,
        correlation_id=payment.id,
        routing={"merchant": payment.recipient.account_id},
    )
    await _enqueue_webhooks(
        session,
        payment.recipient.account_id,
        contract.type,
        str(envelope.message_id),
        event.model_dump(mode="json", exclude_none=True),
    )


async def emit_refund_event(
    session: AsyncSession, outbox: Outbox, refund: RefundObject, merchant_id: str
) -> None:
    event = RefundEvent(event="refund.succeeded", object=refund)
    envelope = await outbox.put(
        session, REFUND_SUCCEEDED, event, correlation_id=refund.payment_id, routing={"merchant": merchant_id}
    )
    await _enqueue_webhooks(
        session,
        merchant_id,
        REFUND_SUCCEEDED.type,
        str(envelope.message_id),
        event.model_dump(mode="json", exclude_none=True),
    )


async def _enqueue_webhooks(
    session: AsyncSession, merchant_id: str, event: str, event_id: str, notification: dict[str, object]
) -> None:
    subscriptions = (
        await session.scalars(
            select(WebhookSubscription).where(
                WebhookSubscription.merchant_id == merchant_id, WebhookSubscription.event == event
            )
        )
    ).all()
    if not subscriptions:
        return
    # YooKassa's notification shape, with the event id for de-duplication by the receiver.
    body = json.dumps(
        {"id": event_id, "type": "notification", **notification}, ensure_ascii=False, separators=(",", ":")
    )
    now = utcnow()
    for subscription in subscriptions:
        session.add(
            WebhookDelivery(
                event_id=event_id,
                subscription_id=subscription.id,
                url=subscription.url,
                body=body,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )


def new_id() -> str:
    return str(uuid.uuid4())
