"""What the inbox tells the features above it (notifications: the bell and e-mail; live updates),
as blinker signals, so the inbox never imports them.

Every signal is sent inside the transaction that made the change, with the session as a keyword
argument; a receiver that writes (a notification row) writes in the same unit of work, and one
that reaches outside (e-mail, a live update) should wait for the commit
(``sqlalchemy.event.listen(session, "after_commit", ...)``).

- ``message_received``: sender is the Conversation; kwargs ``session``, ``message`` (Message),
  ``is_new_conversation`` (bool).
- ``conversation_assigned``: sender is the Conversation; kwargs ``session``, ``assignee`` (User),
  ``actor`` (User who assigned; may be the assignee).
- ``conversation_answered``: sender is the Conversation; kwargs ``session``, ``message`` (the
  outbound Message, its delivery pending), ``actor``.
- ``response_time_at_risk``: sender is the Conversation; kwargs ``session``, ``due_at`` (UTC
  instant the target passes), ``colour`` ("amber" or "red"). Sent once per wait by the scheduler.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

message_received = _signals.signal("inbox.message-received")
conversation_assigned = _signals.signal("inbox.conversation-assigned")
conversation_answered = _signals.signal("inbox.conversation-answered")
response_time_at_risk = _signals.signal("inbox.response-time-at-risk")
