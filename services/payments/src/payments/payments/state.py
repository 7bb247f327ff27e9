"""The payment state machine (pure). YooKassa's statuses and cancellation parties.

    pending ──paid (capture=true)──▶ succeeded
    pending ──paid (capture=false)─▶ waiting_for_capture ──capture──▶ succeeded
    pending / waiting_for_capture ──cancel / decline / expiry──▶ canceled

``succeeded`` and ``canceled`` are final: money goes back only through refunds (PAY-03).
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    pending = "pending"
    waiting_for_capture = "waiting_for_capture"
    succeeded = "succeeded"
    canceled = "canceled"


class Party(StrEnum):
    """Who canceled: the merchant, the acquirer (YooKassa calls itself ``yoo_money``), the card network."""

    merchant = "merchant"
    yoo_money = "yoo_money"
    payment_network = "payment_network"


class CancellationReason(StrEnum):
    canceled_by_merchant = "canceled_by_merchant"
    expired_on_confirmation = "expired_on_confirmation"
    expired_on_capture = "expired_on_capture"
    insufficient_funds = "insufficient_funds"
    card_expired = "card_expired"
    three_d_secure_failed = "3d_secure_failed"
    general_decline = "general_decline"


FINAL = frozenset({Status.succeeded, Status.canceled})

ALLOWED: dict[Status, frozenset[Status]] = {
    Status.pending: frozenset({Status.waiting_for_capture, Status.succeeded, Status.canceled}),
    Status.waiting_for_capture: frozenset({Status.succeeded, Status.canceled}),
    Status.succeeded: frozenset(),
    Status.canceled: frozenset(),
}


class TransitionError(ValueError):
    def __init__(self, current: Status, target: Status) -> None:
        super().__init__(f"{current} → {target} is not allowed")
        self.current = current
        self.target = target


def can_move(current: Status, target: Status) -> bool:
    return target in ALLOWED[current]


def move(current: Status, target: Status) -> Status:
    if not can_move(current, target):
        raise TransitionError(current, target)
    return target


def status_after_payment(capture: bool) -> Status:
    """Where a confirmed payment goes: straight to succeeded, or held for the merchant's capture."""
    return Status.succeeded if capture else Status.waiting_for_capture


def refundable_kopecks(status: Status, captured_kopecks: int, refunded_kopecks: int) -> int:
    """What can still be refunded: only a succeeded payment, never more than what remains (PAY-03)."""
    if status is not Status.succeeded:
        return 0
    return max(captured_kopecks - refunded_kopecks, 0)
