"""Consent withdrawn stops everything at once: what publishing does when a story may no longer be
told, and the "take this down" list of what already went out by other hands than ours.

The moment a withdrawal is recorded (``planner.stories.events.consent_withdrawn``, in the same
transaction) every delivery of the story that has not gone out is cancelled, not when it falls
due, and its fragments become "withdrawn", so the calendar, the fragment page and the by-hand list
all say so. A delivery the engine is sending right now cannot be called back: if it goes out, it
lands on the take-down list like every other publication of the story on an outside channel.
Posts on the built-in blog need no person: the blog hides them the moment consent is withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.channels.models import Channel
from planner.errors import ConflictError, NotFoundError
from planner.fragments.models import Fragment, FragmentStatus
from planner.publishing.models import Delivery, DeliveryState, Publication, Takedown
from planner.stories.events import consent_withdrawn
from planner.stories.models import Story

#: the reason a cancelled delivery shows
CONSENT_WITHDRAWN = "Consent for the story was withdrawn; the publication was stopped."
#: what a person is told who tries to post or retry a withdrawn story
REFUSED = "Consent for this story was withdrawn; nothing made from it can be published."
#: deliveries that have not gone out and are not going out this very moment
_STOPPABLE = (
    DeliveryState.PENDING,
    DeliveryState.RETRYING,
    DeliveryState.FAILED,
    DeliveryState.MISSED,
    DeliveryState.NEEDS_CHECK,
)


def require_consent(story: Story) -> None:
    """Refuse (ConflictError) anything that would publish a story whose consent was withdrawn."""
    if story.consent_withdrawn_at is not None:
        raise ConflictError(REFUSED)


def stop_story(session: Session, *, story: Story, actor: User | None, now: datetime) -> int:
    """Cancel every delivery of the story that has not gone out and mark its unpublished
    fragments withdrawn; returns how many deliveries were cancelled.

    Delivery updates are fenced by the attempt (Delivery's version column): if the engine claimed
    a row after we read it, the flush fails and the withdrawal with it (409, try again), so a
    withdrawal never overwrites a claim it did not see.
    """
    fragments = list(session.scalars(select(Fragment).where(Fragment.story_id == story.id)))
    if not fragments:
        return 0
    cancelled = 0
    for delivery in session.scalars(
        select(Delivery).where(
            Delivery.fragment_id.in_([f.id for f in fragments]),
            Delivery.state.in_(_STOPPABLE),
        )
    ):
        delivery.state = DeliveryState.CANCELLED
        delivery.last_error = CONSENT_WITHDRAWN
        delivery.lease_expires_at = None
        delivery.updated_at = now
        cancelled += 1
    for fragment in fragments:
        if fragment.status not in (FragmentStatus.PUBLISHED, FragmentStatus.WITHDRAWN):
            fragment.status = FragmentStatus.WITHDRAWN
    session.flush()
    record_event(session, actor, "story.stop_publishing", story, cancelled=cancelled)
    return cancelled


def _on_consent_withdrawn(session: Session, **kwargs: Any) -> None:
    stop_story(session, story=kwargs["story"], actor=kwargs.get("actor"), now=kwargs["now"])


def connect_reactions() -> None:
    """Listen to the stories feature: a withdrawal stops the story. Idempotent."""
    consent_withdrawn.connect(_on_consent_withdrawn)


@dataclass(frozen=True, slots=True)
class ToTakeDown:
    """A publication of a withdrawn story that a person has to remove from its channel."""

    publication: Publication
    story_title: str
    withdrawn_at: datetime


def list_takedowns(session: Session, actor: User | None) -> list[ToTakeDown]:
    """Publications of withdrawn stories on outside channels nobody has confirmed as removed."""
    require_role(actor, Role.EDITOR)
    rows = session.execute(
        select(Publication, Story.title, Story.consent_withdrawn_at)
        .join(Fragment, Fragment.id == Publication.fragment_id)
        .join(Story, Story.id == Fragment.story_id)
        .outerjoin(Channel, Channel.id == Publication.channel_id)
        .outerjoin(Takedown, Takedown.publication_id == Publication.id)
        .where(
            Story.consent_withdrawn_at.is_not(None),
            Takedown.id.is_(None),
            # The blog takes its own posts down (404 the moment consent is withdrawn).
            (Channel.publisher_kind.is_(None)) | (Channel.publisher_kind != "blog"),
        )
        .order_by(Story.consent_withdrawn_at, Publication.id)
        .limit(200)
    )
    return [ToTakeDown(pub, title, at) for pub, title, at in rows if at is not None]


def confirm_taken_down(
    session: Session, actor: User | None, publication_id: int, now: datetime
) -> Takedown:
    """A person removed the post from its channel: it leaves the take-down list."""
    actor = require_role(actor, Role.EDITOR)
    publication = session.get(Publication, publication_id)
    if publication is None:
        raise NotFoundError("This publication does not exist.")
    fragment = session.get(Fragment, publication.fragment_id) if publication.fragment_id else None
    if fragment is None or fragment.story.consent_withdrawn_at is None:
        raise ConflictError("Only a publication of a withdrawn story is taken down here.")
    existing = session.scalar(select(Takedown).where(Takedown.publication_id == publication.id))
    if existing is not None:
        return existing
    takedown = Takedown(publication=publication, taken_down_by_id=actor.id, taken_down_at=now)
    session.add(takedown)
    session.flush()
    record_event(
        session,
        actor,
        "publication.taken_down",
        publication,
        url=publication.remote_url,
    )
    return takedown
