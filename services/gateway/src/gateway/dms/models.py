"""The gateway's ДМС records. The applicant's personal data and the policy are encrypted at rest."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Enum, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base
from gateway.dms.rules import ApplicationStatus


class Application(Base):
    __tablename__ = "dms_applications"
    __table_args__ = (Index("ix_dms_applications_status_collect_until", "status", "collect_until"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), index=True)
    #: The partner system that submitted it for the account holder, if any.
    submitted_by_client: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[ApplicationStatus] = mapped_column(
        Enum(
            ApplicationStatus, name="application_status", native_enum=False, length=30, validate_strings=True
        )
    )
    work_region: Mapped[str] = mapped_column(String(2))
    term_months: Mapped[int] = mapped_column(Integer)
    #: The DmsApplication as sent to the insurers, encrypted.
    personal: Mapped[bytes] = mapped_column(LargeBinary)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    collect_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    collection_closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_offer_id: Mapped[str | None] = mapped_column(String(64))
    accepted_insurer: Mapped[str | None] = mapped_column(String(32))
    payment_id: Mapped[str | None] = mapped_column(String(64))
    payment_url: Mapped[str | None] = mapped_column(String(500))
    payment_attempt: Mapped[int | None] = mapped_column(Integer)
    payment_amount_kopecks: Mapped[int | None] = mapped_column(Integer)
    payment_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    payment_failure: Mapped[str | None] = mapped_column(String(200))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    policy_due_by: Mapped[date | None] = mapped_column(Date, index=True)
    policy_id: Mapped[str | None] = mapped_column(String(64))
    policy_issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deadline_breached: Mapped[bool] = mapped_column(Boolean, default=False)


class TimelineEvent(Base):
    __tablename__ = "dms_application_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(String(64), ForeignKey("dms_applications.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(30))
    event: Mapped[str] = mapped_column(String(50))
    insurer: Mapped[str | None] = mapped_column(String(32))
    text_ru: Mapped[str] = mapped_column(String(1000))
    text_en: Mapped[str] = mapped_column(String(1000))


class QuoteRequest(Base):
    """One insurer asked for an offer, and its answer."""

    __tablename__ = "dms_quote_requests"

    application_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("dms_applications.id"), primary_key=True
    )
    insurer: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: asked, offered or refused
    state: Mapped[str] = mapped_column(String(10))
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Answered after the collection deadline.
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    refusal: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Offer(Base):
    __tablename__ = "dms_offers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(64), ForeignKey("dms_applications.id"), index=True)
    insurer: Mapped[str] = mapped_column(String(32))
    premium_kopecks: Mapped[int] = mapped_column(Integer)
    sum_insured_kopecks: Mapped[int] = mapped_column(Integer)
    valid_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The OfferMade payload (no personal data in it).
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)


class IssuedPolicy(Base):
    __tablename__ = "dms_policies"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(64), ForeignKey("dms_applications.id"), unique=True)
    account_id: Mapped[str] = mapped_column(String(64), index=True)
    insurer: Mapped[str] = mapped_column(String(32))
    series: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(30))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_by: Mapped[date | None] = mapped_column(Date)
    deadline_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    #: PolicyData, encrypted.
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: The PDF, encrypted.
    document: Mapped[bytes] = mapped_column(LargeBinary)
    document_sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
