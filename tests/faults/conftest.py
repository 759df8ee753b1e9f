"""The fault tests share the engine tests' committed databases, receiver and clock."""

from __future__ import annotations

from tests.services.publishing.conftest import (  # noqa: F401  (fixtures)
    frozen,
    live,
    live_database,
    receiver,
    registry,
)
