"""What people do with deliveries: the to-post-by-hand list, and resolving the ones the engine
could not settle (retry, mark as posted, cancel).

A person saying "I posted it" is a publication like any other: the delivery becomes sent and an
archive record is written with method "by_hand" and who recorded it. Retrying gets a new
idempotency key, because the person decided the earlier attempt did not publish.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.approval.models import ApprovalDecision, FragmentApproval
from planner.audit.services import record_event
from planner.channels.models import Channel
from planner.errors import ConflictError, NotFoundError, ValidationError
from planner.fragments.gate import fragment_photos
from planner.fragments.models import Fragment, FragmentStatus
from planner.fragments.progress import story_follows_fragments
from planner.fragments.services import lock_for_change
from planner.publishing import pause
from planner.publishing.archive import publication_content
from planner.publishing.models import (
    ACTIVE_DELIVERY_STATES,
    FRAGMENT_DELIVERY,
    Delivery,
    DeliveryState,
    Publication,
    new_idempotency_key,
)
from planner.publishing.withdrawal import require_consent
from planner.stories.models import Photo, Story
from planner.stories.photos import photos_may_go_out

Action = Literal["retry", "mark_posted", "cancel", "release"]
ACTIONS: tuple[Action, ...] = ("retry", "mark_posted", "cancel", "release")

#: deliveries a person has to look at
ATTENTION_STATES = (DeliveryState.FAILED, DeliveryState.MISSED, DeliveryState.NEEDS_CHECK)
#: how far ahead the by-hand list looks
BY_HAND_HORIZON = timedelta(days=2)
_RETRYABLE = ATTENTION_STATES
_POSTABLE = (*ATTENTION_STATES, DeliveryState.PENDING, DeliveryState.RETRYING)
_CANCELLABLE = _POSTABLE


def get_delivery(session: Session, actor: User | None, delivery_id: int) -> Delivery:
    require_role(actor, Role.EDITOR)
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFoundError("This delivery does not exist.")
    return delivery


def list_deliveries(
    session: Session, actor: User | None, *, fragment_id: int | None = None
) -> list[Delivery]:
    require_role(actor, Role.EDITOR)
    query = (
        select(Delivery)
        .where(Delivery.kind == FRAGMENT_DELIVERY)
        .order_by(Delivery.due_at.desc(), Delivery.id.desc())
    )
    if fragment_id is not None:
        query = query.where(Delivery.fragment_id == fragment_id)
    return list(session.scalars(query.limit(500)))


def list_by_hand(
    session: Session, actor: User | None, now: datetime, *, horizon: timedelta = BY_HAND_HORIZON
) -> list[Delivery]:
    """Deliveries of manual channels that are due, overdue or due within ``horizon``; never a
    story whose consent was withdrawn (its deliveries are cancelled then, this is the fence)."""
    require_role(actor, Role.EDITOR)
    return list(
        session.scalars(
            select(Delivery)
            .join(Channel, Delivery.channel_id == Channel.id)
            .join(Fragment, Delivery.fragment_id == Fragment.id)
            .join(Story, Fragment.story_id == Story.id)
            .where(
                Story.consent_withdrawn_at.is_(None),
                Channel.publisher_kind == "manual",
                Delivery.state.in_(ACTIVE_DELIVERY_STATES),
                Delivery.due_at <= now + horizon,
            )
            .options(joinedload(Delivery.fragment), joinedload(Delivery.channel))
            .order_by(Delivery.due_at, Delivery.id)
        )
    )


def list_attention(session: Session, actor: User | None, now: datetime) -> list[Delivery]:
    """Held, failed, missed and needs-check deliveries, and by-hand posts that are overdue."""
    require_role(actor, Role.EDITOR)
    held = pause.list_held(session, actor)
    problems = session.scalars(
        select(Delivery)
        .where(Delivery.state.in_(ATTENTION_STATES), Delivery.kind == FRAGMENT_DELIVERY)
        .options(joinedload(Delivery.fragment), joinedload(Delivery.channel))
        .order_by(Delivery.due_at, Delivery.id)
        .limit(200)
    )
    overdue = session.scalars(
        select(Delivery)
        .join(Channel, Delivery.channel_id == Channel.id)
        .where(
            Channel.publisher_kind == "manual",
            Delivery.state.in_(ACTIVE_DELIVERY_STATES),
            Delivery.due_at < now,
        )
        .options(joinedload(Delivery.fragment), joinedload(Delivery.channel))
        .order_by(Delivery.due_at, Delivery.id)
        .limit(200)
    )
    seen = {d.id for d in held}
    rest = [d for d in [*problems, *overdue] if d.id not in seen]
    return [*held, *sorted(rest, key=lambda d: (d.due_at, d.id))]


def is_overdue(delivery: Delivery, now: datetime) -> bool:
    return delivery.state in ACTIVE_DELIVERY_STATES and delivery.due_at < now


def clean_post_url(url: str | None) -> str:
    """An absolute http(s) URL with a host, as the address of a post someone made by hand."""
    cleaned = (url or "").strip()
    if not cleaned:
        raise ValidationError("Paste the address of the post.", field="url")
    if len(cleaned) > 2000 or any(c.isspace() for c in cleaned):
        raise ValidationError("This is not a valid web address.", field="url")
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        raise ValidationError("This is not a valid web address.", field="url") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            "Use the full address of the post, starting with https://.", field="url"
        )
    return cleaned


def _approvers(session: Session, fragment: Fragment, version: int) -> list[str]:
    approvals = session.scalars(
        select(FragmentApproval)
        .where(
            FragmentApproval.fragment_id == fragment.id,
            FragmentApproval.version == version,
            FragmentApproval.decision == ApprovalDecision.APPROVED,
        )
        .order_by(FragmentApproval.id)
    )
    return [a.archive_label() for a in approvals]


def by_hand_photos(fragment: Fragment) -> list[Photo]:
    """The photos a person is offered to post with it: the fragment's described choices, while
    the story's consent allows photos (the by-hand list shows these, the archive records them)."""
    if not photos_may_go_out(fragment.story):
        return []
    return [p for p in fragment_photos(fragment) if p.alt_text.strip()]


def _media(fragment: Fragment) -> list[dict[str, str]]:
    """The photos a person was offered to post with it: the fragment's described choices."""
    return [
        {"sha256": p.sha256, "alt": p.alt_text.strip(), "mime": p.mime}
        for p in by_hand_photos(fragment)
    ]


def archive_by_hand(
    session: Session, actor: User, delivery: Delivery, url: str, now: datetime
) -> Publication:
    """The archive record of a post a person made themselves, with the text as approved."""
    fragment = delivery.fragment
    publication = Publication(
        delivery_id=delivery.id,
        **publication_content(
            fragment,
            delivery.channel,
            parts=fragment.parts if fragment.kind in ("post", "thread") else [fragment.text()],
            approvers=_approvers(session, fragment, fragment.version),
            media=_media(fragment),
        ),
        published_at=now,
        remote_url=url,
        method="by_hand",
        recorded_by_id=actor.id,
        created_at=now,
    )
    session.add(publication)
    return publication


def mark_posted(
    session: Session, actor: User | None, delivery: Delivery, url: str | None, now: datetime
) -> Delivery:
    """A person posted it: the delivery is sent, the fragment published, the archive written."""
    actor = require_role(actor, Role.EDITOR)
    cleaned = clean_post_url(url)
    lock_for_change(session, delivery.fragment)
    if delivery.fragment is not None:
        require_consent(delivery.fragment.story)
    if delivery.state not in _POSTABLE:
        raise ConflictError(_state_refusal(delivery), state=delivery.state.value)
    delivery.state = DeliveryState.SENT
    delivery.sent_at = now
    delivery.remote_url = cleaned
    delivery.lease_expires_at = None
    delivery.updated_at = now
    delivery.fragment.status = FragmentStatus.PUBLISHED
    archive_by_hand(session, actor, delivery, cleaned, now)
    session.flush()
    story_follows_fragments(session, [delivery.fragment_id])
    record_event(
        session, actor, "delivery.mark_posted", delivery.fragment, delivery=delivery.id, url=cleaned
    )
    return delivery


def _state_refusal(delivery: Delivery) -> str:
    if delivery.state == DeliveryState.SENDING:
        return "This delivery is being sent right now; wait for the outcome."
    if delivery.state == DeliveryState.SENT:
        return "This delivery has already been published."
    if delivery.state == DeliveryState.CANCELLED:
        return "This delivery was cancelled."
    return "This delivery cannot be changed in its current state."


def retry_delivery(
    session: Session, actor: User | None, delivery: Delivery, now: datetime
) -> Delivery:
    """Send again now, with a new idempotency key: a person decided the last attempt failed."""
    actor = require_role(actor, Role.EDITOR)
    lock_for_change(session, delivery.fragment)
    if delivery.fragment is not None:
        require_consent(delivery.fragment.story)
    if delivery.state not in _RETRYABLE:
        raise ConflictError(
            "Only a failed, missed or unchecked delivery can be tried again.",
            state=delivery.state.value,
        )
    other = session.scalar(
        select(Delivery.id).where(
            Delivery.fragment_id == delivery.fragment_id,
            Delivery.state.in_(ACTIVE_DELIVERY_STATES),
            Delivery.id != delivery.id,
        )
    )
    if other is not None:
        raise ConflictError("This fragment is already planned again; cancel that first.")
    delivery.state = DeliveryState.PENDING
    delivery.not_before = now
    delivery.idempotency_key = new_idempotency_key()
    delivery.last_error = None
    delivery.lease_expires_at = None
    delivery.updated_at = now
    fragment = delivery.fragment
    if fragment.status != FragmentStatus.PUBLISHED:
        fragment.status = FragmentStatus.SCHEDULED
    session.flush()
    record_event(session, actor, "delivery.retry", fragment, delivery=delivery.id)
    return delivery


def cancel_delivery(
    session: Session, actor: User | None, delivery: Delivery, now: datetime
) -> Delivery:
    """Stop a delivery; its fragment goes back to approved, off the calendar."""
    actor = require_role(actor, Role.EDITOR)
    lock_for_change(session, delivery.fragment)
    if delivery.state not in _CANCELLABLE:
        raise ConflictError(_state_refusal(delivery), state=delivery.state.value)
    delivery.state = DeliveryState.CANCELLED
    delivery.lease_expires_at = None
    delivery.updated_at = now
    fragment = delivery.fragment
    if fragment.status in (FragmentStatus.SCHEDULED, FragmentStatus.FAILED):
        fragment.status = FragmentStatus.APPROVED
        fragment.scheduled_at = None
    session.flush()
    record_event(session, actor, "delivery.cancel", fragment, delivery=delivery.id)
    return delivery


def resolve_delivery(
    session: Session,
    actor: User | None,
    delivery: Delivery,
    action: str,
    now: datetime,
    *,
    url: str | None = None,
) -> Delivery:
    """The next step a person chose for a delivery: retry, mark_posted (with the URL), cancel,
    or release (one a crisis pause held)."""
    if action == "retry":
        return retry_delivery(session, actor, delivery, now)
    if action == "mark_posted":
        return mark_posted(session, actor, delivery, url, now)
    if action == "cancel":
        return cancel_delivery(session, actor, delivery, now)
    if action == "release":
        return pause.release_delivery(session, actor, delivery, now)
    raise ValidationError("Choose retry, mark_posted, cancel or release.", field="action")
