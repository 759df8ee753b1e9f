"""What the reconcilers share: an account's posts paged back to the start of the reconcile
window, and the text fingerprint they match a platform's posts on.

A platform without an idempotency key cannot be asked "did you get this one?"; after an
ambiguous outcome the engine reads the account instead (publishing.md). So the look must be
exact enough to find our post among the hundreds a burst puts on one account, bounded so one
attempt never reads forever, and honest: past its bound it says "cannot tell", never "not there".
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from planner.publishing.ports import AccountUnreadableError, AmbiguousPublishError, PublishError

_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


#: how many posts a reconciler asks for per page: the largest page these APIs serve (Graph
#: limit, X max_results, LinkedIn count)
RECONCILE_PAGE_SIZE = 100
#: how many pages one look reads at most. A lost post sits behind every post that went out after
#: it, which in a burst is hundreds per account; ten pages cover that and keep one attempt's work
#: bounded. Further back than this, a person looks (see Timeline).
RECONCILE_MAX_PAGES = 10

#: one page of an account's posts, newest first, and the cursor that asks for the page after it
#: (None when the platform says there is none)
Page = tuple[list[dict[str, Any]], Any]


class Timeline:
    """An account's posts, newest first, read a page at a time and only as far as a search needs.

    Reading stops when the search finds its post, when the platform has no older page, or after a
    page that reaches back past ``since`` (the start of the reconcile window: nothing older can be
    the post we sent). A search that would need more than ``max_pages`` pages raises
    AccountUnreadableError instead of answering "not found": the post may lie further back, and
    "not found" makes the engine send it again.

    Iterating again replays the posts already read before asking for more, so a thread's later
    parts can be matched without reading the account twice.
    """

    def __init__(
        self,
        channel: str,
        fetch: Callable[[Any], Page],
        *,
        time_of: Callable[[dict[str, Any]], Any],
        since: datetime,
        max_pages: int = RECONCILE_MAX_PAGES,
    ) -> None:
        self.channel = channel
        self.since = since
        self.max_pages = max_pages
        #: every post read so far, newest first
        self.posts: list[dict[str, Any]] = []
        self.pages = 0
        self._fetch = fetch
        self._time_of = time_of
        self._cursor: Any = None
        self._exhausted = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        index = 0
        while True:
            if index < len(self.posts):
                yield self.posts[index]
                index += 1
            elif self._exhausted:
                return
            else:
                self._read_page()

    def _read_page(self) -> None:
        if self.pages >= self.max_pages:
            raise AccountUnreadableError(
                f"{self.channel} shows more than {len(self.posts)} posts since "
                f"{self.since:%Y-%m-%d %H:%M} UTC, more than one check reads, so whether this "
                "post went out could not be seen. Look for it on the account.",
                pages=self.pages,
                posts_read=len(self.posts),
            )
        posts, cursor = self._fetch(self._cursor)
        self.pages += 1
        page = [post for post in posts if isinstance(post, dict)]
        self.posts.extend(page)
        times = (parse_time(self._time_of(post)) for post in page)
        reached = any(moment is not None and moment < self.since for moment in times)
        self._cursor = cursor
        self._exhausted = cursor is None or reached


def fingerprint(text: str) -> str:
    """What stays the same when a platform echoes our text back.

    Platforms shorten or rewrite links (t.co), add one for attached media, escape HTML (&amp;),
    normalise Unicode and trim whitespace; none of them change the words. So links are left out,
    entities decoded, the text NFC-normalised and whitespace collapsed.
    """
    text = html.unescape(text)
    text = _URL.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    return _SPACE.sub(" ", text).strip()


def within(window: timedelta, when: datetime | None, now: datetime) -> bool:
    """True when `when` is recent enough to be the post we sent (unknown times count)."""
    return when is None or now - when <= window


def find_recent(
    posts: Iterable[Any],
    text: str,
    *,
    text_of: Callable[[dict[str, Any]], str],
    time_of: Callable[[dict[str, Any]], Any],
    window_hours: float,
    now: datetime,
    accept: Callable[[dict[str, Any]], bool] = lambda post: True,
) -> dict[str, Any] | None:
    """The first of an account's recent posts that is the one we sent: the same words (by
    fingerprint) within the reconcile window, and whatever else ``accept`` asks (the right
    parent for a thread's reply, a published lifecycle state)."""
    wanted = fingerprint(text)
    window = timedelta(hours=window_hours)
    for post in posts:
        if not isinstance(post, dict):
            continue
        if fingerprint(text_of(post)) != wanted:
            continue
        if within(window, parse_time(time_of(post)), now) and accept(post):
            return post
    return None


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time as platforms write it ("2026-12-04T10:00:00+0000", "...Z", epoch ms)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, UTC)
    if not isinstance(value, str) or not value:
        return None
    cleaned = value.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", cleaned):
        cleaned = f"{cleaned[:-2]}:{cleaned[-2:]}"
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def unreadable(channel: str, exc: PublishError) -> AccountUnreadableError:
    return AccountUnreadableError(
        f"{channel} could not be read to check whether the post went out: {exc.message}",
        cause=exc.code,
    )


def still_open(exc: AccountUnreadableError) -> AmbiguousPublishError:
    """A look-up made while publishing (after a duplicate refusal, or a container that says it
    went out) that ran out of pages: the outcome stays open, so the engine tries again later and
    its reconciler looks before anything is sent."""
    return AmbiguousPublishError(exc.message, **exc.details)
