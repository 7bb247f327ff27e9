"""Contract link requested by

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 19:13:20.984970

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
    op.add_column("dms_contracts", sa.Column("link_requested_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("dms_contracts", "link_requested_by")
