"""The delivery engine: claim what is due, send it, settle the outcome (docs/publishing.md).

The database is the queue. Each step is its own short transaction, because the external call must
happen *between* commits: ``sending`` is committed before a request leaves, and the outcome is
written afterwards with a fenced UPDATE (same id, same attempt, still ``sending``), so a process
that lost its lease, or a person who cancelled in between, is never overwritten. That is why the
engine takes a session factory and commits itself, unlike the feature services, which only flush.

Rules, in the order a tick applies them:

- **Expired lease** (the sending process died or hung): on idempotent kinds (webhook, Mastodon,
  blog) the row goes back to ``retrying`` and is sent again with the same idempotency key; on the
  others (WordPress, newsletter) nobody knows whether it went out, so it becomes ``needs_check``.
- **Grace period**: a claimable row whose ``not_before`` lies further back than the grace period
  (the scheduler was down) becomes ``missed`` instead of going out late.
- **Claim**: ``pending``/``retrying`` rows with ``not_before <= now`` on channels the engine sends
  (not ``manual``) are set to ``sending`` with ``attempt + 1``, a lease and the claimer's name, and
  committed. PostgreSQL selects them ``FOR UPDATE SKIP LOCKED``; SQLite takes the write lock first
  (``BEGIN IMMEDIATE``), so several publisher processes never claim one row twice.
- **Before the call**: withdrawn consent on the story, or a fragment changed since it was
  scheduled, cancels the delivery (with the reason in ``last_error``).
- **Outcome**: a result → ``sent`` plus the Publication archive record in the same transaction;
  a transient error → ``retrying`` after backoff with jitter (Retry-After is a floor), ``failed``
  after the last attempt; a permanent error → ``failed``; an ambiguous one → ``retrying`` with the
  same key on idempotent kinds, ``needs_check`` otherwise. Anything else escaping an adapter
  counts as ambiguous, because the request may have left.

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
import random
import threading
import types
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session, joinedload, selectinload, sessionmaker

from planner.approval.models import ApprovalDecision, FragmentApproval
from planner.audit.services import record_event
from planner.channels.catalogue import find_kind
from planner.channels.models import Channel
from planner.clock import Clock
from planner.db import write_session
from planner.errors import ValidationError
from planner.fragments.gate import fragment_photos
from planner.fragments.models import Fragment, FragmentStatus
from planner.media.storage import Storage, parse_key
from planner.publishing.models import Delivery, DeliveryState, Publication
from planner.publishing.ports import (
    AmbiguousPublishError,
    InTransactionPublisher,
    MediaItem,
    PermanentPublishError,
    Publisher,
    PublishRequest,
    PublishResult,
    TransientPublishError,
)
from planner.publishing.registry import ENGINE_KINDS, is_idempotent
from planner.publishing.retry import BASE_DELAY, MAX_ATTEMPTS, RandomSource, next_attempt_at
from planner.publishing.secrets import SecretDecryptionError
from planner.stories.models import Story
from planner.stories.photos import channel_crop, photos_may_go_out

log = logging.getLogger(__name__)

CLAIMABLE = (DeliveryState.PENDING, DeliveryState.RETRYING)
#: end states a person has to act on
ATTENTION = (DeliveryState.FAILED, DeliveryState.MISSED, DeliveryState.NEEDS_CHECK)
#: how many photos travel with one publication at most
MAX_MEDIA = 4

CONSENT_WITHDRAWN = "Consent for the story was withdrawn; the publication was stopped."
CHANGED_SINCE_SCHEDULED = "The fragment changed after it was scheduled; approve it again."
MISSED = "Not sent within the grace period after its time (the scheduler was not running)."
LEASE_LOST_UNKNOWN = (
    "The publisher stopped while sending; this channel cannot tell whether the post went out. "
    "Check the channel, then mark it as posted or try again."
)
LEASE_LOST_RETRY = "The publisher stopped while sending; sending again with the same key."

PublisherFor = Callable[[Channel], Publisher]


@dataclass(frozen=True)
class EngineConfig:
    lease: timedelta = timedelta(minutes=5)
    grace: timedelta = timedelta(minutes=15)
    max_attempts: int = MAX_ATTEMPTS
    #: rows claimed per transaction
    batch_size: int = 100
    #: outbound requests at once; 1 runs everything in the calling thread
    concurrency: int = 8
    retry_base: float = BASE_DELAY
    rand: RandomSource = random.random
    base_url: str = "http://127.0.0.1:5000"


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
    #: settles refused by the fencing rule (someone else owns the row now)
    fenced_out: int = 0
    next_due_at: datetime | None = None
    sent_ids: list[int] = field(default_factory=list)
    #: deliveries this run left failed, missed or needs_check (their owners are told)
    attention_ids: list[int] = field(default_factory=list)

    def count(self, state: DeliveryState) -> None:
        name = state.value
        setattr(self, name, getattr(self, name) + 1)


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    attempt: int


@dataclass
class Job:
    claim: Claim
    fragment_id: int
    kind: str
    channel: Channel | None = None
    request: PublishRequest | None = None
    archive: dict[str, Any] = field(default_factory=dict)
    cancel_reason: str | None = None


@dataclass(frozen=True)
class Outcome:
    state: DeliveryState
    error: str | None = None
    not_before: datetime | None = None
    result: PublishResult | None = None


# --- transactions ------------------------------------------------------------------------------


def _ref(fragment_id: int) -> Any:
    """An audit target for a fragment without loading it."""
    return types.SimpleNamespace(__tablename__="fragments", id=fragment_id)


_FRAGMENT_STATUS = {
    DeliveryState.SENT: FragmentStatus.PUBLISHED,
    DeliveryState.FAILED: FragmentStatus.FAILED,
    DeliveryState.MISSED: FragmentStatus.FAILED,
    DeliveryState.NEEDS_CHECK: FragmentStatus.FAILED,
    DeliveryState.CANCELLED: FragmentStatus.FAILED,
}


def _follow(session: Session, fragment_ids: Sequence[int], state: DeliveryState) -> None:
    status = _FRAGMENT_STATUS.get(state)
    if status is None or not fragment_ids:
        return
    session.execute(
        update(Fragment).where(Fragment.id.in_(fragment_ids)).values(status=status),
        execution_options={"synchronize_session": False},
    )


# --- sweeping ----------------------------------------------------------------------------------


def _engine_channels() -> Any:
    return select(Channel.id).where(Channel.publisher_kind.in_(ENGINE_KINDS))


def sweep(factory: sessionmaker[Session], now: datetime, config: EngineConfig) -> PublishReport:
    """Expired leases and overdue rows; one transaction, every change conditional on its state."""
    report = PublishReport()
    idempotent = [kind for kind in ENGINE_KINDS if is_idempotent(kind)]
    with write_session(factory) as session:
        expired = (Delivery.state == DeliveryState.SENDING, Delivery.lease_expires_at < now)
        reclaimed = session.execute(
            update(Delivery)
            .where(
                *expired,
                Delivery.attempt < config.max_attempts,
                Delivery.channel_id.in_(
                    select(Channel.id).where(Channel.publisher_kind.in_(idempotent))
                ),
            )
            .values(
                state=DeliveryState.RETRYING,
                not_before=now,
                last_error=LEASE_LOST_RETRY,
                lease_expires_at=None,
                updated_at=now,
            )
            .returning(Delivery.id),
            execution_options={"synchronize_session": False},
        ).all()
        report.reclaimed = len(reclaimed)
        non_idempotent = select(Channel.id).where(
            Channel.publisher_kind.in_([k for k in ENGINE_KINDS if k not in idempotent])
        )
        for state, message, which in (
            (DeliveryState.NEEDS_CHECK, LEASE_LOST_UNKNOWN, non_idempotent),
            # what is left: idempotent rows whose process died on their last allowed attempt
            (DeliveryState.FAILED, "Gave up: the publisher stopped on the last attempt.", None),
        ):
            rows = session.execute(
                update(Delivery)
                .where(
                    *expired,
                    Delivery.channel_id.in_(which if which is not None else _engine_channels()),
                )
                .values(state=state, last_error=message, lease_expires_at=None, updated_at=now)
                .returning(Delivery.id, Delivery.fragment_id),
                execution_options={"synchronize_session": False},
            ).all()
            _record_bulk(session, rows, state, report)
        late = session.execute(
            update(Delivery)
            .where(
                Delivery.state.in_(CLAIMABLE),
                Delivery.not_before < now - config.grace,
                Delivery.channel_id.in_(_engine_channels()),
            )
            .values(state=DeliveryState.MISSED, last_error=MISSED, updated_at=now)
            .returning(Delivery.id, Delivery.fragment_id),
            execution_options={"synchronize_session": False},
        ).all()
        _record_bulk(session, late, DeliveryState.MISSED, report)
    return report


def _record_bulk(
    session: Session, rows: Sequence[Any], state: DeliveryState, report: PublishReport
) -> None:
    if not rows:
        return
    _follow(session, [row.fragment_id for row in rows], state)
    for row in rows:
        report.count(state)
        if state in ATTENTION:
            report.attention_ids.append(row.id)
        record_event(
            session, None, f"delivery.{state.value}", _ref(row.fragment_id), delivery=row.id
        )


# --- claiming ----------------------------------------------------------------------------------


def claim_due(
    factory: sessionmaker[Session],
    now: datetime,
    worker: str,
    config: EngineConfig,
    *,
    limit: int | None = None,
) -> list[Claim]:
    """Take up to ``limit`` (or ``batch_size``) due rows for this worker and commit, so nobody
    else takes them."""
    with write_session(factory) as session:
        due = (
            select(Delivery.id)
            .where(
                Delivery.state.in_(CLAIMABLE),
                Delivery.not_before <= now,
                Delivery.channel_id.in_(_engine_channels()),
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


def _probe(factory: sessionmaker[Session], now: datetime) -> tuple[datetime | None, bool]:
    """The earliest claimable time and whether any lease has expired; read only."""
    with factory() as session:
        upcoming = session.scalar(
            select(func.min(Delivery.not_before)).where(
                Delivery.state.in_(CLAIMABLE), Delivery.channel_id.in_(_engine_channels())
            )
        )
        expired = session.scalar(
            select(Delivery.id)
            .where(Delivery.state == DeliveryState.SENDING, Delivery.lease_expires_at < now)
            .limit(1)
        )
    return upcoming, expired is not None


def next_due_at(factory: sessionmaker[Session]) -> datetime | None:
    with factory() as session:
        return session.scalar(
            select(func.min(Delivery.not_before)).where(
                Delivery.state.in_(CLAIMABLE), Delivery.channel_id.in_(_engine_channels())
            )
        )


# --- preparing ---------------------------------------------------------------------------------


def _loader(storage: Any, key: str) -> Callable[[], bytes]:
    def load() -> bytes:
        data: bytes = storage.read(key)
        return data

    return load


def _media(
    factory: sessionmaker[Session],
    story: Story,
    base_url: str,
    storage: Storage | None,
    fragment: Fragment | None = None,
) -> list[MediaItem]:
    """The fragment's chosen photos (none when it chose none), each as the channel's crop.

    The crop is the one the editor's preview shows (planner.stories.photos.channel_crop). The URL
    is public but unguessable (content-addressed) and served only once the fragment is being sent
    or has been published (planner.publishing.public_media).
    """
    if fragment is None or storage is None or not photos_may_go_out(story):
        return []
    kind = find_kind(fragment.channel.kind_key)
    if kind is None or not kind.images:
        return []
    items = []
    for photo in fragment_photos(fragment):
        if not photo.has_alt_text:
            continue  # never publish an image without a description
        crop = channel_crop(factory, photo, fragment.channel.kind_key, storage)
        key, mime = crop.storage_key, crop.mime
        items.append(
            MediaItem(
                alt=photo.alt_text.strip(),
                mime=mime,
                sha256=parse_key(key).split(".", 1)[0],
                url=f"{base_url.rstrip('/')}/media/public/{key}",
                loader=_loader(storage, key),
                filename=key,
            )
        )
    return items[:MAX_MEDIA]


def _render_html(fragment: Fragment) -> str | None:
    if fragment.kind != "article" or not fragment.body:
        return None
    from planner.markup import render_markdown

    return render_markdown(fragment.body)


def _prepare(
    factory: sessionmaker[Session],
    claims: Sequence[Claim],
    config: EngineConfig,
    storage: Storage | None,
) -> list[Job]:
    """Read what each claimed delivery needs, in one read-only transaction, into plain values."""
    by_id = {claim.delivery_id: claim for claim in claims}
    jobs = []
    with factory() as session:
        deliveries = session.scalars(
            select(Delivery)
            .where(Delivery.id.in_(list(by_id)))
            .options(
                joinedload(Delivery.channel),
                joinedload(Delivery.fragment)
                .joinedload(Fragment.story)
                .options(
                    selectinload(Story.photos),
                    selectinload(Story.consents),
                    joinedload(Story.campaign),
                ),
            )
        ).unique()
        deliveries_list = list(deliveries)
        approvals: dict[int, list[FragmentApproval]] = {}
        for approval in session.scalars(
            select(FragmentApproval)
            .where(
                FragmentApproval.fragment_id.in_([d.fragment_id for d in deliveries_list]),
                FragmentApproval.decision == ApprovalDecision.APPROVED,
            )
            .options(joinedload(FragmentApproval.approver))
            .order_by(FragmentApproval.id)
        ):
            approvals.setdefault(approval.fragment_id, []).append(approval)
        for delivery in deliveries_list:
            claim = by_id[delivery.id]
            fragment, channel, story = delivery.fragment, delivery.channel, delivery.fragment.story
            job = Job(claim, fragment.id, channel.publisher_kind, channel=channel)
            jobs.append(job)
            if story.consent_withdrawn_at is not None:
                job.cancel_reason = CONSENT_WITHDRAWN
                continue
            if fragment.version != delivery.fragment_version:
                job.cancel_reason = CHANGED_SINCE_SCHEDULED
                continue
            media = _media(factory, story, config.base_url, storage, fragment)
            parts = list(fragment.parts) if fragment.kind in ("post", "thread") else []
            text = fragment.text()
            campaign = story.campaign
            job.request = PublishRequest(
                delivery_id=delivery.id,
                idempotency_key=delivery.idempotency_key,
                attempt=claim.attempt,
                text=text,
                parts=parts,
                title=fragment.title,
                media=media,
                story={"id": story.id, "title": story.title},
                channel={
                    "id": channel.id,
                    "name": channel.name,
                    "kind": channel.kind_key,
                    "handle": channel.handle,
                },
                campaign={"id": campaign.id, "name": campaign.name} if campaign else {},
                html=_render_html(fragment),
                excerpt=fragment.lead or fragment.meta_description,
            )
            job.archive = {
                "fragment_id": fragment.id,
                "channel_id": channel.id,
                "channel_name": channel.name,
                "channel_kind": channel.kind_key,
                "fragment_kind": fragment.kind,
                "fragment_version": fragment.version,
                "title": fragment.title,
                "parts": list(job.request.parts),
                "body": fragment.body if fragment.kind == "article" else text,
                "media": [{"sha256": m.sha256, "alt": m.alt, "mime": m.mime} for m in media],
                "approvers": [
                    a.who() for a in approvals.get(fragment.id, []) if a.version == fragment.version
                ],
            }
        session.expunge_all()
    return jobs


# --- settling ----------------------------------------------------------------------------------


def _fenced(claim: Claim) -> tuple[Any, ...]:
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
                }
                for job, outcome in written
            ],
        )
    fragments = cast(Table, Fragment.__table__)
    by_state: dict[DeliveryState, list[int]] = {}
    for job, outcome in written:
        by_state.setdefault(outcome.state, []).append(job.fragment_id)
    for state, fragment_ids in by_state.items():
        status = _FRAGMENT_STATUS.get(state)
        if status is not None:
            conn.execute(
                update(fragments)
                .where(fragments.c.id.in_(fragment_ids))
                .values(status=status, updated_at=now)
            )
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
            session, None, f"delivery.{outcome.state.value}", _ref(job.fragment_id), **details
        )
    return written


def classify(exc: BaseException, job: Job, now: datetime, config: EngineConfig) -> Outcome:
    """Turn what a publisher raised into the next state (the rules in the module docstring)."""
    attempt = job.claim.attempt
    if isinstance(exc, PermanentPublishError):
        return Outcome(DeliveryState.FAILED, str(exc))
    retry_after = exc.retry_after if isinstance(exc, TransientPublishError) else None
    if not isinstance(exc, TransientPublishError) and not is_idempotent(job.kind):
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


# --- running -----------------------------------------------------------------------------------


def _send(clock: Clock, job: Job, publisher_for: PublisherFor, config: EngineConfig) -> Outcome:
    """Make the external call for one claimed delivery and say what should be written."""
    if job.cancel_reason is not None:
        return Outcome(DeliveryState.CANCELLED, job.cancel_reason)
    assert job.request is not None
    assert job.channel is not None
    try:
        publisher = publisher_for(job.channel)
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
    now = clock.now()
    try:
        with write_session(factory) as session:
            owned = session.scalar(select(Delivery.id).where(*_fenced(job.claim)))
            if owned is None:
                return None
            delivery = session.get(Delivery, job.claim.delivery_id)
            assert delivery is not None
            result = publisher.publish_in_transaction(
                session, delivery, now, base_url=config.base_url
            )
            session.flush()
            settle(session, job, Outcome(DeliveryState.SENT, result=result), now)
            return None
    except (PermanentPublishError, TransientPublishError, AmbiguousPublishError) as exc:
        # The transaction rolled back: nothing was published, so even "ambiguous" is safe to retry.
        return classify(exc, job, clock.now(), config)


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
    upcoming, expired = _probe(factory, now)
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

    def claim(limit: int) -> list[Job]:
        nonlocal batches
        if max_batches is not None and batches >= max_batches:
            return []
        claims = claim_due(factory, clock.now(), worker, config, limit=limit)
        if not claims:
            return []
        batches += 1
        report.claimed += len(claims)
        jobs = _prepare(factory, claims, config, storage)
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

    if config.concurrency <= 1:
        while jobs := claim(config.batch_size):
            for job in jobs:
                _settle_group(factory, clock, [(job, _send(clock, job, publisher, config))], report)
    else:
        _pipeline(factory, clock, config, claim, publisher, report)
    report.next_due_at = next_due_at(factory)
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
                    inflight[pool.submit(_send, clock, job, publisher, config)] = job
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
