"""A fake X API v2 for one account.

Follows docs.x.com: POST /2/tweets (201 {"data": {"id", "text", "edit_history_tweet_ids"}},
reply.in_reply_to_tweet_id, media.media_ids), POST /2/media/upload (multipart "media" and
"media_category", 5 MB images) and POST /2/media/metadata (alt_text up to 1,000 characters),
GET /2/users/me and GET /2/users/:id/tweets (newest first; text with links shortened to t.co,
a t.co link appended for attached media, and &, <, > escaped as HTML entities, as the API
returns them; max_results 5 to 100, default 10; start_time leaves out older posts; a page
that has more after it carries meta.next_token, which pagination_token asks for, and the last
page none: docs.x.com/x-api/fundamentals/pagination, /x-api/users/get-posts). Errors are problem documents {"title", "detail", "type", "status"}; a repeated
text is refused 403 "You are not allowed to create a Tweet with duplicate content."; every
answer carries x-rate-limit-limit/-remaining/-reset (Unix seconds), and 429 when exhausted
(docs.x.com/x-api/fundamentals/rate-limits, /response-codes-and-errors).
"""

from __future__ import annotations

import html
import itertools
import re
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tests.fakes.server import FakeApp, Reply, Request, json_reply

_URL = re.compile(r"https?://\S+")


def _problem(status: int, title: str, detail: str, kind: str = "about:blank") -> Reply:
    return json_reply(status, {"title": title, "detail": detail, "type": kind, "status": status})


class FakeX(FakeApp):
    user_id = "1500000000000000001"
    username = "gemeentezuiderhaven"
    token = "x-user-token"

    def __init__(self, token_check: Callable[[str | None], bool] | None = None) -> None:
        super().__init__()
        self.token_check = token_check or (lambda token: token == self.token)
        self.posts: list[dict[str, Any]] = []
        self.media: dict[str, dict[str, Any]] = {}
        self.ids = itertools.count(1860000000000000001)
        #: pagination tokens handed out, each naming the post its page starts at
        self.page_tokens: dict[str, str] = {}

    def _limits(self) -> dict[str, str]:
        return {
            "x-rate-limit-limit": "200",
            "x-rate-limit-remaining": "199",
            "x-rate-limit-reset": str(int(time.time()) + 900),
        }

    def handle(self, request: Request) -> Reply:
        if not self.token_check(request.bearer()):
            return _problem(401, "Unauthorized", "Unauthorized")
        with self.lock:
            reply = self._route(request)
        reply.headers.update(self._limits())
        return reply

    def _route(self, request: Request) -> Reply:
        path = request.path
        if request.method == "GET" and path == "/2/users/me":
            return json_reply(
                200,
                {"data": {"id": self.user_id, "name": "Zuiderhaven", "username": self.username}},
            )
        if request.method == "POST" and path == "/2/media/upload":
            return self._upload(request)
        if request.method == "POST" and path == "/2/media/metadata":
            body = request.json()
            item = self.media.get(body.get("id"))
            alt = body.get("metadata", {}).get("alt_text", {}).get("text", "")
            if item is None:
                return _problem(400, "Invalid Request", "media id not found")
            if len(alt) > 1000:
                return _problem(400, "Invalid Request", "alt_text is longer than 1000")
            item["alt"] = alt
            return json_reply(200, {"data": {"id": item["id"], "associated_metadata": body}})
        if request.method == "POST" and path == "/2/tweets":
            return self._create(request)
        if request.method == "GET" and path == f"/2/users/{self.user_id}/tweets":
            return self._timeline(request)
        return _problem(404, "Not Found Error", f"no route {path}")

    def _upload(self, request: Request) -> Reply:
        fields = request.multipart()
        data = fields.get("media", b"")
        if len(data) > 5 * 1024 * 1024:
            return _problem(400, "Invalid Request", "File size exceeds 5242880 bytes")
        media_id = str(next(self.ids))
        self.media[media_id] = {
            "id": media_id,
            "size": len(data),
            "category": fields.get("media_category", b"").decode(),
            "alt": None,
        }
        return json_reply(
            200,
            {
                "data": {
                    "id": media_id,
                    "media_key": f"3_{media_id}",
                    "size": len(data),
                    "expires_after_secs": 86400,
                }
            },
        )

    def _create(self, request: Request) -> Reply:
        body = request.json()
        text = body.get("text", "")
        if len(text) > 280:
            return _problem(400, "Invalid Request", "text is too long")
        if any(post["text"] == text for post in self.posts):
            return _problem(
                403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."
            )
        media_ids = body.get("media", {}).get("media_ids", [])
        if any(media_id not in self.media for media_id in media_ids):
            return _problem(400, "Invalid Request", "media_ids not found")
        reply_to = body.get("reply", {}).get("in_reply_to_tweet_id")
        if reply_to is not None and all(post["id"] != reply_to for post in self.posts):
            return _problem(400, "Invalid Request", "in_reply_to_tweet_id not found")
        post_id = str(next(self.ids))
        self.posts.append(
            {
                "id": post_id,
                "text": text,
                "media_ids": media_ids,
                "reply_to": reply_to,
                "created_at": datetime.now(UTC),
            }
        )
        self.record_published(text, post_id)
        return json_reply(
            201, {"data": {"id": post_id, "text": text, "edit_history_tweet_ids": [post_id]}}
        )

    def _shown(self, post: dict[str, Any]) -> dict[str, Any]:
        text = html.escape(_URL.sub("https://t.co/AbCdEf1234", post["text"]), quote=False)
        if post["media_ids"]:
            text += " https://t.co/PiCtUrE567"
        shown: dict[str, Any] = {
            "id": post["id"],
            "text": text,
            "edit_history_tweet_ids": [post["id"]],
            "created_at": post["created_at"]
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        }
        if post["reply_to"]:
            shown["referenced_tweets"] = [{"type": "replied_to", "id": post["reply_to"]}]
        return shown

    def add_post(self, text: str, *, at: datetime, reply_to: str | None = None) -> dict[str, Any]:
        """Store a post as if it had been posted at `at` (tests seed an account's history)."""
        post = {
            "id": str(next(self.ids)),
            "text": text,
            "media_ids": [],
            "reply_to": reply_to,
            "created_at": at,
        }
        self.posts.append(post)
        return post

    def _timeline(self, request: Request) -> Reply:
        query = request.query
        count = int(query.get("max_results", "10"))
        if not 5 <= count <= 100:
            return _problem(400, "Invalid Request", "max_results must be between 5 and 100")
        # Newest first; posts stored in one instant keep their order of arrival, newest first.
        arrived = sorted(enumerate(self.posts), key=lambda pair: (pair[1]["created_at"], pair[0]))
        newest_first = [post for _, post in reversed(arrived)]
        if "start_time" in query:
            since = datetime.fromisoformat(query["start_time"].replace("Z", "+00:00"))
            newest_first = [p for p in newest_first if p["created_at"] >= since]
        begin = 0
        if "pagination_token" in query:
            first = self.page_tokens.get(query["pagination_token"])
            ids = [p["id"] for p in newest_first]
            if first not in ids:
                return _problem(400, "Invalid Request", "pagination_token is not valid")
            begin = ids.index(first)
        page = newest_first[begin : begin + count]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if begin + count < len(newest_first):
            token = secrets.token_hex(12)
            self.page_tokens[token] = newest_first[begin + count]["id"]
            meta["next_token"] = token
        document: dict[str, Any] = {"meta": meta}
        if page:  # an empty page has no data member at all
            document["data"] = [self._shown(p) for p in page]
        return json_reply(200, document)
