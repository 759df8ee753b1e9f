"""What every step of the engine shares: its settings, the claim, the run's report, and how a
fragment follows its delivery's state."""

from __future__ import annotations

import random
import types
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import update
from sqlalchemy.orm import Session

from planner.fragments.models import Fragment, FragmentStatus
from planner.publishing.engine.links import LinkTracker
from planner.publishing.models import Delivery, DeliveryState
from planner.publishing.ports import PublishRequest, PublishResult
from planner.publishing.retry import BASE_DELAY, MAX_ATTEMPTS, RandomSource

CLAIMABLE = (DeliveryState.PENDING, DeliveryState.RETRYING)


#: end states a person has to act on
ATTENTION = (DeliveryState.FAILED, DeliveryState.MISSED, DeliveryState.NEEDS_CHECK)


@dataclass(frozen=True)
class EngineConfig:
    lease: timedelta = timedelta(minutes=5)
    #: how often a run holding claims beats (planner.publishing.engine.heartbeat)
    heartbeat: timedelta = timedelta(seconds=1)
    #: beats missed before a claimer counts as stopped and its rows are reclaimed
    stale_beats: int = 5
    grace: timedelta = timedelta(minutes=15)
    max_attempts: int = MAX_ATTEMPTS
    #: rows claimed per transaction
    batch_size: int = 100
    #: outbound requests at once; 1 runs everything in the calling thread
    concurrency: int = 8
    retry_base: float = BASE_DELAY
    rand: RandomSource = random.random
    base_url: str = "http://127.0.0.1:5000"
    #: puts tracked short links in outgoing text (planner.publishing.engine.links); None: as is
    links: LinkTracker | None = None

    @property
    def claimer_stale(self) -> timedelta:
        """A claimer quiet for this long has stopped; never longer than the lease."""
        return min(self.heartbeat * self.stale_beats, self.lease)


@dataclass
class PublishReport:
    """What one run did, by outcome; ``next_due_at`` says when to wake up next."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    needs_check: int = 0
    missed: int = 0
    cancelled: int = 0
    reclaimed: int = 0
    #: fell due under a crisis pause and wait for a person (planner.publishing.pause)
    held: int = 0
    #: settles refused by the fencing rule (someone else owns the row now)
    fenced_out: int = 0
    next_due_at: datetime | None = None
    sent_ids: list[int] = field(default_factory=list)
    #: deliveries this run left failed, missed or needs_check (their owners are told)
    attention_ids: list[int] = field(default_factory=list)

    def count(self, state: DeliveryState) -> None:
        name = state.value
        setattr(self, name, getattr(self, name) + 1)

    def absorb(self, other: PublishReport) -> None:
        """Add another step's counts and ids (a sweep in the middle of a run)."""
        for item in fields(self):
            mine, theirs = getattr(self, item.name), getattr(other, item.name)
            if isinstance(mine, int):
                setattr(self, item.name, mine + theirs)
            elif isinstance(mine, list):
                mine.extend(theirs)


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    attempt: int


def audit_target(fragment_id: int | None, delivery_id: int | None = None) -> Any:
    """An audit target for a fragment without loading it; a delivery of another kind (an inbox
    reply) has no fragment and is its own target."""
    if fragment_id is None:
        return types.SimpleNamespace(__tablename__="deliveries", id=delivery_id)
    return types.SimpleNamespace(__tablename__="fragments", id=fragment_id)


FRAGMENT_STATUS = {
    DeliveryState.SENT: FragmentStatus.PUBLISHED,
    DeliveryState.FAILED: FragmentStatus.FAILED,
    DeliveryState.MISSED: FragmentStatus.FAILED,
    DeliveryState.NEEDS_CHECK: FragmentStatus.FAILED,
    DeliveryState.CANCELLED: FragmentStatus.FAILED,
}


def follow(session: Session, fragment_ids: Sequence[int], state: DeliveryState) -> None:
    status = FRAGMENT_STATUS.get(state)
    if status is None or not fragment_ids:
        return
    query = update(Fragment).where(Fragment.id.in_(fragment_ids))
    if state != DeliveryState.SENT:
        # A withdrawn fragment stays withdrawn (consent.md): only a post that went out after all
        # becomes published, and then the take-down list shows it.
        query = query.where(Fragment.status != FragmentStatus.WITHDRAWN)
    session.execute(query.values(status=status), execution_options={"synchronize_session": False})


class InTransactionPublisher(Protocol):
    """A channel inside this application (the built-in blog).

    It writes its post in the engine's settling transaction, the one that also marks the delivery
    sent, so the post and the ``sent`` row are committed together: exactly once by construction.
    It raises the same ``PublishError`` subclasses as a ``Publisher``; the transaction then rolls
    back and nothing was published.
    """

    def publish_in_transaction(
        self,
        session: Session,
        delivery: Delivery,
        now: datetime,
        *,
        base_url: str,
        request: PublishRequest | None = None,
    ) -> PublishResult:
        """``request`` is the prepared request (its text carries the tracked links); None when
        the caller has none (the demo's seeding)."""
        ...
