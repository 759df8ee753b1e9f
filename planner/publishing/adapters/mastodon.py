"""Publishes posts and threads to a Mastodon server through its REST API.

Mastodon honours an `Idempotency-Key` header (per account, for about an hour), so every thread part
carries a key derived from the delivery's key and a retry re-creates nothing that already exists.
"""

from __future__ import annotations

import mimetypes
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from planner.channels import counting
from planner.channels.catalogue import get_kind
from planner.publishing.adapters._transport import (
    join_url,
    json_before_publishing,
    json_body,
    multipart,
    safe_filename,
    send,
)
from planner.publishing.outbound import Resolver, Response, raise_for_status, system_resolver
from planner.publishing.ports import (
    AmbiguousPublishError,
    MediaItem,
    PermanentPublishError,
    PublishError,
    PublishRequest,
    PublishResult,
    TransientPublishError,
)

Visibility = Literal["public", "unlisted", "private", "direct"]

#: what Mastodon itself falls back to; used when a server predates GET /api/v2/instance
DEFAULT_MAX_CHARACTERS = 500
DEFAULT_MAX_MEDIA = 4
URL_WEIGHT = 23


@dataclass(frozen=True)
class MastodonSettings:
    base_url: str
    access_token: str
    visibility: Visibility = "public"
    language: str | None = None
    timeout: float = 15.0
    allow_loopback: bool = False
    #: media processing: how often and how many times to ask whether an upload is ready
    media_poll_interval: float = 1.0
    media_poll_attempts: int = 10


@dataclass(frozen=True)
class InstanceLimits:
    max_characters: int = DEFAULT_MAX_CHARACTERS
    max_media_attachments: int = DEFAULT_MAX_MEDIA
    characters_reserved_per_url: int = URL_WEIGHT


class InstanceLimitsCache:
    """Remembers each server's limits for a while; they change rarely and every post needs them."""

    def __init__(self, ttl: float = 3600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[str, tuple[float, InstanceLimits]] = {}
        self._lock = threading.Lock()

    def get(self, base_url: str) -> InstanceLimits | None:
        with self._lock:
            entry = self._entries.get(base_url)
            if entry is None or entry[0] <= self._clock():
                return None
            return entry[1]

    def put(self, base_url: str, limits: InstanceLimits) -> None:
        with self._lock:
            self._entries[base_url] = (self._clock() + self._ttl, limits)


def count_characters(text: str, url_weight: int = URL_WEIGHT) -> int:
    """Characters as Mastodon counts them: graphemes, a URL as `url_weight`, @user@domain as @user.

    The counting itself is planner.channels.counting's (the editor's live counter uses the same
    code, remote mentions included); only the instance's own URL weight is applied here.
    """
    return counting.count(text, replace(get_kind("mastodon"), url_weight=url_weight))


def part_key(idempotency_key: str, index: int) -> str:
    """The Idempotency-Key of thread part `index`: stable across attempts of one delivery."""
    return f"{idempotency_key}:{index}"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MastodonPublisher:
    supports_idempotency: bool = True

    def __init__(
        self,
        settings: MastodonSettings,
        *,
        cache: InstanceLimitsCache | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = _utcnow,
        resolver: Resolver = system_resolver,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.settings = settings
        self._cache = cache if cache is not None else InstanceLimitsCache()
        self._sleep = sleep
        self._clock = clock
        self._resolver = resolver
        self._ssl_context = ssl_context

    # -- plumbing -------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> Response:
        headers = {
            "Authorization": f"Bearer {self.settings.access_token}",
            "Accept": "application/json",
            **(extra or {}),
        }
        if content_type is not None:
            headers["Content-Type"] = content_type
        return send(
            method,
            join_url(self.settings.base_url, path),
            headers=headers,
            body=body,
            timeout=self.settings.timeout,
            allow_loopback=self.settings.allow_loopback,
            resolver=self._resolver,
            ssl_context=self._ssl_context,
        )

    def _check(self, response: Response) -> None:
        now = self._clock()
        try:
            raise_for_status(response, channel="Mastodon", now=now)
        except TransientPublishError as exc:
            # Mastodon's rate limiter says when the window resets rather than sending Retry-After.
            reset = response.header("x-ratelimit-reset")
            if exc.retry_after is None and response.status == 429 and reset:
                try:
                    at = datetime.fromisoformat(reset.replace("Z", "+00:00"))
                    exc.retry_after = max(0.0, (at - now).total_seconds())
                except ValueError:
                    pass
            raise

    # -- steps ----------------------------------------------------------------------------------

    def instance_limits(self) -> InstanceLimits:
        cached = self._cache.get(self.settings.base_url)
        if cached is not None:
            return cached
        response = self._call("GET", "/api/v2/instance")
        if response.status == 404:
            # Servers before Mastodon 4.0 have no v2 endpoint; their limits are the defaults.
            limits = InstanceLimits()
        else:
            self._check(response)
            document = json_before_publishing(response, "instance information request")
            statuses = _dig(document, "configuration", "statuses")
            limits = InstanceLimits(
                max_characters=_int(statuses.get("max_characters"), DEFAULT_MAX_CHARACTERS),
                max_media_attachments=_int(
                    statuses.get("max_media_attachments"), DEFAULT_MAX_MEDIA
                ),
                characters_reserved_per_url=_int(
                    statuses.get("characters_reserved_per_url"), URL_WEIGHT
                ),
            )
        self._cache.put(self.settings.base_url, limits)
        return limits

    def upload_media(self, item: MediaItem) -> str:
        """Upload one file with its alt text; wait (bounded) until the server has processed it."""
        data = item.read_bytes()
        extension = mimetypes.guess_extension(item.mime) or ""
        filename = safe_filename(item.filename or "", f"{item.sha256[:16]}{extension}")
        content_type, body = multipart(
            {"description": item.alt}, [("file", filename, item.mime, data)]
        )
        response = self._call("POST", "/api/v2/media", body=body, content_type=content_type)
        self._check(response)
        attachment = json_before_publishing(response, "media upload")
        media_id = str(attachment.get("id") or "")
        if not media_id:
            raise PermanentPublishError("Mastodon accepted a media upload but returned no id.")
        if response.status == 200 and attachment.get("url"):
            return media_id
        # 202 Accepted: the server processes the file in the background; 206 means "not yet".
        for _ in range(self.settings.media_poll_attempts):
            self._sleep(self.settings.media_poll_interval)
            poll = self._call("GET", f"/api/v1/media/{media_id}")
            self._check(poll)
            if poll.status == 200 and json_before_publishing(poll, "media check").get("url"):
                return media_id
        raise TransientPublishError(
            "Mastodon is still processing an uploaded image; the post will be tried again.",
            media_id=media_id,
        )

    def publish(self, request: PublishRequest) -> PublishResult:
        limits = self.instance_limits()
        for index, part in enumerate(request.parts, start=1):
            length = count_characters(part, limits.characters_reserved_per_url)
            if length > limits.max_characters:
                where = f"Part {index} of the thread" if len(request.parts) > 1 else "The text"
                raise PermanentPublishError(
                    f"{where} is {length} characters; this Mastodon server allows "
                    f"{limits.max_characters}. Shorten it or split it into more parts.",
                    part=index,
                    length=length,
                    limit=limits.max_characters,
                )
        if len(request.media) > limits.max_media_attachments:
            raise PermanentPublishError(
                f"{len(request.media)} images are attached; this Mastodon server allows "
                f"{limits.max_media_attachments} per post.",
                limit=limits.max_media_attachments,
            )
        media_ids = [self.upload_media(item) for item in request.media]

        statuses: list[dict[str, Any]] = []
        previous: str | None = None
        for index, part in enumerate(request.parts):
            payload: dict[str, Any] = {"status": part, "visibility": self.settings.visibility}
            if index == 0 and media_ids:
                # Images belong to the thread's opening post, where readers see them first.
                payload["media_ids"] = media_ids
            if previous is not None:
                payload["in_reply_to_id"] = previous
            if self.settings.language:
                payload["language"] = self.settings.language
            try:
                response = self._call(
                    "POST",
                    "/api/v1/statuses",
                    body=json_body(payload),
                    content_type="application/json",
                    extra={"Idempotency-Key": part_key(request.idempotency_key, index)},
                )
                self._check(response)
                status = response.json()
            except PublishError as exc:
                # Tell whoever reads the log how far the thread got; the next attempt resumes
                # through the same per-part keys.
                exc.details["published_ids"] = [str(s.get("id")) for s in statuses]
                raise
            if not isinstance(status, dict) or not status.get("id"):
                # The post probably exists; a retry with the same key would return it.
                raise AmbiguousPublishError(
                    "Mastodon accepted a post but returned no id.",
                    published_ids=[str(s.get("id")) for s in statuses],
                )
            statuses.append(status)
            previous = str(status["id"])

        head = statuses[0]
        return PublishResult(
            remote_id=str(head["id"]),
            remote_url=head.get("url") or head.get("uri"),
            raw={
                "ids": [str(s["id"]) for s in statuses],
                "urls": [s.get("url") for s in statuses],
                "media_ids": media_ids,
                "media_sha256": [m.sha256 for m in request.media],
            },
        )

    def status_counts(self, status_id: str) -> dict[str, int]:
        """Favourites, boosts and replies of one of our statuses (GET /api/v1/statuses/:id);
        the effect's snapshots read them at fixed moments after publication."""
        if not status_id.isdigit() and not status_id.isalnum():
            raise PermanentPublishError("A Mastodon status id is letters and digits.")
        response = self._call("GET", f"/api/v1/statuses/{status_id}")
        self._check(response)
        status = response.json()
        if not isinstance(status, dict):
            raise PermanentPublishError("Mastodon answered something other than a status.")
        return {
            name: max(0, _int(status.get(f"{name}_count"), 0))
            for name in ("favourites", "reblogs", "replies")
        }


def _dig(document: Any, *keys: str) -> dict[str, Any]:
    for key in keys:
        document = document.get(key) if isinstance(document, dict) else None
    return document if isinstance(document, dict) else {}


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and value > 0 else default
