"""calendar slots feeds shares

Posting slots per channel, revocable calendar feed tokens, and read-only reviewer links.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 14:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import planner.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "effort_estimates",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("updated_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('post', 'thread', 'article', 'video_brief')",
            name=op.f("ck_effort_estimates_kind_known"),
        ),
        sa.CheckConstraint("minutes >= 0", name=op.f("ck_effort_estimates_minutes_not_negative")),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_effort_estimates")),
    )
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "scope",
            sa.Enum(
                "organisation",
                "channel",
                "person",
                name="feed_scope",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", planner.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", planner.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(scope <> 'channel' OR channel_id IS NOT NULL)"
            " AND (scope <> 'person' OR person_id IS NOT NULL)",
            name=op.f("ck_calendar_feeds_scope_target"),
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_calendar_feeds_channel_id_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_calendar_feeds_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["users.id"],
            name=op.f("fk_calendar_feeds_person_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
    )
    op.create_index(
        op.f("ix_calendar_feeds_channel_id"), "calendar_feeds", ["channel_id"], unique=False
    )
    op.create_index(
        op.f("ix_calendar_feeds_created_by_id"), "calendar_feeds", ["created_by_id"], unique=False
    )
    op.create_index(
        op.f("ix_calendar_feeds_person_id"), "calendar_feeds", ["person_id"], unique=False
    )
    op.create_index("ix_calendar_feeds_token_hash", "calendar_feeds", ["token_hash"], unique=True)
    op.create_table(
        "calendar_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("expires_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", planner.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_calendar_shares_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_shares")),
    )
    op.create_index(
        op.f("ix_calendar_shares_created_by_id"),
        "calendar_shares",
        ["created_by_id"],
        unique=False,
    )
    op.create_index("ix_calendar_shares_token_hash", "calendar_shares", ["token_hash"], unique=True)
    op.create_table(
        "posting_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_posting_slots_weekday_range")),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_posting_slots_channel_id_channels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posting_slots")),
        sa.UniqueConstraint(
            "channel_id", "weekday", "local_time", name=op.f("uq_posting_slots_channel_id")
        ),
    )
    op.create_index(
        op.f("ix_posting_slots_channel_id"), "posting_slots", ["channel_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_posting_slots_channel_id"), table_name="posting_slots")
    op.drop_table("posting_slots")
    op.drop_index("ix_calendar_shares_token_hash", table_name="calendar_shares")
    op.drop_index(op.f("ix_calendar_shares_created_by_id"), table_name="calendar_shares")
    op.drop_table("calendar_shares")
    op.drop_index("ix_calendar_feeds_token_hash", table_name="calendar_feeds")
    op.drop_index(op.f("ix_calendar_feeds_person_id"), table_name="calendar_feeds")
    op.drop_index(op.f("ix_calendar_feeds_created_by_id"), table_name="calendar_feeds")
    op.drop_index(op.f("ix_calendar_feeds_channel_id"), table_name="calendar_feeds")
    op.drop_table("calendar_feeds")
    op.drop_table("effort_estimates")
