"""inboxb: the crisis pause (pauses, held and released deliveries), the live change log and
presence, notifications with each person's e-mail choice

Revision ID: inboxb01
Revises: inbox_a01
Create Date: 2026-12-05 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import planner.db

revision = "inboxb01"
down_revision = "effect01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publishing_pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("started_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("ended_at", planner.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_publishing_pauses_channel_id_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"],
            ["users.id"],
            name=op.f("fk_publishing_pauses_ended_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["users.id"],
            name=op.f("fk_publishing_pauses_started_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publishing_pauses")),
    )
    with op.batch_alter_table("publishing_pauses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_publishing_pauses_channel_id"), ["channel_id"], unique=False
        )
        batch_op.create_index("ix_publishing_pauses_ended_at", ["ended_at"], unique=False)
        batch_op.create_index(
            "uq_publishing_pauses_one_open_per_scope",
            ["scope"],
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("held_at", planner.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("released_at", planner.db.UTCDateTime(timezone=True), nullable=True)
        )

    op.create_table(
        "live_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_live_changes_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_live_changes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_changes")),
    )
    op.create_index("ix_live_changes_created_at", "live_changes", ["created_at"], unique=False)
    op.create_table(
        "live_presence",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("fragment_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fragment_id"],
            ["fragments.id"],
            name=op.f("fk_live_presence_fragment_id_fragments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_live_presence_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "fragment_id", name=op.f("pk_live_presence")),
    )
    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email_kinds", sa.JSON(), nullable=False),
        sa.Column("updated_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_settings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_settings")),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "review_requested",
                "inbox_assigned",
                "mention",
                "delivery_failed",
                "response_due",
                name="notification_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", planner.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "email_state",
            sa.Enum(
                "none",
                "queued",
                "sending",
                "sent",
                "failed",
                name="notification_email_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("emailed_at", planner.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("email_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notifications_dedupe_key")),
    )
    op.create_index("ix_notifications_email_state", "notifications", ["email_state"], unique=False)
    op.create_index(
        "ix_notifications_user_read", "notifications", ["user_id", "read_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_user_read", table_name="notifications")
    op.drop_index("ix_notifications_email_state", table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("notification_settings")
    op.drop_table("live_presence")
    op.drop_index("ix_live_changes_created_at", table_name="live_changes")
    op.drop_table("live_changes")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("released_at")
        batch_op.drop_column("held_at")
    with op.batch_alter_table("publishing_pauses", schema=None) as batch_op:
        batch_op.drop_index("uq_publishing_pauses_one_open_per_scope")
        batch_op.drop_index("ix_publishing_pauses_ended_at")
        batch_op.drop_index(batch_op.f("ix_publishing_pauses_channel_id"))
    op.drop_table("publishing_pauses")
