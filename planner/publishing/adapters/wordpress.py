"""Publishes an article to a WordPress site through the REST API with an application password.

WordPress has no idempotency key, so this adapter never hides an unclear outcome: a timeout or a
server error after the post request is reported as ambiguous. `find_published` (the Reconciler
port) then reads the site's latest posts and matches title and text, so the engine can settle
the delivery without a person, or send again when the post is not there.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import urlencode

from planner.publishing.adapters._html import text_to_html
from planner.publishing.adapters._reconcile import (
    fingerprint,
    parse_time,
    unreadable,
    within,
)
from planner.publishing.adapters._transport import (
    HttpPublisher,
    join_url,
    json_before_publishing,
    json_body,
    safe_filename,
    send,
)
from planner.publishing.outbound import Response, raise_for_status
from planner.publishing.ports import (
    AmbiguousPublishError,
    MediaItem,
    PermanentPublishError,
    PublishError,
    PublishRequest,
    PublishResult,
)

_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class WordPressSettings:
    #: the site's root, e.g. https://blog.example.nl (the REST API lives under api_root)
    base_url: str
    username: str
    application_password: str
    api_root: str = "/wp-json"
    status: Literal["publish", "draft", "pending", "private"] = "publish"
    timeout: float = 20.0
    allow_loopback: bool = False
    #: how far back find_published looks for the post
    reconcile_window_hours: float = 48.0


class WordPressPublisher(HttpPublisher[WordPressSettings]):
    def _call(
        self, path: str, body: bytes | None, headers: dict[str, str], method: str = "POST"
    ) -> Response:
        credentials = f"{self.settings.username}:{self.settings.application_password}"
        token = base64.b64encode(credentials.encode("utf-8")).decode("ascii")
        url = join_url(join_url(self.settings.base_url, self.settings.api_root), path)
        return send(
            method,
            url,
            headers={"Authorization": f"Basic {token}", "Accept": "application/json", **headers},
            body=body,
            timeout=self.settings.timeout,
            allow_loopback=self.settings.allow_loopback,
            resolver=self._resolver,
            ssl_context=self._ssl_context,
        )

    def upload_featured_image(self, item: MediaItem) -> int:
        """Upload the image, then set its alt text (the upload endpoint takes only the file)."""
        extension = mimetypes.guess_extension(item.mime) or ""
        filename = safe_filename(item.filename or "", f"{item.sha256[:16]}{extension}")
        response = self._call(
            "/wp/v2/media",
            item.read_bytes(),
            {
                "Content-Type": item.mime,
                "Content-Disposition": f'attachment; filename="{filename}"',
            },
        )
        # A duplicate upload only leaves an unused file in the media library, so ordinary retry
        # rules apply here; the post itself is handled more carefully below.
        raise_for_status(response, channel="WordPress", now=self._clock())
        media_id = _id_of(json_before_publishing(response, "media upload"), "media upload")
        update = self._call(
            f"/wp/v2/media/{media_id}",
            json_body({"alt_text": item.alt}),
            {"Content-Type": "application/json"},
        )
        raise_for_status(update, channel="WordPress", now=self._clock())
        return media_id

    @staticmethod
    def _title(request: PublishRequest) -> str:
        return request.title or request.text.strip().split("\n", 1)[0][:120]

    @staticmethod
    def _content(request: PublishRequest) -> str:
        return request.html if request.html is not None else text_to_html(request.text)

    def publish(self, request: PublishRequest) -> PublishResult:
        featured = self.upload_featured_image(request.media[0]) if request.media else None
        title = self._title(request)
        payload: dict[str, Any] = {
            "title": title,
            "content": self._content(request),
            "status": self.settings.status,
        }
        if request.excerpt:
            payload["excerpt"] = request.excerpt
        if featured is not None:
            payload["featured_media"] = featured
        response = self._call(
            "/wp/v2/posts", json_body(payload), {"Content-Type": "application/json"}
        )
        raise_for_status(
            response, channel="WordPress", now=self._clock(), server_error_is_ambiguous=True
        )
        post = response.json()
        if not isinstance(post, dict) or not isinstance(post.get("id"), int):
            # A 2xx without an id means the post probably exists; do not let a retry duplicate it.
            raise AmbiguousPublishError(
                f"WordPress answered {response.status} but without a post id; check the site."
            )
        post_id = post["id"]
        link = post.get("link")
        return PublishResult(
            remote_id=str(post_id),
            remote_url=link if isinstance(link, str) else None,
            raw={"status": post.get("status"), "featured_media": featured},
        )

    def find_published(self, request: PublishRequest) -> PublishResult | None:
        """The site's post with this title and text, written within the window, or None.

        Read with context=edit so the raw title and content come back as we sent them (kses may
        still filter the content, so it is compared without markup).
        """
        query = urlencode(
            {
                "context": "edit",
                "per_page": 20,
                "orderby": "date",
                "order": "desc",
                "status": self.settings.status,
            }
        )
        try:
            response = self._call(f"/wp/v2/posts?{query}", None, {}, method="GET")
            raise_for_status(response, channel="WordPress", now=self._clock())
            posts = response.json()
        except PublishError as exc:
            raise unreadable("WordPress", exc) from exc
        if not isinstance(posts, list):
            raise unreadable("WordPress", PermanentPublishError("the post list was not a list"))
        title = _plain(self._title(request))
        content = _plain(self._content(request))
        window = timedelta(hours=self.settings.reconcile_window_hours)
        for post in posts:
            if not isinstance(post, dict):
                continue
            raw_title = _raw(post.get("title"))
            raw_content = _raw(post.get("content"))
            when = parse_time(post.get("date_gmt") and f"{post['date_gmt']}Z")
            if (
                _plain(raw_title) == title
                and _plain(raw_content) == content
                and within(window, when, self._clock())
            ):
                link = post.get("link")
                return PublishResult(
                    remote_id=str(post.get("id")),
                    remote_url=link if isinstance(link, str) else None,
                    raw={"status": post.get("status"), "reconciled": True},
                )
        return None


def _raw(field: Any) -> str:
    if isinstance(field, dict):
        value = field.get("raw", field.get("rendered", ""))
        return value if isinstance(value, str) else ""
    return field if isinstance(field, str) else ""


def _plain(markup: str) -> str:
    return fingerprint(html.unescape(_TAG.sub(" ", markup)))


def _id_of(document: Any, what: str) -> int:
    value = document.get("id") if isinstance(document, dict) else None
    if not isinstance(value, int):
        raise PermanentPublishError(f"WordPress answered the {what} without an id.")
    return value
