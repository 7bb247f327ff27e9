"""Webhook subscriptions of a merchant. The functions work inside the caller's transaction."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kit.errors import ProblemError
from kit.messaging.envelope import utcnow
from payments.events import new_id
from payments.webhooks.models import WebhookDelivery, WebhookSubscription
from payments.webhooks.schemas import Webhook, WebhookCreate, WebhookCreated

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """``whsec_`` and 32 random bytes, URL-safe base64 (43 characters)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def to_webhook(subscription: WebhookSubscription) -> Webhook:
    return Webhook.model_validate(subscription, from_attributes=True)


def to_created(subscription: WebhookSubscription) -> WebhookCreated:
    """The creation answer: the only place the secret is shown."""
    return WebhookCreated.model_validate(subscription, from_attributes=True)


def not_found(webhook_id: str) -> ProblemError:
    return ProblemError(
        404,
        rule="webhook-not-found",
        title_ru="Подписка не найдена",
        title_en="Webhook not found",
        detail_ru=f"Подписки {webhook_id} нет среди подписок магазина",
        detail_en=f"Webhook {webhook_id} is not among this shop's webhooks",
    )


def already_subscribed(existing_id: str) -> ProblemError:
    return ProblemError(
        409,
        rule="webhook-exists",
        title_ru="Такая подписка уже есть",
        title_en="This webhook already exists",
        detail_ru=f"Магазин уже подписан на это событие по этому адресу ({existing_id}); чтобы получить "
        "новый секрет, удалите подписку и создайте её заново",
        detail_en=f"The shop is already subscribed to this event at this URL ({existing_id}); to get a "
        "new secret, delete the webhook and create it again",
    )


async def create(session: AsyncSession, merchant_id: str, request: WebhookCreate) -> WebhookSubscription:
    """A new subscription with a new secret; the same (event, url) twice is refused with 409."""
    url = str(request.url)
    existing = await session.scalar(
        select(WebhookSubscription.id).where(
            WebhookSubscription.merchant_id == merchant_id,
            WebhookSubscription.event == request.event,
            WebhookSubscription.url == url,
        )
    )
    if existing is not None:
        raise already_subscribed(existing)
    subscription = WebhookSubscription(
        id=new_id(),
        merchant_id=merchant_id,
        event=request.event,
        url=url,
        secret=new_secret(),
        created_at=utcnow(),
    )
    try:
        # A savepoint: a concurrent twin that committed first makes the unique constraint fail.
        async with session.begin_nested():
            session.add(subscription)
            await session.flush()
    except IntegrityError:
        twin = await session.scalar(
            select(WebhookSubscription.id).where(
                WebhookSubscription.merchant_id == merchant_id,
                WebhookSubscription.event == request.event,
                WebhookSubscription.url == url,
            )
        )
        raise already_subscribed(twin or "?") from None
    return subscription


async def list_for(session: AsyncSession, merchant_id: str) -> Sequence[WebhookSubscription]:
    return (
        await session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.merchant_id == merchant_id)
            .order_by(WebhookSubscription.created_at, WebhookSubscription.id)
        )
    ).all()


async def remove(session: AsyncSession, merchant_id: str, webhook_id: str) -> None:
    """Delete a subscription and its deliveries, pending ones included: nothing more is sent to it.
    Another shop's subscription is simply not found."""
    subscription = await session.get(WebhookSubscription, webhook_id, with_for_update=True)
    if subscription is None or subscription.merchant_id != merchant_id:
        raise not_found(webhook_id)
    await session.execute(delete(WebhookDelivery).where(WebhookDelivery.subscription_id == webhook_id))
    await session.delete(subscription)
    await session.flush()
