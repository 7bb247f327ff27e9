"""Persons, documents, policies, history, ENP counters

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 17:55:13.946946

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
        "enp_counters",
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("last_serial", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("region", name=op.f("pk_enp_counters")),
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
        "persons",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("patronymic", sa.String(length=100), nullable=True),
        sa.Column("name_key", sa.String(length=310), nullable=False),
        sa.Column("sex", sa.String(length=6), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("birth_place", sa.String(length=300), nullable=True),
        sa.Column("citizenship", sa.String(length=3), nullable=False),
        sa.Column("snils", sa.String(length=11), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
        sa.UniqueConstraint("snils", name=op.f("uq_persons_snils")),
    )
    op.create_index("ix_persons_name_key_birth_date", "persons", ["name_key", "birth_date"], unique=False)
    op.create_table(
        "person_documents",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("series", sa.String(length=20), nullable=True),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_person_documents_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_documents")),
    )
    op.create_index("ix_person_documents_number_kind", "person_documents", ["number", "kind"], unique=False)
    op.create_index(op.f("ix_person_documents_person_id"), "person_documents", ["person_id"], unique=False)
    op.create_table(
        "policies",
        sa.Column("enp", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "suspended", "terminated", name="policy_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("insurer", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("clinic", sa.String(length=300), nullable=True),
        sa.Column("last_insurer_change_on", sa.Date(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_policies_person_id_persons")),
        sa.PrimaryKeyConstraint("enp", name=op.f("pk_policies")),
    )
    op.create_index(op.f("ix_policies_person_id"), "policies", ["person_id"], unique=False)
    op.create_table(
        "policy_events",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("enp", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "operation",
            sa.Enum(
                "issue",
                "suspend",
                "resume",
                "change_insurer",
                "change_region",
                "terminate",
                name="policy_operation",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["enp"], ["policies.enp"], name=op.f("fk_policy_events_enp_policies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_events")),
    )
    op.create_index(op.f("ix_policy_events_enp"), "policy_events", ["enp"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_policy_events_enp"), table_name="policy_events")
    op.drop_table("policy_events")
    op.drop_index(op.f("ix_policies_person_id"), table_name="policies")
    op.drop_table("policies")
    op.drop_index(op.f("ix_person_documents_person_id"), table_name="person_documents")
    op.drop_index("ix_person_documents_number_kind", table_name="person_documents")
    op.drop_table("person_documents")
    op.drop_index("ix_persons_name_key_birth_date", table_name="persons")
    op.drop_table("persons")
    op.drop_index(op.f("ix_idempotency_keys_created_at"), table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_table("enp_counters")
