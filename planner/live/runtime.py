"""The change-log listener of this process (planner.live.hub), kept on the app by its owner.

Streams ask here by type; the listener starts with the first stream and lives as long as the app.
"""

from __future__ import annotations

import threading

from flask import Flask

from planner.live import services
from planner.live.hub import Listener, engine_of
from planner.web import runtime

_HUB_KEY = "planner.live.hub"
_hub_lock = threading.Lock()


def hub(app: Flask) -> Listener | None:
    """This process's listener for the change log; None when the app's sessions are bound to one
    connection (tests that roll back), where each stream polls instead."""
    with _hub_lock:
        listener: Listener | None = app.extensions.get(_HUB_KEY)
        if listener is not None:
            return listener
        factory = runtime.session_factory(app)
        engine = engine_of(factory)
        if engine is None:
            return None

        def probe() -> int:
            with factory() as session:
                return services.last_event_id(session)

        listener = Listener(engine, services.CHANNEL, probe).start()
        app.extensions[_HUB_KEY] = listener
        return listener
