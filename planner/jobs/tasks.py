"""The scheduler's thin tasks: a heartbeat, then the services that have work to do.

APScheduler only wakes these; each task reads the collaborators create_app picked and calls one
service. After a publishing run the clock is asked to wake at the next due time when that comes
before the next interval tick, so a post due at 14:00:01 does not wait for a tick at 14:00:05.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from datetime import datetime, timedelta

from flask import Flask

from planner.db import write_session
from planner.effect import runtime as effect_runtime
from planner.effect.snapshots import SnapshotReport, parse_moments, take_snapshots
from planner.effect.tracking import LinkTracker
from planner.inbox import intake as inbox_intake
from planner.inbox import webcare
from planner.inbox.models import SourceKind
from planner.jobs.services import record_heartbeat
from planner.live import services as live_services
from planner.live.hub import Listener, engine_of
from planner.notifications import mailer
from planner.organisation.services import get_organisation
from planner.publishing import renewal
from planner.publishing import runtime as publishing_runtime
from planner.publishing.engine import EngineConfig, PublishReport
from planner.publishing.engine import publish_due as run_engine
from planner.publishing.engine.claim import next_due_at
from planner.publishing.notify import bell_for_attention
from planner.publishing.wake import CHANNEL as WAKE_CHANNEL
from planner.web import runtime

log = logging.getLogger(__name__)

WAKE_JOB_ID = "publish-wake"
_SCHEDULER_KEY = "planner.scheduler"
_WAKER_KEY = "planner.scheduler.waker"


#: tells this process apart from an earlier one with the same host name and pid (a restarted
#: container), whose claims must look abandoned, not alive (planner.publishing.engine.heartbeat)
_INCARNATION = secrets.token_hex(4)


def worker_name() -> str:
    """The claimer name this process writes to its claims and its publisher heartbeat."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{_INCARNATION}"


def engine_config(app: Flask) -> EngineConfig:
    settings = runtime.settings(app)
    return EngineConfig(
        lease=timedelta(seconds=settings.publish_lease_seconds),
        heartbeat=timedelta(seconds=settings.publish_heartbeat_seconds),
        grace=timedelta(minutes=settings.publish_grace_minutes),
        max_attempts=settings.publish_max_attempts,
        concurrency=settings.publish_concurrency,
        base_url=settings.base_url,
        links=LinkTracker(settings.base_url),
    )


def tick(app: Flask, *, name: str, started_at: datetime | None) -> None:
    now = runtime.clock(app).now()
    # The heartbeat reads then writes: on SQLite take the write lock first (as the engine does),
    # or a publisher in another process committing in between makes it fail.
    with write_session(runtime.session_factory(app)) as session:
        record_heartbeat(session, name, now, started_at or now)
    try:
        publish_due(app)
    except Exception:  # the clock must keep ticking; the error is logged for a person
        log.exception("publish_due failed")
    renew_tokens(app)
    listen(app)
    measure(app)
    send_notification_mail(app)


def renew_tokens(app: Flask) -> int:
    """Renew OAuth tokens nearing their end, so a channel that posts rarely stays connected."""
    collaborators = runtime.get(app)
    publishing = publishing_runtime.get(app)
    try:
        return renewal.renew_ahead(
            collaborators.session_factory,
            publishing.secret_box,
            publishing.oauth_clients,
            collaborators.clock.now(),
            worker_name(),
            collaborators.clock.now,
        )
    except Exception:  # nothing here may stop the clock
        log.exception("renewing channel tokens failed")
        return 0


def measure(app: Flask) -> SnapshotReport | None:
    """The effect: write the clicks this process counted, then take the reactions that are due."""
    try:
        effect_runtime.counter(app).flush()
        collaborators = runtime.get(app)
        return take_snapshots(
            collaborators.session_factory,
            collaborators.clock,
            publishing_runtime.get(app).publishers.build,
            parse_moments(collaborators.settings.effect_snapshot_after),
        )
    except Exception:  # like the inbox: nothing here may stop the clock
        log.exception("measuring the effect failed")
        return None


def send_notification_mail(app: Flask) -> int:
    """E-mail the notifications people chose to get by mail, when an SMTP relay is set."""
    settings = runtime.settings(app)
    if not settings.smtp_host:
        return 0
    sender = settings.smtp_from or f"planner@{settings.smtp_host}"
    try:
        return mailer.send_queued(
            runtime.session_factory(app),
            runtime.clock(app).now(),
            mailer.smtp_sender(settings.smtp_host, settings.smtp_port, sender),
        )
    except Exception:
        log.exception("sending notification mail failed")
        return 0


def listen(app: Flask) -> None:
    """The inbox: one poll service per source kind, then the webcare clock and the retention.

    Each source is polled in its own transaction and a failing one is recorded on it; nothing
    here can stop the publishing engine, which ran first.
    """
    collaborators = runtime.get(app)
    factory = collaborators.session_factory
    pollers = inbox_intake.Collaborators(
        box=publishing_runtime.get(app).secret_box,
        storage=collaborators.storage,
        allow_loopback=collaborators.settings.allow_loopback_targets,
    )
    for kind in (SourceKind.MASTODON, SourceKind.MAILBOX, SourceKind.FEED):
        try:
            report = inbox_intake.poll_sources(factory, kind, collaborators.clock.now(), pollers)
        except Exception:
            log.exception("polling %s sources failed", kind.value)
            continue
        if report.stored or report.failed:
            log.info("inbox %s: %d new, %d failed", kind.value, report.stored, len(report.failed))
    try:
        with write_session(factory) as session:
            now = collaborators.clock.now()
            timezone = get_organisation(session, collaborators.settings.timezone).timezone
            webcare.warn_at_risk(session, now, timezone)
            webcare.anonymise_expired(session, now)
            live_services.prune(session, now)
    except Exception:
        log.exception("the webcare clock failed")


def publish_due(app: Flask, *, config: EngineConfig | None = None) -> PublishReport:
    """Send everything that is due now; every tick calls this."""
    collaborators = runtime.get(app)
    publishing = publishing_runtime.get(app)
    report = run_engine(
        collaborators.session_factory,
        collaborators.clock,
        publishing.publishers.build,
        worker=worker_name(),
        config=config or engine_config(app),
        storage=collaborators.storage,
        notify=publishing.notify_attention,
        local=publishing.local_publishers,
    )
    if report.claimed or report.missed or report.reclaimed or report.needs_check:
        log.info(
            "publish_due: %d claimed, %d sent, %d retrying, %d failed, %d needs check, "
            "%d missed, %d cancelled, %d reclaimed, %d fenced out",
            report.claimed,
            report.sent,
            report.retrying,
            report.failed,
            report.needs_check,
            report.missed,
            report.cancelled,
            report.reclaimed,
            report.fenced_out,
        )
    if report.attention_ids:
        try:
            with write_session(collaborators.session_factory) as session:
                bell_for_attention(session, report.attention_ids, collaborators.clock.now())
        except Exception:
            log.exception("ringing the bell for deliveries that need a person failed")
    _wake_at(app, report.next_due_at)
    return report


def start_waker(app: Flask, scheduler: object) -> Listener | None:
    """The rapid-response lane: run the engine as soon as something falls due, not at the next
    tick (planner.publishing.wake). PostgreSQL: LISTEN; SQLite: a half-second read-only probe."""
    factory = runtime.session_factory(app)
    engine = engine_of(factory)
    if engine is None:
        return None
    clock = runtime.clock(app)
    config = engine_config(app)
    woken = 0

    def probe() -> int:
        nonlocal woken
        due = next_due_at(factory, config)
        if due is not None and due <= clock.now():
            woken += 1
        return woken

    def wake(_value: int) -> None:
        if getattr(scheduler, "running", False):
            scheduler.add_job(  # type: ignore[attr-defined]
                publish_due,
                "date",
                run_date=clock.now(),
                args=[app],
                id=WAKE_JOB_ID,
                replace_existing=True,
                misfire_grace_time=None,
                coalesce=True,
            )

    listener = Listener(engine, WAKE_CHANNEL, probe, on_change=wake)
    app.extensions[_WAKER_KEY] = listener
    return listener.start()


def stop_waker(app: Flask) -> None:
    listener = app.extensions.pop(_WAKER_KEY, None)
    if listener is not None:
        listener.stop()


def install_scheduler(app: Flask, scheduler: object) -> None:
    app.extensions[_SCHEDULER_KEY] = scheduler


def scheduler_of(app: Flask) -> object | None:
    """The APScheduler instance running in this process for ``app``, if any."""
    return app.extensions.get(_SCHEDULER_KEY)


def _wake_at(app: Flask, when: datetime | None) -> None:
    """A one-off clock job at the next due time, when that is sooner than the next tick."""
    scheduler = scheduler_of(app)
    if scheduler is None or when is None or not getattr(scheduler, "running", False):
        return
    settings = runtime.settings(app)
    now = runtime.clock(app).now()
    if when - now >= timedelta(seconds=settings.scheduler_interval_seconds):
        return
    scheduler.add_job(  # type: ignore[attr-defined]
        publish_due,
        "date",
        run_date=max(when, now),
        args=[app],
        id=WAKE_JOB_ID,
        replace_existing=True,
        misfire_grace_time=None,
        coalesce=True,
    )
