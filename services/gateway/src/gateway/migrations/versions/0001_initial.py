"""Outbox, inbox and the participant directory.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kit.messaging.tables import create_messaging_tables, drop_messaging_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_messaging_tables(op)
    op.create_table(
        "insurers",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("legal_name", sa.String(500), nullable=False),
        sa.Column("short_name", sa.String(200), nullable=False),
        sa.Column("inn", sa.String(10), nullable=False),
        sa.Column("ogrn", sa.String(13), nullable=False),
        sa.Column("licence_number", sa.String(50), nullable=False),
        sa.Column("licence_issued_on", sa.Date(), nullable=False),
        sa.Column("address", sa.String(500), nullable=False),
        sa.Column("phone", sa.String(50), nullable=False),
        sa.Column("website", sa.String(200), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("products", sa.JSON(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("instance_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_insurers")),
    )


def downgrade() -> None:
    op.drop_table("insurers")
    drop_messaging_tables(op)
