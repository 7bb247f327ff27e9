"""OMS requests

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 18:40:28.231623

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "oms_requests",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("insurer", sa.String(length=32), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("enp", sa.String(length=16), nullable=True),
        sa.Column("rule", sa.String(length=20), nullable=True),
        sa.Column("reason_ru", sa.String(length=1000), nullable=True),
        sa.Column("reason_en", sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oms_requests")),
    )
    op.create_index(op.f("ix_oms_requests_account_id"), "oms_requests", ["account_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_oms_requests_account_id"), table_name="oms_requests")
    op.drop_table("oms_requests")
