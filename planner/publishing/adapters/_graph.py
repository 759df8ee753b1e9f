"""Meta's Graph API as Facebook Pages, Instagram and Threads share it: form-encoded calls, the
{"error": {...}} envelope, and the media containers Instagram and Threads publish through."""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlencode

from planner.channels.catalogue import PublishingRules
from planner.publishing.adapters._platform import (
    FORM,
    Connection,
    PlatformClient,
    form_body,
    meta_code_with_fallback,
)
from planner.publishing.adapters._reconcile import (
    RECONCILE_PAGE_SIZE,
    Page,
    Timeline,
    still_open,
)
from planner.publishing.adapters._transport import join_url
from planner.publishing.outbound import Resolver, Response
from planner.publishing.ports import (
    AccessTokenSource,
    AccountUnreadableError,
    AmbiguousPublishError,
    PermanentPublishError,
    PublishError,
    StaticToken,
    TransientPublishError,
)


class GraphSettings(Protocol):
    """What every Graph channel's settings carry."""

    @property
    def access_token(self) -> str: ...
    @property
    def base_url(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def allow_loopback(self) -> bool: ...


class GraphApi:
    """One Graph host (graph.facebook.com/vNN, graph.instagram.com, graph.threads.net/v1.0)."""

    def __init__(
        self,
        *,
        channel: str,
        rules: PublishingRules,
        base_url: str,
        tokens: AccessTokenSource,
        timeout: float,
        allow_loopback: bool,
        clock: Callable[[], datetime],
        resolver: Resolver,
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        self.channel = channel
        self.base_url = base_url
        self.client = PlatformClient(
            channel=channel,
            rules=rules,
            tokens=tokens,
            connection=Connection(
                timeout=timeout,
                allow_loopback=allow_loopback,
                resolver=resolver,
                ssl_context=ssl_context,
            ),
            error_code=meta_code_with_fallback(rules),
            clock=clock,
        )

    @classmethod
    def for_channel(
        cls,
        channel: str,
        rules: PublishingRules,
        settings: GraphSettings,
        *,
        tokens: AccessTokenSource | None,
        clock: Callable[[], datetime],
        resolver: Resolver,
        ssl_context: ssl.SSLContext | None,
    ) -> GraphApi:
        """The client a Graph publisher builds from its settings (a refreshed token source
        when the channel was connected with OAuth, else the settings' static token)."""
        return cls(
            channel=channel,
            rules=rules,
            base_url=settings.base_url,
            tokens=tokens if tokens is not None else StaticToken(settings.access_token),
            timeout=settings.timeout,
            allow_loopback=settings.allow_loopback,
            clock=clock,
            resolver=resolver,
            ssl_context=ssl_context,
        )

    def url(self, path: str, query: Mapping[str, Any] | None = None) -> str:
        url = join_url(self.base_url, path)
        return f"{url}?{urlencode(query)}" if query else url

    def get(self, path: str, **query: Any) -> dict[str, Any]:
        response = self.client.call("GET", self.url(path, query))
        return self.client.read_json(response, f"request for {path}")

    def post_raw(
        self,
        path: str,
        fields: Mapping[str, str],
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        if body is None:
            body, headers = form_body(fields), FORM
        return self.client.call("POST", self.url(path), body=body, headers=headers)

    def post(self, path: str, fields: Mapping[str, str]) -> dict[str, Any]:
        """A preparatory call (a container, an unpublished photo): an error is not ambiguous."""
        response = self.post_raw(path, fields)
        return self.client.read_json(response, f"request to {path}")

    def publish(
        self,
        path: str,
        fields: Mapping[str, str],
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """The call that makes a post public; its id. A lost answer is ambiguous."""
        response = self.post_raw(path, fields, body=body, headers=headers)
        self.client.check(response, publishing=True)
        document = response.json()
        post_id = (
            document.get("post_id") or document.get("id") if isinstance(document, dict) else None
        )
        if not post_id:
            raise AmbiguousPublishError(f"{self.channel} accepted the post but returned no id.")
        return str(post_id)

    def create_container(self, path: str, fields: Mapping[str, str]) -> str:
        """A media container (Instagram, Threads): the id the publish call takes."""
        container = str(self.post(path, fields).get("id") or "")
        if not container:
            raise PermanentPublishError(f"{self.channel} returned no media container id.")
        return container

    def publish_container(
        self,
        path: str,
        container: str,
        *,
        status_field: str,
        find_published: Callable[[], str | None],
    ) -> str:
        """Publish a FINISHED container; its post id.

        A lost answer is settled by the container itself: FINISHED means the post did not go
        out (publish again: a container publishes once), PUBLISHED that it did (then
        ``find_published`` looks the post up on the account); anything else stays ambiguous.
        """
        try:
            return self.publish(path, {"creation_id": container})
        except AmbiguousPublishError:
            state = self.container_state(container, status_field)
            if state == "FINISHED":
                return self.publish(path, {"creation_id": container})
            found = None
            if state == "PUBLISHED":
                try:
                    found = find_published()
                except AccountUnreadableError as exc:
                    raise still_open(exc) from exc
            if found is None:
                raise
            return found

    def permalink(self, media_id: str) -> str | None:
        """A published post's public link, or None when the platform will not say (the post
        is out all the same; the archive keeps its id)."""
        try:
            link = self.get(f"/{media_id}", fields="permalink").get("permalink")
        except PublishError:
            return None
        return link if isinstance(link, str) else None

    def timeline(
        self, path: str, fields: str, *, time_of: Callable[[dict[str, Any]], Any], since: datetime
    ) -> Timeline:
        """An account's posts on one edge, newest first, paged back to ``since``, to reconcile
        against."""

        def fetch(after: str | None) -> Page:
            query: dict[str, Any] = {"fields": fields, "limit": RECONCILE_PAGE_SIZE}
            if after is not None:
                query["after"] = after
            document = self.get(path, **query)
            posts = [post for post in document.get("data") or [] if isinstance(post, dict)]
            return posts, _after(document, len(posts))

        return Timeline(self.channel, fetch, time_of=time_of, since=since)

    def wait_for_container(
        self,
        container_id: str,
        *,
        status_field: str,
        interval: float,
        attempts: int,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Poll a media container until it is FINISHED (ready to publish).

        IN_PROGRESS: the platform is still fetching and processing our image; ERROR: it could
        not (a person must look at the image); EXPIRED: unused for 24 hours (a new attempt
        makes a new container); PUBLISHED: already published, which a new container never is.
        """
        for attempt in range(attempts):
            document = self.get(container_id, fields=f"{status_field},status,error_message")
            state = str(document.get(status_field) or "")
            if state == "FINISHED":
                return
            if state == "ERROR":
                reason = document.get("error_message") or document.get("status") or "unknown"
                raise PermanentPublishError(
                    f"{self.channel} could not process the media ({reason}); check the image.",
                    container=container_id,
                )
            if state == "EXPIRED":
                raise TransientPublishError(
                    f"{self.channel}'s media container expired before publishing.",
                    container=container_id,
                )
            if state == "PUBLISHED":
                raise PermanentPublishError(
                    f"{self.channel} says this media container was already published.",
                    container=container_id,
                )
            if attempt + 1 < attempts:
                sleep(interval)
        raise TransientPublishError(
            f"{self.channel} is still processing the media; the post will be tried again.",
            container=container_id,
        )

    def container_state(self, container_id: str, status_field: str) -> str | None:
        try:
            return str(self.get(container_id, fields=status_field).get(status_field) or "")
        except (TransientPublishError, PermanentPublishError):
            return None


def _after(document: Mapping[str, Any], count: int) -> str | None:
    """The cursor for the next page, or None on the last one.

    Graph marks the last page by leaving out ``paging.next`` (graph-api/results); Threads'
    reference shows only ``paging.cursors``, so there a full page with an ``after`` cursor is
    followed too (at worst one empty page more).
    """
    paging = document.get("paging")
    if not isinstance(paging, Mapping):
        return None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, Mapping) else None
    if not isinstance(after, str) or not after:
        return None
    return after if paging.get("next") or count >= RECONCILE_PAGE_SIZE else None
