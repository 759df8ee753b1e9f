"""approval integrity: a reviewer link is spent once used, and a reviewer's decision names the
link it came through (so the engine can tell whose link it was)

Revision ID: trustappr01
Revises: inbox_a01
Create Date: 2026-12-05 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import planner.db

revision = "trustappr01"
down_revision = "inbox_a01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_links") as batch:
        batch.add_column(sa.Column("used_at", planner.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("fragment_approvals") as batch:
        batch.add_column(sa.Column("review_link_id", sa.Integer(), nullable=True))
        batch.create_index(
            batch.f("ix_fragment_approvals_review_link_id"), ["review_link_id"], unique=False
        )
        batch.create_foreign_key(
            batch.f("fk_fragment_approvals_review_link_id_review_links"),
            "review_links",
            ["review_link_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("fragment_approvals") as batch:
        batch.drop_constraint(
            batch.f("fk_fragment_approvals_review_link_id_review_links"), type_="foreignkey"
        )
        batch.drop_index(batch.f("ix_fragment_approvals_review_link_id"))
        batch.drop_column("review_link_id")
    with op.batch_alter_table("review_links") as batch:
        batch.drop_column("used_at")
