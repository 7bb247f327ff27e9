"""What the payment page says (pure): amounts in roubles, the form token, and the notice shown
instead of the form once a payment can no longer be paid."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import qrcode  # type: ignore[import-untyped]
import qrcode.image.svg  # type: ignore[import-untyped]

from payments.payments.state import CancellationReason, Party, Status

NBSP = "\u00a0"
CURRENCY_SIGNS = {"RUB": "₽"}


def format_amount(kopecks: int, currency: str = "RUB") -> str:
    """``123450`` → ``1 234,50 ₽``, the Russian way: no-break spaces between thousands and before
    the sign, a comma before kopecks. Integers only (PAY-02)."""
    roubles = f"{kopecks // 100:,}".replace(",", NBSP)
    return f"{roubles},{kopecks % 100:02d}{NBSP}{CURRENCY_SIGNS.get(currency, currency)}"


def form_token(secret: str, payment_id: str) -> str:
    """Proves that a POST comes from the page this service rendered (CSRF-like). Bound to the
    payment, so a token of one payment is worthless for another; the prefix keeps it apart from
    any other use of the service's secret."""
    message = f"checkout-form:{payment_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def token_ok(secret: str, payment_id: str, token: str) -> bool:
    return hmac.compare_digest(form_token(secret, payment_id), token)


def qr_data_uri(text: str) -> str:
    """An SVG QR code as a ``data:`` URI (no image library, no extra request)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg: bytes = image.to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


class NoticeKind(StrEnum):
    paid = "paid"
    declined = "declined"
    expired = "expired"
    canceled = "canceled"


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    title: str
    text: str


ALREADY_PAID = Notice(
    NoticeKind.paid,
    "Платёж уже оплачен",
    "Оплата получена, платить ещё раз не нужно. Вернитесь в магазин.",
)
EXPIRED = Notice(
    NoticeKind.expired,
    "Время на оплату истекло",
    "Ссылка на оплату действует ограниченное время. Деньги не списаны. "
    "Вернитесь в магазин и начните оплату заново — магазин выставит новый платёж.",
)
_RETRY = " Деньги не списаны. Вернитесь в магазин, чтобы оплатить заново — магазин выставит новый платёж."
DECLINED_TEXTS: dict[str, str] = {
    CancellationReason.insufficient_funds: "Недостаточно средств на карте." + _RETRY,
    CancellationReason.general_decline: (
        "Банк отклонил операцию: это тестовый магазин, он принимает только тестовые карты "
        "(их список — на странице оплаты)." + _RETRY
    ),
    CancellationReason.three_d_secure_failed: (
        "Платёж не подтверждён: код подтверждения введён неверно несколько раз." + _RETRY
    ),
    CancellationReason.card_expired: "Срок действия карты истёк." + _RETRY,
}
CANCELED_TEXTS: dict[str, Notice] = {
    CancellationReason.canceled_by_merchant: Notice(
        NoticeKind.canceled,
        "Платёж отменён магазином",
        "Магазин отменил этот платёж, оплатить его уже нельзя. Деньги не списаны. "
        "Если вы ещё хотите оплатить, вернитесь в магазин.",
    ),
    CancellationReason.expired_on_capture: Notice(
        NoticeKind.canceled,
        "Платёж отменён",
        "Магазин не подтвердил списание вовремя; заблокированные деньги возвращены на карту.",
    ),
}


def notice_for(
    status: str, expires_at: datetime | None, now: datetime, party: str | None, reason: str | None
) -> Notice | None:
    """None while the payment can be paid; otherwise what to tell the payer. A pending payment
    past its time counts as expired even before the expiry loop cancels it."""
    current = Status(status)
    if current is Status.pending:
        return EXPIRED if expires_at is not None and expires_at <= now else None
    if current in (Status.waiting_for_capture, Status.succeeded):
        return ALREADY_PAID
    if reason == CancellationReason.expired_on_confirmation:
        return EXPIRED
    if party == Party.payment_network:
        text = DECLINED_TEXTS.get(reason or "", "Банк отклонил операцию." + _RETRY)
        return Notice(NoticeKind.declined, "Платёж отклонён", text)
    return CANCELED_TEXTS.get(
        reason or "", Notice(NoticeKind.canceled, "Платёж отменён", "Оплатить этот платёж уже нельзя.")
    )
