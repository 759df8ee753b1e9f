"""Fragments: one story told on one channel, with every saved version kept as a revision.

A fragment is what an editor polishes and what gets scheduled and published; revisions make each
save reversible, and the version number lets two editors notice they were both at work.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import User
from planner.channels.models import Channel
from planner.db import Base, enum_column, utcnow
from planner.stories.models import Story

FRAGMENT_KINDS = ("post", "thread", "article", "video_brief")


class FragmentStatus(enum.Enum):
    """draft → in_review → approved → scheduled → published, or failed when publishing did.

    Withdrawn: the contributor withdrew consent for the story before this fragment went out;
    nothing made from it may be published any more (planner.publishing.withdrawal).
    """

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


def article_text(title: str | None, lead: str | None, body: str | None) -> str:
    """An article as its reader meets it: title, lead and body, one text (what is checked)."""
    return "\n\n".join(x for x in (title, lead, body) if x)


class Fragment(Base):
    __tablename__ = "fragments"
    __table_args__ = (
        CheckConstraint("kind IN ('post', 'thread', 'article', 'video_brief')", name="kind_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_fragments_status_scheduled_at", "status", "scheduled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[FragmentStatus] = mapped_column(
        enum_column(FragmentStatus, "fragment_status"), default=FragmentStatus.DRAFT
    )
    #: the text as posted, one entry per post of a thread (posts have one)
    parts: Mapped[list[str]] = mapped_column(JSON, default=list)
    title: Mapped[str | None] = mapped_column(String(300))
    lead: Mapped[str | None] = mapped_column(Text)
    #: Markdown, for articles
    body: Mapped[str | None] = mapped_column(Text)
    meta_description: Mapped[str | None] = mapped_column(String(300))
    video_brief: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    hashtags: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: the story photos this fragment carries, in order (ids of Photo rows of its story)
    photo_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    scheduled_at: Mapped[datetime | None]
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: who made it; nobody approves their own fragment
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    is_sponsored: Mapped[bool] = mapped_column(default=False)
    #: a statement that must go out now (a hoax, a complaint); the rapid-response lane acts on it
    is_urgent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    #: a correction names the published fragment it corrects (on channels that cannot edit)
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("fragments.id", ondelete="SET NULL"), index=True
    )

    story: Mapped[Story] = relationship()
    channel: Mapped[Channel] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    corrects: Mapped[Fragment | None] = relationship(remote_side=[id])
    revisions: Mapped[list[FragmentRevision]] = relationship(
        back_populates="fragment",
        order_by="FragmentRevision.version.desc()",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def text(self) -> str:
        """Everything a reader sees, as one text (for checks and search)."""
        if self.kind == "article":
            return article_text(self.title, self.lead, self.body)
        if self.kind == "video_brief":
            brief = self.video_brief or {}
            return "\n\n".join(str(v) for v in brief.values() if isinstance(v, str) and v)
        return "\n\n".join(self.parts)


class FragmentRevision(Base):
    """A fragment as it was saved: the snapshot holds every editable field."""

    __tablename__ = "fragment_revisions"
    __table_args__ = (UniqueConstraint("fragment_id", "version", name="fragment_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fragment_id: Mapped[int] = mapped_column(
        ForeignKey("fragments.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    fragment: Mapped[Fragment] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()


class WarningAcknowledgement(Base):
    """An editor's reason for letting a warning stand; it applies while the same match remains."""

    __tablename__ = "brand_acknowledgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    fragment_id: Mapped[int] = mapped_column(
        ForeignKey("fragments.id", ondelete="CASCADE"), index=True
    )
    #: which text of the fragment: "part-0", "body", ...
    field: Mapped[str] = mapped_column(String(32))
    check: Mapped[str] = mapped_column(String(200))
    match: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(Text)
    fragment_version: Mapped[int]
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    acknowledged_at: Mapped[datetime] = mapped_column(default=utcnow)

    acknowledged_by: Mapped[User | None] = relationship()


class FragmentComment(Base):
    """A colleague's remark on a fragment, apart from approval decisions (which carry their own)."""

    __tablename__ = "fragment_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    fragment_id: Mapped[int] = mapped_column(
        ForeignKey("fragments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: the version the remark was made on
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()
