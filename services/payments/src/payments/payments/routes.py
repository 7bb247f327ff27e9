from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from kit.contracts.payments import PaymentObject
from kit.errors import Problem
from kit.http import Runtime
from payments.deps import Settings, checkout_url, idempotence_ttl, lifetimes
from payments.idempotency.service import IdempotenceKey, idempotent
from payments.merchants.auth import CurrentMerchant
from payments.payments import service
from payments.payments.schemas import CaptureRequest, PaymentCreate, PaymentList
from payments.payments.state import CancellationReason, Party, Status

router = APIRouter(prefix="/v3/payments", tags=["payments"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No or wrong shop credentials"},
    404: {"model": Problem, "description": "No such payment in this shop"},
    409: {
        "model": Problem,
        "description": "Status does not allow it, or the idempotence key was used for another request",
    },
    422: {"model": Problem, "description": "Invalid fields, each named with its rule"},
}


@router.post("", response_model=PaymentObject, summary="Create a payment", responses=PROBLEMS)
async def create_payment(
    body: PaymentCreate, merchant: CurrentMerchant, key: IdempotenceKey, runtime: Runtime, settings: Settings
) -> JSONResponse:
    async with runtime.db.transaction() as session:

        async def create() -> PaymentObject:
            payment = await service.create(session, merchant.shop_id, body, lifetimes(settings))
            return service.to_object(payment, checkout_url(settings))

        return await idempotent(
            session,
            merchant_id=merchant.shop_id,
            key=key,
            operation="payments.create",
            body=body,
            ttl=idempotence_ttl(settings),
            action=create,
        )


@router.get(
    "",
    response_model=PaymentList,
    response_model_exclude_none=True,
    summary="List payments, newest first",
    responses=PROBLEMS,
)
async def list_payments(
    merchant: CurrentMerchant,
    runtime: Runtime,
    settings: Settings,
    status: Status | None = None,
    created_gte: Annotated[datetime | None, Query(alias="created_at.gte")] = None,
    created_gt: Annotated[datetime | None, Query(alias="created_at.gt")] = None,
    created_lte: Annotated[datetime | None, Query(alias="created_at.lte")] = None,
    created_lt: Annotated[datetime | None, Query(alias="created_at.lt")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> PaymentList:
    filters = service.ListFilter(status, created_gte, created_gt, created_lte, created_lt)
    async with runtime.db.transaction() as session:
        page, next_cursor = await service.list_payments(
            session, merchant.shop_id, filters, limit=limit, cursor=cursor
        )
        return PaymentList(
            items=[service.to_object(p, checkout_url(settings)) for p in page], next_cursor=next_cursor
        )


@router.get(
    "/{payment_id}",
    response_model=PaymentObject,
    response_model_exclude_none=True,
    summary="Read a payment",
    responses=PROBLEMS,
)
async def get_payment(
    payment_id: str, merchant: CurrentMerchant, runtime: Runtime, settings: Settings
) -> PaymentObject:
    async with runtime.db.transaction() as session:
        return service.to_object(
            await service.get(session, merchant.shop_id, payment_id), checkout_url(settings)
        )


@router.post(
    "/{payment_id}/capture",
    response_model=PaymentObject,
    summary="Capture a waiting payment",
    responses=PROBLEMS,
)
async def capture_payment(
    payment_id: str,
    merchant: CurrentMerchant,
    key: IdempotenceKey,
    runtime: Runtime,
    settings: Settings,
    body: CaptureRequest | None = None,
) -> JSONResponse:
    async with runtime.db.transaction() as session:

        async def capture() -> PaymentObject:
            payment = await service.get(session, merchant.shop_id, payment_id, for_update=True)
            amount = body.amount.value if body and body.amount else None
            await service.capture(session, runtime.outbox, payment, amount, checkout_url(settings))
            return service.to_object(payment, checkout_url(settings))

        return await idempotent(
            session,
            merchant_id=merchant.shop_id,
            key=key,
            operation=f"payments.capture:{payment_id}",
            body=body,
            ttl=idempotence_ttl(settings),
            action=capture,
        )


@router.post(
    "/{payment_id}/cancel",
    response_model=PaymentObject,
    summary="Cancel a pending or waiting payment",
    responses=PROBLEMS,
)
async def cancel_payment(
    payment_id: str, merchant: CurrentMerchant, key: IdempotenceKey, runtime: Runtime, settings: Settings
) -> JSONResponse:
    async with runtime.db.transaction() as session:

        async def cancel() -> PaymentObject:
            payment = await service.get(session, merchant.shop_id, payment_id, for_update=True)
            await service.cancel(
                session,
                runtime.outbox,
                payment=payment,
                party=Party.merchant,
                reason=CancellationReason.canceled_by_merchant,
                checkout_url=checkout_url(settings),
            )
            return service.to_object(payment, checkout_url(settings))

        return await idempotent(
            session,
            merchant_id=merchant.shop_id,
            key=key,
            operation=f"payments.cancel:{payment_id}",
            body=None,
            ttl=idempotence_ttl(settings),
            action=cancel,
        )
