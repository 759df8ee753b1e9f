"""The fault tests share the engine tests' committed databases, receiver and clock, and the real
`planner scheduler` processes they start, kill and restart."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from planner.db import write_session
from planner.jobs.models import SchedulerHeartbeat
from planner.publishing.models import Delivery, DeliveryState
from tests.factories import SECRET_KEY, wait_for
from tests.services.publishing.conftest import (  # noqa: F401  (fixtures)
    Live,
    frozen,
    live,
    live_database,
    receiver,
    registry,
)

ROOT = Path(__file__).resolve().parents[2]
#: the claim lease the process tests give their schedulers (seconds)
LEASE = 2.0


class Publishers:
    def __init__(self, database: Live, tmp: Path) -> None:
        self.live = database
        self.tmp = tmp
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, **env: str) -> subprocess.Popen[bytes]:
        """A real `planner scheduler` process; returns once its heartbeat is in the database."""
        log = (self.tmp / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("planner")), "scheduler"],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={
                **os.environ,
                "PLANNER_DATABASE_URL": self.live.url,
                "PLANNER_INSTANCE_PATH": str(self.tmp / name),
                "PLANNER_SECRET_KEY": SECRET_KEY,
                "PLANNER_ALLOW_LOOPBACK_TARGETS": "1",
                "PLANNER_PUBLISH_LEASE_SECONDS": str(LEASE),
                "PLANNER_SCHEDULER_INTERVAL": "0.2",
                **env,
            },
        )
        self.procs.append(proc)
        assert wait_for(lambda: self._beating(proc.pid) or proc.poll() is not None, 60)
        assert proc.poll() is None, (self.tmp / f"{name}.log").read_text()
        return proc

    def _beating(self, pid: int) -> bool:
        """The scheduler's heartbeat row shows it is up and ticking."""
        with self.live.factory() as session:
            names = session.scalars(select(SchedulerHeartbeat.name))
            return any(n.endswith(f":{pid}") for n in names)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)


@pytest.fixture
def publishers(live: Live, tmp_path: Path) -> Iterator[Publishers]:  # noqa: F811
    group = Publishers(live, tmp_path)
    yield group
    group.stop()


def release(database: Live, spread: float, lead: float = 0.5) -> dict[int, float]:
    """Make the parked burst fall due over `spread` seconds from `lead` seconds on; returns due
    times by delivery id."""
    start = datetime.now(UTC) + timedelta(seconds=lead)
    with write_session(database.factory) as session:
        ids = list(session.scalars(select(Delivery.id).order_by(Delivery.id)))
        due: dict[int, float] = {}
        for n, delivery_id in enumerate(ids):
            at = start + timedelta(seconds=spread * n / len(ids))
            due[delivery_id] = at.timestamp()
            session.execute(
                update(Delivery).where(Delivery.id == delivery_id).values(due_at=at, not_before=at),
                execution_options={"synchronize_session": False},
            )
    return due


def count_in(database: Live, state: DeliveryState) -> int:
    with database.factory() as session:
        return session.scalar(select(func.count()).where(Delivery.state == state)) or 0
