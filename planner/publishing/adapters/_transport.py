"""Small helpers the HTTP adapters share: one way to send, one way to build bodies.

A refused URL is a settings problem by the time a publication is attempted, so it surfaces to the
engine as a PermanentPublishError like any other misconfiguration.
"""

from __future__ import annotations

import json
import re
import ssl
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from planner.publishing.outbound import (
    OutboundURLRefusedError,
    Resolver,
    Response,
    safe_request,
    system_resolver,
)
from planner.publishing.ports import PermanentPublishError, TransientPublishError

SettingsT = TypeVar("SettingsT")


def utcnow() -> datetime:
    return datetime.now(UTC)


class HttpPublisher(Generic[SettingsT]):
    """What every HTTP publisher is built from: its channel's settings, the clock (tests freeze
    it), the resolver that vets outbound addresses (publishing.md) and the TLS context (tests
    trust their own certificate authority)."""

    supports_idempotency: bool = False

    def __init__(
        self,
        settings: SettingsT,
        *,
        clock: Callable[[], datetime] = utcnow,
        resolver: Resolver = system_resolver,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._resolver = resolver
        self._ssl_context = ssl_context


def send(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    body: bytes | None = None,
    timeout: float,
    allow_loopback: bool,
    resolver: Resolver = system_resolver,
    ssl_context: ssl.SSLContext | None = None,
) -> Response:
    try:
        return safe_request(
            method,
            url,
            headers=headers,
            body=body,
            timeout=timeout,
            allow_loopback=allow_loopback,
            resolver=resolver,
            ssl_context=ssl_context,
        )
    except OutboundURLRefusedError as exc:
        raise PermanentPublishError(exc.message, **exc.details) from exc


def json_before_publishing(response: Response, what: str) -> dict[str, Any]:
    """Read a JSON object from a preparatory call (limits, uploads) where nothing is published yet.

    Unlike `Response.json`, an unreadable answer here is transient: repeating the call can only
    leave an unused upload behind, never a second post.
    """
    try:
        document = json.loads(response.body)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise TransientPublishError(
            f"The channel's answer to the {what} could not be read.", status=response.status
        )
    return document


def json_body(payload: Any) -> bytes:
    # ensure_ascii=False keeps Dutch and emoji readable for whoever inspects the receiver's log.
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def join_url(base: str, path: str) -> str:
    return base.rstrip("/") + "/" + path.lstrip("/")


_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str, fallback: str) -> str:
    """An ASCII file name that needs no quoting inside a header ("foto (1).jpg" -> "foto-1.jpg")."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = _UNSAFE_FILENAME.sub("-", stem).strip("-.")
    extension = _UNSAFE_FILENAME.sub("", extension)
    if not stem:
        return fallback
    return f"{stem}.{extension}" if extension else stem


def multipart(
    fields: Mapping[str, str], files: Sequence[tuple[str, str, str, bytes]]
) -> tuple[str, bytes]:
    """Encode form fields and (field, filename, mime, data) files as multipart/form-data."""
    boundary = f"contentfabriek-{uuid.uuid4().hex}"
    chunks: list[bytes] = []
    for name, value in fields.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode("utf-8")
            + b"\r\n"
        )
    for name, filename, mime, data in files:
        chunks.append(
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {mime}\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(chunks)
