"""Accounts, DMS applications, notifications, idempotency keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 17:18:34.549998

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
        "accounts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("login", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "simplified", "standard", "confirmed", name="assurance_level", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("profile", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("login", name=op.f("uq_accounts_login")),
    )
    op.create_table(
        "dms_applications",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("submitted_by_client", sa.String(length=64), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "offers_received",
                "no_offers",
                "refused",
                "offer_accepted",
                "awaiting_payment",
                "payment_failed",
                "paid",
                "policy_issued",
                "offer_expired",
                "withdrawn",
                name="application_status",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("work_region", sa.String(length=2), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("personal", sa.LargeBinary(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("collect_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("collection_closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_offer_id", sa.String(length=64), nullable=True),
        sa.Column("accepted_insurer", sa.String(length=32), nullable=True),
        sa.Column("payment_id", sa.String(length=64), nullable=True),
        sa.Column("payment_url", sa.String(length=500), nullable=True),
        sa.Column("payment_attempt", sa.Integer(), nullable=True),
        sa.Column("payment_amount_kopecks", sa.Integer(), nullable=True),
        sa.Column("payment_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_failure", sa.String(length=200), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("policy_due_by", sa.Date(), nullable=True),
        sa.Column("policy_id", sa.String(length=64), nullable=True),
        sa.Column("policy_issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline_breached", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dms_applications")),
    )
    op.create_index(op.f("ix_dms_applications_account_id"), "dms_applications", ["account_id"], unique=False)
    op.create_index(
        op.f("ix_dms_applications_policy_due_by"), "dms_applications", ["policy_due_by"], unique=False
    )
    op.create_index(
        "ix_dms_applications_status_collect_until",
        "dms_applications",
        ["status", "collect_until"],
        unique=False,
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("operation", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index(op.f("ix_idempotency_keys_created_at"), "idempotency_keys", ["created_at"], unique=False)
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title_ru", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("body_ru", sa.String(length=2000), nullable=False),
        sa.Column("body_en", sa.String(length=2000), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(
        "ix_notifications_account_id_created_at", "notifications", ["account_id", "created_at"], unique=False
    )
    op.create_table(
        "dms_application_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("event", sa.String(length=50), nullable=False),
        sa.Column("insurer", sa.String(length=32), nullable=True),
        sa.Column("text_ru", sa.String(length=1000), nullable=False),
        sa.Column("text_en", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["dms_applications.id"],
            name=op.f("fk_dms_application_events_application_id_dms_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dms_application_events")),
    )
    op.create_index(
        op.f("ix_dms_application_events_application_id"),
        "dms_application_events",
        ["application_id"],
        unique=False,
    )
    op.create_table(
        "dms_offers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("insurer", sa.String(length=32), nullable=False),
        sa.Column("premium_kopecks", sa.Integer(), nullable=False),
        sa.Column("sum_insured_kopecks", sa.Integer(), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["dms_applications.id"],
            name=op.f("fk_dms_offers_application_id_dms_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dms_offers")),
    )
    op.create_index(op.f("ix_dms_offers_application_id"), "dms_offers", ["application_id"], unique=False)
    op.create_table(
        "dms_policies",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("insurer", sa.String(length=32), nullable=False),
        sa.Column("series", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_by", sa.Date(), nullable=True),
        sa.Column("deadline_breached", sa.Boolean(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["dms_applications.id"],
            name=op.f("fk_dms_policies_application_id_dms_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dms_policies")),
        sa.UniqueConstraint("application_id", name=op.f("uq_dms_policies_application_id")),
    )
    op.create_index(op.f("ix_dms_policies_account_id"), "dms_policies", ["account_id"], unique=False)
    op.create_table(
        "dms_quote_requests",
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("insurer", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("refusal", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["dms_applications.id"],
            name=op.f("fk_dms_quote_requests_application_id_dms_applications"),
        ),
        sa.PrimaryKeyConstraint("application_id", "insurer", name=op.f("pk_dms_quote_requests")),
    )
    op.create_table(
        "partner_grants",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_partner_grants_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "client_id", name=op.f("pk_partner_grants")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("partner_grants")
    op.drop_table("dms_quote_requests")
    op.drop_index(op.f("ix_dms_policies_account_id"), table_name="dms_policies")
    op.drop_table("dms_policies")
    op.drop_index(op.f("ix_dms_offers_application_id"), table_name="dms_offers")
    op.drop_table("dms_offers")
    op.drop_index(op.f("ix_dms_application_events_application_id"), table_name="dms_application_events")
    op.drop_table("dms_application_events")
    op.drop_index("ix_notifications_account_id_created_at", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index(op.f("ix_idempotency_keys_created_at"), table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index("ix_dms_applications_status_collect_until", table_name="dms_applications")
    op.drop_index(op.f("ix_dms_applications_policy_due_by"), table_name="dms_applications")
    op.drop_index(op.f("ix_dms_applications_account_id"), table_name="dms_applications")
    op.drop_table("dms_applications")
    op.drop_table("accounts")
