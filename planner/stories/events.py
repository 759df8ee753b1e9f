"""Signals the stories feature sends, so the features above it can react without being imported.

``consent_withdrawn`` is sent inside the transaction that records a withdrawal of consent; its
receivers get the session as sender and ``story``, ``actor`` and ``now`` as keywords. Publishing
cancels the story's deliveries at once and marks its fragments withdrawn. Receivers are connected
by ``planner.connect_reactions`` (called by ``create_app``).
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

consent_withdrawn = signals.signal("consent-withdrawn")
