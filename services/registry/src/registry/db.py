"""The registry's tables: one MetaData with the kit's naming convention, the outbox and the inbox."""

from sqlalchemy.orm import DeclarativeBase

from kit.db import new_metadata
from kit.messaging.tables import messaging_tables

metadata = new_metadata()
messaging = messaging_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata
