"""Listening on Mastodon: mentions of and direct messages to the organisation's own account, read
from ``GET /api/v1/notifications?types[]=mention`` (a direct message arrives as a mention with
visibility "direct"), and answering them with ``POST /api/v1/statuses``.

A poll asks for everything newer than the last id it stored (``since_id``) and follows the
``Link`` header's "next" page (older items, still newer than ``since_id``) until a page comes back
short, so a burst larger than a page is read whole; the services store the messages and the new
``since_id`` in one transaction, so a crash re-reads rather than skips. Only the account's own
notifications are read: no search, no timelines, nobody followed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from planner.inbox.sources import Incoming, html_to_text
from planner.publishing.outbound import (
    Resolver,
    Response,
    raise_for_status,
    safe_request,
    system_resolver,
)
from planner.publishing.ports import (
    AmbiguousPublishError,
    PermanentPublishError,
    PublishRequest,
    PublishResult,
)

#: Mastodon's documented maximum for notifications
PAGE_SIZE = 80
#: a safety stop: a poll reads at most this many pages (80 000 mentions) or stores nothing
MAX_PAGES = 1000
_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?([a-z]+)"?')
_VISIBILITIES = ("public", "unlisted", "private", "direct")


def parse_link_header(value: str | None) -> dict[str, str]:
    """{"next": url, "prev": url} from an RFC 8288 Link header."""
    return {rel: url for url, rel in _LINK.findall(value or "")}


def _newer(a: str, b: str | None) -> bool:
    """Mastodon ids are numeric strings (snowflakes): compare them as numbers."""
    if b is None:
        return True
    try:
        return int(a) > int(b)
    except ValueError:
        return (len(a), a) > (len(b), b)


def _instant(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class MastodonAccount:
    base_url: str
    access_token: str
    #: the organisation's own handle (@name@server): its leading mention is left out of texts
    own_handle: str | None = None
    timeout: float = 15.0
    allow_loopback: bool = False


@dataclass(frozen=True)
class MentionBatch:
    messages: list[Incoming]
    #: the newest notification id seen; the next poll asks for what is newer
    newest_id: str | None
    pages: int


class MastodonListener:
    def __init__(self, account: MastodonAccount, *, resolver: Resolver = system_resolver) -> None:
        self.account = account
        self._resolver = resolver
        self._host = urlsplit(account.base_url).netloc

    def _get(self, path: str, params: list[tuple[str, str]]) -> Response:
        url = f"{self.account.base_url.rstrip('/')}{path}?{urlencode(params)}"
        response = safe_request(
            "GET",
            url,
            headers={
                "Authorization": f"Bearer {self.account.access_token}",
                "Accept": "application/json",
            },
            timeout=self.account.timeout,
            allow_loopback=self.account.allow_loopback,
            resolver=self._resolver,
        )
        raise_for_status(response, channel="Mastodon")
        return response

    def fetch_mentions(self, since_id: str | None) -> MentionBatch:
        """Every mention newer than ``since_id``, oldest first; pages followed by their Link."""
        params: list[tuple[str, str]] = [("types[]", "mention"), ("limit", str(PAGE_SIZE))]
        if since_id:
            params.append(("since_id", since_id))
        seen: dict[str, dict[str, Any]] = {}
        pages = 0
        while pages < MAX_PAGES:
            response = self._get("/api/v1/notifications", params)
            pages += 1
            page = response.json()
            if not isinstance(page, list):
                raise PermanentPublishError("Mastodon answered notifications with something else.")
            fresh = [n for n in page if isinstance(n, dict) and _newer(str(n.get("id")), since_id)]
            for notification in fresh:
                seen[str(notification["id"])] = notification
            following = parse_link_header(response.header("link")).get("next")
            if not fresh or len(page) < PAGE_SIZE or following is None:
                break
            # Follow "next" on our own server only, keeping since_id: the link names max_id.
            parts = urlsplit(following)
            max_id = parse_qs(parts.query).get("max_id", [None])[0]
            if parts.netloc != self._host or not max_id:
                break
            params = [p for p in params if p[0] not in ("max_id",)] + [("max_id", max_id)]
        else:
            # Never store a partial backlog: the cursor would jump over what was not read.
            raise PermanentPublishError(
                f"More than {MAX_PAGES} pages of mentions are waiting; nothing was stored."
            )
        ordered_ids = sorted(seen, key=lambda key: (len(key), key))
        messages = [m for key in ordered_ids if (m := self._incoming(seen[key])) is not None]
        newest = ordered_ids[-1] if ordered_ids else since_id
        return MentionBatch(messages, newest, pages)

    def _incoming(self, notification: dict[str, Any]) -> Incoming | None:
        status = notification.get("status")
        account = notification.get("account") or {}
        if not isinstance(status, dict) or not isinstance(account, dict):
            return None
        acct = str(account.get("acct") or account.get("username") or "")
        if "@" not in acct:
            acct = f"{acct}@{urlsplit(self.account.base_url).hostname}"
        handle = f"@{acct}"
        text = html_to_text(str(status.get("content") or ""))
        own = (self.account.own_handle or "").lstrip("@").split("@", 1)[0]
        if own:
            text = re.sub(rf"^@{re.escape(own)}(?:@[\w.-]+)?\s*", "", text, flags=re.IGNORECASE)
        visibility = str(status.get("visibility") or "public")
        return Incoming(
            remote_key=f"status:{status.get('id')}",
            remote_id=str(status.get("id")),
            author_key=handle.lower(),
            author_name=str(account.get("display_name") or "") or acct,
            author_handle=handle,
            body=text,
            received_at=_instant(status.get("created_at") or notification.get("created_at")),
            visibility=visibility if visibility in _VISIBILITIES else "public",
            remote_url=status.get("url") or status.get("uri"),
        )


def reply_text(handle: str, text: str) -> str:
    """A reply mentions its author first, as Mastodon clients do, so they are notified."""
    handle = handle if handle.startswith("@") else f"@{handle}"
    if text.lstrip().lower().startswith(handle.lower()):
        return text.strip()
    return f"{handle} {text.strip()}"


class MastodonReply:
    """The engine's publisher for one answer: same thread, same visibility, Idempotency-Key."""

    supports_idempotency: bool = True

    def __init__(
        self,
        account: MastodonAccount,
        *,
        in_reply_to_id: str,
        visibility: str,
        resolver: Resolver = system_resolver,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.account = account
        self.in_reply_to_id = in_reply_to_id
        self.visibility = visibility if visibility in _VISIBILITIES else "direct"
        self._resolver = resolver
        self._now = now

    def publish(self, request: PublishRequest) -> PublishResult:
        payload = {
            "status": request.text,
            "in_reply_to_id": self.in_reply_to_id,
            "visibility": self.visibility,
        }
        response = safe_request(
            "POST",
            f"{self.account.base_url.rstrip('/')}/api/v1/statuses",
            headers={
                "Authorization": f"Bearer {self.account.access_token}",
                "Accept": "application/json",
                "Content-Type": "application/json",
                "Idempotency-Key": request.idempotency_key,
            },
            body=json.dumps(payload).encode("utf-8"),
            timeout=self.account.timeout,
            allow_loopback=self.account.allow_loopback,
            resolver=self._resolver,
        )
        raise_for_status(response, channel="Mastodon", now=self._now())
        status = response.json()
        if not isinstance(status, dict) or not status.get("id"):
            raise AmbiguousPublishError("Mastodon accepted the reply but returned no id.")
        return PublishResult(
            remote_id=str(status["id"]),
            remote_url=status.get("url") or status.get("uri"),
            raw={"in_reply_to_id": self.in_reply_to_id, "visibility": self.visibility},
        )


def visibilities() -> Iterable[str]:
    return _VISIBILITIES
