"""A fake LinkedIn Marketing API for one organisation page.

Follows learn.microsoft.com/linkedin/marketing/community-management/shares: the Posts API
(POST /rest/posts answering 201 with the new URN in x-restli-id; GET /rest/posts/{urn};
GET /rest/posts?q=author&author=... with sortBy LAST_MODIFIED (default) or CREATED, newest
first, paged by start and count (default 10) with paging {start, count, total, links}; a page
with fewer elements than count is the last: shared/api-guide/concepts/pagination), the Images API (POST /rest/images?action=initializeUpload
returning value.uploadUrl and value.image, then a PUT of the bytes), the "little" text format
(reserved characters escaped with a backslash, hashtags as {hashtag|#|tag}; an unescaped reserved
character cuts the stored text there, as LinkedIn silently does), the required LinkedIn-Version
(YYYYMM) and X-Restli-Protocol-Version: 2.0.0 headers, and the error documents
{"status", "code", "message"} with errorDetails.inputErrors for DUPLICATE_POST (422, "Content
is a duplicate of urn:li:share:..."). 429 without headers: the daily quotas reset at midnight
UTC (learn.microsoft.com/linkedin/shared/api-guide/concepts/rate-limits).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlencode

from tests.fakes.server import FakeApp, Reply, Request, json_reply

RESERVED = set("\\|{}@[]()<>#*_~")
_TEMPLATE = re.compile(r"\{hashtag\|[#＃]\|([^}]*)\}")


def _error(status: int, code: str, message: str) -> Reply:
    return json_reply(status, {"status": status, "code": code, "message": message})


def shown_text(little: str) -> str:
    """What LinkedIn shows of little-format commentary; stops at an unescaped reserved char."""
    out: list[str] = []
    index = 0
    while index < len(little):
        template = _TEMPLATE.match(little, index)
        if template:
            out.append("#" + template.group(1).replace("\\", ""))
            index = template.end()
            continue
        char = little[index]
        if char == "\\" and index + 1 < len(little):
            out.append(little[index + 1])
            index += 2
            continue
        if char in RESERVED:
            break  # the silent cut
        out.append(char)
        index += 1
    return "".join(out)


class FakeLinkedIn(FakeApp):
    organization = "urn:li:organization:2414183"
    token = "linkedin-member-token"

    def __init__(self, token_check: Callable[[str | None], bool] | None = None) -> None:
        super().__init__()
        self.token_check = token_check
        self.expired: set[str] = set()
        self.posts: list[dict[str, Any]] = []
        self.images: dict[str, dict[str, Any]] = {}
        self.ids = itertools.count(7400000000000000001)

    def _authorised(self, token: str | None) -> Reply | None:
        if self.token_check is not None:
            valid = self.token_check(token)
        else:
            valid = token == self.token and token not in self.expired
        if valid:
            return None
        if token in self.expired or self.token_check is not None:
            return _error(401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired")
        return _error(401, "INVALID_ACCESS_TOKEN", "Invalid access token")

    def handle(self, request: Request) -> Reply:
        with self.lock:
            if request.method == "PUT" and request.path.startswith("/dms-uploads/"):
                return self._upload(request)
            refusal = self._authorised(request.bearer())
            if refusal is not None:
                return refusal
            if request.headers.get("x-restli-protocol-version") != "2.0.0":
                return _error(400, "ILLEGAL_ARGUMENT", "X-Restli-Protocol-Version 2.0.0 required")
            version = request.headers.get("linkedin-version", "")
            if not re.fullmatch(r"20\d{4}", version):
                return _error(
                    426, "NONEXISTENT_VERSION", f"Requested version {version} is not active"
                )
            path = request.path
            if request.method == "POST" and path == "/rest/images":
                return self._initialize(request)
            if request.method == "POST" and path == "/rest/posts":
                return self._create(request)
            if request.method == "GET" and path == "/rest/posts":
                return self._list(request)
            if request.method == "GET" and path.startswith("/rest/posts/"):
                urn = unquote(path.removeprefix("/rest/posts/"))
                for post in self.posts:
                    if post["id"] == urn and not post.get("deleted"):
                        return json_reply(200, post)
                return _error(404, "NOT_FOUND", f"Post {urn} not found")
        return _error(404, "NOT_FOUND", "no such resource")

    def _initialize(self, request: Request) -> Reply:
        if request.query.get("action") != "initializeUpload":
            return _error(400, "ILLEGAL_ARGUMENT", "action must be initializeUpload")
        owner = request.json().get("initializeUploadRequest", {}).get("owner")
        if owner != self.organization:
            return _error(403, "ACCESS_DENIED", "Not enough permissions for this owner")
        number = next(self.ids)
        urn = f"urn:li:image:C4E10AQ{number}"
        self.images[urn] = {"status": "WAITING_UPLOAD", "bytes": b"", "number": number}
        return json_reply(
            200,
            {
                "value": {
                    "uploadUrlExpiresAt": 1_900_000_000_000,
                    "uploadUrl": f"{self.url}/dms-uploads/{number}",
                    "image": urn,
                }
            },
        )

    def _upload(self, request: Request) -> Reply:
        number = int(request.path.rsplit("/", 1)[1])
        for image in self.images.values():
            if image["number"] == number:
                image["bytes"] = request.body
                image["status"] = "AVAILABLE"
                return Reply(201)
        return Reply(404)

    def _create(self, request: Request) -> Reply:
        body = request.json()
        if body.get("author") != self.organization:
            return _error(403, "ACCESS_DENIED", "Not enough permissions to post as this author")
        little = body.get("commentary", "")
        text = shown_text(little)
        for post in self.posts:
            if post["commentary"] == little:
                return json_reply(
                    422,
                    {
                        "errorDetailType": "com.linkedin.common.error.BadRequest",
                        "message": "com.linkedin.content.common.exception."
                        f"BadRequestResponseException: Content is a duplicate of {post['id']}",
                        "errorDetails": {
                            "inputErrors": [
                                {
                                    "description": "Duplicate post is detected",
                                    "input": {},
                                    "code": "DUPLICATE_POST",
                                }
                            ]
                        },
                        "status": 422,
                    },
                )
        content = body.get("content") or {}
        entries = []
        if "media" in content:
            entries = [content["media"]]
        elif "multiImage" in content:
            entries = content["multiImage"]["images"]
        for entry in entries:
            image = self.images.get(entry.get("id"))
            if image is None or image["status"] != "AVAILABLE":
                return _error(422, "UNPROCESSABLE_ENTITY", "Image is not available")
            if len(entry.get("altText", "")) > 4086:
                return _error(422, "UNPROCESSABLE_ENTITY", "altText too long")
        urn = f"urn:li:share:{next(self.ids)}"
        now = int(datetime.now(UTC).timestamp() * 1000)
        self.posts.append(
            {
                "id": urn,
                "author": body["author"],
                "commentary": little,
                "shown": text,
                "content": content,
                "visibility": body.get("visibility"),
                "lifecycleState": body.get("lifecycleState"),
                "distribution": body.get("distribution"),
                "createdAt": now,
                "publishedAt": now,
                "lastModifiedAt": now,
            }
        )
        self.record_published(text, urn)
        return Reply(201, {"x-restli-id": urn, "x-linkedin-id": urn})

    def add_post(self, commentary: str, *, at: datetime) -> dict[str, Any]:
        """Store a published post (`commentary` in the little format) as if it had gone out at
        `at`: tests seed a page's history this way."""
        moment = int(at.timestamp() * 1000)
        post = {
            "id": f"urn:li:share:{next(self.ids)}",
            "author": self.organization,
            "commentary": commentary,
            "shown": shown_text(commentary),
            "content": {},
            "visibility": "PUBLIC",
            "lifecycleState": "PUBLISHED",
            "distribution": {"feedDistribution": "MAIN_FEED"},
            "createdAt": moment,
            "publishedAt": moment,
            "lastModifiedAt": moment,
        }
        self.posts.append(post)
        return post

    def _list(self, request: Request) -> Reply:
        query = request.query
        if query.get("q") != "author" or query.get("author") != self.organization:
            return _error(400, "ILLEGAL_ARGUMENT", "q=author with this page's URN required")
        count = int(query.get("count", "10"))
        start = int(query.get("start", "0"))
        if count < 0 or start < 0:
            return _error(400, "ILLEGAL_ARGUMENT", "start and count must not be negative")
        order = "createdAt" if query.get("sortBy") == "CREATED" else "lastModifiedAt"
        # Newest first; posts from one instant keep their order of arrival, newest first.
        shown = sorted(
            (post for post in reversed(self.posts) if not post.get("deleted")),
            key=lambda post: post[order],
            reverse=True,
        )
        elements = [{k: v for k, v in post.items() if k != "shown"} for post in shown]
        paging: dict[str, Any] = {"start": start, "count": count, "total": len(elements)}
        links = []
        if start + count < len(elements):
            following = {**query, "start": str(start + count), "count": str(count)}
            links.append(
                {
                    "type": "application/json",
                    "rel": "next",
                    "href": f"/rest/posts?{urlencode(sorted(following.items()))}",
                }
            )
        paging["links"] = links
        return json_reply(200, {"elements": elements[start : start + count], "paging": paging})
