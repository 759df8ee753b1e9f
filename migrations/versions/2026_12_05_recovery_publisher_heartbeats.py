"""recovery: publisher heartbeats, so a dead publisher's claims are reclaimed in seconds

Each publisher process beats while a run holds claims; rows claimed by a process whose beat went
stale go back to the engine with the same idempotency key, without waiting for the 300 s lease.

Revision ID: recovery01
Revises: inbox_a01
Create Date: 2026-12-05 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import planner.db

revision = "recovery01"
down_revision = "trustappr01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publisher_heartbeats",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("beat_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_publisher_heartbeats")),
    )
    with op.batch_alter_table("publisher_heartbeats", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_publisher_heartbeats_beat_at"), ["beat_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("publisher_heartbeats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publisher_heartbeats_beat_at"))
    op.drop_table("publisher_heartbeats")
