"""Publishes posts and threads to Threads: a media container per post, threads_publish, and
each further part of a thread as a reply (reply_to_id) to the part before it.

No idempotency key and no duplicate refusal: an unclear publish is settled by asking the
container (PUBLISHED means it went out) and by reading the profile's latest threads and replies,
here and in `find_published` for the engine.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from planner.channels import counting
from planner.channels.catalogue import get_kind, get_publishing_rules
from planner.publishing.adapters._graph import GraphApi
from planner.publishing.adapters._platform import (
    check_media,
    utcnow,
)
from planner.publishing.adapters._reconcile import (
    Timeline,
    find_recent,
    parse_time,
    unreadable,
)
from planner.publishing.outbound import Resolver, system_resolver
from planner.publishing.ports import (
    AccessTokenSource,
    AccountUnreadableError,
    PartlyPublishedError,
    PermanentPublishError,
    PublishError,
    PublishRequest,
    PublishResult,
)

_KIND = get_kind("threads")
_RULES = get_publishing_rules("threads")


@dataclass(frozen=True)
class ThreadsSettings:
    access_token: str
    #: the Threads user id ("me" works for the token's own profile)
    user_id: str = "me"
    base_url: str = "https://graph.threads.net/v1.0"
    poll_interval: float = 3.0
    poll_attempts: int = 20
    reconcile_window_hours: float = 48.0
    timeout: float = 20.0
    allow_loopback: bool = False


class ThreadsPublisher:
    supports_idempotency: bool = False

    def __init__(
        self,
        settings: ThreadsSettings,
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
            "Threads",
            _RULES,
            settings,
            tokens=tokens,
            clock=clock,
            resolver=resolver,
            ssl_context=ssl_context,
        )

    def _container(self, fields: dict[str, str]) -> str:
        return self.graph.create_container(f"/{self.settings.user_id}/threads", fields)

    def _wait(self, container: str) -> None:
        self.graph.wait_for_container(
            container,
            status_field="status",
            interval=self.settings.poll_interval,
            attempts=self.settings.poll_attempts,
            sleep=self._sleep,
        )

    def _post(self, request: PublishRequest, index: int, reply_to: str | None) -> str:
        text = request.parts[index]
        fields: dict[str, str] = {"text": text}
        if reply_to is not None:
            fields["reply_to_id"] = reply_to
        media = request.media if index == 0 else ()
        if len(media) == 1:
            fields.update(media_type="IMAGE", image_url=str(media[0].url), alt_text=media[0].alt)
        elif media:
            children = [
                self._container(
                    {
                        "media_type": "IMAGE",
                        "image_url": str(item.url),
                        "is_carousel_item": "true",
                        "alt_text": item.alt,
                    }
                )
                for item in media
            ]
            for child in children:
                self._wait(child)
            fields.update(media_type="CAROUSEL", children=",".join(children))
        else:
            fields["media_type"] = "TEXT"
        container = self._container(fields)
        self._wait(container)

        def look_up() -> str | None:
            found = self._match(self._posts(index > 0, self._window_start()), text, reply_to)
            return str(found["id"]) if found is not None else None

        return self.graph.publish_container(
            f"/{self.settings.user_id}/threads_publish",
            container,
            status_field="status",
            find_published=look_up,
        )

    def publish(self, request: PublishRequest) -> PublishResult:
        parts = tuple(request.parts)
        for number, part in enumerate(parts, start=1):
            length = counting.count(part, _KIND)
            if _KIND.text_limit is not None and length > _KIND.text_limit:
                where = f"Part {number} of the thread" if len(parts) > 1 else "The text"
                raise PermanentPublishError(
                    f"{where} counts {length} on Threads; Threads allows {_KIND.text_limit}.",
                    part=number,
                )
        check_media("Threads", _RULES, request.media, _KIND.media_per_post)
        ids: list[str] = list(request.published_parts)[: len(parts)]
        for index in range(len(ids), len(parts)):
            try:
                ids.append(self._post(request, index, ids[-1] if ids else None))
            except PublishError as exc:
                exc.details["published_ids"] = list(ids)
                raise
        return PublishResult(
            remote_id=ids[0],
            remote_url=self.graph.permalink(ids[0]),
            raw={"ids": ids, "media_sha256": [m.sha256 for m in request.media]},
        )

    def _window_start(self) -> datetime:
        return self._clock() - timedelta(hours=self.settings.reconcile_window_hours)

    def _posts(self, replies: bool, since: datetime) -> Timeline:
        """The profile's threads (or its replies), newest first, paged back to ``since``."""
        edge = "replies" if replies else "threads"
        return self.graph.timeline(
            f"/{self.settings.user_id}/{edge}",
            "id,text,timestamp,permalink,replied_to",
            time_of=lambda post: post.get("timestamp"),
            since=since,
        )

    def _match(
        self, posts: Iterable[dict[str, Any]], text: str, reply_to: str | None
    ) -> dict[str, Any] | None:
        def parent_is_ours(post: dict[str, Any]) -> bool:
            parent = post.get("replied_to")
            parent_id = parent.get("id") if isinstance(parent, dict) else None
            return reply_to is None or parent_id == reply_to

        return find_recent(
            posts,
            text,
            text_of=lambda post: str(post.get("text") or ""),
            time_of=lambda post: post.get("timestamp"),
            window_hours=self.settings.reconcile_window_hours,
            now=self._clock(),
            accept=parent_is_ours,
        )

    def find_published(self, request: PublishRequest) -> PublishResult | None:
        try:
            since = self._window_start()
            head = self._match(self._posts(False, since), request.parts[0], None)
            ids = [str(head["id"])] if head is not None else []
            if head is not None and len(request.parts) > 1:
                # The thread's replies went out after its first part: read back to that, no further.
                head_at = parse_time(head.get("timestamp"))
                replies = self._posts(True, max(since, head_at) if head_at else since)
                for part in request.parts[1:]:
                    found = self._match(replies, part, ids[-1])
                    if found is None:
                        break
                    ids.append(str(found["id"]))
        except AccountUnreadableError:
            raise
        except PublishError as exc:
            raise unreadable("Threads", exc) from exc
        if not ids:
            return None
        if len(ids) < len(request.parts):
            raise PartlyPublishedError(
                f"{len(ids)} of the {len(request.parts)} parts of this thread are on Threads.",
                ids,
            )
        head_post = head or {}
        return PublishResult(
            remote_id=ids[0],
            remote_url=head_post.get("permalink"),
            raw={"ids": ids, "reconciled": True},
        )
