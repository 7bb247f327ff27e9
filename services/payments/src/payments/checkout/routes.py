"""The payment page (PAY-01): plain HTML forms that work without JavaScript, 303 after every POST.

Every POST carries the page's form token, takes the payment row ``FOR UPDATE`` and re-reads its
status, so a double-submitted form pays once and the second submission just sees the status page.
These routes are for browsers, not for API clients: they are left out of the OpenAPI schema.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from kit.contracts.payments import PaymentMethod
from kit.db import as_utc, session_is_postgres
from kit.http import Runtime
from kit.messaging.envelope import utcnow
from kit.runtime import ServiceRuntime
from payments.checkout import cards, view
from payments.deps import Settings, checkout_url, lifetimes
from payments.merchants.models import Merchant
from payments.payments import service
from payments.payments.models import Payment
from payments.payments.state import CancellationReason, Party
from payments.settings import PaymentsSettings

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
CSS = (HERE / "static" / "checkout.css").read_bytes()

router = APIRouter(prefix="/checkout", tags=["checkout"], include_in_schema=False)

#: The page handles card data: never cached, never framed (clickjacking), and the payment id in
#: the address is not sent on to the shop as a Referer. No ``form-action``: Chrome applies it to
#: the redirect back to the shop.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

FormField = Annotated[str, Form()]
_PAYMENT_ID = re.compile(r"^[0-9a-f-]{36}$")
_CANCEL_REASONS = {
    cards.Outcome.insufficient_funds: CancellationReason.insufficient_funds,
    cards.Outcome.general_decline: CancellationReason.general_decline,
}


async def get_for_checkout(session: AsyncSession, payment_id: str, *, lock: bool = False) -> Payment | None:
    """The payment by id alone (the payer is not a merchant). ``lock`` takes the row until commit."""
    if _PAYMENT_ID.fullmatch(payment_id) is None:
        return None
    if lock and not session_is_postgres(session):
        # SQLite ignores FOR UPDATE; a no-op write takes its database-wide write lock first instead.
        await session.execute(
            update(Payment)
            .where(Payment.id == payment_id)
            .values(status=Payment.status)
            .execution_options(synchronize_session=False)
        )
    return await session.get(Payment, payment_id, with_for_update=lock or None)


def _notice(payment: Payment) -> view.Notice | None:
    return view.notice_for(
        payment.status,
        as_utc(payment.expires_at) if payment.expires_at else None,
        utcnow(),
        payment.cancellation_party,
        payment.cancellation_reason,
    )


def _secret(settings: PaymentsSettings) -> str:
    return settings.secret_key.get_secret_value()


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=PAGE_HEADERS)


def _not_found(request: Request) -> HTMLResponse:
    return _render(
        request,
        "message.html",
        {
            "title": "Платёж не найден",
            "text": "Такого платежа нет. Проверьте ссылку или вернитесь в магазин и начните оплату заново.",
        },
        404,
    )


def _forbidden(request: Request) -> HTMLResponse:
    return _render(
        request,
        "message.html",
        {
            "title": "Форма устарела или подделана",
            "text": "Мы не приняли эту форму: она отправлена не со страницы оплаты. "
            "Откройте ссылку на оплату из магазина ещё раз.",
        },
        403,
    )


async def _order(session: AsyncSession, payment: Payment) -> dict[str, Any]:
    """What every page shows about the order."""
    merchant = await session.get(Merchant, payment.merchant_id)
    return {
        "payment_id": payment.id,
        "merchant": merchant.name if merchant else payment.merchant_id,
        "amount": view.format_amount(payment.amount_kopecks, payment.currency),
        "description": payment.description,
        "return_url": payment.return_url,
    }


async def _status_page(
    request: Request, session: AsyncSession, payment: Payment, notice: view.Notice
) -> Response:
    return _render(request, "status.html", {**await _order(session, payment), "notice": notice})


async def _pay_page(
    request: Request,
    session: AsyncSession,
    payment: Payment,
    settings: PaymentsSettings,
    *,
    form: cards.CardForm | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    # The CVC is never sent back; the rest is, so that one typo does not wipe the whole form.
    form = form or cards.CardForm()
    return _render(
        request,
        "pay.html",
        {
            **await _order(session, payment),
            "token": view.form_token(_secret(settings), payment.id),
            "form": {"number": form.number, "expiry": form.expiry, "holder": form.holder},
            "errors": errors or {},
            "test_cards": cards.TEST_CARDS,
            "qr": view.qr_data_uri(f"{checkout_url(settings)}/{payment.id}"),
        },
        422 if errors else 200,
    )


@router.get("/static/checkout.css")
async def stylesheet() -> Response:
    return Response(CSS, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


@router.get("/{payment_id}")
async def payment_page(payment_id: str, request: Request, runtime: Runtime, settings: Settings) -> Response:
    async with runtime.db.transaction() as session:
        payment = await get_for_checkout(session, payment_id)
        if payment is None:
            return _not_found(request)
        notice = _notice(payment)
        if notice is not None:
            return await _status_page(request, session, payment, notice)
        return await _pay_page(request, session, payment, settings)


@router.post("/{payment_id}/card")
async def pay_by_card(
    payment_id: str,
    request: Request,
    runtime: Runtime,
    settings: Settings,
    token: FormField = "",
    number: FormField = "",
    expiry: FormField = "",
    cvc: FormField = "",
    holder: FormField = "",
) -> Response:
    if not view.token_ok(_secret(settings), payment_id, token):
        return _forbidden(request)
    form = cards.CardForm(number=number, expiry=expiry, cvc=cvc, holder=holder)
    checked = cards.check_card(form, utcnow().date())
    async with runtime.db.transaction() as session:
        payment = await get_for_checkout(session, payment_id, lock=True)
        if payment is None:
            return _not_found(request)
        if _notice(payment) is not None:
            return _see(f"/checkout/{payment.id}")
        if checked.card is None:
            return await _pay_page(request, session, payment, settings, form=form, errors=checked.errors)
        return _see(await _answer(session, runtime, settings, payment, checked.card))


async def _answer(
    session: AsyncSession,
    runtime: ServiceRuntime,
    settings: PaymentsSettings,
    payment: Payment,
    card: cards.AcceptedCard,
) -> str:
    """Carry out the test bank's answer to a well-formed card; returns where the browser goes next."""
    log.info("checkout card answered", extra={"payment_id": payment.id, "outcome": card.outcome.value})
    brand = card.brand.value if card.brand else "Card"
    if card.outcome is cards.Outcome.success:
        await service.confirm(
            session,
            runtime.outbox,
            payment,
            service.card_method(brand, card.last4),
            lifetimes(settings),
            checkout_url(settings),
        )
        return payment.return_url
    if card.outcome is cards.Outcome.three_d_secure:
        payment.pending_confirmation = {"brand": brand, "last4": card.last4, "failed_attempts": 0}
        return f"/checkout/{payment.id}/3ds"
    await service.cancel(
        session,
        runtime.outbox,
        payment=payment,
        party=Party.payment_network,
        reason=_CANCEL_REASONS[card.outcome],
        checkout_url=checkout_url(settings),
    )
    return f"/checkout/{payment.id}"


async def _three_ds_page(
    request: Request,
    session: AsyncSession,
    payment: Payment,
    settings: PaymentsSettings,
    error: str | None = None,
) -> HTMLResponse:
    pending = payment.pending_confirmation or {}
    failed = int(pending.get("failed_attempts", 0))
    return _render(
        request,
        "three_ds.html",
        {
            **await _order(session, payment),
            "token": view.form_token(_secret(settings), payment.id),
            "brand": pending.get("brand", ""),
            "last4": pending.get("last4", ""),
            "code_hint": cards.THREE_DS_CODE,
            "attempts_left": cards.THREE_DS_ATTEMPTS - failed,
            "errors": {"code": error} if error else {},
        },
        422 if error else 200,
    )


@router.get("/{payment_id}/3ds")
async def three_ds_page(payment_id: str, request: Request, runtime: Runtime, settings: Settings) -> Response:
    async with runtime.db.transaction() as session:
        payment = await get_for_checkout(session, payment_id)
        if payment is None:
            return _not_found(request)
        if _notice(payment) is not None or payment.pending_confirmation is None:
            return _see(f"/checkout/{payment.id}")
        return await _three_ds_page(request, session, payment, settings)


@router.post("/{payment_id}/3ds")
async def confirm_three_ds(
    payment_id: str,
    request: Request,
    runtime: Runtime,
    settings: Settings,
    token: FormField = "",
    code: FormField = "",
) -> Response:
    if not view.token_ok(_secret(settings), payment_id, token):
        return _forbidden(request)
    async with runtime.db.transaction() as session:
        payment = await get_for_checkout(session, payment_id, lock=True)
        if payment is None:
            return _not_found(request)
        pending = payment.pending_confirmation
        if _notice(payment) is not None or pending is None:
            return _see(f"/checkout/{payment.id}")
        checked = cards.check_code(code, int(pending.get("failed_attempts", 0)))
        if checked.verdict is cards.CodeVerdict.accepted:
            method = service.card_method(str(pending["brand"]), str(pending["last4"]))
            await service.confirm(
                session, runtime.outbox, payment, method, lifetimes(settings), checkout_url(settings)
            )
            return _see(payment.return_url)
        if checked.verdict is cards.CodeVerdict.failed:
            await service.cancel(
                session,
                runtime.outbox,
                payment=payment,
                party=Party.payment_network,
                reason=CancellationReason.three_d_secure_failed,
                checkout_url=checkout_url(settings),
            )
            return _see(f"/checkout/{payment.id}")
        # A new dict: the JSON column does not track changes made inside the old one.
        payment.pending_confirmation = {**pending, "failed_attempts": checked.failed_attempts}
        return await _three_ds_page(request, session, payment, settings, checked.message)


@router.post("/{payment_id}/sbp")
async def pay_by_sbp(
    payment_id: str, request: Request, runtime: Runtime, settings: Settings, token: FormField = ""
) -> Response:
    """Stands in for the bank's notice that the payer paid by the QR code in its app."""
    if not view.token_ok(_secret(settings), payment_id, token):
        return _forbidden(request)
    async with runtime.db.transaction() as session:
        payment = await get_for_checkout(session, payment_id, lock=True)
        if payment is None:
            return _not_found(request)
        if _notice(payment) is not None:
            return _see(f"/checkout/{payment.id}")
        await service.confirm(
            session,
            runtime.outbox,
            payment,
            PaymentMethod(type="sbp", title="СБП"),
            lifetimes(settings),
            checkout_url(settings),
        )
        return _see(payment.return_url)
