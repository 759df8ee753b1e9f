"""The effect's per-process collaborators ``init_app`` installs: the click counter and a small
cache of short links (they never change once written), so a redirect needs no database.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app

from planner.effect.counting import ClickCounter

_KEY = "planner.effect"
#: short links kept in memory per process; the cache starts over when full
CACHE_SIZE = 50_000
#: how long the organisation's timezone is trusted before it is read again
TIMEZONE_SECONDS = 60.0


@dataclass(frozen=True)
class CachedLink:
    id: int
    #: the target with its UTM parameters
    location: str


@dataclass
class Effect:
    counter: ClickCounter
    links: dict[str, CachedLink] = field(default_factory=dict)
    _timezone: tuple[float, str] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def remember(self, code: str, link: CachedLink) -> None:
        with self._lock:
            if len(self.links) >= CACHE_SIZE:
                self.links.clear()
            self.links[code] = link

    def timezone(self, read: Callable[[], str]) -> str:
        cached = self._timezone
        now = time.monotonic()
        if cached is not None and now - cached[0] < TIMEZONE_SECONDS:
            return cached[1]
        tz = read()
        self._timezone = (now, tz)
        return tz


def install(app: Flask, effect: Effect) -> None:
    app.extensions[_KEY] = effect
    # A graceful stop writes what was counted since the last flush.
    atexit.register(effect.counter.flush)


def get(app: Flask | None = None) -> Effect:
    effect: Effect = (app or current_app).extensions[_KEY]
    return effect


def counter(app: Flask | None = None) -> ClickCounter:
    return get(app).counter
