"""Publishes to a LinkedIn organisation page through the versioned Posts and Images APIs.

LinkedIn has no idempotency key, but it refuses a post whose commentary repeats a recent one
(422 DUPLICATE_POST, naming the earlier post), so a resend after an unclear outcome finds the
post it would have duplicated. `find_published` reads the page's latest posts for the engine.

The commentary uses LinkedIn's "little" text format: reserved characters must be escaped or
LinkedIn cuts the text silently at the first one, and hashtags are written as templates.
"""

from __future__ import annotations

import json
import re
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

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
from planner.publishing.adapters._transport import join_url, json_body
from planner.publishing.outbound import Resolver, Response, system_resolver
from planner.publishing.ports import (
    AccessTokenSource,
    AccountUnreadableError,
    AmbiguousPublishError,
    MediaItem,
    PermanentPublishError,
    PublishError,
    PublishRequest,
    PublishResult,
    StaticToken,
    TransientPublishError,
)

_KIND = get_kind("linkedin")
_RULES = get_publishing_rules("linkedin")
RESTLI_PROTOCOL = "2.0.0"
#: characters the little text format reserves (learn.microsoft.com ... /little-text-format)
LITTLE_RESERVED = frozenset("\\|{}@[]()<>#*_~")
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)", re.UNICODE)
_TEMPLATE = re.compile(r"\{hashtag\|\\?[#＃]\|([^}]*)\}")
_ESCAPED = re.compile(r"\\(.)")
_DUPLICATE_OF = re.compile(r"duplicate of (urn:li:(?:share|ugcPost):\d+)")


@dataclass(frozen=True)
class LinkedInSettings:
    access_token: str
    #: the page's organisation id ("2414183") or URN ("urn:li:organization:2414183")
    organization_id: str
    base_url: str = "https://api.linkedin.com"
    #: the Marketing API version, YYYYMM; LinkedIn sunsets versions after about a year
    api_version: str = "202610"
    reconcile_window_hours: float = 48.0
    timeout: float = 20.0
    allow_loopback: bool = False

    @property
    def author(self) -> str:
        value = self.organization_id.strip()
        return value if value.startswith("urn:li:") else f"urn:li:organization:{value}"


def little_text(text: str) -> str:
    """`text` as LinkedIn's little format: reserved characters escaped, #tags as templates."""
    out: list[str] = []
    position = 0
    for match in _HASHTAG.finditer(text):
        out.append(_escape(text[position : match.start()]))
        out.append("{hashtag|#|" + _escape(match.group(1)) + "}")
        position = match.end()
    out.append(_escape(text[position:]))
    return "".join(out)


def _escape(text: str) -> str:
    return "".join(f"\\{char}" if char in LITTLE_RESERVED else char for char in text)


def plain_text(little: str) -> str:
    """What a reader sees of little-format commentary (for matching posts read back)."""
    return _ESCAPED.sub(r"\1", _TEMPLATE.sub(r"#\1", little))


def linkedin_error(response: Response) -> str | None:
    """LinkedIn's error code: an input error's code (DUPLICATE_POST) or the top-level code."""
    try:
        document = json.loads(response.body)
    except ValueError:
        document = None
    if isinstance(document, dict):
        details = document.get("errorDetails")
        if isinstance(details, dict):
            for error in details.get("inputErrors") or []:
                if isinstance(error, dict) and error.get("code"):
                    return str(error["code"])
        if document.get("code"):
            return str(document["code"])
    if response.status == 429:
        return "TOO_MANY_REQUESTS"
    return None


class LinkedInPublisher:
    supports_idempotency: bool = False

    def __init__(
        self,
        settings: LinkedInSettings,
        *,
        tokens: AccessTokenSource | None = None,
        clock: Callable[[], datetime] = utcnow,
        resolver: Resolver = system_resolver,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self.client = PlatformClient(
            channel="LinkedIn",
            rules=_RULES,
            tokens=tokens if tokens is not None else StaticToken(settings.access_token),
            connection=Connection(
                timeout=settings.timeout,
                allow_loopback=settings.allow_loopback,
                resolver=resolver,
                ssl_context=ssl_context,
            ),
            error_code=linkedin_error,
            clock=clock,
            base_headers={
                "LinkedIn-Version": settings.api_version,
                "X-Restli-Protocol-Version": RESTLI_PROTOCOL,
            },
        )

    def _url(self, path: str, query: dict[str, Any] | None = None) -> str:
        url = join_url(self.settings.base_url, path)
        return f"{url}?{urlencode(query)}" if query else url

    # -- steps ----------------------------------------------------------------------------------

    def upload_image(self, item: MediaItem) -> str:
        """initializeUpload, then PUT the bytes to the upload URL; the image URN."""
        data = item.read_bytes()
        check_bytes("LinkedIn", _RULES, item, data)
        response = self.client.call(
            "POST",
            self._url("/rest/images", {"action": "initializeUpload"}),
            body=json_body({"initializeUploadRequest": {"owner": self.settings.author}}),
            headers=JSON,
        )
        value = self.client.read_json(response, "image upload request").get("value")
        if not isinstance(value, dict) or not value.get("uploadUrl") or not value.get("image"):
            raise TransientPublishError("LinkedIn did not return an upload address for an image.")
        upload = self.client.call(
            "PUT",
            str(value["uploadUrl"]),
            body=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        self.client.check(upload)
        return str(value["image"])

    def _content(self, request: PublishRequest, images: list[str]) -> dict[str, Any] | None:
        alts = [item.alt for item in request.media]
        if len(images) == 1:
            return {"media": {"id": images[0], "altText": alts[0]}}
        if images:
            return {
                "multiImage": {
                    "images": [
                        {"id": urn, "altText": alt} for urn, alt in zip(images, alts, strict=True)
                    ]
                }
            }
        if request.link:
            article: dict[str, Any] = {"source": request.link}
            if request.title:
                article["title"] = request.title
            if request.excerpt:
                article["description"] = request.excerpt
            return {"article": article}
        return None

    def get_post(self, urn: str) -> dict[str, Any] | None:
        response = self.client.call("GET", self._url(f"/rest/posts/{quote(urn, safe='')}"))
        if response.status == 404:
            return None
        return self.client.read_json(response, "post lookup")

    def timeline(self) -> Timeline:
        """The page's posts, last modified first, back to the start of the reconcile window.

        LinkedIn pages by offset (start, count) and has reached the end when a page holds fewer
        elements than were asked for (shared/api-guide/concepts/pagination). The posts come in
        order of lastModifiedAt, so that is the time that says a page reached past the window.
        """

        def fetch(start: int | None) -> Page:
            offset = start or 0
            response = self.client.call(
                "GET",
                self._url(
                    "/rest/posts",
                    {
                        "author": self.settings.author,
                        "q": "author",
                        "count": RECONCILE_PAGE_SIZE,
                        "start": offset,
                        "sortBy": "LAST_MODIFIED",
                    },
                ),
            )
            document = self.client.read_json(response, "page's posts")
            elements = document.get("elements") or []
            posts = [post for post in elements if isinstance(post, dict)]
            full = len(elements) >= RECONCILE_PAGE_SIZE
            return posts, offset + RECONCILE_PAGE_SIZE if full else None

        return Timeline(
            "LinkedIn",
            fetch,
            time_of=lambda post: (
                post.get("lastModifiedAt") or post.get("publishedAt") or post.get("createdAt")
            ),
            since=self._clock() - timedelta(hours=self.settings.reconcile_window_hours),
        )

    def _match(self, posts: Iterable[dict[str, Any]], text: str) -> dict[str, Any] | None:
        return find_recent(
            posts,
            text,
            text_of=lambda post: plain_text(str(post.get("commentary") or "")),
            time_of=lambda post: post.get("publishedAt") or post.get("createdAt"),
            window_hours=self.settings.reconcile_window_hours,
            now=self._clock(),
            accept=lambda post: post.get("lifecycleState") in (None, "PUBLISHED"),
        )

    def _result(self, urn: str, **raw: Any) -> PublishResult:
        return PublishResult(
            remote_id=urn,
            remote_url=f"https://www.linkedin.com/feed/update/{urn}/",
            raw={"author": self.settings.author, **raw},
        )

    def publish(self, request: PublishRequest) -> PublishResult:
        text = request.text
        if _KIND.text_limit is not None and len(text) > _KIND.text_limit:
            raise PermanentPublishError(
                f"The text is {len(text)} characters; LinkedIn allows {_KIND.text_limit}.",
                length=len(text),
                limit=_KIND.text_limit,
            )
        check_media("LinkedIn", _RULES, request.media, _KIND.media_per_post)
        images = [self.upload_image(item) for item in request.media]
        payload: dict[str, Any] = {
            "author": self.settings.author,
            "commentary": little_text(text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        content = self._content(request, images)
        if content is not None:
            payload["content"] = content
        response = self.client.call(
            "POST", self._url("/rest/posts"), body=json_body(payload), headers=JSON
        )
        try:
            self.client.check(response, publishing=True)
        except DuplicatePostError as exc:
            return self._already_there(response, text, exc)
        urn = response.header("x-restli-id") or response.header("x-linkedin-id")
        if not urn:
            raise AmbiguousPublishError("LinkedIn accepted the post but did not say its id.")
        return self._result(urn, images=images, media_sha256=[m.sha256 for m in request.media])

    def _already_there(
        self, response: Response, text: str, refusal: DuplicatePostError
    ) -> PublishResult:
        """LinkedIn refused a repeat: return the post it names, once it is shown to exist."""
        named = _DUPLICATE_OF.search(response.body.decode("utf-8", "replace"))
        if named is not None:
            existing = self.get_post(named.group(1))
            if existing is not None and existing.get("lifecycleState") in (None, "PUBLISHED"):
                return self._result(named.group(1), duplicate_of=named.group(1))
        try:
            found = self._match(self.timeline(), text)
        except AccountUnreadableError as exc:
            raise still_open(exc) from exc
        if found is not None and found.get("id"):
            return self._result(str(found["id"]), duplicate_of=str(found["id"]))
        raise PermanentPublishError(
            "LinkedIn refuses this text as a duplicate of an earlier post that is no longer "
            "there; change the text and try again.",
            **refusal.details,
        )

    # -- the Reconciler port --------------------------------------------------------------------

    def find_published(self, request: PublishRequest) -> PublishResult | None:
        try:
            found = self._match(self.timeline(), request.text)
        except AccountUnreadableError:
            raise
        except PublishError as exc:
            raise unreadable("LinkedIn", exc) from exc
        if found is None or not found.get("id"):
            return None
        return self._result(str(found["id"]), reconciled=True)
