"""Publishes an article to a WordPress site through the REST API with an application password.

WordPress has no idempotency key, so this adapter never hides an unclear outcome: a timeout or a
server error after the post request is reported as ambiguous and a person checks the site.
"""

from __future__ import annotations

import base64
import mimetypes
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from planner.publishing.adapters._html import text_to_html
from planner.publishing.adapters._transport import (
    join_url,
    json_before_publishing,
    json_body,
    safe_filename,
    send,
)
from planner.publishing.outbound import Resolver, Response, raise_for_status, system_resolver
from planner.publishing.ports import (
    AmbiguousPublishError,
    MediaItem,
    PermanentPublishError,
    PublishRequest,
    PublishResult,
)


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


def _utcnow() -> datetime:
    return datetime.now(UTC)


class WordPressPublisher:
    supports_idempotency: bool = False

    def __init__(
        self,
        settings: WordPressSettings,
        *,
        clock: Callable[[], datetime] = _utcnow,
        resolver: Resolver = system_resolver,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._resolver = resolver
        self._ssl_context = ssl_context

    def _call(self, path: str, body: bytes, headers: dict[str, str]) -> Response:
        credentials = f"{self.settings.username}:{self.settings.application_password}"
        token = base64.b64encode(credentials.encode("utf-8")).decode("ascii")
        url = join_url(join_url(self.settings.base_url, self.settings.api_root), path)
        return send(
            "POST",
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

    def publish(self, request: PublishRequest) -> PublishResult:
        featured = self.upload_featured_image(request.media[0]) if request.media else None
        title = request.title or request.text.strip().split("\n", 1)[0][:120]
        payload: dict[str, Any] = {
            "title": title,
            "content": request.html if request.html is not None else text_to_html(request.text),
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


def _id_of(document: Any, what: str) -> int:
    value = document.get("id") if isinstance(document, dict) else None
    if not isinstance(value, int):
        raise PermanentPublishError(f"WordPress answered the {what} without an id.")
    return value
