from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from kit.contracts.payments import RefundObject
from kit.http import Runtime
from payments.deps import Settings, checkout_url, idempotence_ttl
from payments.idempotency.service import IdempotenceKey, idempotent
from payments.merchants.auth import CurrentMerchant
from payments.payments.routes import PROBLEMS
from payments.refunds import service
from payments.refunds.schemas import RefundCreate, RefundList

router = APIRouter(prefix="/v3/refunds", tags=["refunds"])


@router.post(
    "",
    response_model=RefundObject,
    summary="Refund a succeeded payment, fully or in part",
    responses=PROBLEMS,
)
async def create_refund(
    body: RefundCreate, merchant: CurrentMerchant, key: IdempotenceKey, runtime: Runtime, settings: Settings
) -> JSONResponse:
    async with runtime.db.transaction() as session:

        async def create() -> RefundObject:
            refund = await service.create(
                session, runtime.outbox, merchant.shop_id, body, checkout_url(settings)
            )
            return service.to_object(refund)

        return await idempotent(
            session,
            merchant_id=merchant.shop_id,
            key=key,
            operation="refunds.create",
            body=body,
            ttl=idempotence_ttl(settings),
            action=create,
        )


@router.get("", response_model=RefundList, summary="Refunds of a payment", responses=PROBLEMS)
async def list_refunds(
    merchant: CurrentMerchant,
    runtime: Runtime,
    payment_id: Annotated[str, Query(min_length=1, max_length=36)],
) -> RefundList:
    async with runtime.db.transaction() as session:
        refunds = await service.list_for_payment(session, merchant.shop_id, payment_id)
        return RefundList(items=[service.to_object(r) for r in refunds])


@router.get("/{refund_id}", response_model=RefundObject, summary="Read a refund", responses=PROBLEMS)
async def get_refund(refund_id: str, merchant: CurrentMerchant, runtime: Runtime) -> RefundObject:
    async with runtime.db.transaction() as session:
        return service.to_object(await service.get(session, merchant.shop_id, refund_id))
