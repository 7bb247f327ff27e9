"""``/v3/webhooks``: a merchant subscribes its URLs to events (YooKassa's webhooks API)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from kit.errors import Problem
from kit.http import Runtime
from payments.deps import Settings, idempotence_ttl
from payments.idempotency.service import IdempotenceKey, idempotent
from payments.merchants.auth import CurrentMerchant
from payments.webhooks import service
from payments.webhooks.schemas import Deleted, WebhookCreate, WebhookCreated, WebhookList

router = APIRouter(prefix="/v3/webhooks", tags=["webhooks"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No or wrong shop credentials"},
    404: {"model": Problem, "description": "No such webhook in this shop"},
    409: {
        "model": Problem,
        "description": "The shop is already subscribed to this event at this URL, or the idempotence "
        "key was used for another request",
    },
    422: {"model": Problem, "description": "Invalid fields, each named with its rule"},
}


@router.post(
    "",
    response_model=WebhookCreated,
    summary="Subscribe a URL to an event",
    description="Answers the webhook with its signing `secret`, shown only in this answer (and in its "
    "replays with the same Idempotence-Key). The same event and URL twice is refused with 409; "
    "to get a new secret, delete the webhook and create it again.",
    responses=PROBLEMS,
)
async def create_webhook(
    body: WebhookCreate, merchant: CurrentMerchant, key: IdempotenceKey, runtime: Runtime, settings: Settings
) -> JSONResponse:
    async with runtime.db.transaction() as session:

        async def create() -> WebhookCreated:
            return service.to_created(await service.create(session, merchant.shop_id, body))

        return await idempotent(
            session,
            merchant_id=merchant.shop_id,
            key=key,
            operation="webhooks.create",
            body=body,
            ttl=idempotence_ttl(settings),
            action=create,
        )


@router.get(
    "", response_model=WebhookList, summary="The shop's webhooks (without secrets)", responses=PROBLEMS
)
async def list_webhooks(merchant: CurrentMerchant, runtime: Runtime) -> WebhookList:
    async with runtime.db.transaction() as session:
        subscriptions = await service.list_for(session, merchant.shop_id)
        return WebhookList(items=[service.to_webhook(s) for s in subscriptions])


@router.delete(
    "/{webhook_id}",
    response_model=Deleted,
    summary="Delete a webhook; its pending deliveries are dropped",
    responses=PROBLEMS,
)
async def delete_webhook(webhook_id: str, merchant: CurrentMerchant, runtime: Runtime) -> Deleted:
    async with runtime.db.transaction() as session:
        await service.remove(session, merchant.shop_id, webhook_id)
    return Deleted()
