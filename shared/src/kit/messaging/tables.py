"""The outbox and inbox tables, added to each service's own ``MetaData``.

Every service calls :func:`messaging_tables` on its metadata and :func:`create_messaging_tables`
in its first migration, so the tables are the same everywhere and written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
_BigId = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table


def _outbox_columns() -> list[Any]:
    return [
        # The id gives the publishing order; per correlation id it is the order of the commits.
        Column("id", _BigId, primary_key=True, autoincrement=True),
        Column("message_id", String(36), nullable=False, unique=True),
        Column("type", String(200), nullable=False),
        Column("exchange", String(200), nullable=False),
        Column("routing_key", String(255), nullable=False),
        Column("correlation_id", String(200), nullable=False),
        Column("body", Text, nullable=False),
        Column("headers", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text, nullable=True),
    ]


def _inbox_columns() -> list[Any]:
    return [
        # One service may consume the same message on two queues, with two different effects.
        Column("consumer", String(200), primary_key=True),
        Column("message_id", String(36), primary_key=True),
        Column("type", String(200), nullable=False),
        Column("content_hash", String(64), nullable=False),
        Column("correlation_id", String(200), nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False),
    ]


def messaging_tables(metadata: MetaData) -> MessagingTables:
    outbox = Table("outbox", metadata, *_outbox_columns())
    Index(
        "ix_outbox_unpublished",
        outbox.c.id,
        postgresql_where=outbox.c.published_at.is_(None),
        sqlite_where=outbox.c.published_at.is_(None),
    )
    inbox = Table("inbox", metadata, *_inbox_columns())
    return MessagingTables(outbox=outbox, inbox=inbox)


def create_messaging_tables(op: Any) -> None:
    """For a service's first Alembic migration: ``create_messaging_tables(op)``."""
    op.create_table("outbox", *_outbox_columns())
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["id"],
        postgresql_where=text("published_at IS NULL"),
        sqlite_where=text("published_at IS NULL"),
    )
    op.create_table("inbox", *_inbox_columns())


def drop_messaging_tables(op: Any) -> None:
    op.drop_table("inbox")
    op.drop_index("ix_outbox_unpublished", table_name="outbox")
    op.drop_table("outbox")
