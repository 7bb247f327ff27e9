"""DMS quotes contracts payments policies

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 16:45:39.470264

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "dms_policy_counters",
        sa.Column("series", sa.String(length=20), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", name=op.f("pk_dms_policy_counters")),
    )
    op.create_table(
        "dms_quotes",
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "offered",
                "refused",
                "accepted",
                "withdrawn",
                name="quote_status",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("offer_id", sa.String(length=64), nullable=True),
        sa.Column("application", sa.LargeBinary(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("premium_kopecks", sa.Integer(), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_dms_quotes")),
        sa.UniqueConstraint("offer_id", name=op.f("uq_dms_quotes_offer_id")),
    )
    op.create_table(
        "dms_contracts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("offer_id", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "awaiting_link",
                "awaiting_payment",
                "payment_failed",
                "paid",
                "policy_issued",
                "withdrawn",
                name="contract_status",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("premium_kopecks", sa.Integer(), nullable=False),
        sa.Column("return_url", sa.String(length=500), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.String(length=64), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.Column("policy_due_by", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["dms_quotes.application_id"],
            name=op.f("fk_dms_contracts_application_id_dms_quotes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dms_contracts")),
        sa.UniqueConstraint("application_id", name=op.f("uq_dms_contracts_application_id")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_dms_contracts_payment_id")),
    )
    op.create_index(op.f("ix_dms_contracts_status"), "dms_contracts", ["status"], unique=False)
    op.create_table(
        "dms_payments",
        sa.Column("payment_id", sa.String(length=64), nullable=False),
        sa.Column("contract_id", sa.String(length=64), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["dms_contracts.id"], name=op.f("fk_dms_payments_contract_id_dms_contracts")
        ),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_dms_payments")),
    )
    op.create_index(op.f("ix_dms_payments_contract_id"), "dms_payments", ["contract_id"], unique=False)
    op.create_table(
        "dms_policies",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("contract_id", sa.String(length=64), nullable=False),
        sa.Column("series", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["dms_contracts.id"], name=op.f("fk_dms_policies_contract_id_dms_contracts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dms_policies")),
        sa.UniqueConstraint("contract_id", name=op.f("uq_dms_policies_contract_id")),
        sa.UniqueConstraint("series", "number", name=op.f("uq_dms_policies_series")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("dms_policies")
    op.drop_index(op.f("ix_dms_payments_contract_id"), table_name="dms_payments")
    op.drop_table("dms_payments")
    op.drop_index(op.f("ix_dms_contracts_status"), table_name="dms_contracts")
    op.drop_table("dms_contracts")
    op.drop_table("dms_quotes")
    op.drop_table("dms_policy_counters")
