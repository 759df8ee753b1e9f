"""Settling: write each outcome with an UPDATE fenced on (id, attempt, ``sending``), so a process
that lost its lease, or a person who cancelled in between, is never overwritten; and decide what
an adapter's error means (retry with backoff, give up, or ask a person).

A sent delivery gets its archive record (planner.publishing.archive) in the same transaction, and
its fragment follows it (published, or failed for a person to look at), and the fragment's story
follows that (planner.fragments.progress).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from planner.audit.services import record_event
from planner.fragments.models import Fragment
from planner.fragments.progress import story_follows_fragments
from planner.publishing.connections import mark_reconnect
from planner.publishing.engine.request import Job
from planner.publishing.engine.shared import (
    FRAGMENT_STATUS,
    Claim,
    EngineConfig,
    audit_target,
)
from planner.publishing.models import ChannelConnection, Delivery, DeliveryState, Publication
from planner.publishing.ports import (
    PermanentPublishError,
    PublishResult,
    ReconnectRequiredError,
    TransientPublishError,
)
from planner.publishing.registry import may_send_again
from planner.publishing.retry import next_attempt_at


@dataclass(frozen=True)
class Outcome:
    state: DeliveryState
    error: str | None = None
    not_before: datetime | None = None
    result: PublishResult | None = None
    #: back to pending and held: a crisis pause began before the request left
    held: bool = False
    #: back to pending: the channel's authorisation is gone, it waits for an admin to connect
    #: the channel again (planner.publishing.connections)
    reconnect: bool = False
    #: for a reconnect: what the platform said, kept on the channel's connection
    problem: str | None = None


WAITING_FOR_RECONNECT = "Waiting: the channel must be connected again."


def fenced(claim: Claim) -> tuple[Any, ...]:
    return (
        Delivery.id == claim.delivery_id,
        Delivery.attempt == claim.attempt,
        Delivery.state == DeliveryState.SENDING,
    )


def settle(session: Session, job: Job, outcome: Outcome, now: datetime) -> bool:
    """Write the outcome if this attempt still owns the row; False when fenced out."""
    return bool(settle_all(session, [(job, outcome)], now))


def settle_all(
    session: Session, items: Sequence[tuple[Job, Outcome]], now: datetime
) -> list[tuple[Job, Outcome]]:
    """Write several outcomes; each UPDATE is fenced on its own. Returns those written.

    Core statements on the session's connection (no autoflush per row): a burst settles in
    groups, and per-row ORM flushes were most of the engine's cost.
    """
    conn = session.connection()
    table = cast(Table, Delivery.__table__)
    if not items:
        return []
    items = [(job, _wait_or_fail(session, job, outcome, now)) for job, outcome in items]
    # Lock the rows this attempt still owns, then write them all in one executemany: the lock
    # (SQLite: the BEGIN IMMEDIATE write lock) keeps the check and the write together, and the
    # UPDATE repeats the fence anyway.
    ids = [job.claim.delivery_id for job, _ in items]
    owned = {
        (row.id, row.attempt)
        for row in conn.execute(
            select(table.c.id, table.c.attempt)
            .where(table.c.id.in_(ids), table.c.state == DeliveryState.SENDING)
            .with_for_update()
        )
    }
    written = [
        (job, outcome)
        for job, outcome in items
        if (job.claim.delivery_id, job.claim.attempt) in owned
    ]
    if written:
        conn.execute(
            update(table)
            .where(
                table.c.id == bindparam("b_id"),
                table.c.attempt == bindparam("b_attempt"),
                table.c.state == DeliveryState.SENDING,
            )
            .values(
                state=bindparam("b_state", type_=table.c.state.type),
                last_error=bindparam("b_error", type_=table.c.last_error.type),
                lease_expires_at=None,
                updated_at=now,
                not_before=func.coalesce(
                    bindparam("b_not_before", type_=table.c.not_before.type), table.c.not_before
                ),
                remote_id=func.coalesce(
                    bindparam("b_remote_id", type_=table.c.remote_id.type), table.c.remote_id
                ),
                remote_url=func.coalesce(
                    bindparam("b_remote_url", type_=table.c.remote_url.type), table.c.remote_url
                ),
                sent_at=func.coalesce(
                    bindparam("b_sent_at", type_=table.c.sent_at.type), table.c.sent_at
                ),
                held_at=func.coalesce(
                    bindparam("b_held_at", type_=table.c.held_at.type), table.c.held_at
                ),
            ),
            [
                {
                    "b_id": job.claim.delivery_id,
                    "b_attempt": job.claim.attempt,
                    "b_state": outcome.state,
                    "b_error": outcome.error,
                    "b_not_before": outcome.not_before,
                    "b_remote_id": outcome.result.remote_id[:300] if outcome.result else None,
                    "b_remote_url": (outcome.result.remote_url or None) if outcome.result else None,
                    "b_sent_at": now if outcome.result else None,
                    "b_held_at": now if outcome.held else None,
                }
                for job, outcome in written
            ],
        )
    fragments = cast(Table, Fragment.__table__)
    by_state: dict[DeliveryState, list[int]] = {}
    for job, outcome in written:
        if job.fragment_id is not None:
            by_state.setdefault(outcome.state, []).append(job.fragment_id)
    for state, fragment_ids in by_state.items():
        status = FRAGMENT_STATUS.get(state)
        if status is not None:
            conn.execute(
                update(fragments)
                .where(fragments.c.id.in_(fragment_ids))
                .values(status=status, updated_at=now)
            )
    if by_state.get(DeliveryState.SENT):
        story_follows_fragments(session, by_state[DeliveryState.SENT])
    publications = [
        {
            "delivery_id": job.claim.delivery_id,
            "published_at": now,
            "remote_id": outcome.result.remote_id[:300],
            "remote_url": outcome.result.remote_url,
            "method": "engine",
            "created_at": now,
            **job.archive,
        }
        for job, outcome in written
        if outcome.state == DeliveryState.SENT and outcome.result is not None
    ]
    if publications:
        conn.execute(insert(cast(Table, Publication.__table__)), publications)
    for job, outcome in written:
        details: dict[str, Any] = {"delivery": job.claim.delivery_id, "attempt": job.claim.attempt}
        if outcome.error:
            details["error"] = outcome.error[:500]
        record_event(
            session,
            None,
            "delivery.held" if outcome.held else f"delivery.{outcome.state.value}",
            audit_target(job.fragment_id, job.claim.delivery_id),
            **details,
        )
    return written


def _wait_or_fail(session: Session, job: Job, outcome: Outcome, now: datetime) -> Outcome:
    """A channel connected here waits for its admin (and the engine claims nothing on it until
    then); one whose token was pasted by hand has nobody to reconnect it: the delivery fails."""
    if not outcome.reconnect:
        return outcome
    channel_id = job.channel.id if job.channel is not None else None
    connected = channel_id is not None and session.get(ChannelConnection, channel_id) is not None
    if not connected:
        return Outcome(DeliveryState.FAILED, outcome.problem or outcome.error)
    assert channel_id is not None
    mark_reconnect(session, channel_id, outcome.problem or "", now)
    return outcome


def classify(exc: BaseException, job: Job, now: datetime, config: EngineConfig) -> Outcome:
    """Turn what a publisher raised into the next state (the rules in the module docstring)."""
    attempt = job.claim.attempt
    if isinstance(exc, ReconnectRequiredError):
        reason = exc.details.get("reason")
        return Outcome(
            DeliveryState.PENDING,
            WAITING_FOR_RECONNECT,
            reconnect=True,
            problem=str(reason) if reason else str(exc),
        )
    if isinstance(exc, PermanentPublishError):
        return Outcome(DeliveryState.FAILED, str(exc))
    retry_after = exc.retry_after if isinstance(exc, TransientPublishError) else None
    if not isinstance(exc, TransientPublishError) and not may_send_again(job.kind):
        return Outcome(DeliveryState.NEEDS_CHECK, f"Outcome unknown: {exc}")
    when = next_attempt_at(
        attempt,
        now,
        retry_after=retry_after,
        max_attempts=config.max_attempts,
        base=config.retry_base,
        rand=config.rand,
    )
    if when is None:
        return Outcome(DeliveryState.FAILED, f"Gave up after {attempt} attempts: {exc}")
    kind = (
        "Outcome unknown, retrying with the same key"
        if not isinstance(exc, TransientPublishError)
        else "Temporary failure"
    )
    return Outcome(DeliveryState.RETRYING, f"{kind}: {exc}", not_before=when)
