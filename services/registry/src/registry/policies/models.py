"""Persons, their documents, policies and the append-only history. Indexed for a national-size table:
look-ups by ЕНП (primary key), by СНИЛС (unique) and by name + date of birth (composite)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base
from registry.policies.rules import Operation, PolicyStatus

#: BIGINT on PostgreSQL; SQLite autoincrements only an INTEGER primary key.
BigId = BigInteger().with_variant(Integer, "sqlite")


class Person(Base):
    __tablename__ = "persons"
    __table_args__ = (Index("ix_persons_name_key_birth_date", "name_key", "birth_date"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    #: Upper case, Ё as Е, one space: what name look-ups compare.
    name_key: Mapped[str] = mapped_column(String(310))
    sex: Mapped[str] = mapped_column(String(6))
    birth_date: Mapped[date] = mapped_column(Date)
    birth_place: Mapped[str | None] = mapped_column(String(300))
    citizenship: Mapped[str] = mapped_column(String(3))
    snils: Mapped[str | None] = mapped_column(String(11), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PersonDocument(Base):
    """Identity documents with their history: a new passport is added, the old one stays, not current."""

    __tablename__ = "person_documents"
    __table_args__ = (Index("ix_person_documents_number_kind", "number", "kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    #: passport, birth_certificate, foreign_passport, residence_permit, temporary_residence, ...
    kind: Mapped[str] = mapped_column(String(30))
    series: Mapped[str | None] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(30))
    issued_on: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    current: Mapped[bool] = mapped_column(Boolean, default=True)


class Policy(Base):
    __tablename__ = "policies"
    #: Only foreigners' policies have an end date; the expiry job reads just those (OMS-05).
    __table_args__ = (
        Index(
            "ix_policies_valid_until",
            "valid_until",
            postgresql_where=text("valid_until IS NOT NULL"),
            sqlite_where=text("valid_until IS NOT NULL"),
        ),
    )

    enp: Mapped[str] = mapped_column(String(16), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    status: Mapped[PolicyStatus] = mapped_column(
        Enum(PolicyStatus, name="policy_status", native_enum=False, length=20, validate_strings=True)
    )
    insurer: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(2))
    valid_from: Mapped[date] = mapped_column(Date)
    #: Open-ended for citizens; a foreigner's ends with their document (OMS-05).
    valid_until: Mapped[date | None] = mapped_column(Date)
    clinic: Mapped[str | None] = mapped_column(String(300))
    last_insurer_change_on: Mapped[date | None] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PolicyEvent(Base):
    """Append-only: every operation on a policy, with its reason and who asked."""

    __tablename__ = "policy_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    enp: Mapped[str] = mapped_column(ForeignKey("policies.enp"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    operation: Mapped[Operation] = mapped_column(
        Enum(Operation, name="policy_operation", native_enum=False, length=20, validate_strings=True)
    )
    reason: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class EnpCounter(Base):
    """The last serial given in a region. ЕНП = region (2) + serial (13) + Luhn digit (ID-01); a serial
    is never given twice, so an ЕНП is never reused."""

    __tablename__ = "enp_counters"

    region: Mapped[str] = mapped_column(String(2), primary_key=True)
    last_serial: Mapped[int] = mapped_column(BigInteger)
