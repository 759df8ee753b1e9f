"""What the social-platform adapters share, so each one only describes its own platform.

One HTTP client that carries a bearer token and refreshes it once when the platform calls it
expired; one mapping of a refusal onto the engine's outcomes, driven by the platform's rules in
the channel catalogue (error codes, rate-limit headers); and the media checks made before
anything is uploaded. What the reconcilers share is _reconcile.py.
"""

from __future__ import annotations

import io
import json
import ssl
from collections.abc import Callable, Iterable, Mapping
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
    AmbiguousPublishError,
    MediaItem,
    PermanentPublishError,
    ReconnectRequiredError,
    TransientPublishError,
)
from planner.publishing.retry import parse_retry_after

#: extracts the platform's own error code from a refusal ("190", "ExpiredToken", ...)
ErrorCode = Callable[[Response], str | None]


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


def form_body(fields: Mapping[str, str]) -> bytes:
    return urlencode(fields).encode("ascii")


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
