"""The insurer instance's tables: one MetaData with the kit's naming convention, outbox and inbox."""

from sqlalchemy.orm import DeclarativeBase

from kit.db import new_metadata
from kit.messaging.tables import messaging_tables

metadata = new_metadata()
messaging = messaging_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata
