"""corrections of published work

A published blog post can be corrected in place (when, and what was corrected, shown on the post);
a correction on another channel is a new fragment that names the one it corrects.

Revision ID: loopa01
Revises: inbox_a01
Create Date: 2026-12-05 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import planner.db

revision = "loopa01"
down_revision = "inboxb01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fragments") as batch:
        batch.add_column(sa.Column("corrects_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_fragments_corrects_id"), ["corrects_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_fragments_corrects_id_fragments"),
            "fragments",
            ["corrects_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("blog_posts") as batch:
        batch.add_column(
            sa.Column("corrected_at", planner.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("correction_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("blog_posts") as batch:
        batch.drop_column("correction_note")
        batch.drop_column("corrected_at")
    with op.batch_alter_table("fragments") as batch:
        batch.drop_constraint(batch.f("fk_fragments_corrects_id_fragments"), type_="foreignkey")
        batch.drop_index(batch.f("ix_fragments_corrects_id"))
        batch.drop_column("corrects_id")
