from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base


class OmsPolicy(Base):
    """The register's policy as last announced, for the account it belongs to."""

    __tablename__ = "oms_policies"

    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    enp: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    insurer: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(2))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    #: When the register made the change this row shows (older announcements do not overwrite it).
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OmsRequest(Base):
    """A request for an electronic policy (OMS-01) and the register's answer."""

    __tablename__ = "oms_requests"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), index=True)
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
