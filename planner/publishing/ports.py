"""The port between the delivery engine and the outside channels.

The engine hands a `Publisher` one immutable `PublishRequest` and learns the outcome either as a
`PublishResult` or as one of three exceptions, because "retry", "give up" and "ask a person" are the
only decisions it has to make.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from planner.errors import PlannerError


@dataclass(frozen=True)
class MediaItem:
    """One image (or other file) that travels with a publication.

    Channels differ in what they need: a webhook or a newsletter only links to `url`, Mastodon and
    WordPress upload the bytes. Bytes come from `path` or, when they live elsewhere (object
    storage), from `loader`; both are optional so a link-only item stays cheap.
    """

    alt: str
    mime: str
    sha256: str
    url: str | None = None
    path: Path | None = None
    loader: Callable[[], bytes] | None = None
    filename: str | None = None
    #: pixel size when the caller knows it (platforms that want an aspect ratio); adapters read
    #: it from the bytes otherwise
    width: int | None = None
    height: int | None = None

    def read_bytes(self) -> bytes:
        """Return the file's bytes, refusing them when they no longer match the archived hash."""
        if self.loader is not None:
            data = self.loader()
        elif self.path is not None:
            try:
                data = self.path.read_bytes()
            except FileNotFoundError as exc:
                raise PermanentPublishError(
                    f"The media file {self.path.name} is missing from storage.", sha256=self.sha256
                ) from exc
            except OSError as exc:
                # Storage hiccups (a network share, a full disk) pass; nothing has been sent yet.
                raise TransientPublishError(
                    f"The media file {self.path.name} could not be read: {exc}",
                    sha256=self.sha256,
                ) from exc
        else:
            raise PermanentPublishError(
                "This media item has no file to upload, only a link.", sha256=self.sha256
            )
        # The archive promises the published bytes are the approved ones; a changed file on disk
        # is a configuration problem, not something a retry can fix.
        if hashlib.sha256(data).hexdigest() != self.sha256.lower():
            raise PermanentPublishError(
                "A media file changed after approval (its SHA-256 no longer matches).",
                sha256=self.sha256,
            )
        return data


@dataclass(frozen=True)
class PublishRequest:
    """Everything an adapter needs for one attempt of one delivery; no database objects inside.

    `parts` holds the thread parts in order (a single post has one part); `text` is the whole text
    for channels that do not thread (webhook, blog, newsletter). `html` is optional pre-rendered
    HTML for channels that take it; adapters fall back to escaping `text`.
    """

    delivery_id: int | str
    idempotency_key: str
    attempt: int
    text: str
    parts: Sequence[str] = ()
    title: str | None = None
    media: Sequence[MediaItem] = ()
    story: Mapping[str, Any] = field(default_factory=dict)
    channel: Mapping[str, Any] = field(default_factory=dict)
    campaign: Mapping[str, Any] = field(default_factory=dict)
    link: str | None = None
    html: str | None = None
    excerpt: str | None = None
    #: the fragment's hashtags ("#Zuiderhaven"), for channels that carry them apart from the text
    hashtags: Sequence[str] = ()
    #: the ids of a thread's first parts that an earlier attempt already published (found by a
    #: reconciler): a threading adapter goes on from the last of them instead of starting again
    published_parts: Sequence[str] = ()

    def __post_init__(self) -> None:
        # Freeze the sequences so a request can be logged or archived and never change afterwards.
        parts = tuple(self.parts) if self.parts else (self.text,)
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "media", tuple(self.media))
        object.__setattr__(self, "hashtags", tuple(self.hashtags))
        object.__setattr__(self, "published_parts", tuple(self.published_parts))
        if not self.idempotency_key:
            raise ValueError("a PublishRequest needs an idempotency key")
        if self.attempt < 1:
            raise ValueError("attempt numbers start at 1")


@dataclass(frozen=True)
class PublishResult:
    """What the channel answered: its id and public URL for the archive, plus a small summary."""

    remote_id: str
    remote_url: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Publisher(Protocol):
    """A channel adapter.

    `publish` returns a result or raises one of the `PublishError` subclasses below; anything else
    escaping is a bug and the engine must treat it like `AmbiguousPublishError`, because the request
    may already have left.
    """

    @property
    def supports_idempotency(self) -> bool:
        """True when sending the same request twice with the same key publishes once."""
        ...

    def publish(self, request: PublishRequest) -> PublishResult: ...


class PublishError(PlannerError):
    """Base for the three outcomes a publisher can report instead of a result."""

    code = "publish-error"


class TransientPublishError(PublishError):
    """Nothing was published and trying again later may work (5xx, 429, refused connection)."""

    code = "publish-transient"

    def __init__(self, message: str, *, retry_after: float | None = None, **details: Any) -> None:
        super().__init__(message, **details)
        #: seconds the channel asked us to wait, if it said so
        self.retry_after = retry_after


class PermanentPublishError(PublishError):
    """The channel refused the request itself (credentials, settings, content): do not retry."""

    code = "publish-permanent"


class AmbiguousPublishError(PublishError):
    """The request left but no answer came back: the post may or may not exist now."""

    code = "publish-ambiguous"


class ReconnectRequiredError(PermanentPublishError):
    """The channel's authorisation is gone (revoked, expired, refresh refused): an admin has to
    connect the channel again. Retrying cannot help, but nothing was published either, so the
    engine may hold the channel's deliveries instead of failing them."""

    code = "publish-reconnect"


class AccountUnreadableError(PublishError):
    """A reconciler could not read the account, so it cannot say whether a post exists."""

    code = "publish-unreadable"


class PartlyPublishedError(PublishError):
    """A reconciler found the first parts of a thread, in order, and not the rest: the engine
    sends the same request again with ``published_parts`` set, and the thread goes on from
    there instead of starting over or waiting for a person."""

    code = "publish-partly"

    def __init__(self, message: str, found_ids: Sequence[str]) -> None:
        super().__init__(message, found_ids=list(found_ids))
        self.found_ids = tuple(found_ids)


@runtime_checkable
class Reconciler(Protocol):
    """Looks for a publication on the channel itself, for channels without an idempotency key.

    After an ambiguous outcome the engine asks before sending again: a result means the post is
    there (settle as sent, with its id and URL); None means it is not (send again, same request);
    AccountUnreadableError (or any other exception) means nobody can tell (a person checks).
    """

    def find_published(self, request: PublishRequest) -> PublishResult | None: ...


@runtime_checkable
class AccessTokenSource(Protocol):
    """Where an OAuth adapter gets its bearer token, so refreshing stays outside the adapter.

    `access_token` returns a token that is valid now (a keeper may refresh it first when it is
    about to expire); `refreshed` is called once when the platform rejected `rejected` as expired
    and returns a new one, or raises ReconnectRequiredError when that is impossible.
    """

    def access_token(self) -> str: ...

    def refreshed(self, rejected: str) -> str: ...


@dataclass(frozen=True)
class StaticToken:
    """A token that cannot be refreshed (pasted by an admin, or a never-expiring page token)."""

    token: str

    def access_token(self) -> str:
        return self.token

    def refreshed(self, rejected: str) -> str:
        raise ReconnectRequiredError(
            "The channel's access was refused as expired and cannot be renewed automatically; "
            "connect the channel again."
        )
