"""publish_due as the app runs it: wired by create_app, called by the scheduler's tick, and asking
the clock to wake up at the next due time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.clock import FrozenClock
from planner.jobs import tasks
from planner.jobs import tasks as services
from planner.publishing import runtime as publishing_runtime
from planner.publishing.models import Delivery, DeliveryState
from planner.publishing.registry import PublisherRegistry
from tests.factories import WEBHOOK_SECRET, engine_channel, engine_delivery
from tests.fakes.webhook import Receiver


def _app(app_factory: Callable[..., Flask]) -> Flask:
    return app_factory(publish_concurrency=1)


def test_create_app_wires_the_registry_and_the_tick_publishes(
    app_factory: Callable[..., Flask], db: Session, receiver: Receiver, clock: FrozenClock
) -> None:
    app = _app(app_factory)
    assert isinstance(publishing_runtime.get(app).publishers, PublisherRegistry)
    channel = engine_channel(db, url=receiver.url)
    channel.publisher_secret = publishing_runtime.get(app).secret_box.encrypt(WEBHOOK_SECRET)
    delivery = engine_delivery(db, channel, clock.now())
    db.commit()

    tasks.tick(app, name="test:1", started_at=None)

    state = db.scalar(select(Delivery.state).where(Delivery.id == delivery.id))
    assert state == DeliveryState.SENT
    assert len(receiver.accepted) == 1


def test_publish_due_wakes_the_clock_at_the_next_due_time(
    app_factory: Callable[..., Flask], db: Session, receiver: Receiver, clock: FrozenClock
) -> None:
    app = _app(app_factory)
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.start(paused=True)
    services.install_scheduler(app, scheduler)
    try:
        channel = engine_channel(db, url=receiver.url)
        soon = clock.now() + timedelta(seconds=2)
        engine_delivery(db, channel, soon)
        engine_delivery(db, channel, clock.now() + timedelta(hours=1))
        db.commit()
        report = services.publish_due(app)
        assert report.claimed == 0
        job = scheduler.get_job(services.WAKE_JOB_ID)
        assert job is not None
        assert job.next_run_time == soon

        scheduler.remove_job(services.WAKE_JOB_ID)
        clock.advance(timedelta(seconds=3))  # the next due time is now an hour away: no wake-up
        db.execute(
            Delivery.__table__.delete().where(Delivery.__table__.c.due_at == soon)  # type: ignore[attr-defined]
        )
        db.commit()
        services.publish_due(app)
        assert scheduler.get_job(services.WAKE_JOB_ID) is None
    finally:
        scheduler.shutdown(wait=False)
