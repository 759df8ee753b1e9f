"""Claiming: take what is due for this process, and sweep what dead processes left behind.

PostgreSQL selects due rows ``FOR UPDATE SKIP LOCKED``; SQLite takes the write lock first
(``BEGIN IMMEDIATE``); either way each row is claimed by one process at a time, with a lease and
a raised attempt number that fences every later write. A claim is lost when its lease expires or,
much sooner, when its claimer's heartbeat went stale (planner.publishing.engine.heartbeat: the
process was killed); lost claims go back to ``retrying`` with the same idempotency key on
idempotent kinds and to ``needs_check`` elsewhere; rows overdue past the grace period are
``missed``. Idle probes read only, so an idle tick takes no write lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from planner.audit.services import record_event
from planner.channels.models import Channel
from planner.db import write_session
from planner.publishing.connections import waiting_for_reconnect
from planner.publishing.engine import kinds
from planner.publishing.engine.heartbeat import forget_dead, next_stale_at, stale_claimers
from planner.publishing.engine.shared import (
    ATTENTION,
    CLAIMABLE,
    Claim,
    EngineConfig,
    PublishReport,
    audit_target,
    follow,
)
from planner.publishing.models import FRAGMENT_DELIVERY, Delivery, DeliveryState
from planner.publishing.pause import any_open_pause, held_by_pause, hold_due, share_fence
from planner.publishing.registry import ENGINE_KINDS, may_send_again

MISSED = "Not sent within the grace period after its time (the scheduler was not running)."


LEASE_LOST_UNKNOWN = (
    "The publisher stopped while sending; this channel cannot tell whether the post went out. "
    "Check the channel, then mark it as posted or try again."
)


LEASE_LOST_RETRY = "The publisher stopped while sending; sending again with the same key."


def engine_channels() -> Any:
    return select(Channel.id).where(Channel.publisher_kind.in_(ENGINE_KINDS))


def _fragments_on(publisher_kinds: Any) -> Any:
    return and_(
        Delivery.kind == FRAGMENT_DELIVERY,
        Delivery.channel_id.in_(
            select(Channel.id).where(Channel.publisher_kind.in_(publisher_kinds))
        ),
    )


def engine_rows(*, idempotent: bool | None = None) -> Any:
    """Deliveries the engine sends: fragments on engine channels (idempotent or not by their
    channel's kind) and the registered kinds (planner.publishing.engine.kinds, by their own)."""
    if idempotent is None:
        publisher_kinds = list(ENGINE_KINDS)
    else:
        publisher_kinds = [k for k in ENGINE_KINDS if may_send_again(k) == idempotent]
    return or_(
        _fragments_on(publisher_kinds),
        Delivery.kind.in_(kinds.registered(idempotent=idempotent)),
    )


def lost_claims(now: datetime, config: EngineConfig) -> tuple[Any, ...]:
    """``sending`` rows whose claimer is gone: the lease ran out, or the heartbeat went stale."""
    return (
        Delivery.state == DeliveryState.SENDING,
        or_(
            Delivery.lease_expires_at < now,
            Delivery.claimed_by.in_(stale_claimers(now, config.claimer_stale)),
        ),
    )


def _front_of_the_queue(now: datetime, config: EngineConfig) -> Any:
    """Where a reclaimed row waits: at its old place, ahead of what fell due after it.

    A reconciling kind reads the account's latest posts before it sends again; sent to the back
    of a burst (not_before = now) it would look only after dozens of newer posts went out on the
    same account, and miss its own post. Only a row that would otherwise count as missed (its
    time lies beyond the grace period) moves to now, so it is still looked for, not given up.
    """
    return case((Delivery.not_before < now - config.grace, now), else_=Delivery.not_before)


def sweep(factory: sessionmaker[Session], now: datetime, config: EngineConfig) -> PublishReport:
    """Lost claims and overdue rows; one transaction, every change conditional on its state."""
    report = PublishReport()
    with write_session(factory) as session:
        expired = lost_claims(now, config)
        reclaimed = session.execute(
            update(Delivery)
            .where(
                *expired,
                Delivery.attempt < config.max_attempts,
                engine_rows(idempotent=True),
            )
            .values(
                state=DeliveryState.RETRYING,
                not_before=_front_of_the_queue(now, config),
                last_error=LEASE_LOST_RETRY,
                lease_expires_at=None,
                updated_at=now,
            )
            .returning(Delivery.id),
            execution_options={"synchronize_session": False},
        ).all()
        report.reclaimed = len(reclaimed)
        for state, message, which in (
            (DeliveryState.NEEDS_CHECK, LEASE_LOST_UNKNOWN, engine_rows(idempotent=False)),
            # what is left: idempotent rows whose process died on their last allowed attempt
            (DeliveryState.FAILED, "Gave up: the publisher stopped on the last attempt.", None),
        ):
            rows = session.execute(
                update(Delivery)
                .where(*expired, which if which is not None else engine_rows())
                .values(state=state, last_error=message, lease_expires_at=None, updated_at=now)
                .returning(Delivery.id, Delivery.fragment_id),
                execution_options={"synchronize_session": False},
            ).all()
            _record_bulk(session, rows, state, report)
        late = session.execute(
            update(Delivery)
            .where(
                Delivery.state.in_(CLAIMABLE),
                Delivery.held_at.is_(None),
                Delivery.not_before < now - config.grace,
                engine_rows(),
                # a paused row is held by the claim below, not missed
                ~held_by_pause(),
                # nor is a row waiting for its channel to be connected again
                ~waiting_for_reconnect(),
            )
            .values(state=DeliveryState.MISSED, last_error=MISSED, updated_at=now)
            .returning(Delivery.id, Delivery.fragment_id),
            execution_options={"synchronize_session": False},
        ).all()
        _record_bulk(session, late, DeliveryState.MISSED, report)
        forget_dead(session, now, config.lease)
    return report


def _record_bulk(
    session: Session, rows: Sequence[Any], state: DeliveryState, report: PublishReport
) -> None:
    if not rows:
        return
    follow(session, [row.fragment_id for row in rows if row.fragment_id is not None], state)
    for row in rows:
        report.count(state)
        if state in ATTENTION:
            report.attention_ids.append(row.id)
        record_event(
            session,
            None,
            f"delivery.{state.value}",
            audit_target(row.fragment_id, row.id),
            delivery=row.id,
        )


def claim_due(
    factory: sessionmaker[Session],
    now: datetime,
    worker: str,
    config: EngineConfig,
    *,
    limit: int | None = None,
    held: list[int] | None = None,
) -> list[Claim]:
    """Take up to ``limit`` (or ``batch_size``) due rows for this worker and commit, so nobody
    else takes them.

    A crisis pause is fenced here (planner.publishing.pause): the shared fence first, then what
    falls due under an open pause is held (its ids added to ``held``), and only the rest is read.
    """
    with write_session(factory) as session:
        share_fence(session)
        # Read under the fence: a pause that committed before this point is seen here. Without
        # an open pause (nearly always) the claim pays one lookup in a tiny table, nothing more.
        paused = any_open_pause(session)
        if paused:
            newly_held = hold_due(session, now)
            if held is not None:
                held.extend(newly_held)
        due = (
            select(Delivery.id)
            .where(
                Delivery.state.in_(CLAIMABLE),
                Delivery.held_at.is_(None),
                Delivery.not_before <= now,
                engine_rows(),
                ~waiting_for_reconnect(),
                *([~held_by_pause()] if paused else []),
            )
            .order_by(Delivery.not_before, Delivery.id)
            .limit(limit or config.batch_size)
            # PostgreSQL: rows another claimer holds are skipped, not waited for. SQLite renders
            # no FOR UPDATE; its BEGIN IMMEDIATE already excludes every other writer.
            .with_for_update(skip_locked=True)
        )
        ids = list(session.scalars(due))
        if not ids:
            return []
        rows = session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.state.in_(CLAIMABLE))
            .values(
                state=DeliveryState.SENDING,
                attempt=Delivery.attempt + 1,
                lease_expires_at=now + config.lease,
                claimed_by=worker[:100],
                updated_at=now,
            )
            .returning(Delivery.id, Delivery.attempt),
            execution_options={"synchronize_session": False},
        ).all()
    claims = [Claim(row.id, row.attempt) for row in rows]
    claims.sort(key=lambda claim: ids.index(claim.delivery_id))
    return claims


def probe(
    factory: sessionmaker[Session], now: datetime, config: EngineConfig
) -> tuple[datetime | None, bool]:
    """The earliest moment there is work (a claimable row, or a claim whose claimer will count
    as stopped) and whether any claim is lost already; read only."""
    with factory() as session:
        upcoming = _next_work(session, config)
        expired = session.scalar(select(Delivery.id).where(*lost_claims(now, config)).limit(1))
    return upcoming, expired is not None


def _next_work(session: Session, config: EngineConfig) -> datetime | None:
    due = session.scalar(
        select(func.min(Delivery.not_before)).where(
            Delivery.state.in_(CLAIMABLE),
            Delivery.held_at.is_(None),
            engine_rows(),
            ~waiting_for_reconnect(),
        )
    )
    stale = next_stale_at(session, config.claimer_stale)
    return min((t for t in (due, stale) if t is not None), default=None)


def next_due_at(factory: sessionmaker[Session], config: EngineConfig) -> datetime | None:
    """When to wake next: the next claimable row, or the moment a silent claimer's rows may be
    reclaimed (so a restarted publisher does not wait for its next interval tick)."""
    with factory() as session:
        return _next_work(session, config)
