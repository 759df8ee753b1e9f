"""Publishes photos and carousels to an Instagram professional account (content publishing).

Instagram fetches the photo from our public URL into a media container, processes it, and only
a FINISHED container can be published. There is no idempotency key and no duplicate refusal, so
an unclear publish is settled by asking the container (PUBLISHED means it went out) and by
reading the account's latest media, here and in `find_published` for the engine.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from planner.channels.catalogue import get_kind, get_publishing_rules
from planner.publishing.adapters._graph import GraphApi
from planner.publishing.adapters._platform import (
    check_aspect,
    check_bytes,
    check_media,
    image_size,
    utcnow,
)
from planner.publishing.adapters._reconcile import (
    find_recent,
    unreadable,
)
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

_KIND = get_kind("instagram")
_RULES = get_publishing_rules("instagram")


@dataclass(frozen=True)
class InstagramSettings:
    access_token: str
    #: the Instagram professional account's id
    ig_user_id: str
    #: graph.facebook.com/vNN with Facebook Login, graph.instagram.com with Instagram Login
    base_url: str = "https://graph.facebook.com/v21.0"
    #: how often and how many times to ask whether a container is FINISHED
    poll_interval: float = 3.0
    poll_attempts: int = 20
    reconcile_window_hours: float = 48.0
    timeout: float = 20.0
    allow_loopback: bool = False


class InstagramPublisher:
    supports_idempotency: bool = False

    def __init__(
        self,
        settings: InstagramSettings,
        *,
        tokens: AccessTokenSource | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = utcnow,
        resolver: Resolver = system_resolver,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self.graph = GraphApi.for_channel(
            "Instagram",
            _RULES,
            settings,
            tokens=tokens,
            clock=clock,
            resolver=resolver,
            ssl_context=ssl_context,
        )

    def _check_image(self, item: MediaItem) -> None:
        data = item.read_bytes() if (item.loader or item.path) else None
        if data is not None:
            check_bytes("Instagram", _RULES, item, data)
        check_aspect("Instagram", _RULES, image_size(item, data))

    def _container(self, fields: dict[str, str]) -> str:
        return self.graph.create_container(f"/{self.settings.ig_user_id}/media", fields)

    def _wait(self, container: str) -> None:
        self.graph.wait_for_container(
            container,
            status_field="status_code",
            interval=self.settings.poll_interval,
            attempts=self.settings.poll_attempts,
            sleep=self._sleep,
        )

    def publish(self, request: PublishRequest) -> PublishResult:
        caption = request.text
        if _KIND.text_limit is not None and len(caption) > _KIND.text_limit:
            raise PermanentPublishError(
                f"The caption is {len(caption)} characters; Instagram allows {_KIND.text_limit}."
            )
        tags = caption.count("#")
        if _KIND.hashtag_limit is not None and tags > _KIND.hashtag_limit:
            raise PermanentPublishError(
                f"The caption has {tags} hashtags; Instagram allows {_KIND.hashtag_limit}."
            )
        if not request.media:
            raise PermanentPublishError("Instagram posts need at least one photo.")
        check_media("Instagram", _RULES, request.media, _KIND.media_per_post)
        for item in request.media:
            self._check_image(item)

        if len(request.media) == 1:
            item = request.media[0]
            container = self._container(
                {"image_url": str(item.url), "caption": caption, "alt_text": item.alt}
            )
            children: list[str] = []
        else:
            children = [
                self._container(
                    {"image_url": str(item.url), "is_carousel_item": "true", "alt_text": item.alt}
                )
                for item in request.media
            ]
            for child in children:
                self._wait(child)
            container = self._container(
                {"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption}
            )
        self._wait(container)

        found: list[PublishResult] = []

        def look_up() -> str | None:
            result = self._found(request)
            if result is not None:
                found.append(result)
            return result.remote_id if result is not None else None

        media_id = self.graph.publish_container(
            f"/{self.settings.ig_user_id}/media_publish",
            container,
            status_field="status_code",
            find_published=look_up,
        )
        if found:
            return found[0]
        return PublishResult(
            remote_id=media_id,
            remote_url=self.graph.permalink(media_id),
            raw={
                "container": container,
                "children": children,
                "media_sha256": [m.sha256 for m in request.media],
            },
        )

    def _found(self, request: PublishRequest) -> PublishResult | None:
        media = find_recent(
            self.graph.timeline(
                f"/{self.settings.ig_user_id}/media",
                "id,caption,permalink,timestamp",
                time_of=lambda post: post.get("timestamp"),
                since=self._clock() - timedelta(hours=self.settings.reconcile_window_hours),
            ),
            request.text,
            text_of=lambda post: str(post.get("caption") or ""),
            time_of=lambda post: post.get("timestamp"),
            window_hours=self.settings.reconcile_window_hours,
            now=self._clock(),
        )
        if media is None:
            return None
        return PublishResult(
            remote_id=str(media["id"]), remote_url=media.get("permalink"), raw={"reconciled": True}
        )

    def find_published(self, request: PublishRequest) -> PublishResult | None:
        try:
            return self._found(request)
        except AccountUnreadableError:
            raise
        except PublishError as exc:
            raise unreadable("Instagram", exc) from exc
