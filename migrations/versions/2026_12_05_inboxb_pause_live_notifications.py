"""inboxb: the crisis pause (pauses, held and released deliveries)

Revision ID: inboxb01
Revises: inbox_a01
Create Date: 2026-12-05 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import planner.db

revision = "inboxb01"
down_revision = "inbox_a01"
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


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("released_at")
        batch_op.drop_column("held_at")
    with op.batch_alter_table("publishing_pauses", schema=None) as batch_op:
        batch_op.drop_index("uq_publishing_pauses_one_open_per_scope")
        batch_op.drop_index("ix_publishing_pauses_ended_at")
        batch_op.drop_index(batch_op.f("ix_publishing_pauses_channel_id"))
    op.drop_table("publishing_pauses")
