"""A Mastodon server for the inbox: notifications to read, statuses to post replies to.

Follows Mastodon's documented REST API (mastodon/documentation, content/en/methods/
notifications.md and statuses.md; entities Notification, Status and Account):

- ``GET /api/v1/notifications``: bearer token; ``types[]`` filters (repeatable), ``since_id``
  (newer than), ``max_id`` (older than), ``min_id`` (immediately newer than), ``limit`` (default
  40, at most 80); newest first; a ``Link`` header with ``rel="next"`` (``max_id`` = the last id
  of the page) and ``rel="prev"`` (``min_id`` = the first id), which, as on the real server,
  carry ``types[]`` and ``limit`` but not ``since_id``.
- ``GET /api/v1/statuses/:id``: one of the statuses posted here, with ``favourites_count``,
  ``reblogs_count`` and ``replies_count`` (set with ``react``); every read is kept in ``reads``.
- ``POST /api/v1/statuses``: JSON with ``status``, ``in_reply_to_id``, ``visibility``; the
  ``Idempotency-Key`` header makes a repeated request return the first status (the real server
  keeps keys for an hour per account).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

from tests.fakes.server import FakeApp, Reply, Request, json_reply

TOKEN = "inbox-mastodon-token"


class FakeMastodon(FakeApp):
    def __init__(self, domain: str = "social.test", own: str = "zuiderhaven") -> None:
        super().__init__()
        self.domain = domain
        self.own = own
        self.notifications: list[dict[str, Any]] = []
        self.statuses: list[dict[str, Any]] = []
        self.by_key: dict[str, dict[str, Any]] = {}
        self._next_id = 109_000_000_000_000_000
        #: status id -> how many times GET /api/v1/statuses/:id asked for it
        self.reads: dict[str, int] = {}

    # -- test helpers --------------------------------------------------------------------------

    def mention(
        self,
        acct: str,
        text: str,
        *,
        visibility: str = "public",
        display_name: str | None = None,
        kind: str = "mention",
    ) -> dict[str, Any]:
        """A resident mentions (or, with visibility "direct", messages) the organisation."""
        with self.lock:
            self._next_id += 7
            status_id = str(self._next_id)
            self._next_id += 3
            notification_id = str(self._next_id)
            account = {
                "id": str(abs(hash(acct)) % 10**9),
                "username": acct.split("@")[0],
                "acct": acct,
                "display_name": display_name or acct.split("@")[0].title(),
                "url": f"https://{acct.split('@')[-1]}/@{acct.split('@')[0]}",
            }
            created = datetime.now(UTC).isoformat().replace("+00:00", "Z")
            status = {
                "id": status_id,
                "uri": f"https://{self.domain}/users/x/statuses/{status_id}",
                "url": f"https://{self.domain}/@{acct.split('@')[0]}/{status_id}",
                "created_at": created,
                "account": account,
                "content": (
                    f'<p><span class="h-card"><a href="https://{self.domain}/@{self.own}" '
                    f'class="u-url mention">@<span>{self.own}</span></a></span> {text}</p>'
                ),
                "visibility": visibility,
                "in_reply_to_id": None,
                "mentions": [{"acct": self.own, "username": self.own}],
                "media_attachments": [],
            }
            notification = {
                "id": notification_id,
                "type": kind,
                "created_at": created,
                "account": account,
                "status": status,
            }
            self.notifications.append(notification)
            return notification

    def react(
        self, status_id: str, *, favourites: int = 0, reblogs: int = 0, replies: int = 0
    ) -> None:
        """Residents favourite, boost and answer one of our statuses (totals so far)."""
        with self.lock:
            for status in self.statuses:
                if status["id"] == status_id:
                    status["favourites_count"] = favourites
                    status["reblogs_count"] = reblogs
                    status["replies_count"] = replies
                    return
        raise KeyError(status_id)

    # -- the API -------------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        if request.bearer() != TOKEN:
            return json_reply(401, {"error": "The access token is invalid"})
        if request.method == "GET" and request.path == "/api/v1/notifications":
            return self._notifications(request)
        if request.method == "POST" and request.path == "/api/v1/statuses":
            return self._post_status(request)
        if request.method == "GET" and request.path.startswith("/api/v1/statuses/"):
            return self._get_status(request.path.rsplit("/", 1)[1])
        return json_reply(404, {"error": "Record not found"})

    def _notifications(self, request: Request) -> Reply:
        query = parse_qs(request.target.partition("?")[2])
        types = query.get("types[]", [])
        limit = min(80, int(query.get("limit", ["40"])[0]))

        def one(name: str) -> int | None:
            return int(query[name][0]) if name in query else None

        since, max_id, min_id = one("since_id"), one("max_id"), one("min_id")
        with self.lock:
            items = [n for n in self.notifications if not types or n["type"] in types]
        items.sort(key=lambda n: int(n["id"]), reverse=True)
        if since is not None:
            items = [n for n in items if int(n["id"]) > since]
        if max_id is not None:
            items = [n for n in items if int(n["id"]) < max_id]
        if min_id is not None:
            items = [n for n in items if int(n["id"]) > min_id][-limit:]
        page = items[:limit]
        headers: dict[str, str] = {}
        if page:
            keep = [("types[]", t) for t in types] + [("limit", str(limit))]
            base = f"{self.url}/api/v1/notifications"
            following = urlencode([*keep, ("max_id", page[-1]["id"])])
            previous = urlencode([*keep, ("min_id", page[0]["id"])])
            headers["Link"] = f'<{base}?{following}>; rel="next", <{base}?{previous}>; rel="prev"'
        return json_reply(200, page, headers)

    def _get_status(self, status_id: str) -> Reply:
        with self.lock:
            self.reads[status_id] = self.reads.get(status_id, 0) + 1
            for status in self.statuses:
                if status["id"] == status_id:
                    counts = {
                        f"{name}_count": status.get(f"{name}_count", 0)
                        for name in ("favourites", "reblogs", "replies")
                    }
                    return json_reply(200, {**status, **counts})
        return json_reply(404, {"error": "Record not found"})

    def _post_status(self, request: Request) -> Reply:
        key = request.headers.get("idempotency-key")
        with self.lock:
            if key is not None and key in self.by_key:
                return json_reply(200, self.by_key[key])
            payload = json.loads(request.body)
            if not str(payload.get("status") or "").strip():
                return json_reply(422, {"error": "Validation failed: Text can't be blank"})
            self._next_id += 5
            status_id = str(self._next_id)
            status = {
                "id": status_id,
                "url": f"https://{self.domain}/@{self.own}/{status_id}",
                "content": payload["status"],
                "visibility": payload.get("visibility", "public"),
                "in_reply_to_id": payload.get("in_reply_to_id"),
                "idempotency_key": key,
            }
            self.statuses.append(status)
            if key is not None:
                self.by_key[key] = status
        return json_reply(200, status)
