"""The inbox's source tests share the engine tests' committed databases (a poll commits, and a
second app on the same database must see what the first stored), and run real servers on
127.0.0.1: a fake Mastodon, dovecot for IMAP, aiosmtpd for SMTP, a feed server."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from planner import create_app
from planner.clock import FrozenClock
from tests.conftest import make_settings
from tests.fakes.dovecot import ImapServer, available, running_dovecot
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import serving
from tests.services.publishing.conftest import Live, live, live_database  # noqa: F401

START = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


@pytest.fixture
def inbox_clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app_on(live: Live, tmp_path: Path) -> Callable[..., Flask]:  # noqa: F811
    """A new application on the committed database: calling it twice is a restart."""

    def build(clock: FrozenClock, **extra: Any) -> Flask:
        settings = make_settings(tmp_path, database_url=live.url, extra={"clock": clock, **extra})
        return create_app(settings)

    return build


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    with serving(FakeMastodon()) as fake:
        yield fake


@pytest.fixture(scope="module")
def imap() -> Iterator[ImapServer]:
    if not available():
        if os.environ.get("PLANNER_REQUIRE_DOVECOT"):
            raise RuntimeError("dovecot-imapd is required but not installed")
        pytest.skip("dovecot-imapd is not installed (.ci/run installs it)")
    with running_dovecot() as server:
        yield server
