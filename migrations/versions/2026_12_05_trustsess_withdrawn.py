"""consent withdrawn stops everything: fragments can be "withdrawn"; publications of a withdrawn
story that a person took down by hand (publication_takedowns); sign-in sessions the server can end
(sign_in_sessions)

Existing data follows the new rule at once: fragments of withdrawn stories that did not go out
become withdrawn, and their deliveries that had not gone out are cancelled.

Revision ID: trustsess01
Revises: inbox_a01
Create Date: 2026-12-05 01:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import planner.db

revision = "trustsess01"
down_revision = "loopc01"
branch_labels = None
depends_on = None

_OLD = ("draft", "in_review", "approved", "scheduled", "published", "failed")
_NEW = (*_OLD, "withdrawn")


def _status_check(values: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.create_table(
        "sign_in_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("remember", sa.Boolean(), nullable=False),
        sa.Column("created_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", planner.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sign_in_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_sessions")),
    )
    op.create_index("ix_sign_in_sessions_key_hash", "sign_in_sessions", ["key_hash"], unique=True)
    op.create_index(
        op.f("ix_sign_in_sessions_user_id"), "sign_in_sessions", ["user_id"], unique=False
    )
    op.create_table(
        "publication_takedowns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("taken_down_by_id", sa.Integer(), nullable=True),
        sa.Column("taken_down_at", planner.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_publication_takedowns_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["taken_down_by_id"],
            ["users.id"],
            name=op.f("fk_publication_takedowns_taken_down_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_takedowns")),
        sa.UniqueConstraint("publication_id", name=op.f("uq_publication_takedowns_publication_id")),
    )
    with op.batch_alter_table("fragments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_fragments_fragment_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_fragments_fragment_status"), _status_check(_NEW))
    op.execute(
        "UPDATE deliveries SET state = 'cancelled', last_error = 'Consent for the story was "
        "withdrawn; the publication was stopped.' WHERE state IN ('pending', 'retrying', "
        "'failed', 'missed', 'needs_check') AND fragment_id IN (SELECT fragments.id FROM "
        "fragments JOIN stories ON stories.id = fragments.story_id "
        "WHERE stories.consent_withdrawn_at IS NOT NULL)"
    )
    op.execute(
        "UPDATE fragments SET status = 'withdrawn' WHERE status <> 'published' AND story_id IN "
        "(SELECT id FROM stories WHERE consent_withdrawn_at IS NOT NULL)"
    )


def downgrade() -> None:
    # "withdrawn" did not exist: such a fragment was shown as failed.
    op.execute("UPDATE fragments SET status = 'failed' WHERE status = 'withdrawn'")
    with op.batch_alter_table("fragments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_fragments_fragment_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_fragments_fragment_status"), _status_check(_OLD))
    op.drop_table("publication_takedowns")
    op.drop_index(op.f("ix_sign_in_sessions_user_id"), table_name="sign_in_sessions")
    op.drop_index("ix_sign_in_sessions_key_hash", table_name="sign_in_sessions")
    op.drop_table("sign_in_sessions")
