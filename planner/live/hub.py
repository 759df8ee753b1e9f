"""One listener per process that says "the change log grew": streams and the engine wait on it.

On PostgreSQL a dedicated connection LISTENs on a channel and wakes the waiters on every NOTIFY
(sent by the database when a transaction that recorded a change commits), with a slow poll as a
safety net if a notification is lost while reconnecting. On SQLite there is no such thing, so
the listener polls a cheap query (the log's highest id, or whether a delivery is due) at a short
interval. Either way the waiters then read the database themselves: the listener only wakes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

#: SQLite: how often the log is polled; PostgreSQL: the safety-net poll
POLL_SECONDS = 0.5
SAFETY_POLL_SECONDS = 5.0


def engine_of(factory: sessionmaker[Session]) -> Engine | None:
    """The factory's own engine; None when it is bound to one connection (a test transaction)."""
    bind = factory.kw.get("bind")
    return bind if isinstance(bind, Engine) else None


def _conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """Calls ``probe`` after every NOTIFY on ``channel`` (PostgreSQL) or every ``interval``
    seconds (SQLite), and wakes the waiters when it returns a higher number than before."""

    def __init__(
        self,
        engine: Engine,
        channel: str,
        probe: Callable[[], int],
        *,
        interval: float = POLL_SECONDS,
        on_change: Callable[[int], Any] | None = None,
    ) -> None:
        self.engine = engine
        self.channel = channel
        self.probe = probe
        self.interval = interval
        self.on_change = on_change
        self.latest = 0
        self.changed = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> Listener:
        with self._lock:
            if self._thread is None:
                self.latest = self._safe_probe()
                self._thread = threading.Thread(
                    target=self._run, name=f"listen-{self.channel}", daemon=True
                )
                self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def wait(self, after: int, timeout: float) -> int:
        """Block until something newer than ``after`` is known, or ``timeout``; the latest."""
        with self.changed:
            self.changed.wait_for(lambda: self.latest > after or self._stop.is_set(), timeout)
            return self.latest

    def _safe_probe(self) -> int:
        try:
            return self.probe()
        except Exception:
            log.exception("live probe failed")
            return self.latest

    def _bump(self, value: int) -> None:
        if value <= self.latest:
            return
        with self.changed:
            self.latest = value
            self.changed.notify_all()
        if self.on_change is not None:
            try:
                self.on_change(value)
            except Exception:
                log.exception("reacting to a change failed")

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.engine.dialect.name == "postgresql":
                    self._listen()
                else:
                    self._bump(self._safe_probe())
                    self._stop.wait(self.interval)
            except Exception:
                log.exception("listening on %s failed; trying again", self.channel)
                self._stop.wait(1.0)

    def _listen(self) -> None:
        import psycopg

        with psycopg.connect(_conninfo(self.engine), autocommit=True) as conn:
            conn.execute(f"LISTEN {self.channel}")
            self._bump(self._safe_probe())  # whatever committed before we listened
            while not self._stop.is_set():
                # Back after the first notification or the safety-net timeout; either way the
                # probe reads what committed (several notifications fold into one read).
                for _notify in conn.notifies(timeout=SAFETY_POLL_SECONDS, stop_after=1):
                    pass
                self._bump(self._safe_probe())
