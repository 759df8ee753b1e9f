"""blog reviewer links

The built-in blog, reviewer links for people without an account.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 14:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import planner.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("fragment_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", planner.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_review_links_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["fragment_id"],
            ["fragments.id"],
            name=op.f("fk_review_links_fragment_id_fragments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_review_links_token_hash")),
    )
    with op.batch_alter_table("review_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_links_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_review_links_fragment_id"), ["fragment_id"], unique=False
        )

    op.create_table(
        "blog_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("lead", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("hero_photo_id", sa.Integer(), nullable=True),
        sa.Column("published_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("fragment_id", sa.Integer(), nullable=True),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_blog_posts_delivery_id_deliveries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["fragment_id"],
            ["fragments.id"],
            name=op.f("fk_blog_posts_fragment_id_fragments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hero_photo_id"],
            ["photos.id"],
            name=op.f("fk_blog_posts_hero_photo_id_photos"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_posts")),
        sa.UniqueConstraint("delivery_id", name=op.f("uq_blog_posts_delivery_id")),
        sa.UniqueConstraint("slug", name=op.f("uq_blog_posts_slug")),
    )
    with op.batch_alter_table("blog_posts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_blog_posts_fragment_id"), ["fragment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_blog_posts_published_at"), ["published_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("blog_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blog_posts_published_at"))
        batch_op.drop_index(batch_op.f("ix_blog_posts_fragment_id"))
    op.drop_table("blog_posts")
    with op.batch_alter_table("review_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_links_fragment_id"))
        batch_op.drop_index(batch_op.f("ix_review_links_created_by_id"))
    op.drop_table("review_links")
