"""The effect's service tests share the engine tests' committed databases (the engine and the
snapshot job commit between steps) and run real servers on 127.0.0.1: a webhook receiver and a
fake Mastodon."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from planner.publishing.registry import PublisherRegistry
from planner.publishing.secrets import SecretBox
from tests.factories import APP_SECRET
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import serving
from tests.services.publishing.conftest import (  # noqa: F401
    Live,
    frozen,
    live,
    live_database,
    receiver,
    registry,
)


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    with serving(FakeMastodon()) as fake:
        yield fake


@pytest.fixture
def mastodon_registry() -> PublisherRegistry:
    return PublisherRegistry(SecretBox(APP_SECRET), allow_loopback=True)
