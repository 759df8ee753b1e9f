"""Counting clicks without tracking anyone: who is a person, and a buffer of counters.

A click is classified from its method and user agent (a HEAD request, a crawler or link-preview
fetcher known to crawlerdetect, a platform's preview agent), then only the classification is
kept. crawlerdetect's verdict costs half a millisecond, so verdicts are remembered in memory, but
under a keyed hash of the user agent (a random key per process, never written anywhere), never
the user agent itself: a fresh ``CrawlerDetect`` per request, so its own cache never holds one.

The buffer adds clicks up in memory per link, day, referrer host and kind; the redirect writes the
sums after its response has gone out, at most once a second (``ClickCounter.flush``), so a click
never waits for the database. The buffer is also written on a graceful stop (atexit) and by the
scheduler's tick, and put back when a write fails, so no counted click is lost.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from datetime import date

from crawlerdetect import CrawlerDetect
from sqlalchemy.orm import Session, sessionmaker

from planner.db import write_session
from planner.effect.models import ClickKind
from planner.effect.services import CountKey, record_clicks

log = logging.getLogger(__name__)

#: preview fetchers crawlerdetect does not know (yet), and an empty user agent
_PREVIEW_AGENTS = re.compile(
    r"cardyb|bluesky|mastodon|pleroma|akkoma|misskey|iframely|embedly|skypeuripreview|"
    r"signal|whatsapp|preview",
    re.IGNORECASE,
)


#: verdicts remembered per process, by keyed hash of the user agent
VERDICTS = 4096
_KEY = secrets.token_bytes(32)
_verdicts: OrderedDict[bytes, bool] = OrderedDict()
_verdicts_lock = threading.Lock()


def _is_crawler(agent: str) -> bool:
    digest = hashlib.blake2b(agent.encode("utf-8", "replace"), key=_KEY, digest_size=16).digest()
    with _verdicts_lock:
        known = _verdicts.get(digest)
        if known is not None:
            _verdicts.move_to_end(digest)
            return known
    verdict = bool(CrawlerDetect().is_crawler(agent))
    with _verdicts_lock:
        _verdicts[digest] = verdict
        if len(_verdicts) > VERDICTS:
            _verdicts.popitem(last=False)
    return verdict


def classify(method: str, user_agent: str | None) -> ClickKind:
    """A person, a bot or link preview, or a HEAD request; nothing else is kept."""
    if method.upper() == "HEAD":
        return ClickKind.HEAD
    agent = (user_agent or "").strip()
    if not agent or _PREVIEW_AGENTS.search(agent):
        return ClickKind.BOT
    return ClickKind.BOT if _is_crawler(agent) else ClickKind.PERSON


class ClickCounter:
    """Clicks added up in memory and written in batches; thread-safe, one per process."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        interval: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory = factory
        self.interval = interval
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._pending: Counter[CountKey] = Counter()
        self._last = monotonic()

    def add(self, link_id: int, day: date, referrer_host: str, kind: ClickKind) -> bool:
        """Count one click; True when a flush is due (the caller flushes when it is free)."""
        with self._lock:
            self._pending[(link_id, day, referrer_host, kind)] += 1
            return self._monotonic() - self._last >= self.interval

    def pending(self) -> int:
        with self._lock:
            return sum(self._pending.values())

    def flush(self) -> int:
        """Write what was counted; returns the number of clicks written."""
        with self._flush_lock:
            with self._lock:
                batch, self._pending = self._pending, Counter()
                self._last = self._monotonic()
            if not batch:
                return 0
            try:
                with write_session(self._factory) as session:
                    record_clicks(session, batch)
            except Exception:
                # Keep the clicks for the next flush rather than lose them.
                with self._lock:
                    self._pending.update(batch)
                log.exception(
                    "writing %d clicks failed; kept for the next try", sum(batch.values())
                )
                return 0
            return sum(batch.values())
