"""Tracked links: the engine's hook through which a feature above publishing (planner.effect)
puts its own short links in the text before it leaves, without publishing importing it.

The composition root's scheduler task hands a ``LinkTracker`` in ``EngineConfig.links``; with none
(the engine's tests, a bare engine) the text goes out as written. The tracker runs after the
read-only preparing transaction, in a short write transaction of its own, and must give a retry
of the same delivery the same short links, so the same text is sent again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker


@dataclass(frozen=True)
class Outgoing:
    """What a tracker needs to know about one delivery's text, as plain values."""

    delivery_id: int
    fragment_id: int
    channel_id: int
    channel_name: str
    channel_kind: str
    #: the campaign's name, else the story's first theme, else ""
    campaign: str
    #: every text that leaves: the whole text, each part and the rendered HTML
    texts: tuple[str, ...]


class LinkTracker(Protocol):
    def __call__(self, factory: sessionmaker[Session], outgoing: Outgoing) -> Sequence[str]:
        """``outgoing.texts`` in the same order, each with its links replaced."""
        ...
