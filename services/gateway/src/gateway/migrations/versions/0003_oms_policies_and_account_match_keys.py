"""OMS policies and account match keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 18:24:06.660393

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "oms_policies",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("enp", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("insurer", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "enp", name=op.f("pk_oms_policies")),
    )
    op.create_table(
        "account_match_keys",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_account_match_keys_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("key", "account_id", name=op.f("pk_account_match_keys")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("account_match_keys")
    op.drop_table("oms_policies")
