"""What the social-platform adapters share, so each one only describes its own platform.

One HTTP client that carries a bearer token and refreshes it once when the platform calls it
expired; one mapping of a refusal onto the engine's outcomes, driven by the platform's rules in
the channel catalogue (error codes, rate-limit headers); the media checks made before anything
is uploaded; and what the reconcilers share: the account's posts paged back to the start of the
reconcile window, and the text fingerprint they match a platform's posts on.
"""

from __future__ import annotations

import html
import io
import json
import re
import ssl
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from planner.channels.catalogue import ErrorOutcome, PublishingRules, RateLimitRules
from planner.publishing.adapters._transport import send
from planner.publishing.adapters._transport import utcnow as utcnow
from planner.publishing.outbound import Resolver, Response, system_resolver
from planner.publishing.ports import (
    AccessTokenSource,
    AccountUnreadableError,
    AmbiguousPublishError,
    MediaItem,
    PermanentPublishError,
    PublishError,
    ReconnectRequiredError,
    TransientPublishError,
)
from planner.publishing.retry import parse_retry_after

#: extracts the platform's own error code from a refusal ("190", "ExpiredToken", ...)
ErrorCode = Callable[[Response], str | None]

_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


class DuplicatePostError(PermanentPublishError):
    """The platform refused the post because it already has an identical one.

    Adapters catch this to look the existing post up; it reaches the engine only when that post
    cannot be found, and then as what it is: a refusal a person must look at.
    """

    code = "publish-duplicate"


@dataclass(frozen=True)
class Connection:
    """Where and how an adapter sends: the per-channel parts of every request."""

    timeout: float
    allow_loopback: bool
    resolver: Resolver = system_resolver
    ssl_context: ssl.SSLContext | None = None


class PlatformClient:
    """Sends requests for one channel with a bearer token and turns refusals into outcomes."""

    def __init__(
        self,
        *,
        channel: str,
        rules: PublishingRules,
        tokens: AccessTokenSource | None,
        connection: Connection,
        error_code: ErrorCode,
        clock: Callable[[], datetime] = utcnow,
        base_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.channel = channel
        self.rules = rules
        self.tokens = tokens
        self.connection = connection
        self.error_code = error_code
        self.clock = clock
        self.base_headers = dict(base_headers or {})

    def _send(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: Mapping[str, str],
        token: str | None,
    ) -> Response:
        sent = {"Accept": "application/json", **self.base_headers, **headers}
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        return send(
            method,
            url,
            headers=sent,
            body=body,
            timeout=self.connection.timeout,
            allow_loopback=self.connection.allow_loopback,
            resolver=self.connection.resolver,
            ssl_context=self.connection.ssl_context,
        )

    def call(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
    ) -> Response:
        """Send once; when the platform says the token expired, refresh it and send once more.

        Repeating is safe there: a request refused for its credentials was not carried out.
        """
        token = self.tokens.access_token() if authenticated and self.tokens is not None else None
        response = self._send(method, url, body, headers or {}, token)
        if (
            token is not None
            and self.tokens is not None
            and self._outcome(response) is (ErrorOutcome.REFRESH)
        ):
            token = self.tokens.refreshed(token)
            response = self._send(method, url, body, headers or {}, token)
        return response

    def _outcome(self, response: Response) -> ErrorOutcome | None:
        if 200 <= response.status < 300:
            return None
        return self.rules.outcome_for(self.error_code(response))

    def check(self, response: Response, *, publishing: bool = False) -> None:
        """Return on 2xx, else raise the outcome the platform's rules give the refusal.

        With `publishing`, the request is the one that creates the post on a platform without an
        idempotency key: a 500/502/504 there may come after the post was stored, so it is
        ambiguous rather than transient.
        """
        status = response.status
        if 200 <= status < 300:
            return
        code = self.error_code(response)
        outcome = self.rules.outcome_for(code)
        detail = describe(self.channel, response)
        details: dict[str, Any] = {"status": status}
        if code is not None:
            details["platform_code"] = code
        if outcome is None:
            outcome = _outcome_for_status(status, publishing)
        if outcome in (ErrorOutcome.REFRESH, ErrorOutcome.RECONNECT):
            raise ReconnectRequiredError(
                f"{detail}. The channel's access is no longer valid; connect it again.", **details
            )
        if outcome is ErrorOutcome.DUPLICATE:
            raise DuplicatePostError(detail, **details)
        if outcome is ErrorOutcome.AMBIGUOUS:
            raise AmbiguousPublishError(detail, **details)
        if outcome is ErrorOutcome.TRANSIENT:
            now = self.clock()
            limits = self.rules.rate_limit
            wait = wait_from_headers(response, limits, now)
            if wait is None and status == 429 and limits.resets_at_utc_midnight:
                midnight = (now.astimezone(UTC) + timedelta(days=1)).replace(
                    hour=0, minute=0, second=0, microsecond=0
                )
                wait = (midnight - now).total_seconds()
            if wait is None and (status == 429 or code is not None):
                # Throttled without a hint: the platform's documented window, not our backoff.
                wait = limits.default_wait
            raise TransientPublishError(detail, retry_after=wait, **details)
        raise PermanentPublishError(detail, **details)

    def read_json(self, response: Response, what: str) -> dict[str, Any]:
        """The JSON object of an answer that does not publish anything (ids, lists, status)."""
        self.check(response)
        try:
            document = json.loads(response.body)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise TransientPublishError(
                f"{self.channel}'s answer to the {what} could not be read.", status=response.status
            )
        return document


def _outcome_for_status(status: int, publishing: bool) -> ErrorOutcome:
    if publishing and status in (500, 502, 504):
        return ErrorOutcome.AMBIGUOUS
    if status in (408, 429) or 500 <= status < 600:
        return ErrorOutcome.TRANSIENT
    if status == 401:
        return ErrorOutcome.RECONNECT
    return ErrorOutcome.PERMANENT


def describe(channel: str, response: Response) -> str:
    excerpt = response.body[:300].decode("utf-8", "replace").strip()
    detail = f"{channel} answered {response.status} {response.reason}".strip()
    return f"{detail}: {excerpt}" if excerpt else detail


def _minutes_to_regain(document: Any) -> Iterable[float]:
    """Every estimated_time_to_regain_access (minutes) inside a Meta usage header."""
    if isinstance(document, dict):
        value = document.get("estimated_time_to_regain_access")
        if isinstance(value, int | float) and not isinstance(value, bool):
            yield float(value)
        for nested in document.values():
            yield from _minutes_to_regain(nested)
    elif isinstance(document, list):
        for nested in document:
            yield from _minutes_to_regain(nested)


def wait_from_headers(response: Response, limits: RateLimitRules, now: datetime) -> float | None:
    """Seconds the platform asks us to wait, read from the headers its rules name."""
    waits: list[float] = []
    for name in limits.retry_after_headers:
        seconds = parse_retry_after(response.header(name), now)
        if seconds is not None:
            waits.append(seconds)
    for name in limits.reset_headers:
        reset = (response.header(name) or "").strip()
        if reset.isascii() and reset.isdigit():
            waits.append(max(0.0, float(int(reset)) - now.timestamp()))
    for name in limits.usage_headers:
        usage = response.header(name)
        if not usage:
            continue
        try:
            document = json.loads(usage)
        except ValueError:
            continue
        waits.extend(minutes * 60.0 for minutes in _minutes_to_regain(document) if minutes > 0)
    return max(waits) if waits else None


def graph_error_code(response: Response) -> str | None:
    """Meta's Graph error: {"error": {"code": 190, "error_subcode": 463, ...}}.

    A subcode the rules know wins ("sub2207042"), so Instagram's publishing errors, which share
    one code, can be told apart.
    """
    try:
        document = json.loads(response.body)
    except ValueError:
        return None
    error = document.get("error") if isinstance(document, dict) else None
    if not isinstance(error, dict):
        return None
    subcode = error.get("error_subcode")
    code = error.get("code")
    if subcode is not None and code not in (190, 102):
        return f"sub{subcode}"
    return str(code) if code is not None else None


def meta_code_with_fallback(rules: PublishingRules) -> ErrorCode:
    """Graph error codes, falling back from an unknown subcode to the main code."""

    def error_code(response: Response) -> str | None:
        code = graph_error_code(response)
        if code is not None and code.startswith("sub") and rules.outcome_for(code) is None:
            try:
                error = json.loads(response.body)["error"]
            except (ValueError, KeyError, TypeError):
                return None
            main = error.get("code") if isinstance(error, dict) else None
            return str(main) if main is not None else None
        return code

    return error_code


# -- media ----------------------------------------------------------------------------------


def image_size(item: MediaItem, data: bytes | None = None) -> tuple[int, int] | None:
    """(width, height) of an image: from the item when known, else read from its bytes."""
    if item.width and item.height:
        return item.width, item.height
    if data is None:
        return None
    # Imported here: only adapters that need an aspect ratio pay for Pillow.
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def check_media(
    channel: str, rules: PublishingRules, media: Iterable[MediaItem], limit: int | None
) -> None:
    """Refuse, before any upload, what the platform would refuse anyway (a person must act)."""
    items = list(media)
    accepted = rules.media
    if limit is not None and len(items) > limit:
        raise PermanentPublishError(
            f"{len(items)} images are attached; {channel} takes {limit} per post.", limit=limit
        )
    for position, item in enumerate(items, start=1):
        if item.mime not in accepted.mime_types:
            raise PermanentPublishError(
                f"Image {position} is {item.mime}; {channel} takes "
                f"{', '.join(accepted.mime_types)}.",
                mime=item.mime,
            )
        if not item.alt.strip():
            raise PermanentPublishError(
                f"Image {position} has no description (alt text); it is not published without one."
            )
        if accepted.max_alt_text is not None and len(item.alt) > accepted.max_alt_text:
            raise PermanentPublishError(
                f"The description of image {position} is {len(item.alt)} characters; "
                f"{channel} takes {accepted.max_alt_text}.",
                limit=accepted.max_alt_text,
            )
        if accepted.needs_public_url and not item.url:
            raise PermanentPublishError(
                f"{channel} fetches images from a public address, and image {position} has none."
            )


def check_bytes(channel: str, rules: PublishingRules, item: MediaItem, data: bytes) -> None:
    accepted = rules.media
    if accepted.max_bytes is not None and len(data) > accepted.max_bytes:
        raise PermanentPublishError(
            f"An image is {len(data):,} bytes; {channel} takes at most {accepted.max_bytes:,}.",
            sha256=item.sha256,
        )


def check_aspect(channel: str, rules: PublishingRules, size: tuple[int, int] | None) -> None:
    if size is None or not size[0] or not size[1]:
        return
    if not rules.media.accepts_aspect(*size):
        low, high = rules.media.min_aspect, rules.media.max_aspect
        raise PermanentPublishError(
            f"An image is {size[0]}×{size[1]} pixels; {channel} takes aspect ratios from "
            f"{low or 0:.2f} to {high or 0:.2f} (width ÷ height). Choose another crop.",
        )


# -- reconciling ----------------------------------------------------------------------------

#: how many posts a reconciler asks for per page: the largest page these APIs serve (Graph
#: limit, X max_results, LinkedIn count)
RECONCILE_PAGE_SIZE = 100
#: how many pages one look reads at most. A lost post sits behind every post that went out after
#: it, which in a burst is hundreds per account; ten pages cover that and keep one attempt's work
#: bounded. Further back than this, a person looks (see Timeline).
RECONCILE_MAX_PAGES = 10

#: one page of an account's posts, newest first, and the cursor that asks for the page after it
#: (None when the platform says there is none)
Page = tuple[list[dict[str, Any]], Any]


class Timeline:
    """An account's posts, newest first, read a page at a time and only as far as a search needs.

    Reading stops when the search finds its post, when the platform has no older page, or after a
    page that reaches back past ``since`` (the start of the reconcile window: nothing older can be
    the post we sent). A search that would need more than ``max_pages`` pages raises
    AccountUnreadableError instead of answering "not found": the post may lie further back, and
    "not found" makes the engine send it again.

    Iterating again replays the posts already read before asking for more, so a thread's later
    parts can be matched without reading the account twice.
    """

    def __init__(
        self,
        channel: str,
        fetch: Callable[[Any], Page],
        *,
        time_of: Callable[[dict[str, Any]], Any],
        since: datetime,
        max_pages: int = RECONCILE_MAX_PAGES,
    ) -> None:
        self.channel = channel
        self.since = since
        self.max_pages = max_pages
        #: every post read so far, newest first
        self.posts: list[dict[str, Any]] = []
        self.pages = 0
        self._fetch = fetch
        self._time_of = time_of
        self._cursor: Any = None
        self._exhausted = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        index = 0
        while True:
            if index < len(self.posts):
                yield self.posts[index]
                index += 1
            elif self._exhausted:
                return
            else:
                self._read_page()

    def _read_page(self) -> None:
        if self.pages >= self.max_pages:
            raise AccountUnreadableError(
                f"{self.channel} shows more than {len(self.posts)} posts since "
                f"{self.since:%Y-%m-%d %H:%M} UTC, more than one check reads, so whether this "
                "post went out could not be seen. Look for it on the account.",
                pages=self.pages,
                posts_read=len(self.posts),
            )
        posts, cursor = self._fetch(self._cursor)
        self.pages += 1
        page = [post for post in posts if isinstance(post, dict)]
        self.posts.extend(page)
        times = (parse_time(self._time_of(post)) for post in page)
        reached = any(moment is not None and moment < self.since for moment in times)
        self._cursor = cursor
        self._exhausted = cursor is None or reached


def fingerprint(text: str) -> str:
    """What stays the same when a platform echoes our text back.

    Platforms shorten or rewrite links (t.co), add one for attached media, escape HTML (&amp;),
    normalise Unicode and trim whitespace; none of them change the words. So links are left out,
    entities decoded, the text NFC-normalised and whitespace collapsed.
    """
    text = html.unescape(text)
    text = _URL.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    return _SPACE.sub(" ", text).strip()


def within(window: timedelta, when: datetime | None, now: datetime) -> bool:
    """True when `when` is recent enough to be the post we sent (unknown times count)."""
    return when is None or now - when <= window


def find_recent(
    posts: Iterable[Any],
    text: str,
    *,
    text_of: Callable[[dict[str, Any]], str],
    time_of: Callable[[dict[str, Any]], Any],
    window_hours: float,
    now: datetime,
    accept: Callable[[dict[str, Any]], bool] = lambda post: True,
) -> dict[str, Any] | None:
    """The first of an account's recent posts that is the one we sent: the same words (by
    fingerprint) within the reconcile window, and whatever else ``accept`` asks (the right
    parent for a thread's reply, a published lifecycle state)."""
    wanted = fingerprint(text)
    window = timedelta(hours=window_hours)
    for post in posts:
        if not isinstance(post, dict):
            continue
        if fingerprint(text_of(post)) != wanted:
            continue
        if within(window, parse_time(time_of(post)), now) and accept(post):
            return post
    return None


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time as platforms write it ("2026-12-04T10:00:00+0000", "...Z", epoch ms)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, UTC)
    if not isinstance(value, str) or not value:
        return None
    cleaned = value.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", cleaned):
        cleaned = f"{cleaned[:-2]}:{cleaned[-2:]}"
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def unreadable(channel: str, exc: PublishError) -> AccountUnreadableError:
    return AccountUnreadableError(
        f"{channel} could not be read to check whether the post went out: {exc.message}",
        cause=exc.code,
    )


def still_open(exc: AccountUnreadableError) -> AmbiguousPublishError:
    """A look-up made while publishing (after a duplicate refusal, or a container that says it
    went out) that ran out of pages: the outcome stays open, so the engine tries again later and
    its reconciler looks before anything is sent."""
    return AmbiguousPublishError(exc.message, **exc.details)


def form_body(fields: Mapping[str, str]) -> bytes:
    return urlencode(fields).encode("ascii")


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
