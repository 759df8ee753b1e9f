"""fragment photos

The photos a fragment carries, chosen per channel.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 14:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fragments") as batch:
        batch.add_column(
            sa.Column("photo_ids", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("fragments") as batch:
        batch.drop_column("photo_ids")
