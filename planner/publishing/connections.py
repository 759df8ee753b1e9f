"""Channels connected with OAuth 2: connecting, keeping the token fresh, and holding a channel's
posts while an admin has to connect it again.

Why a room of its own: a token outlives requests and processes. It is renewed by whichever
process needs it first (the engine before a send, the scheduler's renewal round ahead of
expiry), refresh tokens are often single-use, and a refused renewal must stop the channel
without losing a post. So:

- the token set lives encrypted in the channel's ``publisher_secret`` (like every credential);
- a ``ChannelConnection`` row carries the state and a short renewal claim (renewal.py): one
  process renews, the others wait a moment and read the stored result;
- a refused renewal (or a platform that calls the grant revoked) turns the connection to
  ``reconnect``: the engine claims nothing on the channel (``waiting_for_reconnect``), admins get
  a notification, the dashboard says "opnieuw verbinden", and the posts wait. Connecting again
  sends them, at once, in their order.

The OAuth protocol itself is planner.publishing.oauth; the pages are connect_views.py.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.channels.models import Channel
from planner.errors import ValidationError
from planner.notifications.models import NotificationKind
from planner.notifications.phrases import Phrase
from planner.notifications.services import notify
from planner.publishing.models import (
    ACTIVE_DELIVERY_STATES,
    ChannelConnection,
    ConnectionState,
    Delivery,
    DeliveryState,
)
from planner.publishing.oauth import (
    PLATFORM_ENDPOINTS,
    AuthorizationRequest,
    OAuthClient,
    OAuthClientConfig,
    OAuthError,
    TokenSet,
)
from planner.publishing.outbound import OutboundURLRefusedError, safe_request
from planner.publishing.ports import (
    PublishError,
)
from planner.publishing.registry import OAUTH_KINDS
from planner.publishing.secrets import SecretBox

log = logging.getLogger(__name__)

#: where every platform sends the admin back (registered with each app, see the README)
CALLBACK_PATH = "/channels/oauth/callback"
#: the fields an account id is kept in, per platform, and whether connecting needs it first
ACCOUNT_FIELD = {
    "linkedin": ("organization_id", True),
    "facebook": ("page_id", True),
    "instagram": ("ig_user_id", False),
    "threads": ("user_id", False),
    "x": ("user_id", False),
}

Clients = Callable[[str], OAuthClient | None]


def platform_of(channel: Channel) -> str | None:
    """The platform a channel can be connected to with OAuth, by its kind; None for the rest."""
    return channel.kind_key if channel.kind_key in OAUTH_KINDS else None


def client_for(
    platform: str, apps: Mapping[str, Mapping[str, str]], *, base_url: str, allow_loopback: bool
) -> OAuthClient | None:
    """The app's OAuth client for one platform, or None while its id and secret are not set."""
    app = apps.get(platform) or {}
    if platform not in PLATFORM_ENDPOINTS or not app.get("client_id"):
        return None
    if not app.get("client_secret"):
        return None
    endpoints = PLATFORM_ENDPOINTS[platform]
    endpoints = replace(
        endpoints,
        authorize_url=app.get("authorize_url") or endpoints.authorize_url,
        token_url=app.get("token_url") or endpoints.token_url,
        refresh_url=app.get("refresh_url") or endpoints.refresh_url,
        long_lived_url=app.get("long_lived_url") or endpoints.long_lived_url,
    )
    config = OAuthClientConfig(
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        redirect_uri=base_url.rstrip("/") + CALLBACK_PATH,
        endpoints=endpoints,
        allow_loopback=allow_loopback,
    )
    return OAuthClient(config)


# -- what the pages show -------------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionStatus:
    """One channel's connection as the channel and publishing pages show it."""

    platform: str | None
    #: "connected", "reconnect", "token" (an access token pasted by hand) or "not_connected"
    status: str
    connection: ChannelConnection | None
    #: the app's id and secret are set, so "Verbinden" can work
    connectable: bool
    #: posts waiting for this channel to be connected again
    waiting: int = 0


def status_of(session: Session, channel: Channel, connectable: bool) -> ConnectionStatus:
    platform = platform_of(channel)
    connection = session.get(ChannelConnection, channel.id) if platform else None
    if platform is None or channel.publisher_kind != platform:
        return ConnectionStatus(platform, "not_connected", connection, connectable)
    if connection is None:
        return ConnectionStatus(platform, "token", None, connectable)
    if connection.state == ConnectionState.RECONNECT:
        waiting = _waiting(session, [channel.id]).get(channel.id, 0)
        return ConnectionStatus(platform, "reconnect", connection, connectable, waiting)
    return ConnectionStatus(platform, "connected", connection, connectable)


@dataclass(frozen=True)
class Reconnect:
    """A channel an admin must connect again, for the dashboard."""

    channel: Channel
    connection: ChannelConnection
    waiting: int


def needing_reconnect(session: Session) -> list[Reconnect]:
    rows = list(
        session.execute(
            select(ChannelConnection, Channel)
            .join(Channel, Channel.id == ChannelConnection.channel_id)
            .where(
                ChannelConnection.state == ConnectionState.RECONNECT,
                Channel.publisher_kind == ChannelConnection.platform,
            )
            .order_by(Channel.name)
        )
    )
    waiting = _waiting(session, [row[1].id for row in rows])
    return [Reconnect(row[1], row[0], waiting.get(row[1].id, 0)) for row in rows]


def _waiting(session: Session, channel_ids: list[int]) -> dict[int, int]:
    if not channel_ids:
        return {}
    query = (
        select(Delivery.channel_id, func.count())
        .where(Delivery.channel_id.in_(channel_ids), Delivery.state.in_(ACTIVE_DELIVERY_STATES))
        .group_by(Delivery.channel_id)
    )
    return {row[0]: row[1] for row in session.execute(query)}


def waiting_for_reconnect() -> Any:
    """The engine's fence: deliveries on a channel whose connection must be made again."""
    # EXISTS, not IN: a delivery without a channel (an inbox answer) must never match, and
    # NOT (NULL IN (...)) would be NULL, holding it too.
    return (
        select(ChannelConnection.channel_id)
        .where(
            ChannelConnection.channel_id == Delivery.channel_id,
            ChannelConnection.state == ConnectionState.RECONNECT,
        )
        .exists()
    )


# -- connecting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """Where to send the admin, and the account the connection is for."""

    request: AuthorizationRequest
    account_id: str


def begin(
    actor: User | None, channel: Channel, client: OAuthClient, *, account_id: str | None = None
) -> Attempt:
    """Where to send an admin who clicked "Verbinden"; refuses what the return cannot fix.

    ``account_id`` is what the admin typed (a LinkedIn URN is accepted); empty keeps the
    account the channel already posts as."""
    require_role(actor, Role.ADMIN)
    platform = platform_of(channel)
    if platform is None:
        raise ValidationError("This channel cannot be connected automatically.")
    name, required_first = ACCOUNT_FIELD[platform]
    account = (account_id or "").strip().removeprefix("urn:li:organization:")
    if account and not account.isdigit():
        raise ValidationError("An account id is a number.", field="account_id")
    account = account or str((channel.publisher_settings or {}).get(name) or "")
    if required_first and not account:
        raise ValidationError(
            "Fill in the id of the page or organisation to post as, then connect.",
            field="account_id",
        )
    return Attempt(client.authorization_request(), account)


def finish(
    session: Session,
    actor: User | None,
    channel: Channel,
    platform: str,
    token: TokenSet,
    box: SecretBox,
    now: datetime,
    *,
    account_id: str | None = None,
    api_url: str | None = None,
) -> int:
    """Store the tokens the platform granted, mark the channel connected and send what waited.

    ``api_url`` is the platform's API address when it is not the public one (a test server or
    a proxy, from the app's settings). Returns how many posts were waiting and go out now."""
    actor = require_role(actor, Role.ADMIN)
    if platform_of(channel) != platform:
        raise ValidationError("This connection was started for another channel kind.")
    settings = dict(channel.publisher_settings or {}) if channel.publisher_kind == platform else {}
    name, _ = ACCOUNT_FIELD[platform]
    user_id = token.extra.get("user_id") or token.extra.get("id")
    if account_id:
        settings[name] = account_id
    elif not settings.get(name) and user_id is not None and str(user_id).isdigit():
        settings[name] = str(user_id)
    if api_url:
        settings["base_url"] = api_url
    channel.publisher_kind = platform
    channel.publisher_settings = settings
    channel.publisher_secret = box.encrypt(token.to_json())
    connection = session.get(ChannelConnection, channel.id, with_for_update=True)
    if connection is None:
        connection = ChannelConnection(channel_id=channel.id, platform=platform, connected_at=now)
        session.add(connection)
    connection.platform = platform
    connection.state = ConnectionState.CONNECTED
    connection.connected_at = now
    connection.connected_by_id = actor.id
    connection.expires_at = token.expires_at
    connection.refreshed_at = None
    connection.problem = None
    connection.reconnect_since = None
    connection.refresh_claimed_by = connection.refresh_claimed_until = None
    # What waited goes out now, in its order; the sweep would call it missed otherwise.
    released = session.execute(
        update(Delivery)
        .where(
            Delivery.channel_id == channel.id,
            Delivery.state.in_((DeliveryState.PENDING, DeliveryState.RETRYING)),
            Delivery.not_before < now,
        )
        .values(not_before=now, updated_at=now)
        .returning(Delivery.id),
        execution_options={"synchronize_session": False},
    ).all()
    session.flush()
    record_event(
        session, actor, "channel.connected", channel, platform=platform, released=len(released)
    )
    return len(released)


def facebook_page_token(
    token: TokenSet, client: OAuthClient, page_id: str, *, graph_url: str | None = None
) -> TokenSet:
    """Facebook posts as the Page: trade the person's token for a long-lived one, then read the
    Page's own token with it (a Page token from a long-lived user token does not expire).

    developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived and
    .../docs/pages-api/getting-started (GET /{page-id}?fields=access_token)."""
    config = client.config
    query = urlencode(
        {
            "grant_type": "fb_exchange_token",
            "client_id": config.client_id,
            "client_secret": config.client_secret,
            "fb_exchange_token": token.access_token,
        }
    )
    long_lived = _graph_json(f"{config.endpoints.token_url}?{query}", None, config)
    # The Graph API's address is the token endpoint's, without /oauth/access_token (or the
    # app's API address, for a test server or a proxy).
    graph_url = graph_url or config.endpoints.token_url.rsplit("/oauth/", 1)[0]
    user_token = str(long_lived.get("access_token") or token.access_token)
    page_url = f"{graph_url.rstrip('/')}/{quote(page_id)}?fields=access_token,name"
    page = _graph_json(page_url, user_token, config)
    if not page.get("access_token"):
        raise OAuthError(
            "This Facebook account may not post for that Page: ask for a Page role, then connect "
            "again."
        )
    return TokenSet(
        access_token=str(page["access_token"]),
        extra={"page_id": page_id, "page_name": page.get("name") or ""},
    )


def _graph_json(url: str, bearer: str | None, config: OAuthClientConfig) -> dict[str, Any]:
    headers = {"Accept": "application/json"}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    try:
        response = safe_request(
            "GET",
            url,
            headers=headers,
            timeout=config.timeout,
            allow_loopback=config.allow_loopback,
        )
    except (OutboundURLRefusedError, PublishError) as exc:
        raise OAuthError(f"Facebook could not be reached: {exc.message}") from exc
    try:
        document = json.loads(response.body)
    except ValueError:
        document = None
    if not isinstance(document, dict) or response.status >= 400:
        error = document.get("error") if isinstance(document, dict) else None
        reason = error.get("message") if isinstance(error, dict) else f"HTTP {response.status}"
        raise OAuthError(f"Facebook refused: {reason}.", status=response.status)
    return document


def warn_before_end(
    session: Session, channel_id: int, expires_at: datetime | None, now: datetime
) -> None:
    """Tell the admins, once per token, that a channel whose access cannot be renewed must be
    connected again before it ends (LinkedIn without a refresh token: 60 days); flush only."""
    channel = session.get(Channel, channel_id)
    if channel is None or expires_at is None:
        return
    admins = session.scalars(
        select(User).where(User.is_active.is_(True), User.role == Role.ADMIN)
    ).all()
    notify(
        session,
        admins,
        NotificationKind.CHANNEL_RECONNECT,
        Phrase(
            "Connect %(channel)s again before %(day)s",
            channel=channel.name,
            day=f"{expires_at:%Y-%m-%d}",
        ),
        now,
        link=f"/channels/{channel_id}/publishing#connection",
        body=Phrase("Its access ends then and the platform does not renew it by itself."),
        dedupe_key=f"reconnect-soon:{channel_id}:{expires_at.isoformat()}",
    )


def mark_reconnect(session: Session, channel_id: int, problem: str, now: datetime) -> bool:
    """Turn a channel's connection to ``reconnect`` and tell the admins, once; flush only."""
    changed = session.execute(
        update(ChannelConnection)
        .where(
            ChannelConnection.channel_id == channel_id,
            ChannelConnection.state == ConnectionState.CONNECTED,
        )
        .values(
            state=ConnectionState.RECONNECT,
            problem=problem[:1000],
            reconnect_since=now,
            refresh_claimed_by=None,
            refresh_claimed_until=None,
        )
        .returning(ChannelConnection.connected_at),
        execution_options={"synchronize_session": False},
    ).first()
    if changed is None:
        return False
    channel = session.get(Channel, channel_id)
    name = channel.name if channel else str(channel_id)
    admins = session.scalars(
        select(User).where(User.is_active.is_(True), User.role == Role.ADMIN)
    ).all()
    notify(
        session,
        admins,
        NotificationKind.CHANNEL_RECONNECT,
        Phrase("Reconnect %(channel)s", channel=name),
        now,
        link=f"/channels/{channel_id}/publishing#connection",
        body=problem,
        dedupe_key=f"reconnect:{channel_id}:{changed.connected_at.isoformat()}",
        urgent=True,
    )
    record_event(session, None, "channel.reconnect_needed", channel, problem=problem[:500])
    return True
