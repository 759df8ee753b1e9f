"""approval schedule deliveries

Approval steps and publisher settings per channel, approvals, and delivery rows written with the schedule.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 14:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import planner.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fragment_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("due_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("not_before", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "sending",
                "retrying",
                "sent",
                "failed",
                "needs_check",
                "missed",
                "cancelled",
                name="delivery_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("lease_expires_at", planner.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("fragment_version", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("remote_id", sa.String(length=300), nullable=True),
        sa.Column("remote_url", sa.String(length=2000), nullable=True),
        sa.Column("sent_at", planner.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("scheduled_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("attempt >= 0", name=op.f("ck_deliveries_attempt_not_negative")),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_deliveries_channel_id_channels"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["fragment_id"],
            ["fragments.id"],
            name=op.f("fk_deliveries_fragment_id_fragments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scheduled_by_id"],
            ["users.id"],
            name=op.f("fk_deliveries_scheduled_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_deliveries_idempotency_key")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deliveries_fragment_id"), ["fragment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_deliveries_scheduled_by_id"), ["scheduled_by_id"], unique=False
        )
        batch_op.create_index(
            "ix_deliveries_state_not_before", ["state", "not_before"], unique=False
        )
        batch_op.create_index(
            "uq_deliveries_one_active_per_fragment",
            ["fragment_id"],
            unique=True,
            sqlite_where=sa.text("state IN ('pending', 'sending', 'retrying')"),
            postgresql_where=sa.text("state IN ('pending', 'sending', 'retrying')"),
        )

    op.create_table(
        "fragment_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fragment_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum(
                "approved",
                "changes_requested",
                name="approval_decision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("approver_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_name", sa.String(length=200), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approver_id"],
            ["users.id"],
            name=op.f("fk_fragment_approvals_approver_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["fragment_id"],
            ["fragments.id"],
            name=op.f("fk_fragment_approvals_fragment_id_fragments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fragment_approvals")),
    )
    with op.batch_alter_table("fragment_approvals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fragment_approvals_approver_id"), ["approver_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fragment_approvals_fragment_id"), ["fragment_id"], unique=False
        )

    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("approval_steps", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(
            sa.Column("min_gap_minutes", sa.Integer(), nullable=False, server_default="120")
        )
        batch_op.add_column(
            sa.Column(
                "publisher_kind", sa.String(length=32), nullable=False, server_default="manual"
            )
        )
        batch_op.add_column(
            sa.Column("publisher_settings", sa.JSON(), nullable=False, server_default="{}")
        )
        batch_op.add_column(sa.Column("publisher_secret", sa.Text(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_channels_approval_steps_range"), "approval_steps BETWEEN 0 AND 2"
        )
        batch_op.create_check_constraint(
            op.f("ck_channels_min_gap_not_negative"), "min_gap_minutes >= 0"
        )

    with op.batch_alter_table("fragments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_fragments_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_fragments_created_by_id_users"),
            "users",
            ["created_by_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("fragment_id", sa.Integer(), nullable=True),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("channel_name", sa.String(length=100), nullable=False),
        sa.Column("channel_kind", sa.String(length=32), nullable=False),
        sa.Column("fragment_kind", sa.String(length=16), nullable=False),
        sa.Column("fragment_version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("media", sa.JSON(), nullable=False),
        sa.Column("approvers", sa.JSON(), nullable=False),
        sa.Column("published_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("remote_id", sa.String(length=300), nullable=True),
        sa.Column("remote_url", sa.String(length=2000), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_publications_channel_id_channels"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_publications_delivery_id_deliveries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["fragment_id"],
            ["fragments.id"],
            name=op.f("fk_publications_fragment_id_fragments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_publications_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint("delivery_id", name=op.f("uq_publications_delivery_id")),
    )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_publications_channel_id"), ["channel_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_publications_fragment_id"), ["fragment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_publications_published_at"), ["published_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publications_published_at"))
        batch_op.drop_index(batch_op.f("ix_publications_fragment_id"))
        batch_op.drop_index(batch_op.f("ix_publications_channel_id"))

    op.drop_table("publications")
    with op.batch_alter_table("fragments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_fragments_created_by_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_fragments_created_by_id"))
        batch_op.drop_column("created_by_id")

    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_channels_min_gap_not_negative"), type_="check")
        batch_op.drop_constraint(op.f("ck_channels_approval_steps_range"), type_="check")
        batch_op.drop_column("publisher_secret")
        batch_op.drop_column("publisher_settings")
        batch_op.drop_column("publisher_kind")
        batch_op.drop_column("min_gap_minutes")
        batch_op.drop_column("approval_steps")

    with op.batch_alter_table("fragment_approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fragment_approvals_fragment_id"))
        batch_op.drop_index(batch_op.f("ix_fragment_approvals_approver_id"))

    op.drop_table("fragment_approvals")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_deliveries_one_active_per_fragment",
            sqlite_where=sa.text("state IN ('pending', 'sending', 'retrying')"),
            postgresql_where=sa.text("state IN ('pending', 'sending', 'retrying')"),
        )
        batch_op.drop_index("ix_deliveries_state_not_before")
        batch_op.drop_index(batch_op.f("ix_deliveries_scheduled_by_id"))
        batch_op.drop_index(batch_op.f("ix_deliveries_fragment_id"))

    op.drop_table("deliveries")
