"""channels, fragments, revisions

The organisation's channels, the fragments a story is split into, and every saved version.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 13:36:58.208183
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import planner.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind_key", sa.String(length=32), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("cadence_per_week", sa.Double(), nullable=False),
        sa.Column("handle", sa.String(length=200), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("cadence_per_week >= 0", name=op.f("ck_channels_cadence_not_negative")),
        sa.CheckConstraint("length(colour) = 7", name=op.f("ck_channels_colour_hex")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channels")),
        sa.UniqueConstraint("name", name=op.f("uq_channels_name")),
    )
    op.create_table(
        "fragments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "in_review",
                "approved",
                "scheduled",
                "published",
                "failed",
                name="fragment_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("lead", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("meta_description", sa.String(length=300), nullable=True),
        sa.Column("video_brief", sa.JSON(), nullable=True),
        sa.Column("hashtags", sa.JSON(), nullable=False),
        sa.Column("scheduled_at", planner.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("is_sponsored", sa.Boolean(), nullable=False),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('post', 'thread', 'article', 'video_brief')",
            name=op.f("ck_fragments_kind_known"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_fragments_version_positive")),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_fragments_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_fragments_channel_id_channels"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_fragments_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fragments")),
    )
    with op.batch_alter_table("fragments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fragments_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fragments_channel_id"), ["channel_id"], unique=False)
        batch_op.create_index(
            "ix_fragments_status_scheduled_at", ["status", "scheduled_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_fragments_story_id"), ["story_id"], unique=False)

    op.create_table(
        "fragment_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fragment_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_fragment_revisions_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["fragment_id"],
            ["fragments.id"],
            name=op.f("fk_fragment_revisions_fragment_id_fragments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fragment_revisions")),
        sa.UniqueConstraint("fragment_id", "version", name="fragment_version"),
    )
    with op.batch_alter_table("fragment_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fragment_revisions_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fragment_revisions_fragment_id"), ["fragment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("fragment_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fragment_revisions_fragment_id"))
        batch_op.drop_index(batch_op.f("ix_fragment_revisions_author_id"))

    op.drop_table("fragment_revisions")
    with op.batch_alter_table("fragments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fragments_story_id"))
        batch_op.drop_index("ix_fragments_status_scheduled_at")
        batch_op.drop_index(batch_op.f("ix_fragments_channel_id"))
        batch_op.drop_index(batch_op.f("ix_fragments_assignee_id"))

    op.drop_table("fragments")
    op.drop_table("channels")
