"""loopc: the organisation's own domains (the UTM check) and its privacy statement (the intake)

Revision ID: loopc01
Revises: inboxb01
Create Date: 2026-12-05 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "loopc01"
down_revision = "loopa01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("own_domains", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("privacy_url", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("privacy_url")
        batch_op.drop_column("own_domains")
