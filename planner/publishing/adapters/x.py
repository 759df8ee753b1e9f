"""Publishes posts and threads to X through API v2 with an OAuth 2 user token.

X has no idempotency key. It does refuse a post whose text equals one of the account's recent
posts, so a resend after an unclear outcome is refused rather than duplicated; the adapter then
reads the account's timeline to find the earlier post. `find_published` (the Reconciler port)
does the same for the engine before it decides to send again.
"""

from __future__ import annotations

import json
import mimetypes
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from planner.channels import counting
from planner.channels.catalogue import get_kind, get_publishing_rules
from planner.publishing.adapters._platform import (
    JSON,
    Connection,
    DuplicatePostError,
    PlatformClient,
    check_bytes,
    check_media,
    utcnow,
)
from planner.publishing.adapters._reconcile import (
    RECONCILE_PAGE_SIZE,
    Page,
    Timeline,
    find_recent,
    still_open,
    unreadable,
)
from planner.publishing.adapters._transport import join_url, json_body, multipart, safe_filename
from planner.publishing.outbound import Resolver, Response, system_resolver
from planner.publishing.ports import (
    AccessTokenSource,
    AccountUnreadableError,
    AmbiguousPublishError,
    MediaItem,
    PartlyPublishedError,
    PermanentPublishError,
    PublishError,
    PublishRequest,
    PublishResult,
    StaticToken,
    TransientPublishError,
)

_KIND = get_kind("x")
_RULES = get_publishing_rules("x")


@dataclass(frozen=True)
class XSettings:
    access_token: str
    base_url: str = "https://api.x.com"
    #: the account's numeric id; read once from /2/users/me when not configured
    user_id: str | None = None
    #: how far back a reconciler looks for our post
    reconcile_window_hours: float = 48.0
    timeout: float = 15.0
    allow_loopback: bool = False


def x_error(response: Response) -> str | None:
    """X's problem documents ({"title", "detail", "type"}) reduced to a rules key."""
    if response.status == 401:
        return "unauthorized"
    if response.status == 429:
        return "too_many_requests"
    try:
        problem = json.loads(response.body)
    except ValueError:
        return None
    if not isinstance(problem, dict):
        return None
    detail = str(problem.get("detail") or "")
    if "duplicate content" in detail.lower():
        return "duplicate_content"
    kind = str(problem.get("type") or "")
    if "/problems/" in kind:
        return kind.rsplit("/", 1)[1].replace("-", "_")
    return None


class XPublisher:
    supports_idempotency: bool = False

    def __init__(
        self,
        settings: XSettings,
        *,
        tokens: AccessTokenSource | None = None,
        clock: Callable[[], datetime] = utcnow,
        resolver: Resolver = system_resolver,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._user_id = settings.user_id
        self.client = PlatformClient(
            channel="X",
            rules=_RULES,
            tokens=tokens if tokens is not None else StaticToken(settings.access_token),
            connection=Connection(
                timeout=settings.timeout,
                allow_loopback=settings.allow_loopback,
                resolver=resolver,
                ssl_context=ssl_context,
            ),
            error_code=x_error,
            clock=clock,
        )

    def _url(self, path: str, query: dict[str, Any] | None = None) -> str:
        url = join_url(self.settings.base_url, path)
        return f"{url}?{urlencode(query)}" if query else url

    # -- steps ----------------------------------------------------------------------------------

    def check_text(self, parts: tuple[str, ...]) -> None:
        for index, part in enumerate(parts, start=1):
            length = counting.count(part, _KIND)
            if _KIND.text_limit is not None and length > _KIND.text_limit:
                where = f"Part {index} of the thread" if len(parts) > 1 else "The text"
                raise PermanentPublishError(
                    f"{where} counts {length} on X; X allows {_KIND.text_limit}. "
                    "Shorten it or split it into more parts.",
                    part=index,
                    length=length,
                    limit=_KIND.text_limit,
                )

    def upload_image(self, item: MediaItem) -> str:
        """Upload one image and set its alt text; the media id for the post."""
        data = item.read_bytes()
        check_bytes("X", _RULES, item, data)
        extension = mimetypes.guess_extension(item.mime) or ""
        filename = safe_filename(item.filename or "", f"{item.sha256[:16]}{extension}")
        content_type, body = multipart(
            {"media_category": "tweet_image", "media_type": item.mime},
            [("media", filename, item.mime, data)],
        )
        response = self.client.call(
            "POST",
            self._url("/2/media/upload"),
            body=body,
            headers={"Content-Type": content_type},
        )
        media = self.client.read_json(response, "media upload").get("data")
        media_id = str(media.get("id") or "") if isinstance(media, dict) else ""
        if not media_id:
            raise TransientPublishError("X accepted an image but returned no media id.")
        metadata = self.client.call(
            "POST",
            self._url("/2/media/metadata"),
            body=json_body({"id": media_id, "metadata": {"alt_text": {"text": item.alt}}}),
            headers=JSON,
        )
        self.client.check(metadata)
        return media_id

    def user_id(self) -> str:
        if self._user_id is None:
            response = self.client.call("GET", self._url("/2/users/me"))
            data = self.client.read_json(response, "account lookup").get("data")
            user_id = data.get("id") if isinstance(data, dict) else None
            if not isinstance(user_id, str):
                raise TransientPublishError("X did not say which account this token belongs to.")
            self._user_id = user_id
        return self._user_id

    def timeline(self) -> Timeline:
        """The account's posts, newest first, back to the start of the reconcile window.

        start_time asks X itself to stop there: its last page then carries no next_token.
        """
        since = self._clock() - timedelta(hours=self.settings.reconcile_window_hours)
        path = f"/2/users/{self.user_id()}/tweets"

        def fetch(token: str | None) -> Page:
            query: dict[str, Any] = {
                "max_results": RECONCILE_PAGE_SIZE,
                "tweet.fields": "created_at,referenced_tweets",
                "start_time": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            if token is not None:
                query["pagination_token"] = token
            document = self.client.read_json(
                self.client.call("GET", self._url(path, query)), "timeline"
            )
            posts = [post for post in document.get("data") or [] if isinstance(post, dict)]
            meta = document.get("meta")
            following = meta.get("next_token") if isinstance(meta, dict) else None
            return posts, following if isinstance(following, str) and following else None

        return Timeline("X", fetch, time_of=lambda post: post.get("created_at"), since=since)

    def _match(
        self, posts: Iterable[dict[str, Any]], text: str, reply_to: str | None
    ) -> dict[str, Any] | None:

        def same_parent(post: dict[str, Any]) -> bool:
            replied = [
                ref.get("id")
                for ref in post.get("referenced_tweets") or []
                if isinstance(ref, dict) and ref.get("type") == "replied_to"
            ]
            return (reply_to is None and not replied) or (
                reply_to is not None and reply_to in replied
            )

        return find_recent(
            posts,
            text,
            text_of=lambda post: str(post.get("text") or ""),
            time_of=lambda post: post.get("created_at"),
            window_hours=self.settings.reconcile_window_hours,
            now=self._clock(),
            accept=same_parent,
        )

    def create_post(self, text: str, media_ids: list[str], reply_to: str | None) -> str:
        payload: dict[str, Any] = {"text": text}
        if media_ids:
            payload["media"] = {"media_ids": media_ids}
        if reply_to is not None:
            payload["reply"] = {"in_reply_to_tweet_id": reply_to}
        response = self.client.call(
            "POST", self._url("/2/tweets"), body=json_body(payload), headers=JSON
        )
        try:
            self.client.check(response, publishing=True)
        except DuplicatePostError:
            # Refused as a repeat: our own earlier attempt got through. Find it.
            try:
                existing = self._match(self.timeline(), text, reply_to)
            except AccountUnreadableError as exc:
                raise still_open(exc) from exc
            if existing is None:
                raise
            return str(existing["id"])
        document = response.json()
        data = document.get("data") if isinstance(document, dict) else None
        if not isinstance(data, dict) or not data.get("id"):
            raise AmbiguousPublishError("X accepted a post but returned no id.")
        return str(data["id"])

    def _url_of(self, post_id: str) -> str:
        return f"https://x.com/i/web/status/{post_id}"

    def publish(self, request: PublishRequest) -> PublishResult:
        parts = tuple(request.parts)
        self.check_text(parts)
        check_media("X", _RULES, request.media, _KIND.media_per_post)
        ids: list[str] = list(request.published_parts)[: len(parts)]
        # The first part carries the images; when it is out already, so are they.
        media_ids = [] if ids else [self.upload_image(item) for item in request.media]
        for index, part in enumerate(parts):
            if index < len(ids):
                continue
            try:
                ids.append(
                    self.create_post(
                        part, media_ids if index == 0 else [], ids[-1] if ids else None
                    )
                )
            except PublishError as exc:
                exc.details["published_ids"] = list(ids)
                raise
        return PublishResult(
            remote_id=ids[0],
            remote_url=self._url_of(ids[0]),
            raw={
                "ids": ids,
                "media_ids": media_ids,
                "media_sha256": [m.sha256 for m in request.media],
            },
        )

    # -- the Reconciler port --------------------------------------------------------------------

    def find_published(self, request: PublishRequest) -> PublishResult | None:
        """The whole thread when the account shows it, None when it shows none of it."""
        try:
            timeline = self.timeline()
            head = self._match(timeline, request.parts[0], None)
        except AccountUnreadableError:
            raise
        except PublishError as exc:
            raise unreadable("X", exc) from exc
        if head is None:
            return None
        ids = [str(head["id"])]
        # The later parts went out after the first, so they are among the posts read to find it.
        for part in request.parts[1:]:
            found = self._match(timeline.posts, part, ids[-1])
            if found is None:
                break
            ids.append(str(found["id"]))
        if len(ids) < len(request.parts):
            raise PartlyPublishedError(
                f"{len(ids)} of the {len(request.parts)} parts of this thread are on X.", ids
            )
        return PublishResult(
            remote_id=ids[0], remote_url=self._url_of(ids[0]), raw={"ids": ids, "reconciled": True}
        )
