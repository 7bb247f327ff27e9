"""The insurer's ДМС records. Personal data (the application, the policy, its PDF) is encrypted at
rest (:mod:`kit.crypto`); what lookups need (ids, statuses, dates, amounts) stays in the clear."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Enum, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from insurer.db import Base


class QuoteStatus(StrEnum):
    offered = "offered"
    refused = "refused"
    accepted = "accepted"
    withdrawn = "withdrawn"


class ContractStatus(StrEnum):
    #: Accepted; the payment at the payments service is still to be created.
    awaiting_link = "awaiting_link"
    awaiting_payment = "awaiting_payment"
    payment_failed = "payment_failed"
    paid = "paid"
    policy_issued = "policy_issued"
    withdrawn = "withdrawn"


def _enum(kind: type[StrEnum], name: str) -> Enum:
    return Enum(kind, name=name, native_enum=False, length=30, validate_strings=True)


class Quote(Base):
    """One application as this insurer received it, and its answer (an offer or a refusal)."""

    __tablename__ = "dms_quotes"

    application_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[QuoteStatus] = mapped_column(_enum(QuoteStatus, "quote_status"))
    offer_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The DmsApplication payload, encrypted.
    application: Mapped[bytes] = mapped_column(LargeBinary)
    #: The answer as sent (OfferMade or OfferRefused payload): no personal data in it.
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)
    premium_kopecks: Mapped[int | None] = mapped_column(Integer)
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Contract(Base):
    __tablename__ = "dms_contracts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    application_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("dms_quotes.application_id"), unique=True
    )
    offer_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[ContractStatus] = mapped_column(_enum(ContractStatus, "contract_status"), index=True)
    premium_kopecks: Mapped[int] = mapped_column(Integer)
    return_url: Mapped[str] = mapped_column(String(500))
    #: 1 for the first payment link, one more for each new link after a failure.
    attempt: Mapped[int] = mapped_column(Integer)
    payment_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The message that asked for the current payment link (the accept, or a new-link request):
    #: the causation of the ``dms.payment.link.issued`` that answers it.
    link_requested_by: Mapped[str | None] = mapped_column(String(64))
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    effective_from: Mapped[date | None] = mapped_column(Date)
    effective_until: Mapped[date | None] = mapped_column(Date)
    policy_due_by: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PaymentAttempt(Base):
    """Every payment created for a contract, so a late event of an earlier attempt is recognised."""

    __tablename__ = "dms_payments"

    payment_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    contract_id: Mapped[str] = mapped_column(String(64), ForeignKey("dms_contracts.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Policy(Base):
    __tablename__ = "dms_policies"
    __table_args__ = (UniqueConstraint("series", "number"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    contract_id: Mapped[str] = mapped_column(String(64), ForeignKey("dms_contracts.id"), unique=True)
    series: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(30))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: PolicyData, encrypted.
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: The printable PDF, encrypted (it names the insured).
    document: Mapped[bytes] = mapped_column(LargeBinary)
    document_sha256: Mapped[str] = mapped_column(String(64))


class PolicyCounter(Base):
    """The last number given in a series; incremented under a row lock."""

    __tablename__ = "dms_policy_counters"

    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
