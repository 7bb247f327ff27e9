"""The insurer as a merchant of the payments service (YooKassa-style API v3, HTTP Basic)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import httpx

from kit.contracts.payments import Amount, PaymentObject


class PaymentsUnavailable(Exception):
    """The payments service did not answer or answered 5xx: try again later with the same key."""


class PaymentRefused(Exception):
    """The payments service refused the request (4xx): retrying the same request cannot help."""


@dataclass(frozen=True)
class PaymentOrder:
    idempotence_key: str
    amount_kopecks: int
    description: str
    return_url: str
    metadata: dict[str, str]


@dataclass(frozen=True)
class CreatedPayment:
    id: str
    confirmation_url: str
    expires_at: datetime | None


class PaymentsClient:
    def __init__(self, base_url: str, shop_id: str, secret_key: str, *, timeout: float) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), auth=(shop_id, secret_key), timeout=timeout
        )

    async def create_payment(self, order: PaymentOrder) -> CreatedPayment:
        """Create the payment (capture at once); the same idempotence key gives the same payment."""
        body = {
            "amount": Amount.of(order.amount_kopecks).model_dump(),
            "capture": True,
            "confirmation": {"type": "redirect", "return_url": order.return_url},
            "description": order.description[:128],
            "metadata": order.metadata,
        }
        try:
            response = await self._http.post(
                "/v3/payments", json=body, headers={"Idempotence-Key": order.idempotence_key}
            )
        except httpx.HTTPError as exc:
            raise PaymentsUnavailable(repr(exc)) from exc
        if response.status_code >= 500:
            raise PaymentsUnavailable(f"payments answered {response.status_code}")
        if response.status_code != 200:
            raise PaymentRefused(f"payments answered {response.status_code}: {response.text[:500]}")
        payment = PaymentObject.model_validate(response.json())
        if payment.confirmation is None or payment.confirmation.confirmation_url is None:
            raise PaymentRefused(f"payment {payment.id} has no confirmation url (status {payment.status})")
        return CreatedPayment(payment.id, payment.confirmation.confirmation_url, payment.expires_at)

    async def refund(self, payment_id: str, amount_kopecks: int, idempotence_key: str) -> str:
        """Return the money to the original payment (PAY-03); answers the refund id."""
        body = {"payment_id": payment_id, "amount": Amount.of(amount_kopecks).model_dump()}
        try:
            response = await self._http.post(
                "/v3/refunds", json=body, headers={"Idempotence-Key": idempotence_key}
            )
        except httpx.HTTPError as exc:
            raise PaymentsUnavailable(repr(exc)) from exc
        if response.status_code >= 500:
            raise PaymentsUnavailable(f"payments answered {response.status_code}")
        if response.status_code != 200:
            raise PaymentRefused(f"payments answered {response.status_code}: {response.text[:500]}")
        return str(response.json()["id"])

    async def close(self) -> None:
        await self._http.aclose()
