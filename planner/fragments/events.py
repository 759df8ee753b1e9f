"""Signals the fragments feature sends, so the features above it can react without being imported.

``fragment_changing`` is sent inside the saving transaction when a scheduled fragment is edited,
before the new version is flushed; its receivers get the session as sender and ``fragment`` and
``actor`` as keywords. Planning takes the fragment off the calendar (the approval was for the old
text) and refuses with ConflictError while its delivery is being sent, which aborts the edit.
Receivers are connected by ``planner.connect_reactions`` (called by ``create_app``).
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

fragment_changing = signals.signal("fragment-changing")
