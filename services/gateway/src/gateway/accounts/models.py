from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Enum, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.accounts.profile import AssuranceLevel
from gateway.db import Base


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    login: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    level: Mapped[AssuranceLevel] = mapped_column(
        Enum(AssuranceLevel, name="assurance_level", native_enum=False, length=20, validate_strings=True)
    )
    #: AccountProfile as JSON, encrypted (names, document, date of birth, contacts).
    profile: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PartnerGrant(Base):
    """The account holder allows a partner system to act for them within these scopes."""

    __tablename__ = "partner_grants"

    account_id: Mapped[str] = mapped_column(String(64), ForeignKey("accounts.id"), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AccountMatchKey(Base):
    """Blind indexes (:meth:`kit.crypto.DataCipher.blind_index`) of what identifies the holder in other
    registers — the СНИЛС, the name with the date of birth — so that a policy the ОМС register
    announces finds its account (OMS-02) without the profile being stored in the clear."""

    __tablename__ = "account_match_keys"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
