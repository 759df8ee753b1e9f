"""A committed database per backend for the engine (it commits between claim, call and settle, so
the suite's rollback-per-test session cannot stand in), emptied before every test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from planner import migrate
from planner.clock import FrozenClock
from planner.publishing.registry import PublisherRegistry
from tests.conftest import fresh_database_url
from tests.factories import box, clear, engine_for, live_factory
from tests.fakes.webhook import Receiver, running_receiver


@dataclass
class Live:
    url: str
    engine: Engine
    factory: sessionmaker[Session]
    backend: str
    tmp: Path


@pytest.fixture(scope="module")
def live_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("live")
    url = fresh_database_url(backend, tmp, "engine")
    migrate.upgrade(url)
    engine = engine_for(url)
    yield Live(url, engine, live_factory(engine), backend, tmp)
    engine.dispose()


@pytest.fixture
def live(live_database: Live) -> Live:
    clear(live_database.engine)
    return live_database


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
def registry() -> PublisherRegistry:
    return PublisherRegistry(box(), allow_loopback=True)


@pytest.fixture
def frozen() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
