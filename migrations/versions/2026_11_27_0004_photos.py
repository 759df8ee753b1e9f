"""photos

Photos of stories: content-addressed originals, alt text, focal point, cached variants.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 14:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import planner.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=80), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(length=32), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("alt_text", sa.Text(), nullable=False),
        sa.Column("focal_x", sa.Float(), nullable=False),
        sa.Column("focal_y", sa.Float(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "focal_x >= 0 AND focal_x <= 1", name=op.f("ck_photos_focal_x_fraction")
        ),
        sa.CheckConstraint(
            "focal_y >= 0 AND focal_y <= 1", name=op.f("ck_photos_focal_y_fraction")
        ),
        sa.CheckConstraint("width > 0 AND height > 0", name=op.f("ck_photos_has_pixels")),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_photos_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_photos_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
    )
    op.create_index(op.f("ix_photos_story_id"), "photos", ["story_id"], unique=False)
    op.create_index(op.f("ix_photos_storage_key"), "photos", ["storage_key"], unique=False)
    op.create_index(op.f("ix_photos_uploaded_by_id"), "photos", ["uploaded_by_id"], unique=False)
    op.create_table(
        "photo_variants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("channel_kind", sa.String(length=32), nullable=False),
        sa.Column("spec_name", sa.String(length=32), nullable=False),
        sa.Column("storage_key", sa.String(length=80), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(length=32), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["photo_id"],
            ["photos.id"],
            name=op.f("fk_photo_variants_photo_id_photos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo_variants")),
        sa.UniqueConstraint(
            "photo_id", "channel_kind", "spec_name", name=op.f("uq_photo_variants_photo_id")
        ),
    )
    op.create_index(
        op.f("ix_photo_variants_storage_key"), "photo_variants", ["storage_key"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_photo_variants_storage_key"), table_name="photo_variants")
    op.drop_table("photo_variants")
    op.drop_index(op.f("ix_photos_uploaded_by_id"), table_name="photos")
    op.drop_index(op.f("ix_photos_storage_key"), table_name="photos")
    op.drop_index(op.f("ix_photos_story_id"), table_name="photos")
    op.drop_table("photos")
