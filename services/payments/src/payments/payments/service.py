"""Payment operations. They work inside the caller's transaction and never commit."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kit.contracts.payments import (
    Amount,
    CancellationDetails,
    Card,
    Confirmation,
    PaymentMethod,
    PaymentObject,
    Recipient,
)
from kit.db import as_utc, session_is_postgres
from kit.errors import FieldError, ProblemError
from kit.messaging import Outbox
from kit.messaging.envelope import utcnow
from payments.events import emit_payment_event, new_id
from payments.payments import state
from payments.payments.models import Payment
from payments.payments.schemas import PaymentCreate
from payments.payments.state import CancellationReason, Party, Status


@dataclass(frozen=True)
class Lifetimes:
    pending: timedelta
    capture: timedelta


def to_object(payment: Payment, checkout_url: str) -> PaymentObject:
    status = Status(payment.status)
    captured = payment.captured_kopecks
    return PaymentObject(
        id=payment.id,
        status=status.value,
        paid=status in (Status.waiting_for_capture, Status.succeeded),
        amount=Amount.of(payment.amount_kopecks, payment.currency),
        captured_amount=Amount.of(captured, payment.currency) if captured is not None else None,
        refunded_amount=Amount.of(payment.refunded_kopecks, payment.currency)
        if payment.refunded_kopecks
        else None,
        description=payment.description,
        metadata=payment.meta,
        recipient=Recipient(account_id=payment.merchant_id),
        payment_method=PaymentMethod.model_validate(payment.payment_method)
        if payment.payment_method
        else None,
        confirmation=Confirmation(
            return_url=payment.return_url,
            confirmation_url=f"{checkout_url}/{payment.id}" if status is Status.pending else None,
        ),
        created_at=as_utc(payment.created_at),
        expires_at=as_utc(payment.expires_at) if payment.expires_at else None,
        captured_at=as_utc(payment.captured_at) if payment.captured_at else None,
        cancellation_details=CancellationDetails(
            party=payment.cancellation_party,
            reason=payment.cancellation_reason,
        )
        if payment.cancellation_party and payment.cancellation_reason
        else None,
        refundable=state.refundable_kopecks(status, captured or 0, payment.refunded_kopecks) > 0,
        test=True,
    )


def not_found(payment_id: str) -> ProblemError:
    return ProblemError(
        404,
        rule="payment-not-found",
        title_ru="Платёж не найден",
        title_en="Payment not found",
        detail_ru=f"Платежа {payment_id} нет среди платежей магазина",
        detail_en=f"Payment {payment_id} is not among this shop's payments",
    )


def wrong_state(payment: Payment, action_ru: str, action_en: str) -> ProblemError:
    return ProblemError(
        409,
        rule="payment-status",
        title_ru=f"Нельзя {action_ru} платёж в статусе {payment.status}",
        title_en=f"Cannot {action_en} a payment in status {payment.status}",
    )


async def create(
    session: AsyncSession, merchant_id: str, request: PaymentCreate, lifetimes: Lifetimes
) -> Payment:
    now = utcnow()
    payment = Payment(
        id=new_id(),
        merchant_id=merchant_id,
        status=Status.pending.value,
        amount_kopecks=request.amount.value,
        currency=request.amount.currency,
        refunded_kopecks=0,
        description=request.description,
        meta=dict(request.metadata),
        capture=request.capture,
        return_url=str(request.confirmation.return_url),
        created_at=now,
        expires_at=now + lifetimes.pending,
    )
    session.add(payment)
    await session.flush()
    return payment


async def get(
    session: AsyncSession, merchant_id: str, payment_id: str, *, for_update: bool = False
) -> Payment:
    """A merchant sees only its own payments: another shop's id is simply not found."""
    payment = await session.get(Payment, payment_id, with_for_update=for_update or None)
    if payment is None or payment.merchant_id != merchant_id:
        raise not_found(payment_id)
    return payment


async def _changed(session: AsyncSession, outbox: Outbox, payment: Payment, checkout_url: str) -> None:
    await session.flush()
    await emit_payment_event(session, outbox, to_object(payment, checkout_url))


async def confirm(
    session: AsyncSession,
    outbox: Outbox,
    payment: Payment,
    method: PaymentMethod,
    lifetimes: Lifetimes,
    checkout_url: str,
) -> None:
    """The payer paid on the payment page."""
    target = state.move(Status(payment.status), state.status_after_payment(payment.capture))
    now = utcnow()
    payment.status = target.value
    payment.payment_method = method.model_dump(mode="json", exclude_none=True)
    payment.pending_confirmation = None
    if target is Status.succeeded:
        payment.captured_kopecks, payment.captured_at, payment.expires_at = payment.amount_kopecks, now, None
    else:
        payment.expires_at = now + lifetimes.capture
    await _changed(session, outbox, payment, checkout_url)


async def capture(
    session: AsyncSession, outbox: Outbox, payment: Payment, amount_kopecks: int | None, checkout_url: str
) -> None:
    if payment.status != Status.waiting_for_capture.value:
        raise wrong_state(payment, "подтвердить (capture)", "capture")
    amount = payment.amount_kopecks if amount_kopecks is None else amount_kopecks
    if amount > payment.amount_kopecks:
        raise ProblemError(
            422,
            rule="capture-above-amount",
            title_ru="Ошибка в данных запроса",
            title_en="The request has invalid fields",
            errors=[
                FieldError(
                    field="amount.value",
                    location="body",
                    rule="capture_above_amount",
                    message="Нельзя списать больше суммы платежа / cannot capture more than the amount",
                )
            ],
        )
    payment.status = state.move(Status.waiting_for_capture, Status.succeeded).value
    payment.captured_kopecks, payment.captured_at, payment.expires_at = amount, utcnow(), None
    await _changed(session, outbox, payment, checkout_url)


async def cancel(
    session: AsyncSession,
    outbox: Outbox,
    *,
    payment: Payment,
    party: Party,
    reason: CancellationReason,
    checkout_url: str,
) -> None:
    current = Status(payment.status)
    if not state.can_move(current, Status.canceled):
        raise wrong_state(payment, "отменить", "cancel")
    payment.status = Status.canceled.value
    payment.cancellation_party, payment.cancellation_reason = party.value, reason.value
    payment.expires_at = None
    payment.pending_confirmation = None
    await _changed(session, outbox, payment, checkout_url)


async def expire_due(session: AsyncSession, outbox: Outbox, checkout_url: str, *, limit: int = 500) -> int:
    """Cancel payments whose time ran out: unpaid (expired_on_confirmation) or uncaptured
    (expired_on_capture)."""
    query = (
        select(Payment)
        .where(
            Payment.status.in_([Status.pending.value, Status.waiting_for_capture.value]),
            Payment.expires_at <= utcnow(),
        )
        .order_by(Payment.expires_at)
        .limit(limit)
    )
    if session_is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    due = (await session.scalars(query)).all()
    for payment in due:
        reason = (
            CancellationReason.expired_on_confirmation
            if payment.status == Status.pending.value
            else CancellationReason.expired_on_capture
        )
        await cancel(
            session, outbox, payment=payment, party=Party.yoo_money, reason=reason, checkout_url=checkout_url
        )
    return len(due)


# --- listing with a cursor --------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilter:
    status: Status | None = None
    created_gte: datetime | None = None
    created_gt: datetime | None = None
    created_lte: datetime | None = None
    created_lt: datetime | None = None


def encode_cursor(payment: Payment) -> str:
    raw = json.dumps({"c": as_utc(payment.created_at).isoformat(), "i": payment.id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(raw["c"]), str(raw["i"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise ProblemError(
            422,
            rule="cursor",
            title_ru="Ошибка в данных запроса",
            title_en="The request has invalid fields",
            errors=[
                FieldError(
                    field="cursor",
                    location="query",
                    rule="cursor_invalid",
                    message="Курсор не распознан; возьмите next_cursor из прошлого ответа / "
                    "unknown cursor; use next_cursor from the previous page",
                )
            ],
        ) from None


async def list_payments(
    session: AsyncSession, merchant_id: str, filters: ListFilter, *, limit: int, cursor: str | None
) -> tuple[Sequence[Payment], str | None]:
    """Newest first; a keyset cursor, so pages stay stable while new payments arrive."""
    query = select(Payment).where(Payment.merchant_id == merchant_id)
    if filters.status is not None:
        query = query.where(Payment.status == filters.status.value)
    for column_filter in (
        Payment.created_at >= filters.created_gte if filters.created_gte else None,
        Payment.created_at > filters.created_gt if filters.created_gt else None,
        Payment.created_at <= filters.created_lte if filters.created_lte else None,
        Payment.created_at < filters.created_lt if filters.created_lt else None,
    ):
        if column_filter is not None:
            query = query.where(column_filter)
    if cursor:
        created, last_id = decode_cursor(cursor)
        query = query.where(
            or_(Payment.created_at < created, and_(Payment.created_at == created, Payment.id < last_id))
        )
    rows = (
        await session.scalars(query.order_by(Payment.created_at.desc(), Payment.id.desc()).limit(limit + 1))
    ).all()
    page = rows[:limit]
    return page, encode_cursor(page[-1]) if len(rows) > limit else None


def card_method(brand: str, last4: str) -> PaymentMethod:
    return PaymentMethod(
        type="bank_card", title=f"Bank card *{last4}", card=Card(last4=last4, card_type=brand)
    )
