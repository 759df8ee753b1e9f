"""A fake WordPress REST API (wp/v2) with the post listing a reconciler reads.

Follows developer.wordpress.org/rest-api/reference/posts: POST /wp-json/wp/v2/posts answers 201
with the post; GET /wp-json/wp/v2/posts?context=edit (authenticated) lists posts newest first
with title/content as {"raw", "rendered"} and date_gmt without a zone; application passwords
travel as HTTP Basic (developer.wordpress.org/rest-api/using-the-rest-api/authentication).
"""

from __future__ import annotations

import base64
import html
import itertools
from datetime import UTC, datetime
from typing import Any

from tests.fakes.server import FakeApp, Reply, Request, json_reply


class FakeWordPress(FakeApp):
    user = "redactie"
    password = "abcd EFGH 1234 ijkl MNOP 5678"

    def __init__(self) -> None:
        super().__init__()
        self.posts: list[dict[str, Any]] = []
        self.ids = itertools.count(500)

    def handle(self, request: Request) -> Reply:
        expected = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return json_reply(401, {"code": "rest_not_logged_in", "message": "Not logged in."})
        with self.lock:
            if request.path == "/wp-json/wp/v2/posts" and request.method == "POST":
                body = request.json()
                post_id = next(self.ids)
                post = {
                    "id": post_id,
                    "link": f"https://blog.test/?p={post_id}",
                    "status": body.get("status", "draft"),
                    "title": body["title"],
                    "content": body["content"],
                    "date_gmt": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                }
                self.posts.append(post)
                return json_reply(201, self._shown(post, edit=False))
            if request.path == "/wp-json/wp/v2/posts" and request.method == "GET":
                query = request.query
                edit = query.get("context") == "edit"
                wanted = query.get("status", "publish")
                posts = [p for p in reversed(self.posts) if p["status"] == wanted]
                return json_reply(
                    200, [self._shown(p, edit) for p in posts[: int(query.get("per_page", "10"))]]
                )
        return json_reply(404, {"code": "rest_no_route"})

    @staticmethod
    def _shown(post: dict[str, Any], edit: bool) -> dict[str, Any]:
        def field(value: str) -> dict[str, str]:
            rendered = {"rendered": html.escape(value, quote=False)}
            return {"raw": value, **rendered} if edit else rendered

        return {
            "id": post["id"],
            "link": post["link"],
            "status": post["status"],
            "date_gmt": post["date_gmt"],
            "title": field(post["title"]),
            "content": field(post["content"]),
        }
