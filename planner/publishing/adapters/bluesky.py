"""Publishes posts and threads to Bluesky (the AT Protocol) with an app password.

Bluesky lets a client choose a record's key, and a repository refuses a second record under a key
it already holds. Every post gets a key derived from the delivery's idempotency key and its place
in the thread, so a resend after an unclear outcome finds its own earlier post instead of writing
a second one: Bluesky is exactly-once here, without anyone having to check.

This module is long because the AT Protocol needs more than a post call: a session with refresh,
facets at UTF-8 byte offsets, handle resolution, blob uploads and reply chains belong together.
"""

from __future__ import annotations

import hashlib
import json
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

import regex

from planner.channels.catalogue import ErrorOutcome, get_kind, get_publishing_rules
from planner.publishing.adapters._platform import (
    JSON,
    Connection,
    PlatformClient,
    check_bytes,
    check_media,
    describe,
    image_size,
    utcnow,
)
from planner.publishing.adapters._transport import join_url, json_body, send
from planner.publishing.outbound import Resolver, Response, system_resolver
from planner.publishing.ports import (
    AmbiguousPublishError,
    MediaItem,
    PermanentPublishError,
    PublishError,
    PublishRequest,
    PublishResult,
    ReconnectRequiredError,
    TransientPublishError,
)

POST_COLLECTION = "app.bsky.feed.post"
_KIND = get_kind("bluesky")
_RULES = get_publishing_rules("bluesky")
#: record keys Bluesky calls TIDs: 13 characters of base32-sortable, first one below "k"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_SYNTAX = regex.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
# Derived keys carry a timestamp between 2023-01-01 and about a year later: plausible, in the
# past, and far from the keys the platform generates for posts written now.
_TID_BASE_MICROS = 1_672_531_200 * 1_000_000
_TID_SPAN_MICROS = 1 << 45


@dataclass(frozen=True)
class BlueskySettings:
    #: the account's server (its PDS) or the entryway, e.g. https://bsky.social
    service_url: str
    #: the account's handle, e.g. zuiderhaven.bsky.social
    handle: str
    #: an app password (Settings > Privacy and security > App passwords), never the login one
    app_password: str
    #: BCP-47 language of the posts, so feeds and translation know it
    language: str | None = "nl"
    timeout: float = 15.0
    allow_loopback: bool = False


def record_key(idempotency_key: str, index: int) -> str:
    """The TID-syntax record key of thread part `index`: the same on every attempt."""
    digest = hashlib.sha256(f"contentfabriek:{idempotency_key}:{index}".encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    micros = _TID_BASE_MICROS + (number >> 10) % _TID_SPAN_MICROS
    value = (micros << 10) | (number & 0x3FF)  # 53 bits of time, 10 of "clock id", top bit 0
    chars = []
    for _ in range(13):
        chars.append(TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


# -- rich text --------------------------------------------------------------------------------

_LINK = regex.compile(r"(?:^|(?<=[\s(]))(https?://[^\s]+)", regex.IGNORECASE)
_MENTION = regex.compile(r"(?:^|(?<=[\s(]))@([a-zA-Z0-9.-]+)")
_HANDLE = regex.compile(
    r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
)
_INVISIBLE = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
_TAG = regex.compile(rf"(?:^|(?<=\s))[#＃]((?!\ufe0f)[^\s{_INVISIBLE}]+)")
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")
_HAS_WORD = regex.compile(rf"[^\d\s\p{{P}}{_INVISIBLE}]")


@dataclass(frozen=True)
class Facet:
    """A decorated stretch of text, at UTF-8 byte offsets (end exclusive)."""

    byte_start: int
    byte_end: int
    #: "link", "mention" or "tag"
    kind: str
    #: the URI, the handle (resolved to a DID before sending) or the tag without '#'
    value: str

    def as_record(self, did: str | None = None) -> dict[str, Any]:
        feature: dict[str, Any] = {"$type": f"app.bsky.richtext.facet#{self.kind}"}
        if self.kind == "link":
            feature["uri"] = self.value
        elif self.kind == "mention":
            feature["did"] = did
        else:
            feature["tag"] = self.value
        return {
            "index": {"byteStart": self.byte_start, "byteEnd": self.byte_end},
            "features": [feature],
        }


def _bytes_before(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def detect_facets(text: str) -> list[Facet]:
    """Links, @handle mentions and #tags in `text`, in order, at UTF-8 byte offsets.

    Bluesky counts offsets in bytes of UTF-8, so an emoji before a link moves it four bytes and an
    "é" two; the rules for what counts as a tag or a handle follow the official client's.
    """
    facets: list[Facet] = []
    for match in _LINK.finditer(text):
        uri = match.group(1)
        start, end = match.span(1)
        if uri[-1] in ".,;:!?":
            uri, end = uri[:-1], end - 1
        if uri.endswith(")") and "(" not in uri:
            uri, end = uri[:-1], end - 1
        facets.append(Facet(_bytes_before(text, start), _bytes_before(text, end), "link", uri))
    for match in _MENTION.finditer(text):
        handle = match.group(1).rstrip(".-")
        if not _HANDLE.match(handle):
            continue
        start = match.start(1) - 1
        end = match.start(1) + len(handle)
        facets.append(
            Facet(_bytes_before(text, start), _bytes_before(text, end), "mention", handle.lower())
        )
    for match in _TAG.finditer(text):
        tag = _TRAILING_PUNCTUATION.sub("", match.group(1))
        if not tag or not _HAS_WORD.search(tag) or len(regex.findall(r"\X", tag)) > 64:
            continue
        start = match.start(1) - 1
        end = match.start(1) + len(tag)
        facets.append(Facet(_bytes_before(text, start), _bytes_before(text, end), "tag", tag))
    facets.sort(key=lambda facet: facet.byte_start)
    return facets


def graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


# -- the session ----------------------------------------------------------------------------


@dataclass
class _Session:
    did: str
    handle: str
    access: str
    refresh: str


class SessionCache:
    """Sessions per (server, handle), shared by every publisher in the process.

    Bluesky allows few logins (createSession is limited per account to some dozens an hour),
    while the engine builds a publisher per delivery: a burst must reuse one session.
    """

    def __init__(self) -> None:
        self._sessions: dict[tuple[str, str], _Session] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> _Session | None:
        with self._lock:
            return self._sessions.get(key)

    def put(self, key: tuple[str, str], session: _Session | None) -> None:
        with self._lock:
            if session is None:
                self._sessions.pop(key, None)
            else:
                self._sessions[key] = session


_SHARED_SESSIONS = SessionCache()


def xrpc_error(response: Response) -> str | None:
    """The XRPC error name: {"error": "ExpiredToken", "message": "..."}."""
    try:
        document = json.loads(response.body)
    except ValueError:
        return None
    name = document.get("error") if isinstance(document, dict) else None
    return name if isinstance(name, str) else None


class BlueskySessionTokens:
    """The account's access token: logs in once, refreshes with the refresh token when the
    server says the access token expired, and logs in again when the refresh token is gone."""

    def __init__(self, publisher: BlueskyPublisher, cache: SessionCache) -> None:
        self._publisher = publisher
        self._cache = cache
        self._key = (publisher.settings.service_url.rstrip("/"), publisher.settings.handle)
        self._lock = threading.Lock()

    @property
    def session(self) -> _Session:
        session = self._cache.get(self._key)
        if session is None:
            with self._lock:
                session = self._cache.get(self._key) or self._login()
        return session

    def access_token(self) -> str:
        return self.session.access

    def refreshed(self, rejected: str) -> str:
        with self._lock:
            session = self._cache.get(self._key)
            if session is not None and session.access != rejected:
                return session.access  # another thread refreshed it already
            if session is not None:
                renewed = self._refresh(session)
                if renewed is not None:
                    return renewed.access
            return self._login().access

    def _xrpc(self, path: str, *, bearer: str | None, payload: Any = None) -> Response:
        settings = self._publisher.settings
        headers = {"Accept": "application/json"}
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        body = None
        if payload is not None:
            headers.update(JSON)
            body = json_body(payload)
        return send(
            "POST",
            join_url(settings.service_url, f"/xrpc/{path}"),
            headers=headers,
            body=body,
            timeout=settings.timeout,
            allow_loopback=settings.allow_loopback,
            resolver=self._publisher.connection.resolver,
            ssl_context=self._publisher.connection.ssl_context,
        )

    def _store(self, document: dict[str, Any]) -> _Session:
        try:
            session = _Session(
                did=str(document["did"]),
                handle=str(document.get("handle") or self._publisher.settings.handle),
                access=str(document["accessJwt"]),
                refresh=str(document["refreshJwt"]),
            )
        except KeyError as exc:
            raise TransientPublishError(
                f"Bluesky's login answer lacks {exc.args[0]}; trying again later."
            ) from exc
        self._cache.put(self._key, session)
        return session

    def _login(self) -> _Session:
        settings = self._publisher.settings
        response = self._xrpc(
            "com.atproto.server.createSession",
            bearer=None,
            payload={"identifier": settings.handle, "password": settings.app_password},
        )
        if response.status == 401 or (
            response.status == 400 and xrpc_error(response) in ("AuthenticationRequired",)
        ):
            self._cache.put(self._key, None)
            raise ReconnectRequiredError(
                f"Bluesky refused the login of {settings.handle}: check the handle and the app "
                "password in the channel settings.",
                status=response.status,
            )
        self._publisher.client.check(response)
        return self._store(self._publisher.client.read_json(response, "login"))

    def _refresh(self, session: _Session) -> _Session | None:
        response = self._xrpc("com.atproto.server.refreshSession", bearer=session.refresh)
        if 200 <= response.status < 300:
            return self._store(self._publisher.client.read_json(response, "session refresh"))
        if _RULES.outcome_for(xrpc_error(response)) in (
            ErrorOutcome.REFRESH,
            ErrorOutcome.RECONNECT,
        ):
            self._cache.put(self._key, None)
            return None  # the refresh token expired or was revoked: log in again
        self._publisher.client.check(response)
        return None


# -- the publisher --------------------------------------------------------------------------


class BlueskyPublisher:
    supports_idempotency: bool = True

    def __init__(
        self,
        settings: BlueskySettings,
        *,
        sessions: SessionCache | None = None,
        clock: Callable[[], datetime] = utcnow,
        resolver: Resolver = system_resolver,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.settings = settings
        self.connection = Connection(
            timeout=settings.timeout,
            allow_loopback=settings.allow_loopback,
            resolver=resolver,
            ssl_context=ssl_context,
        )
        self._clock = clock
        self.tokens = BlueskySessionTokens(
            self, sessions if sessions is not None else _SHARED_SESSIONS
        )
        self.client = PlatformClient(
            channel="Bluesky",
            rules=_RULES,
            tokens=self.tokens,
            connection=self.connection,
            error_code=xrpc_error,
            clock=clock,
        )

    def _url(self, method: str, query: dict[str, str] | None = None) -> str:
        url = join_url(self.settings.service_url, f"/xrpc/{method}")
        return f"{url}?{urlencode(query)}" if query else url

    # -- steps ----------------------------------------------------------------------------------

    def check_text(self, parts: tuple[str, ...]) -> None:
        for index, part in enumerate(parts, start=1):
            where = f"Part {index} of the thread" if len(parts) > 1 else "The text"
            length = graphemes(part)
            size = len(part.encode("utf-8"))
            if _KIND.text_limit is not None and length > _KIND.text_limit:
                raise PermanentPublishError(
                    f"{where} is {length} characters; Bluesky allows {_KIND.text_limit}. "
                    "Shorten it or split it into more parts.",
                    part=index,
                    length=length,
                    limit=_KIND.text_limit,
                )
            if _KIND.byte_limit is not None and size > _KIND.byte_limit:
                raise PermanentPublishError(
                    f"{where} is {size} bytes; Bluesky allows {_KIND.byte_limit}.",
                    part=index,
                )

    def upload_image(self, item: MediaItem) -> dict[str, Any]:
        """Upload one image; return its entry for an images embed (blob, alt, aspect ratio)."""
        data = item.read_bytes()
        check_bytes("Bluesky", _RULES, item, data)
        response = self.client.call(
            "POST",
            self._url("com.atproto.repo.uploadBlob"),
            body=data,
            headers={"Content-Type": item.mime},
        )
        blob = self.client.read_json(response, "image upload").get("blob")
        if not isinstance(blob, dict):
            raise TransientPublishError("Bluesky accepted an image but returned no blob.")
        entry: dict[str, Any] = {"alt": item.alt, "image": blob}
        size = image_size(item, data)
        if size is not None and size[0] > 0 and size[1] > 0:
            entry["aspectRatio"] = {"width": size[0], "height": size[1]}
        return entry

    def resolve_handle(self, handle: str) -> str | None:
        """The DID behind a handle, or None when it does not resolve (then it stays plain text)."""
        response = self.client.call(
            "GET", self._url("com.atproto.identity.resolveHandle", {"handle": handle})
        )
        if response.status == 400:
            return None
        did = self.client.read_json(response, "handle lookup").get("did")
        return did if isinstance(did, str) and did.startswith("did:") else None

    def facets_for(self, text: str, dids: dict[str, str | None]) -> list[dict[str, Any]]:
        records = []
        for facet in detect_facets(text):
            if facet.kind == "mention":
                if facet.value not in dids:
                    dids[facet.value] = self.resolve_handle(facet.value)
                did = dids[facet.value]
                if did is None:
                    continue
                records.append(facet.as_record(did))
            else:
                records.append(facet.as_record())
        return records

    def _existing(self, did: str, rkey: str) -> dict[str, Any] | None:
        """The post already stored under `rkey`, or None."""
        response = self.client.call(
            "GET",
            self._url(
                "com.atproto.repo.getRecord",
                {"repo": did, "collection": POST_COLLECTION, "rkey": rkey},
            ),
        )
        if response.status == 400 and xrpc_error(response) == "RecordNotFound":
            return None
        document = self.client.read_json(response, "record lookup")
        if isinstance(document.get("uri"), str) and isinstance(document.get("cid"), str):
            return document
        return None

    def create_post(
        self, did: str, rkey: str, record: dict[str, Any]
    ) -> tuple[dict[str, Any], bool]:
        """Write one post under `rkey`; (strong ref, True when it was already there)."""
        response = self.client.call(
            "POST",
            self._url("com.atproto.repo.createRecord"),
            body=json_body(
                {"repo": did, "collection": POST_COLLECTION, "rkey": rkey, "record": record}
            ),
            headers=JSON,
        )
        if 200 <= response.status < 300:
            created = response.json()
            if not isinstance(created, dict) or not created.get("uri") or not created.get("cid"):
                raise AmbiguousPublishError(
                    "Bluesky accepted a post but returned no reference to it.", rkey=rkey
                )
            return {"uri": created["uri"], "cid": created["cid"]}, False
        if response.status in (400, 409) or response.status >= 500:
            # A repository refuses a second record under one key (today with a 500, soon with
            # its own error name): that is our own earlier attempt, so read it back.
            existing = self._existing(did, rkey)
            if existing is not None:
                return {"uri": existing["uri"], "cid": existing["cid"]}, True
        self.client.check(response)
        raise PermanentPublishError(describe("Bluesky", response))  # pragma: no cover

    def publish(self, request: PublishRequest) -> PublishResult:
        parts = tuple(request.parts)
        self.check_text(parts)
        check_media("Bluesky", _RULES, request.media, _KIND.media_per_post)
        did = self.tokens.session.did
        images = [self.upload_image(item) for item in request.media]
        dids: dict[str, str | None] = {}

        refs: list[dict[str, Any]] = []
        keys: list[str] = []
        reused: list[bool] = []
        for index, part in enumerate(parts):
            record: dict[str, Any] = {
                "$type": POST_COLLECTION,
                "text": part,
                "createdAt": self._clock().astimezone(UTC).isoformat(timespec="milliseconds"),
            }
            record["createdAt"] = record["createdAt"].replace("+00:00", "Z")
            if self.settings.language:
                record["langs"] = [self.settings.language]
            facets = self.facets_for(part, dids)
            if facets:
                record["facets"] = facets
            if index == 0 and images:
                record["embed"] = {"$type": "app.bsky.embed.images", "images": images}
            elif index == 0 and request.link:
                record["embed"] = {
                    "$type": "app.bsky.embed.external",
                    "external": {
                        "uri": request.link,
                        "title": request.title or "",
                        "description": request.excerpt or "",
                    },
                }
            if refs:
                record["reply"] = {"root": refs[0], "parent": refs[-1]}
            rkey = record_key(request.idempotency_key, index)
            try:
                ref, existed = self.create_post(did, rkey, record)
            except PublishError as exc:
                exc.details["published_uris"] = [r["uri"] for r in refs]
                raise
            refs.append(ref)
            keys.append(rkey)
            reused.append(existed)

        handle = self.tokens.session.handle
        return PublishResult(
            remote_id=refs[0]["uri"],
            remote_url=f"https://bsky.app/profile/{quote(handle)}/post/{keys[0]}",
            raw={
                "uris": [r["uri"] for r in refs],
                "cids": [r["cid"] for r in refs],
                "rkeys": keys,
                "already_there": reused,
                "media_sha256": [m.sha256 for m in request.media],
            },
        )
