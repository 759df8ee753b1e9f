"""Inbound webhooks from the organisation's own forms (the website's contact form, a chat widget):
``POST /hooks/inbound/<source>``, signed with Standard Webhooks (the source's own secret).

The signature check is publishing's (planner.publishing.adapters.webhook.verify_signature, the
receiver's side of what our own webhook publisher sends); the ``webhook-id`` is the message's id,
so a sender that retries delivers once. The body is a small documented JSON object.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from pydantic import BaseModel, Field, ValidationError

from planner.errors import ValidationError as PlannerValidationError
from planner.inbox.sources import Incoming
from planner.publishing.adapters.webhook import verify_signature

NO_NUL = r"^[^\x00]*$"


class InboundPayload(BaseModel):
    """What a form sends: who (a name, and an e-mail address or a handle) and what."""

    text: str = Field(min_length=1, max_length=20_000, pattern=NO_NUL)
    name: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    email: str | None = Field(
        default=None, max_length=320, pattern=r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$"
    )
    handle: str | None = Field(default=None, max_length=320, pattern=NO_NUL)
    subject: str | None = Field(default=None, max_length=300, pattern=NO_NUL)
    url: str | None = Field(default=None, max_length=2000, pattern=NO_NUL)


def verified(
    secret: str, *, msg_id: str, timestamp: str, signature: str, body: bytes, now: datetime
) -> bool:
    if not (msg_id and timestamp and signature):
        return False
    return verify_signature(
        secret, msg_id=msg_id, timestamp=timestamp, body=body, signature_header=signature, now=now
    )


def parse_inbound(msg_id: str, raw: object, received_at: datetime) -> Incoming:
    """The payload as an Incoming message, or a ValidationError naming the first bad field."""
    try:
        payload = InboundPayload.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise PlannerValidationError(f"{field}: {first['msg']}", field=field) from exc
    email = str(payload.email).lower() if payload.email else None
    handle = payload.handle.strip() if payload.handle else None
    author = email or (handle.lower() if handle else None)
    if author is None:
        # Anonymous form posts thread by nothing but themselves.
        author = "anon:" + hashlib.sha256(msg_id.encode("utf-8")).hexdigest()[:32]
    return Incoming(
        remote_key=f"webhook:{msg_id[:380]}",
        remote_id=msg_id[:380],
        author_key=author,
        author_name=payload.name,
        author_email=email,
        author_handle=handle,
        subject=payload.subject,
        body=payload.text.strip(),
        received_at=received_at,
        remote_url=payload.url,
    )
