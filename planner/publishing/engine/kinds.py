"""Delivery kinds besides the fragment: a feature above publishing (the inbox's replies) registers
how a delivery of its kind is prepared, and the engine gives it the same guarantees as a
fragment (claimed once, recorded before the call, fenced, retried, archived) without importing it.

A kind's preparer runs in the engine's read-only preparing transaction and turns the delivery
into a request plus the publisher that sends it; ``idempotent`` says what a lost lease means
(send again with the same key, or ask a person), exactly as for the channel kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from planner.publishing.engine.shared import Claim
from planner.publishing.models import Delivery
from planner.publishing.ports import Publisher, PublishRequest


@dataclass(frozen=True)
class Prepared:
    """What a kind's preparer hands the engine for one claimed delivery."""

    #: the publisher kind the outcome is judged by ("mastodon" retries ambiguous sends with the
    #: same key; a kind without idempotency goes to needs_check)
    publisher_kind: str
    request: PublishRequest | None = None
    publisher: Publisher | None = None
    #: the Publication columns (planner.publishing.archive) besides ids and times
    archive: dict[str, Any] = field(default_factory=dict)
    #: set instead of a request when the delivery must not go out any more
    cancel_reason: str | None = None


Preparer = Callable[[Session, Delivery, Claim], Prepared]


@dataclass(frozen=True)
class DeliveryKind:
    name: str
    prepare: Preparer
    #: sending twice with the same idempotency key publishes once
    idempotent: bool


_KINDS: dict[str, DeliveryKind] = {}


def register(kind: DeliveryKind) -> None:
    """Process-wide, like the blinker reactions; registering the same name again replaces it."""
    _KINDS[kind.name] = kind


def find(name: str) -> DeliveryKind | None:
    return _KINDS.get(name)


def registered(*, idempotent: bool | None = None) -> list[str]:
    return [k.name for k in _KINDS.values() if idempotent is None or k.idempotent == idempotent]
