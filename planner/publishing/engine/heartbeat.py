"""Heartbeats: how a live publisher tells a dead one's claims from its own, in seconds.

A claim's lease (300 s by default) must outlive any slow remote, so it is far too long to wait for
when a publisher process was killed mid-burst. Instead every run that holds claims keeps a
heartbeat row under its claimer name (the name it writes to ``Delivery.claimed_by``), beating from
a thread of its own every ``EngineConfig.heartbeat`` while the run lasts, however long the remote
takes. A ``sending`` row whose claimer's beat is older than ``EngineConfig.claimer_stale`` (a few
beats) belongs to a process that stopped: the sweep reclaims it like an expired lease, with the
same idempotency key. Rows whose claimer never beat (claimed by hand, or before this existed) keep
the lease rule alone.

The beat is written before the run's first claim and committed on its own, so any claim another
process can see already has a fresh beat behind it. A run that ends normally has settled every
claim and removes its row; one that ends in an exception leaves it to go stale, so whatever it
still held is reclaimed quickly. Rows of dead claimers are cleared by the sweep once the lease
would have run out anyway.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from planner.clock import Clock
from planner.db import write_session
from planner.publishing.models import Delivery, DeliveryState, PublisherHeartbeat

log = logging.getLogger(__name__)

#: the length of ``Delivery.claimed_by``; claimer names are cut the same way everywhere
NAME_LENGTH = 100


def claimer(worker: str) -> str:
    return worker[:NAME_LENGTH]


def beat(session: Session, worker: str, now: datetime) -> None:
    row = session.get(PublisherHeartbeat, claimer(worker))
    if row is None:
        session.add(PublisherHeartbeat(name=claimer(worker), beat_at=now))
    elif row.beat_at < now:
        row.beat_at = now


def stale_claimers(now: datetime, stale_after: Any) -> Any:
    """The names whose last beat is older than ``stale_after``: processes that stopped."""
    return select(PublisherHeartbeat.name).where(PublisherHeartbeat.beat_at < now - stale_after)


def next_stale_at(session: Session, stale_after: Any) -> datetime | None:
    """When the quietest claimer still holding ``sending`` rows will count as stopped."""
    holders = select(Delivery.claimed_by).where(Delivery.state == DeliveryState.SENDING)
    quietest = session.scalar(
        select(func.min(PublisherHeartbeat.beat_at)).where(PublisherHeartbeat.name.in_(holders))
    )
    return None if quietest is None else quietest + stale_after


def forget_dead(session: Session, now: datetime, older_than: Any) -> None:
    """Heartbeat rows quiet for longer than a lease: the lease rule has taken over their rows."""
    session.execute(
        delete(PublisherHeartbeat).where(PublisherHeartbeat.beat_at < now - older_than),
        execution_options={"synchronize_session": False},
    )


class _Beater:
    """The one beating thread of a claimer in this process, shared by its overlapping runs."""

    def __init__(
        self, factory: sessionmaker[Session], clock: Clock, worker: str, every: float
    ) -> None:
        self.factory = factory
        self.clock = clock
        self.worker = worker
        self.every = every
        self.runs = 0
        #: a run that ended in an exception may have left claims behind: keep the row to go stale
        self.failed = False
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=f"heartbeat {worker}", daemon=True)

    def write(self) -> None:
        with write_session(self.factory) as session:
            beat(session, self.worker, self.clock.now())

    def _loop(self) -> None:
        while not self.stop.wait(self.every):
            try:
                self.write()
            except Exception:  # a missed beat only makes this run's claims look older
                log.exception("publisher heartbeat failed")


_beaters: dict[tuple[int, str], _Beater] = {}
_beaters_lock = threading.Lock()


@contextmanager
def beating(
    factory: sessionmaker[Session], clock: Clock, worker: str, every: float
) -> Iterator[None]:
    """Beat for ``worker`` while the block runs; its first beat is committed before it starts.

    Runs that overlap in one process (the interval tick and a wake-up) share one thread and one
    row. When the last of them ends without an exception every claim was settled and the row is
    removed; after an exception it is left to go stale, so whatever was still held is reclaimed.
    """
    key = (id(factory), claimer(worker))
    with _beaters_lock:
        beater = _beaters.get(key)
        if beater is None:
            beater = _Beater(factory, clock, worker, every)
            beater.write()  # committed before any claim of this run
            beater.thread.start()
            _beaters[key] = beater
        beater.runs += 1
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        # Under the lock, so a run starting meanwhile cannot have its fresh row removed.
        with _beaters_lock:
            beater.failed = beater.failed or failed
            beater.runs -= 1
            if beater.runs == 0:
                del _beaters[key]
                beater.stop.set()
                beater.thread.join()
                if not beater.failed:
                    _forget(beater)


def _forget(beater: _Beater) -> None:
    try:
        with write_session(beater.factory) as session:
            session.execute(
                delete(PublisherHeartbeat).where(PublisherHeartbeat.name == claimer(beater.worker)),
                execution_options={"synchronize_session": False},
            )
    except Exception:  # a leftover row goes stale and is cleared by a later sweep
        log.exception("removing the publisher heartbeat failed")
