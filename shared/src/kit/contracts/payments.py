"""Payments events, with the payment and refund objects as the payments API returns them.

The objects follow YooKassa API v3, so a notification carries ``{"event": ..., "object": ...}``
and a receiver should re-read the payment before acting (events can arrive late or twice).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from kit.contracts.base import Contract, Payload, registry

AMOUNT_PATTERN = r"^(0|[1-9]\d{0,11})(\.\d{1,2})?$"


class Amount(Payload):
    value: str = Field(pattern=AMOUNT_PATTERN, examples=["1234.50"], description="Decimal string, roubles")
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["RUB"], description="ISO 4217")

    @classmethod
    def of(cls, kopecks: int, currency: str = "RUB") -> Amount:
        return cls(value=f"{kopecks // 100}.{kopecks % 100:02d}", currency=currency)

    @property
    def kopecks(self) -> int:
        whole, _, fraction = self.value.partition(".")
        return int(whole) * 100 + int(fraction.ljust(2, "0"))


class Confirmation(Payload):
    type: Literal["redirect"] = "redirect"
    return_url: str
    confirmation_url: str | None = Field(default=None, description="The payment page; only while pending")


class Card(Payload):
    last4: str = Field(pattern=r"^\d{4}$")
    card_type: str = Field(examples=["MasterCard", "Visa", "Mir"])


class PaymentMethod(Payload):
    type: Literal["bank_card", "sbp"]
    title: str
    card: Card | None = None


class CancellationDetails(Payload):
    party: Literal["merchant", "yoo_money", "payment_network"]
    reason: str


class Recipient(Payload):
    account_id: str = Field(description="The merchant's shop_id")


class PaymentObject(Payload):
    id: str
    status: Literal["pending", "waiting_for_capture", "succeeded", "canceled"]
    paid: bool
    amount: Amount
    captured_amount: Amount | None = None
    refunded_amount: Amount | None = None
    description: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    recipient: Recipient
    payment_method: PaymentMethod | None = None
    confirmation: Confirmation | None = None
    created_at: AwareDatetime
    expires_at: AwareDatetime | None = None
    captured_at: AwareDatetime | None = None
    cancellation_details: CancellationDetails | None = None
    refundable: bool
    test: bool


class RefundObject(Payload):
    id: str
    payment_id: str
    status: Literal["succeeded"]
    amount: Amount
    description: str | None = None
    created_at: AwareDatetime


class PaymentEvent(Payload):
    event: Literal["payment.succeeded", "payment.canceled", "payment.waiting_for_capture"]
    object: PaymentObject


class RefundEvent(Payload):
    event: Literal["refund.succeeded"]
    object: RefundObject


def _payment_contract(status: str, summary: str) -> Contract:
    return registry.register(
        Contract(
            type=f"payment.{status}",
            version=1,
            payload=PaymentEvent,
            exchange="payments",
            routing_key=f"merchant.{{merchant}}.payment.{status}",
            producer="payments",
            consumers=("insurer",),
            summary=summary,
        )
    )


PAYMENT_SUCCEEDED = _payment_contract("succeeded", "A payment succeeded: the money is the merchant's.")
PAYMENT_CANCELED = _payment_contract(
    "canceled", "A payment was canceled: by the merchant, declined by the card network, or expired."
)
PAYMENT_WAITING_FOR_CAPTURE = _payment_contract(
    "waiting_for_capture", "A payment was authorised and waits for the merchant's capture or cancel."
)
REFUND_SUCCEEDED = registry.register(
    Contract(
        type="refund.succeeded",
        version=1,
        payload=RefundEvent,
        exchange="payments",
        routing_key="merchant.{merchant}.refund.succeeded",
        producer="payments",
        consumers=("insurer",),
        summary="Money went back to the payer (PAY-03).",
    )
)

PAYMENT_EVENTS = {c.type: c for c in (PAYMENT_SUCCEEDED, PAYMENT_CANCELED, PAYMENT_WAITING_FOR_CAPTURE)}
