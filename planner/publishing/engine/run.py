"""The delivery engine: claim what is due, send it, settle the outcome (docs/publishing.md).

The database is the queue. Each step is its own short transaction, because the external call must
happen *between* commits: ``sending`` is committed before a request leaves, and the outcome is
written afterwards with a fenced UPDATE (same id, same attempt, still ``sending``), so a process
that lost its lease, or a person who cancelled in between, is never overwritten. That is why the
engine takes a session factory and commits itself, unlike the feature services, which only flush.

Rules, in the order a tick applies them:

- **Lost claim** (the sending process died or hung): its lease expired, or, within seconds, its
  claimer stopped beating (every run holding claims keeps a heartbeat row, see
  ``heartbeat``). On idempotent kinds (webhook, Mastodon, blog) the row goes back to
  ``retrying`` and is sent again with the same idempotency key (on reconciling kinds after
  looking for it first, below); on the others (the newsletter) nobody knows whether it went
  out, so it becomes ``needs_check``.
- **Grace period**: a claimable row whose ``not_before`` lies further back than the grace period
  (the scheduler was down) becomes ``missed`` instead of going out late.
- **Claim**: ``pending``/``retrying`` rows with ``not_before <= now`` on channels the engine sends
  (not ``manual``) are set to ``sending`` with ``attempt + 1``, a lease and the claimer's name, and
  committed. PostgreSQL selects them ``FOR UPDATE SKIP LOCKED``; SQLite takes the write lock first
  (``BEGIN IMMEDIATE``), so several publisher processes never claim one row twice.
- **Before the call**: withdrawn consent on the story, or a fragment changed since it was
  scheduled, cancels the delivery (with the reason in ``last_error``); a version lacking the
  approvals its channel needs fails it, with the reason, and nothing is sent.
- **Outcome**: a result → ``sent`` plus the Publication archive record in the same transaction;
  a transient error → ``retrying`` after backoff with jitter (Retry-After is a floor), ``failed``
  after the last attempt; a permanent error → ``failed``; an ambiguous one → ``retrying`` with the
  same key on idempotent kinds and on reconciling ones, ``needs_check`` otherwise. Anything else
  escaping an adapter counts as ambiguous, because the request may have left.
- **Reconcile instead of asking a person**: before a reconciling kind (WordPress, LinkedIn, X,
  Facebook, Instagram, Threads: no idempotency key) is sent a second time, its publisher reads the
  account's latest posts and matches a fingerprint of what we sent: found → ``sent`` with that
  post's id and URL; not found → sent again; unreadable → ``needs_check``.

The fragment follows its delivery: ``published`` when sent; ``failed`` when the delivery ends in
failed, missed, needs_check or cancelled-by-consent, so it shows up for a person; it stays
``scheduled`` while the delivery is retrying.

Channels inside this application (the built-in blog, an ``InTransactionPublisher`` the composition
root hands in as ``local``) are sent inside the settling transaction itself, so the post and the
``sent`` row are committed together: exactly once.

Throughput (bench/bench_publishing.py): calls run in a thread pool; claims are pipelined (topped up
as calls finish) and outcomes are settled in small groups, one transaction each, so a burst costs a
few statements per group rather than per delivery. Settling late only widens the window in which a
crash leaves a row ``sending``, which the lease rule above already covers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from planner.channels.models import Channel
from planner.clock import Clock
from planner.db import write_session
from planner.errors import ValidationError
from planner.media.storage import Storage
from planner.publishing.engine.claim import claim_due, next_due_at, probe, sweep
from planner.publishing.engine.heartbeat import beating
from planner.publishing.engine.request import Job, prepare_jobs
from planner.publishing.engine.settle import Outcome, classify, fenced, settle, settle_all
from planner.publishing.engine.shared import (
    ATTENTION,
    EngineConfig,
    InTransactionPublisher,
    PublishReport,
)
from planner.publishing.models import Delivery, DeliveryState
from planner.publishing.pause import held_by_pause, share_fence
from planner.publishing.ports import (
    AmbiguousPublishError,
    PartlyPublishedError,
    PermanentPublishError,
    Publisher,
    Reconciler,
    TransientPublishError,
)
from planner.publishing.registry import reconciles
from planner.publishing.secrets import SecretDecryptionError

log = logging.getLogger(__name__)


PublisherFor = Callable[[Channel], Publisher]


# --- transactions ------------------------------------------------------------------------------


# --- sweeping ----------------------------------------------------------------------------------


# --- claiming ----------------------------------------------------------------------------------


# --- preparing ---------------------------------------------------------------------------------


# --- settling ----------------------------------------------------------------------------------


# --- running -----------------------------------------------------------------------------------


PausedCheck = Callable[[Job], bool]


def _send(
    clock: Clock,
    job: Job,
    publisher_for: PublisherFor,
    config: EngineConfig,
    paused: PausedCheck | None = None,
) -> Outcome:
    """Make the external call for one claimed delivery and say what should be written."""
    if job.cancel_reason is not None:
        return Outcome(DeliveryState.CANCELLED, job.cancel_reason)
    if job.refuse_reason is not None:
        return Outcome(DeliveryState.FAILED, job.refuse_reason)
    assert job.request is not None
    if paused is not None and paused(job):
        # Claimed just before a crisis pause committed: it has not left, so it waits instead.
        return Outcome(DeliveryState.PENDING, PAUSED_BEFORE_SEND, held=True)
    try:
        # A registered delivery kind brings its own publisher (an inbox reply's sender).
        if job.publisher is not None:
            publisher = job.publisher
        else:
            assert job.channel is not None
            publisher = publisher_for(job.channel)
        if job.claim.attempt > 1 and reconciles(job.kind) and isinstance(publisher, Reconciler):
            # Look before sending again: an earlier attempt may have gone out unseen.
            request = job.request
            try:
                found = publisher.find_published(request)
            except PartlyPublishedError as partly:
                # Half a thread is out: go on from its last part, under the same claim.
                found = None
                request = replace(request, published_parts=partly.found_ids)
            except Exception as exc:  # an unreadable account: a person checks
                return Outcome(DeliveryState.NEEDS_CHECK, f"Outcome unknown: {exc}")
            if found is not None:
                return Outcome(DeliveryState.SENT, result=found)
            return Outcome(DeliveryState.SENT, result=publisher.publish(request))
        return Outcome(DeliveryState.SENT, result=publisher.publish(job.request))
    except (PermanentPublishError, TransientPublishError, AmbiguousPublishError) as exc:
        return classify(exc, job, clock.now(), config)
    except (ValidationError, SecretDecryptionError) as exc:
        # Refused before anything left: an address outbound.py will not contact, or a
        # credential that no longer decrypts. A person must fix the channel.
        return Outcome(DeliveryState.FAILED, str(exc))
    except Exception as exc:  # a bug in an adapter: the request may have left
        log.exception("publisher raised unexpectedly for delivery %s", job.claim.delivery_id)
        return classify(AmbiguousPublishError(repr(exc)), job, clock.now(), config)


def _settle_group(
    factory: sessionmaker[Session],
    clock: Clock,
    done: Sequence[tuple[Job, Outcome]],
    report: PublishReport,
) -> None:
    """Write several outcomes in one transaction; each UPDATE is fenced on its own.

    One commit per group instead of one per delivery is what lets a single process keep up with
    a burst; a crash before the commit only leaves rows in ``sending`` for the lease rule.
    """
    if not done:
        return
    with write_session(factory) as session:
        now = clock.now()
        written = settle_all(session, done, now)
    report.fenced_out += len(done) - len(written)
    for job, outcome in written:
        if outcome.held or outcome.reconnect:  # waiting for a person: a pause, a reconnect
            report.held += 1
            continue
        report.count(outcome.state)
        if outcome.state == DeliveryState.SENT:
            report.sent_ids.append(job.claim.delivery_id)
        elif outcome.state in ATTENTION:
            report.attention_ids.append(job.claim.delivery_id)


def _send_in_transaction(
    factory: sessionmaker[Session],
    clock: Clock,
    job: Job,
    config: EngineConfig,
    publisher: InTransactionPublisher,
) -> Outcome | None:
    """Publish inside this application (the blog) and settle in the same transaction: exactly
    once.

    Returns None when that transaction wrote everything (or the row was fenced off), otherwise
    the outcome still to be written after the rollback.
    """
    if job.cancel_reason is not None:
        return Outcome(DeliveryState.CANCELLED, job.cancel_reason)
    if job.refuse_reason is not None:
        return Outcome(DeliveryState.FAILED, job.refuse_reason)
    now = clock.now()
    try:
        with write_session(factory) as session:
            share_fence(session)
            owned = session.scalar(select(Delivery.id).where(*fenced(job.claim)))
            if owned is None:
                return None
            if _covered_by_pause(session, job):
                # Exactly under the fence: the post and this check share one transaction.
                return Outcome(DeliveryState.PENDING, PAUSED_BEFORE_SEND, held=True)
            delivery = session.get(Delivery, job.claim.delivery_id)
            assert delivery is not None
            result = publisher.publish_in_transaction(
                session, delivery, now, base_url=config.base_url, request=job.request
            )
            session.flush()
            settle(session, job, Outcome(DeliveryState.SENT, result=result), now)
            return None
    except (PermanentPublishError, TransientPublishError, AmbiguousPublishError) as exc:
        # The transaction rolled back: nothing was published, so even "ambiguous" is safe to retry.
        return classify(exc, job, clock.now(), config)


PAUSED_BEFORE_SEND = "Held: publishing was paused before this went out."


def _covered_by_pause(session: Session, job: Job) -> bool:
    if job.fragment_id is None:
        return False  # inbox answers are not paused (planner.publishing.pause)
    return (
        session.scalar(
            select(Delivery.id).where(Delivery.id == job.claim.delivery_id, held_by_pause())
        )
        is not None
    )


def pause_check(factory: sessionmaker[Session]) -> PausedCheck:
    """The last look before a request leaves: one read of a small table."""

    def paused(job: Job) -> bool:
        if job.fragment_id is None:
            return False
        with factory() as session:
            return _covered_by_pause(session, job)

    return paused


#: settle when this many outcomes wait, or when no further call finished for SETTLE_WAIT seconds
SETTLE_GROUP = 32
SETTLE_WAIT = 0.05


def publish_due(
    factory: sessionmaker[Session],
    clock: Clock,
    publisher_for: PublisherFor,
    *,
    worker: str,
    config: EngineConfig | None = None,
    storage: Storage | None = None,
    max_batches: int | None = None,
    notify: Callable[[Sequence[int]], Any] | None = None,
    local: Mapping[str, InTransactionPublisher] | None = None,
) -> PublishReport:
    """Sweep if needed, then claim and send until nothing is due; safe in many processes.

    With concurrency, claiming is pipelined: new rows are claimed as soon as calls finish, and
    only about twice as many as there are request slots, so a burst flows through steadily and
    several processes share it instead of one hoarding rows behind its own queue.
    """
    config = config or EngineConfig()
    now = clock.now()
    upcoming, expired = probe(factory, now, config)
    if not expired and (upcoming is None or upcoming > now):
        # Idle ticks take no write lock: on SQLite a writer, however brief, makes a concurrent
        # web request's read-then-write fail, so the engine only writes when there is work.
        return PublishReport(next_due_at=upcoming)
    overdue = upcoming is not None and upcoming < now - config.grace
    report = sweep(factory, now, config) if expired or overdue else PublishReport()
    cache: dict[int, Publisher] = {}
    cache_lock = threading.Lock()

    def publisher(channel: Channel) -> Publisher:
        # One publisher per channel per run: adapters keep per-server caches (Mastodon limits).
        with cache_lock:
            if channel.id not in cache:
                cache[channel.id] = publisher_for(channel)
            return cache[channel.id]

    batches = 0
    checked_at = now
    paused = pause_check(factory)

    def claim(limit: int) -> list[Job]:
        nonlocal batches, checked_at
        if max_batches is not None and batches >= max_batches:
            return []
        current = clock.now()
        if current - checked_at >= config.heartbeat:
            # A long run (a big backlog) also picks up what a dead claimer left meanwhile.
            checked_at = current
            if probe(factory, current, config)[1]:
                report.absorb(sweep(factory, current, config))
        held: list[int] = []
        claims = claim_due(factory, current, worker, config, limit=limit, held=held)
        report.held += len(held)
        if not claims:
            return []
        batches += 1
        report.claimed += len(claims)
        jobs = prepare_jobs(factory, claims, config, storage)
        others = []
        for job in jobs:
            inside = (local or {}).get(job.kind)
            if inside is None:
                others.append(job)
                continue
            outcome = _send_in_transaction(factory, clock, job, config, inside)
            if outcome is None:
                _count_settled_inside(factory, job, report)
            else:
                _settle_group(factory, clock, [(job, outcome)], report)
        return others

    # The heartbeat says "these claims are still mine" for as long as the run holds any; a run
    # whose process dies stops beating, and a live process reclaims its rows within seconds.
    with beating(factory, clock, worker, config.heartbeat.total_seconds()):
        if config.concurrency <= 1:
            while jobs := claim(config.batch_size):
                for job in jobs:
                    outcome = _send(clock, job, publisher, config, paused)
                    _settle_group(factory, clock, [(job, outcome)], report)
        else:
            _pipeline(factory, clock, config, claim, publisher, report, paused)
    report.next_due_at = next_due_at(factory, config)
    if notify is not None and report.attention_ids:
        # After every commit, outside any lock: a person hears about what needs them, and
        # mail trouble never touches a delivery (planner.publishing.notify).
        try:
            notify(list(report.attention_ids))
        except Exception:
            log.exception("notifying owners failed")
    return report


def _pipeline(
    factory: sessionmaker[Session],
    clock: Clock,
    config: EngineConfig,
    claim: Callable[[int], list[Job]],
    publisher: PublisherFor,
    report: PublishReport,
    paused: PausedCheck,
) -> None:
    # Claim when the queue has drained to the number of request slots, topping it up to a few
    # times that: claims and their reads stay batched, and the slots never run dry in a burst.
    window = 4 * config.concurrency
    inflight: dict[Future[Outcome], Job] = {}
    done: list[tuple[Job, Outcome]] = []
    more = True
    with ThreadPoolExecutor(config.concurrency) as pool:
        while True:
            if more and len(inflight) <= config.concurrency:
                jobs = claim(min(config.batch_size, window - len(inflight)))
                more = bool(jobs)
                for job in jobs:
                    inflight[pool.submit(_send, clock, job, publisher, config, paused)] = job
            if not inflight:
                break
            finished, _ = wait(set(inflight), timeout=SETTLE_WAIT, return_when=FIRST_COMPLETED)
            done.extend((inflight.pop(future), future.result()) for future in finished)
            if len(done) >= SETTLE_GROUP or not finished or not inflight:
                _settle_group(factory, clock, done, report)
                done = []
            if not more and finished:
                more = True  # capacity came free: look for rows that fell due meanwhile
    _settle_group(factory, clock, done, report)


def _count_settled_inside(factory: sessionmaker[Session], job: Job, report: PublishReport) -> None:
    with factory() as session:
        state = session.scalar(
            select(Delivery.state).where(
                Delivery.id == job.claim.delivery_id, Delivery.attempt == job.claim.attempt
            )
        )
    if state == DeliveryState.SENT:
        report.count(state)
        report.sent_ids.append(job.claim.delivery_id)
    else:
        report.fenced_out += 1
