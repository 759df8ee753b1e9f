"""Publishes to any system that accepts a signed JSON webhook (Standard Webhooks conventions).

The delivery's idempotency key travels as `webhook-id`, so a receiver that deduplicates by it turns
our retries into exactly-once delivery.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from planner.publishing.adapters._transport import HttpPublisher, json_body, send
from planner.publishing.outbound import raise_for_status
from planner.publishing.ports import (
    PermanentPublishError,
    PublishError,
    PublishRequest,
    PublishResult,
)

SIGNATURE_VERSION = "v1"
#: how far a receiver lets webhook-timestamp drift from its clock (the spec suggests 5 minutes)
DEFAULT_TOLERANCE = 300


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    secret: str
    event_type: str = "fragment.published"
    timeout: float = 10.0
    allow_loopback: bool = False


def _key_bytes(secret: str) -> bytes:
    # Standard Webhooks secrets look like "whsec_<base64 key>"; anything else is used as typed.
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except binascii.Error as exc:
            raise PermanentPublishError(
                "The webhook secret starts with whsec_ but the rest is not valid base64."
            ) from exc
    return secret.encode("utf-8")


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """`webhook-signature`: "v1," + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key_bytes(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def verify_signature(
    secret: str,
    *,
    msg_id: str,
    timestamp: str,
    body: bytes,
    signature_header: str,
    now: datetime | None = None,
    tolerance: int = DEFAULT_TOLERANCE,
) -> bool:
    """True when one of the header's space-separated signatures matches and the time is fresh.

    This is the receiver's side; the tests use it, and so can anyone writing a receiver in Python.
    """
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    moment = now if now is not None else datetime.now(UTC)
    if abs(moment.timestamp() - sent_at) > tolerance:
        return False
    expected = sign(secret, msg_id, sent_at, body).encode("ascii")
    for candidate in signature_header.split():
        # Compare in constant time so the signature cannot be guessed byte by byte.
        if candidate.startswith(f"{SIGNATURE_VERSION},") and hmac.compare_digest(
            candidate.encode("ascii", "replace"), expected
        ):
            return True
    return False


def build_payload(request: PublishRequest, event_type: str, sent_at: datetime) -> dict[str, Any]:
    """The JSON document a receiver gets; its shape is a public contract, so change it carefully."""
    return {
        "type": event_type,
        "timestamp": sent_at.isoformat().replace("+00:00", "Z"),
        "data": {
            "delivery_id": request.delivery_id,
            "attempt": request.attempt,
            "title": request.title,
            "text": request.text,
            "parts": list(request.parts),
            "excerpt": request.excerpt,
            "html": request.html,
            "hashtags": list(request.hashtags),
            "link": request.link,
            "media": [
                {"url": item.url, "alt": item.alt, "mime": item.mime, "sha256": item.sha256}
                for item in request.media
            ],
            "story": dict(request.story),
            "channel": dict(request.channel),
            "campaign": dict(request.campaign),
        },
    }


class WebhookPublisher(HttpPublisher[WebhookSettings]):
    """POSTs a signed JSON document to the configured URL."""

    supports_idempotency: bool = True

    def publish(self, request: PublishRequest) -> PublishResult:
        now = self._clock()
        timestamp = int(now.timestamp())
        body = json_body(build_payload(request, self.settings.event_type, now))
        msg_id = request.idempotency_key
        response = send(
            "POST",
            self.settings.url,
            headers={
                "Content-Type": "application/json",
                "webhook-id": msg_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": sign(self.settings.secret, msg_id, timestamp, body),
            },
            body=body,
            timeout=self.settings.timeout,
            allow_loopback=self.settings.allow_loopback,
            resolver=self._resolver,
            ssl_context=self._ssl_context,
        )
        raise_for_status(response, channel="The webhook receiver", now=now)
        # Receivers owe us nothing but a 2xx; use their id and URL when they volunteer them.
        remote_id, remote_url = msg_id, None
        content_type = response.header("content-type") or ""
        if content_type.startswith("application/json") and response.body:
            try:
                answer = response.json()
            except PublishError:
                answer = None
            if isinstance(answer, dict):
                remote_id = str(answer.get("id") or msg_id)
                url = answer.get("url")
                remote_url = url if isinstance(url, str) else None
        return PublishResult(
            remote_id=remote_id, remote_url=remote_url, raw={"status": response.status}
        )
