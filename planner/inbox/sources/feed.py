"""Feeds the organisation chose to follow (the neighbourhood association's news, a partner's
blog): fetched over publishing's guarded HTTP (planner.publishing.outbound) with a conditional GET,
parsed with feedparser, and turned into story tips, never into posts.

Every entry of a fetch is returned, not just the newest: the services keep each one it has not
seen (by guid, or a hash of the link when a feed has none), so several new items in one poll all
arrive. An unchanged feed answers 304 and costs nothing.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

from planner.inbox.sources import html_to_text
from planner.publishing.outbound import Resolver, raise_for_status, safe_request, system_resolver
from planner.publishing.ports import PermanentPublishError

MAX_FEED_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class FeedItem:
    remote_key: str
    title: str
    link: str | None
    summary: str
    published_at: datetime | None


@dataclass(frozen=True)
class FeedFetch:
    #: False when the server said 304 Not Modified
    changed: bool
    items: list[FeedItem]
    etag: str | None
    last_modified: str | None


def _key(entry: Any) -> str | None:
    guid = entry.get("id") or entry.get("guid")
    if guid:
        return f"guid:{str(guid)[:380]}"
    link = entry.get("link")
    if link:
        return "link:" + hashlib.sha256(str(link).encode("utf-8")).hexdigest()
    title = entry.get("title")
    if title:
        basis = f"{title}|{entry.get('published') or entry.get('updated') or ''}"
        return "title:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()
    return None


def _published(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)


def fetch_feed(
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    allow_loopback: bool = False,
    resolver: Resolver = system_resolver,
) -> FeedFetch:
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    response = safe_request(
        "GET",
        url,
        headers=headers,
        allow_loopback=allow_loopback,
        resolver=resolver,
        max_response_bytes=MAX_FEED_BYTES,
    )
    if response.status == 304:
        return FeedFetch(False, [], etag, last_modified)
    raise_for_status(response, channel="The feed")
    if response.truncated:
        raise PermanentPublishError("The feed is larger than 2 MB; it was not read.")
    parsed = feedparser.parse(
        response.body,
        response_headers={"content-type": response.header("content-type") or "application/xml"},
    )
    if parsed.get("bozo") and not parsed.entries:
        raise PermanentPublishError(
            f"This is not a feed that can be read: {parsed.get('bozo_exception')}"
        )
    items = []
    for entry in parsed.entries:
        key = _key(entry)
        if key is None:
            continue
        summary = html_to_text(str(entry.get("summary") or ""))
        items.append(
            FeedItem(
                remote_key=key,
                title=(str(entry.get("title") or "") or summary[:80] or "Zonder titel")[:300],
                link=str(entry.get("link")) if entry.get("link") else None,
                summary=summary[:5000],
                published_at=_published(entry),
            )
        )
    return FeedFetch(
        True, items, response.header("etag") or None, response.header("last-modified") or None
    )
