"""Configuring how a channel publishes: its publisher kind, settings, credential and approval.

Every URL or host an admin types is checked the way the publisher will call it (outbound.py), so a
channel cannot be pointed at the server's own network. The credential is encrypted with the
application's SecretBox and never read back: callers learn only whether one is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.channels.models import Channel
from planner.errors import ValidationError
from planner.publishing.models import ChannelConnection
from planner.publishing.outbound import Resolver, check_host, check_url, system_resolver
from planner.publishing.ports import TransientPublishError
from planner.publishing.secrets import SecretBox

PUBLISHER_KINDS = (
    "manual",
    "blog",
    "webhook",
    "mastodon",
    "wordpress",
    "newsletter",
    "bluesky",
    "linkedin",
    "facebook",
    "instagram",
    "threads",
    "x",
)
#: kinds that cannot work without a stored credential (for the OAuth kinds: the token set the
#: connect flow stores, or an access token an admin pastes)
NEEDS_SECRET = (
    "webhook",
    "mastodon",
    "wordpress",
    "bluesky",
    "linkedin",
    "facebook",
    "instagram",
    "threads",
    "x",
)
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
#: handle syntax (atproto.com/specs/handle): dot-separated labels, the last not numeric
_HANDLE = re.compile(
    r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
)
_NUMERIC_ID = re.compile(r"^[0-9]{1,30}$")
#: the platform account a publisher posts as, per OAuth kind: (setting, required)
_ACCOUNT_FIELD = {
    "linkedin": ("organization_id", True),
    "facebook": ("page_id", True),
    "instagram": ("ig_user_id", True),
    "threads": ("user_id", False),
    "x": ("user_id", False),
}


@dataclass
class PublisherInput:
    """What the form or the API sends; fields a kind does not use are ignored."""

    kind: str
    approval_steps: int | None = None
    url: str | None = None
    username: str | None = None
    host: str | None = None
    port: int | None = None
    sender: str | None = None
    recipients: list[str] = field(default_factory=list)
    #: the platform account to post as: LinkedIn organisation, Facebook page, Instagram or
    #: Threads user, X user (numeric ids; a LinkedIn organisation URN is accepted too)
    account_id: str | None = None
    #: a new credential; None or "" keeps the stored one
    secret: str | None = None
    clear_secret: bool = False


def _text(value: str | None) -> str:
    return (value or "").strip()


def _checked_url(url: str | None, field_name: str, allow_loopback: bool, resolver: Resolver) -> str:
    cleaned = _text(url)
    if not cleaned:
        raise ValidationError("Fill in the address.", field=field_name)
    try:
        check_url(cleaned, allow_loopback=allow_loopback, resolver=resolver)
    except TransientPublishError as exc:
        raise ValidationError(f"The address cannot be reached: {exc}", field=field_name) from exc
    except ValidationError as exc:
        raise ValidationError(exc.message, field=field_name) from exc
    return cleaned.rstrip("/") if field_name == "base_url" else cleaned


def _email(value: str | None, field_name: str) -> str:
    cleaned = _text(value)
    if not _EMAIL.fullmatch(cleaned) or len(cleaned) > 320:
        raise ValidationError("Fill in a valid e-mail address.", field=field_name)
    return cleaned


def _settings_for(data: PublisherInput, allow_loopback: bool, resolver: Resolver) -> dict[str, Any]:
    kind = data.kind
    if kind in ("manual", "blog"):
        return {}
    if kind == "webhook":
        return {"url": _checked_url(data.url, "url", allow_loopback, resolver)}
    if kind == "mastodon":
        return {"base_url": _checked_url(data.url, "base_url", allow_loopback, resolver)}
    if kind == "bluesky":
        handle = _text(data.username).removeprefix("@").lower()
        if not _HANDLE.fullmatch(handle) or len(handle) > 253:
            raise ValidationError(
                "Fill in the Bluesky handle, e.g. gemeente.bsky.social.", field="username"
            )
        return {
            "service_url": _checked_url(data.url, "base_url", allow_loopback, resolver),
            "handle": handle,
        }
    if kind in _ACCOUNT_FIELD:
        return _oauth_settings(data, allow_loopback, resolver)
    if kind == "wordpress":
        username = _text(data.username)
        if not username:
            raise ValidationError("Fill in the WordPress user name.", field="username")
        return {
            "base_url": _checked_url(data.url, "base_url", allow_loopback, resolver),
            "username": username[:200],
        }
    # newsletter
    host = _text(data.host)
    if not host:
        raise ValidationError("Fill in the SMTP server.", field="host")
    port = data.port or 587
    if not 1 <= port <= 65535:
        raise ValidationError("A port is a number from 1 to 65535.", field="port")
    try:
        check_host(host, port, allow_loopback=allow_loopback, resolver=resolver)
    except TransientPublishError as exc:
        raise ValidationError(f"The SMTP server cannot be reached: {exc}", field="host") from exc
    except ValidationError as exc:
        raise ValidationError(exc.message, field="host") from exc
    recipients = [_email(r, "recipients") for r in data.recipients if _text(r)]
    if not recipients:
        raise ValidationError("Fill in who receives the newsletter.", field="recipients")
    settings: dict[str, Any] = {
        "host": host,
        "port": port,
        "sender": _email(data.sender, "sender"),
        "recipients": recipients[:20],
    }
    if _text(data.username):
        settings["username"] = _text(data.username)[:200]
    return settings


def _oauth_settings(
    data: PublisherInput, allow_loopback: bool, resolver: Resolver
) -> dict[str, Any]:
    name, required = _ACCOUNT_FIELD[data.kind]
    account = _text(data.account_id)
    if data.kind == "linkedin":
        account = account.removeprefix("urn:li:organization:")
    settings: dict[str, Any] = {}
    if account:
        if not _NUMERIC_ID.fullmatch(account):
            raise ValidationError("An account id is a number.", field="account_id")
        settings[name] = account
    elif required:
        raise ValidationError("Fill in the id of the account to post as.", field="account_id")
    if _text(data.url):
        # Only for a test server or a proxy; the platform's own address is the default.
        settings["base_url"] = _checked_url(data.url, "base_url", allow_loopback, resolver)
    return settings


def configure_publisher(
    session: Session,
    actor: User | None,
    channel: Channel,
    data: PublisherInput,
    box: SecretBox,
    *,
    allow_loopback: bool = False,
    resolver: Resolver = system_resolver,
) -> Channel:
    """Validate and store a channel's publisher; the credential is encrypted or kept as it was."""
    actor = require_role(actor, Role.ADMIN)
    if data.kind not in PUBLISHER_KINDS:
        raise ValidationError("Choose how this channel publishes.", field="publisher_kind")
    if data.approval_steps is not None and data.approval_steps not in (0, 1, 2):
        raise ValidationError("Approval is 0, 1 or 2 steps.", field="approval_steps")
    settings = _settings_for(data, allow_loopback, resolver)
    secret = data.secret if data.secret and data.secret.strip() else None
    if secret is not None and len(secret) > 2000:
        raise ValidationError("A secret has at most 2000 characters.", field="secret")
    kind_changed = data.kind != channel.publisher_kind
    keeps_secret = (
        channel.publisher_secret is not None and not data.clear_secret and not kind_changed
    )
    if data.kind in NEEDS_SECRET and secret is None and not keeps_secret:
        raise ValidationError("This publisher needs its secret, token or password.", field="secret")
    channel.publisher_kind = data.kind
    channel.publisher_settings = settings
    if secret is not None:
        channel.publisher_secret = box.encrypt(secret.strip())
    elif not keeps_secret:
        channel.publisher_secret = None
    if secret is not None or not keeps_secret:
        # A token typed by hand (or none) replaces what "Verbinden" stored: nothing renews it.
        session.execute(delete(ChannelConnection).where(ChannelConnection.channel_id == channel.id))
    if data.approval_steps is not None:
        channel.approval_steps = data.approval_steps
    session.flush()
    record_event(
        session,
        actor,
        "channel.configure_publisher",
        channel,
        kind=data.kind,
        approval_steps=channel.approval_steps,
        secret="replaced" if secret else ("kept" if keeps_secret else "none"),
    )
    return channel


def public_settings(channel: Channel) -> dict[str, Any]:
    """The settings safe to show or return: never the credential, only whether one is stored."""
    return {
        **(channel.publisher_settings or {}),
        "has_secret": channel.publisher_secret is not None,
    }
