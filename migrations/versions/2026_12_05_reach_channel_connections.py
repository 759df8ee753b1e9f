"""channels connected with OAuth 2: their state, token expiry and the renewal claim
(channel_connections); a notification kind for "connect this channel again"

Revision ID: reach01
Revises: trustsess01
Create Date: 2026-12-05 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import planner.db

revision = "reach01"
down_revision = "trustsess01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    when = planner.db.UTCDateTime(timezone=True)
    op.create_table(
        "channel_connections",
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "connected",
                "reconnect",
                name="connection_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("connected_at", when, nullable=False),
        sa.Column("connected_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", when, nullable=True),
        sa.Column("refreshed_at", when, nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("reconnect_since", when, nullable=True),
        sa.Column("refresh_claimed_by", sa.String(length=100), nullable=True),
        sa.Column("refresh_claimed_until", when, nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_channel_connections_channel_id_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["connected_by_id"],
            ["users.id"],
            name=op.f("fk_channel_connections_connected_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("channel_id", name=op.f("pk_channel_connections")),
    )

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notifications_notification_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notifications_notification_kind"), _kinds(_NEW))


_OLD = ("review_requested", "inbox_assigned", "mention", "delivery_failed", "response_due")
_NEW = (*_OLD, "channel_reconnect")


def _kinds(values: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE kind = 'channel_reconnect'")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notifications_notification_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notifications_notification_kind"), _kinds(_OLD))
    op.drop_table("channel_connections")
