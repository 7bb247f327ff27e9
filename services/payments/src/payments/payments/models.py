from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from payments.db import Base


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.shop_id"))
    status: Mapped[str] = mapped_column(String(32))
    amount_kopecks: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    #: What was captured (a capture may take less than the amount); set when the payment succeeds.
    captured_kopecks: Mapped[int | None] = mapped_column(BigInteger)
    refunded_kopecks: Mapped[int] = mapped_column(BigInteger, default=0)
    description: Mapped[str | None] = mapped_column(String(128))
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    capture: Mapped[bool] = mapped_column(Boolean)
    return_url: Mapped[str] = mapped_column(String(2048))
    #: Only the card's brand and last four digits, never the number (issue 3).
    payment_method: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: A card waiting for its 3-D Secure-like confirmation step: brand and last four only.
    pending_confirmation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    cancellation_party: Mapped[str | None] = mapped_column(String(32))
    cancellation_reason: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    captured_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_payments_merchant_created", "merchant_id", "created_at", "id"),
        Index("ix_payments_status_expires", "status", "expires_at"),
    )
