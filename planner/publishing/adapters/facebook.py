"""Publishes to a Facebook Page through the Graph API with a Page access token.

A text or link post goes to /{page-id}/feed, one photo to /{page-id}/photos, several photos are
uploaded unpublished and attached to one feed post (attached_media). The Graph API has no
idempotency key but refuses a repeated status (code 506); then, and for the engine through
`find_published`, the page's latest posts are read and matched.
"""

from __future__ import annotations

import json
import mimetypes
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from planner.channels.catalogue import get_kind, get_publishing_rules
from planner.publishing.adapters._graph import GraphApi
from planner.publishing.adapters._platform import (
    DuplicatePostError,
    check_bytes,
    check_media,
    utcnow,
)
from planner.publishing.adapters._reconcile import (
    Timeline,
    find_recent,
    still_open,
    unreadable,
)
from planner.publishing.adapters._transport import multipart, safe_filename
from planner.publishing.outbound import Resolver, system_resolver
from planner.publishing.ports import (
    AccessTokenSource,
    AccountUnreadableError,
    MediaItem,
    PermanentPublishError,
    PublishError,
    PublishRequest,
    PublishResult,
)

_KIND = get_kind("facebook")
_RULES = get_publishing_rules("facebook")


@dataclass(frozen=True)
class FacebookSettings:
    #: a Page access token (from a long-lived user token it does not expire)
    access_token: str
    page_id: str
    base_url: str = "https://graph.facebook.com/v21.0"
    reconcile_window_hours: float = 48.0
    timeout: float = 20.0
    allow_loopback: bool = False


class FacebookPublisher:
    supports_idempotency: bool = False

    def __init__(
        self,
        settings: FacebookSettings,
        *,
        tokens: AccessTokenSource | None = None,
        clock: Callable[[], datetime] = utcnow,
        resolver: Resolver = system_resolver,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self.graph = GraphApi.for_channel(
            "Facebook",
            _RULES,
            settings,
            tokens=tokens,
            clock=clock,
            resolver=resolver,
            ssl_context=ssl_context,
        )

    def _photo(self, item: MediaItem, fields: dict[str, str]) -> tuple[bytes, dict[str, str]]:
        data = item.read_bytes()
        check_bytes("Facebook", _RULES, item, data)
        extension = mimetypes.guess_extension(item.mime) or ""
        filename = safe_filename(item.filename or "", f"{item.sha256[:16]}{extension}")
        # alt_text_custom: the Photo node's own description for screen readers.
        content_type, body = multipart(
            {**fields, "alt_text_custom": item.alt}, [("source", filename, item.mime, data)]
        )
        return body, {"Content-Type": content_type}

    def publish(self, request: PublishRequest) -> PublishResult:
        message = request.text
        if _KIND.text_limit is not None and len(message) > _KIND.text_limit:
            raise PermanentPublishError(
                f"The text is {len(message)} characters; Facebook allows {_KIND.text_limit}."
            )
        check_media("Facebook", _RULES, request.media, _KIND.media_per_post)
        page = self.settings.page_id
        photo_ids: list[str] = []
        try:
            if len(request.media) == 1:
                body, headers = self._photo(
                    request.media[0], {"caption": message, "published": "true"}
                )
                post_id = self.graph.publish(f"/{page}/photos", {}, body=body, headers=headers)
            else:
                for item in request.media:
                    body, headers = self._photo(item, {"published": "false"})
                    response = self.graph.post_raw(
                        f"/{page}/photos", {}, body=body, headers=headers
                    )
                    photo_ids.append(str(self.graph.client.read_json(response, "photo")["id"]))
                fields = {"message": message}
                if request.link and not photo_ids:
                    fields["link"] = request.link
                for index, photo_id in enumerate(photo_ids):
                    fields[f"attached_media[{index}]"] = json.dumps({"media_fbid": photo_id})
                post_id = self.graph.publish(f"/{page}/feed", fields)
        except DuplicatePostError:
            try:
                found = self._match(self.timeline(), message)
            except AccountUnreadableError as exc:
                raise still_open(exc) from exc
            if found is None:
                raise
            post_id = str(found["id"])
        return PublishResult(
            remote_id=post_id,
            remote_url=f"https://www.facebook.com/{post_id}",
            raw={"photo_ids": photo_ids, "media_sha256": [m.sha256 for m in request.media]},
        )

    def timeline(self) -> Timeline:
        """The Page's published posts, newest first, back to the start of the reconcile window."""
        return self.graph.timeline(
            f"/{self.settings.page_id}/published_posts",
            "id,message,created_time,permalink_url",
            time_of=lambda post: post.get("created_time"),
            since=self._clock() - timedelta(hours=self.settings.reconcile_window_hours),
        )

    def _match(self, posts: Iterable[dict[str, Any]], message: str) -> dict[str, Any] | None:
        return find_recent(
            posts,
            message,
            text_of=lambda post: str(post.get("message") or ""),
            time_of=lambda post: post.get("created_time"),
            window_hours=self.settings.reconcile_window_hours,
            now=self._clock(),
        )

    def find_published(self, request: PublishRequest) -> PublishResult | None:
        try:
            found = self._match(self.timeline(), request.text)
        except AccountUnreadableError:
            raise
        except PublishError as exc:
            raise unreadable("Facebook", exc) from exc
        if found is None:
            return None
        return PublishResult(
            remote_id=str(found["id"]),
            remote_url=found.get("permalink_url") or f"https://www.facebook.com/{found['id']}",
            raw={"reconciled": True},
        )
