from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base


class OmsPolicy(Base):
    """The register's policy as last announced, for the account it belongs to."""

    __tablename__ = "oms_policies"

    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    enp: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)
    #: self, or child: a policy the holder asked for their child (OMS-01).
    insured: Mapped[str] = mapped_column(String(10), default="self", server_default="self")
    #: The child's name, encrypted.
    insured_name: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20))
    insurer: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(2))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    #: OMS-03: the insurer's contacts and the clinic, as the register gave them.
    insurer_name: Mapped[str | None] = mapped_column(String(200))
    insurer_phone: Mapped[str | None] = mapped_column(String(50))
    clinic: Mapped[str | None] = mapped_column(String(300))
    #: When the register made the change this row shows (older announcements do not overwrite it).
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OmsRequest(Base):
    """A request for an electronic policy (OMS-01) and the register's answer."""

    __tablename__ = "oms_requests"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), index=True)
    #: self, or child (OMS-01).
    insured: Mapped[str] = mapped_column(String(10), default="self", server_default="self")
    #: The child as sent to the register (PersonData), encrypted.
    child: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: submitted (waiting for the register), issued, already_insured, refused
    status: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(2))
    insurer: Mapped[str] = mapped_column(String(32))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    enp: Mapped[str | None] = mapped_column(String(16))
    rule: Mapped[str | None] = mapped_column(String(20))
    reason_ru: Mapped[str | None] = mapped_column(String(1000))
    reason_en: Mapped[str | None] = mapped_column(String(1000))


class OmsOperation(Base):
    """Suspend, resume, change of insurer or region asked from the cabinet (OMS-04, OMS-06)."""

    __tablename__ = "oms_operations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), index=True)
    enp: Mapped[str] = mapped_column(String(16))
    operation: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500))
    insurer: Mapped[str | None] = mapped_column(String(32))
    region: Mapped[str | None] = mapped_column(String(2))
    relocation: Mapped[bool] = mapped_column(Boolean)
    #: submitted (waiting for the register), done, refused
    status: Mapped[str] = mapped_column(String(20))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rule: Mapped[str | None] = mapped_column(String(20))
    reason_ru: Mapped[str | None] = mapped_column(String(1000))
    reason_en: Mapped[str | None] = mapped_column(String(1000))


class ForeignerApplication(Base):
    """A foreigner's ОМС application (OMS-05) with its scans, reviewed by the register."""

    __tablename__ = "oms_foreigner_applications"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), index=True)
    #: draft, submitted, approved, information_needed, already_insured
    status: Mapped[str] = mapped_column(String(20))
    #: ForeignerApplicationIn, encrypted.
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: Submissions so far; a review of an older one is ignored.
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    #: What the review asked for (NeededInformation list).
    needed: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    enp: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApplicationScan(Base):
    """A scan stored with its application, encrypted; one per kind (a new upload replaces it)."""

    __tablename__ = "oms_application_scans"

    application_id: Mapped[str] = mapped_column(ForeignKey("oms_foreigner_applications.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    #: Encrypted; deferred, so that listing an application's scans does not read megabytes.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OmsLookup(Base):
    """Whether the register holds a policy of this account's holder (OMS-02): asked once the holder
    is confirmed, asked again with backoff while the register answers "not found"."""

    __tablename__ = "oms_lookups"

    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The id of the latest question; an answer to an older one is ignored.
    lookup_id: Mapped[str] = mapped_column(String(64), unique=True)
    #: pending (asked), retrying (not found yet, asked again at next_attempt_at), found, not_found
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
