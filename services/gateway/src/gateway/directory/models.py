from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base


class DirectoryEntry(Base):
    """The last announcement of one insurer, as the gateway knows it."""

    __tablename__ = "insurers"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(500))
    short_name: Mapped[str] = mapped_column(String(200))
    inn: Mapped[str] = mapped_column(String(10))
    ogrn: Mapped[str] = mapped_column(String(13))
    licence_number: Mapped[str] = mapped_column(String(50))
    licence_issued_on: Mapped[date] = mapped_column(Date)
    address: Mapped[str] = mapped_column(String(500))
    phone: Mapped[str] = mapped_column(String(50))
    website: Mapped[str] = mapped_column(String(200))
    regions: Mapped[list[str]] = mapped_column(JSON)
    products: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    synthetic: Mapped[bool]
    instance_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    first_announced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_announced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
