"""Refunds go back to the original payment (PAY-03), never more than what remains."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kit.contracts.payments import Amount, RefundObject
from kit.db import as_utc
from kit.errors import FieldError, ProblemError
from kit.messaging import Outbox
from kit.messaging.envelope import utcnow
from payments.events import emit_refund_event, new_id
from payments.money import format_kopecks
from payments.payments import service as payments
from payments.payments import state
from payments.payments.state import Status
from payments.refunds.models import Refund
from payments.refunds.schemas import RefundCreate


def to_object(refund: Refund) -> RefundObject:
    return RefundObject(
        id=refund.id,
        payment_id=refund.payment_id,
        status="succeeded",
        amount=Amount.of(refund.amount_kopecks, refund.currency),
        description=refund.description,
        created_at=as_utc(refund.created_at),
    )


def _invalid(field: str, rule: str, message: str) -> ProblemError:
    return ProblemError(
        422,
        rule=rule,
        title_ru="Ошибка в данных запроса",
        title_en="The request has invalid fields",
        errors=[FieldError(field=field, location="body", rule=rule, message=message)],
    )


async def create(
    session: AsyncSession, outbox: Outbox, merchant_id: str, request: RefundCreate, checkout_url: str
) -> Refund:
    payment = await payments.get(session, merchant_id, request.payment_id, for_update=True)
    if payment.status != Status.succeeded.value:
        raise _invalid(
            "payment_id",
            "refund_payment_not_succeeded",
            f"Вернуть можно только успешный платёж (статус {payment.status}) / "
            f"only a succeeded payment can be refunded (status {payment.status})",
        )
    if request.amount.currency != payment.currency:
        raise _invalid(
            "amount.currency",
            "refund_currency",
            "Валюта возврата — валюта платежа / the refund's currency is the payment's",
        )
    remaining = state.refundable_kopecks(
        Status.succeeded, payment.captured_kopecks or 0, payment.refunded_kopecks
    )
    if request.amount.value > remaining:
        raise _invalid(
            "amount.value",
            "refund_above_remainder",
            f"Можно вернуть не больше {format_kopecks(remaining)} / "
            f"at most {format_kopecks(remaining)} can be refunded",
        )
    refund = Refund(
        id=new_id(),
        payment_id=payment.id,
        merchant_id=merchant_id,
        status="succeeded",
        amount_kopecks=request.amount.value,
        currency=payment.currency,
        description=request.description,
        created_at=utcnow(),
    )
    session.add(refund)
    payment.refunded_kopecks += request.amount.value
    await session.flush()
    await emit_refund_event(session, outbox, to_object(refund), merchant_id)
    return refund


async def get(session: AsyncSession, merchant_id: str, refund_id: str) -> Refund:
    refund = await session.get(Refund, refund_id)
    if refund is None or refund.merchant_id != merchant_id:
        raise ProblemError(
            404, rule="refund-not-found", title_ru="Возврат не найден", title_en="Refund not found"
        )
    return refund


async def list_for_payment(session: AsyncSession, merchant_id: str, payment_id: str) -> Sequence[Refund]:
    await payments.get(session, merchant_id, payment_id)
    return (
        await session.scalars(
            select(Refund).where(Refund.payment_id == payment_id).order_by(Refund.created_at)
        )
    ).all()
