"""Stories as they come in, what they are about, and the consent that lets us tell them.

A story is raw material for the content factory: it is captured once (from a colleague, a
resident through an intake link, a partner or the organisation itself), then split into channel
fragments elsewhere. Consent is recorded per story with the exact text the person agreed to.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import User
from planner.db import Base, enum_column, utcnow


class StoryStatus(enum.Enum):
    """new → accepted → in_production → told; declined (with a reason) from the first steps."""

    NEW = "new"
    ACCEPTED = "accepted"
    IN_PRODUCTION = "in_production"
    TOLD = "told"
    DECLINED = "declined"


class StorySource(enum.Enum):
    """Who brought the story in."""

    EMPLOYEE = "employee"
    RESIDENT = "resident"
    PARTNER = "partner"
    ORGANISATION = "organisation"


LANGUAGES = ("nl", "en")

story_themes = Table(
    "story_themes",
    Base.metadata,
    Column("story_id", ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class Theme(Base):
    """A strategic goal; the target share says how much of what we publish should be about it."""

    __tablename__ = "themes"
    __table_args__ = (
        CheckConstraint("target_share >= 0 AND target_share <= 100", name="target_share_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    #: percentage of published fragments the team aims for
    target_share: Mapped[int] = mapped_column(default=0)


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]


class IntakeLink(Base):
    """A secret URL through which people without an account can send a story."""

    __tablename__ = "intake_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()

    def is_open(self, now: datetime) -> bool:
        if self.closed_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now


class Story(Base):
    __tablename__ = "stories"
    __table_args__ = (
        CheckConstraint("language IN ('nl', 'en')", name="language"),
        CheckConstraint(
            "status <> 'declined' OR decline_reason IS NOT NULL", name="declined_has_reason"
        ),
        Index("ix_stories_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2), default="nl")
    source: Mapped[StorySource] = mapped_column(enum_column(StorySource, "story_source"))
    status: Mapped[StoryStatus] = mapped_column(
        enum_column(StoryStatus, "story_status"), default=StoryStatus.NEW
    )
    decline_reason: Mapped[str | None] = mapped_column(Text)
    #: the signed-in colleague who sent it; None for public submissions and erased people
    contributor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: for people without an account (residents, partners)
    contributor_name: Mapped[str | None] = mapped_column(String(200))
    contributor_email: Mapped[str | None] = mapped_column(String(254), index=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), index=True
    )
    editor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    intake_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("intake_links.id", ondelete="SET NULL"), index=True
    )
    consent_withdrawn_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    contributor: Mapped[User | None] = relationship(foreign_keys=[contributor_id])
    editor: Mapped[User | None] = relationship(foreign_keys=[editor_id])
    campaign: Mapped[Campaign | None] = relationship()
    intake_link: Mapped[IntakeLink | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=story_themes, order_by="Theme.name")
    comments: Mapped[list[StoryComment]] = relationship(
        back_populates="story", cascade="all, delete-orphan", order_by="StoryComment.id"
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="story", cascade="all, delete-orphan", order_by="Consent.id"
    )
    photos: Mapped[list[Photo]] = relationship(
        back_populates="story",
        cascade="all, delete-orphan",
        order_by="(Photo.position, Photo.id)",
    )

    @property
    def contributor_display(self) -> str:
        if self.contributor is not None:
            return self.contributor.name
        return self.contributor_name or ""


class StoryComment(Base):
    __tablename__ = "story_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    story: Mapped[Story] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()


class Consent(Base):
    """What a person agreed to, with a snapshot of the exact text they saw."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    consent_version: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(2))
    consent_text: Mapped[str] = mapped_column(Text)
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    allow_story: Mapped[bool] = mapped_column(default=False)
    allow_name: Mapped[bool] = mapped_column(default=False)
    allow_photos: Mapped[bool] = mapped_column(default=False)
    withdrawn_at: Mapped[datetime | None]

    story: Mapped[Story] = relationship(back_populates="consents")


class Photo(Base):
    """A photo of a story: the normalised, metadata-free master in Storage, plus what editors add.

    The master is content-addressed (``storage_key`` is its SHA-256 plus a suffix); the focal point
    (fractions of width and height) is where channel crops centre.
    """

    __tablename__ = "photos"
    __table_args__ = (
        CheckConstraint("focal_x >= 0 AND focal_x <= 1", name="focal_x_fraction"),
        CheckConstraint("focal_y >= 0 AND focal_y <= 1", name="focal_y_fraction"),
        CheckConstraint("width > 0 AND height > 0", name="has_pixels"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(80), index=True)
    width: Mapped[int]
    height: Mapped[int]
    mime: Mapped[str] = mapped_column(String(32))
    byte_size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    alt_text: Mapped[str] = mapped_column(Text, default="")
    focal_x: Mapped[float] = mapped_column(Float, default=0.5)
    focal_y: Mapped[float] = mapped_column(Float, default=0.5)
    position: Mapped[int] = mapped_column(default=0)
    #: None for residents (no account) and for people who were erased
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    story: Mapped[Story] = relationship(back_populates="photos")
    uploaded_by: Mapped[User | None] = relationship()
    variants: Mapped[list[PhotoVariant]] = relationship(
        back_populates="photo", cascade="all, delete-orphan", order_by="PhotoVariant.id"
    )

    @property
    def has_alt_text(self) -> bool:
        return bool(self.alt_text.strip())


class PhotoVariant(Base):
    """A cached crop of a photo for one channel image spec, made once around the focal point.

    Rows are dropped when the focal point moves, so a row always matches the photo's focal point.
    """

    __tablename__ = "photo_variants"
    __table_args__ = (UniqueConstraint("photo_id", "channel_kind", "spec_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"))
    channel_kind: Mapped[str] = mapped_column(String(32))
    spec_name: Mapped[str] = mapped_column(String(32))
    storage_key: Mapped[str] = mapped_column(String(80), index=True)
    width: Mapped[int]
    height: Mapped[int]
    mime: Mapped[str] = mapped_column(String(32))
    byte_size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    photo: Mapped[Photo] = relationship(back_populates="variants")
