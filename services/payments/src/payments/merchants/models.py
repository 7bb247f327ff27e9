from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from payments.db import Base


class Merchant(Base):
    __tablename__ = "merchants"

    shop_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of the secret key. Keys are long random tokens, not passwords, so a fast hash is
    #: enough and keeps authentication off the hot path's latency.
    secret_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
