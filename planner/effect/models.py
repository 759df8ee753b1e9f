"""The effect's records: our own tracked links, their click counters, the reactions platforms
report on our posts, the figures people type in, and the goals campaigns and themes aim for.

Nothing here describes a person who clicked: a click only raises a counter per link, day (in the
organisation's timezone), referrer host and kind (a person, a bot or link preview, a HEAD
request). The processing register (README, "Measuring the effect") says so for the privacy officer.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import Base, enum_column, utcnow
from planner.stories.models import Campaign, Theme


class TrackedLink(Base):
    """One link of one publication, rewritten to ``/l/<code>``; written once at publish time.

    ``position`` is the link's place among the distinct links of the delivery, so a retry of the
    same delivery finds the same codes and sends the same text again.
    """

    __tablename__ = "effect_links"
    __table_args__ = (
        UniqueConstraint("delivery_id", "position", name="uq_effect_links_delivery_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL")
    )
    fragment_id: Mapped[int | None] = mapped_column(
        ForeignKey("fragments.id", ondelete="SET NULL"), index=True
    )
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int]
    #: the link as the editor wrote it
    target_url: Mapped[str] = mapped_column(String(2000))
    utm_source: Mapped[str] = mapped_column(String(100))
    utm_medium: Mapped[str] = mapped_column(String(20))
    utm_campaign: Mapped[str] = mapped_column(String(200), default="")
    utm_content: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClickKind(enum.Enum):
    """Who followed a link, as far as the request says without identifying anyone."""

    PERSON = "person"
    #: crawlers and link-preview fetchers (left out of the figures)
    BOT = "bot"
    #: HEAD requests (link checkers, previews); left out too
    HEAD = "head"


class ClickCount(Base):
    """How often a link was followed on one day from one referrer host, by kind."""

    __tablename__ = "effect_clicks"
    __table_args__ = (
        UniqueConstraint(
            "link_id", "day", "referrer_host", "kind", name="uq_effect_clicks_link_day_host_kind"
        ),
        CheckConstraint("clicks >= 0", name="clicks_not_negative"),
        Index("ix_effect_clicks_day", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("effect_links.id", ondelete="CASCADE"))
    #: the day in the organisation's timezone
    day: Mapped[date]
    #: only the host of the Referer header ("" when there was none)
    referrer_host: Mapped[str] = mapped_column(String(255), default="")
    kind: Mapped[ClickKind] = mapped_column(enum_column(ClickKind, "click_kind"))
    clicks: Mapped[int] = mapped_column(default=0)

    link: Mapped[TrackedLink] = relationship()


class ReactionSnapshot(Base):
    """What a platform said about one of our posts at a fixed moment after publication.

    One row per publication and moment ("1h", "24h", ...): the unique key makes taking a snapshot
    a claim, so two schedulers never record the same moment twice.
    """

    __tablename__ = "effect_snapshots"
    __table_args__ = (
        UniqueConstraint("publication_id", "moment", name="uq_effect_snapshots_publication_moment"),
        CheckConstraint(
            "favourites >= 0 AND reblogs >= 0 AND replies >= 0", name="counts_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"))
    fragment_id: Mapped[int | None] = mapped_column(
        ForeignKey("fragments.id", ondelete="SET NULL"), index=True
    )
    moment: Mapped[str] = mapped_column(String(8))
    due_at: Mapped[datetime]
    taken_at: Mapped[datetime]
    favourites: Mapped[int] = mapped_column(default=0)
    reblogs: Mapped[int] = mapped_column(default=0)
    replies: Mapped[int] = mapped_column(default=0)


class ManualMetric(Base):
    """Figures a person read in a platform's own app and typed in, with who and when."""

    __tablename__ = "effect_manual_metrics"
    __table_args__ = (
        CheckConstraint("reach >= 0 AND reactions >= 0 AND shares >= 0", name="not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fragment_id: Mapped[int] = mapped_column(
        ForeignKey("fragments.id", ondelete="CASCADE"), index=True
    )
    reach: Mapped[int] = mapped_column(default=0)
    reactions: Mapped[int] = mapped_column(default=0)
    shares: Mapped[int] = mapped_column(default=0)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: copied, so the record still says who after the account is erased
    entered_by_name: Mapped[str] = mapped_column(String(200))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)


class GoalMetric(enum.Enum):
    CLICKS = "clicks"
    REACTIONS = "reactions"


class Goal(Base):
    """What a campaign or a theme aims for: so many clicks or reactions by a date."""

    __tablename__ = "effect_goals"
    __table_args__ = (
        CheckConstraint("(campaign_id IS NULL) <> (theme_id IS NULL)", name="campaign_or_theme"),
        CheckConstraint("target > 0", name="target_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), index=True
    )
    metric: Mapped[GoalMetric] = mapped_column(enum_column(GoalMetric, "goal_metric"))
    target: Mapped[int]
    starts_on: Mapped[date]
    due_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    campaign: Mapped[Campaign | None] = relationship()
    theme: Mapped[Theme | None] = relationship()
