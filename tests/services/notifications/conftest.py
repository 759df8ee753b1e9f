"""Notification tests share the engine tests' committed databases (mail is claimed and settled
in transactions of its own) and run aiosmtpd on 127.0.0.1 as the relay."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.smtp import Mailbox
from tests.fakes.smtp import relay as running_relay
from tests.services.publishing.conftest import Live, live, live_database  # noqa: F401


@pytest.fixture
def relay() -> Iterator[tuple[Mailbox, int]]:
    with running_relay() as running:
        yield running
