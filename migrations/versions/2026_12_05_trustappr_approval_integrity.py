"""approval integrity: a reviewer link is spent once used, and a reviewer's decision names the
link it came through (so the engine can tell whose link it was); comments on fragments

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
    op.create_table(
        "fragment_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fragment_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_fragment_comments_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["fragment_id"],
            ["fragments.id"],
            name=op.f("fk_fragment_comments_fragment_id_fragments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fragment_comments")),
    )
    op.create_index(
        op.f("ix_fragment_comments_author_id"), "fragment_comments", ["author_id"], unique=False
    )
    op.create_index(
        op.f("ix_fragment_comments_fragment_id"), "fragment_comments", ["fragment_id"], unique=False
    )
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
    op.drop_index(op.f("ix_fragment_comments_fragment_id"), table_name="fragment_comments")
    op.drop_index(op.f("ix_fragment_comments_author_id"), table_name="fragment_comments")
    op.drop_table("fragment_comments")
