"""The built-in blog's posts and the reviewer links for people without an account.

A blog post is written inside the same transaction that settles its delivery, and its unique
``delivery_id`` makes a second attempt find the first post instead of writing another: the one
channel that is exactly once by construction. A reviewer link stores only the hash of its token,
so a database dump cannot be used to approve anything.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import Base, utcnow
from planner.fragments.models import Fragment
from planner.stories.models import Photo


class BlogPost(Base):
    __tablename__ = "blog_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    lead: Mapped[str | None] = mapped_column(Text)
    #: Markdown as approved
    body: Mapped[str] = mapped_column(Text, default="")
    #: the body rendered and sanitised (planner.markup.render_markdown) at publication
    html: Mapped[str] = mapped_column(Text, default="")
    hero_photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(index=True)
    fragment_id: Mapped[int | None] = mapped_column(
        ForeignKey("fragments.id", ondelete="SET NULL"), index=True
    )
    #: unique: one delivery makes at most one post, whatever retries happen
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: when the post was corrected in place, and what was corrected (shown on the post)
    corrected_at: Mapped[datetime | None]
    correction_note: Mapped[str | None] = mapped_column(Text)

    fragment: Mapped[Fragment | None] = relationship()
    hero_photo: Mapped[Photo | None] = relationship()
