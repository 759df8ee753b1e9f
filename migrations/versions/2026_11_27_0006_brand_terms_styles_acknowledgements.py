"""brand terms styles acknowledgements

The organisation's term list, imported Vale style packages, and acknowledged warnings.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 14:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import planner.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "brand_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.Column("updated_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_brand_settings_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_settings")),
    )
    op.create_table(
        "brand_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=100), nullable=False),
        sa.Column("preferred", sa.String(length=100), nullable=False),
        sa.Column("forbidden", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_brand_terms_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_terms")),
        sa.UniqueConstraint("term", name=op.f("uq_brand_terms_term")),
    )
    op.create_table(
        "brand_style_packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("inactive_rules", sa.JSON(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_brand_style_packages_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_style_packages")),
        sa.UniqueConstraint("name", name=op.f("uq_brand_style_packages_name")),
    )
    op.create_table(
        "brand_acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fragment_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("check", sa.String(length=200), nullable=False),
        sa.Column("match", sa.String(length=500), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("fragment_version", sa.Integer(), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["users.id"],
            name=op.f("fk_brand_acknowledgements_acknowledged_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["fragment_id"],
            ["fragments.id"],
            name=op.f("fk_brand_acknowledgements_fragment_id_fragments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_acknowledgements")),
    )
    op.create_index(
        op.f("ix_brand_acknowledgements_fragment_id"),
        "brand_acknowledgements",
        ["fragment_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_brand_acknowledgements_fragment_id"), table_name="brand_acknowledgements"
    )
    op.drop_table("brand_acknowledgements")
    op.drop_table("brand_style_packages")
    op.drop_table("brand_terms")
    op.drop_table("brand_settings")
