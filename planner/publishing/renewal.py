"""Renewing OAuth tokens: before a send when the token is about to end or was refused, and
in the scheduler's round ahead of expiry, so a channel that posts rarely stays connected.

Refresh tokens are often single-use, and any process may be the one that needs a new token
first: ``ClaimedRenewal`` takes the channel's short renewal claim (planner.publishing.models.
ChannelConnection), asks the platform, stores the result encrypted and lets go; the others wait a
moment and read what it stored. A renewer that dies loses the claim after ``RENEWAL_CLAIM``. A
renewal the platform refuses turns the channel to "reconnect" (connections.mark_reconnect).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from planner.channels.models import Channel
from planner.db import write_session
from planner.publishing.connections import Clients, mark_reconnect, warn_before_end
from planner.publishing.models import ChannelConnection, ConnectionState
from planner.publishing.oauth import OAuthClient, TokenKeeper, TokenSet
from planner.publishing.ports import (
    AccessTokenSource,
    ReconnectRequiredError,
    TransientPublishError,
)
from planner.publishing.secrets import SecretBox

log = logging.getLogger(__name__)

#: how long one process may hold a channel's renewal before another takes over
RENEWAL_CLAIM = timedelta(seconds=30)
#: how long a process waits for another's renewal before it calls the outcome transient
RENEWAL_WAIT = 20.0
#: the renewal round renews a token when this share of its life is left (and at least
#: MIN_AHEAD, at most MAX_AHEAD before it ends)
AHEAD_SHARE = 0.25
MIN_AHEAD = timedelta(minutes=15)
MAX_AHEAD = timedelta(days=7)


class ClaimedRenewal:
    """Renews one channel's token under its renewal claim and stores the result (the Renewer
    a TokenKeeper is handed).

    ``refresh(token)`` is asked when ``token`` is about to expire or was refused: if the stored
    token is already another one, another process renewed it and that one is returned;
    otherwise this process takes the claim, asks the platform, and stores what it got. A
    renewal the platform refuses marks the channel ``reconnect`` and raises
    ReconnectRequiredError; one that could not reach the platform raises TransientPublishError.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        box: SecretBox,
        client: OAuthClient,
        channel_id: int,
        worker: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.factory = factory
        self.box = box
        self.client = client
        self.channel_id = channel_id
        # Unique per renewal: threads of one process (the engine sends several posts of a
        # channel at once) must wait for each other too, not share the claim.
        self.worker = f"{worker[:90]}:{secrets.token_hex(4)}"
        self.clock = clock

    def refresh(self, token: TokenSet) -> TokenSet:
        deadline = time.monotonic() + RENEWAL_WAIT
        while True:
            stored, claimed = self._claim(token)
            if stored is not None:
                return stored
            if claimed is not None:
                return self._renew(claimed)
            if time.monotonic() > deadline:
                raise TransientPublishError(
                    "Another process is renewing this channel's access; trying again shortly.",
                    retry_after=RENEWAL_CLAIM.total_seconds(),
                )
            time.sleep(0.25)

    def _claim(self, token: TokenSet) -> tuple[TokenSet | None, TokenSet | None]:
        """(someone else's newer token, None) or (None, the token to renew under our claim) or
        (None, None) while another process holds the claim."""
        now = self.clock()
        with write_session(self.factory) as session:
            connection = session.get(ChannelConnection, self.channel_id, with_for_update=True)
            channel = session.get(Channel, self.channel_id)
            if connection is None or channel is None or not channel.publisher_secret:
                raise ReconnectRequiredError("This channel is not connected; connect it again.")
            if connection.state == ConnectionState.RECONNECT:
                raise ReconnectRequiredError(
                    connection.problem or "This channel must be connected again."
                )
            stored = TokenSet.from_json(self.box.decrypt(channel.publisher_secret))
            if stored.access_token != token.access_token:
                return stored, None
            held_by_other = (
                connection.refresh_claimed_until is not None
                and connection.refresh_claimed_until > now
                and connection.refresh_claimed_by != self.worker
            )
            if held_by_other:
                return None, None
            connection.refresh_claimed_by = self.worker
            connection.refresh_claimed_until = now + RENEWAL_CLAIM
            return None, stored

    def _renew(self, stored: TokenSet) -> TokenSet:
        try:
            renewed = self.client.refresh(stored)
        except ReconnectRequiredError as exc:
            with write_session(self.factory) as session:
                reason = exc.details.get("reason")
                problem = str(reason) if reason else exc.message
                mark_reconnect(session, self.channel_id, problem, self.clock())
            raise
        except BaseException:
            self._release()
            raise
        now = self.clock()
        with write_session(self.factory) as session:
            connection = session.get(ChannelConnection, self.channel_id, with_for_update=True)
            channel = session.get(Channel, self.channel_id)
            if connection is not None and channel is not None:
                # Stored even if the claim ran out meanwhile: the platform has just made the
                # old refresh token worthless, so this is the only token that still works.
                channel.publisher_secret = self.box.encrypt(renewed.to_json())
                connection.expires_at = renewed.expires_at
                connection.refreshed_at = now
                connection.refresh_claimed_by = connection.refresh_claimed_until = None
        return renewed

    def _release(self) -> None:
        with write_session(self.factory) as session:
            session.execute(
                update(ChannelConnection)
                .where(
                    ChannelConnection.channel_id == self.channel_id,
                    ChannelConnection.refresh_claimed_by == self.worker,
                )
                .values(refresh_claimed_by=None, refresh_claimed_until=None)
            )


def renew_ahead(
    factory: sessionmaker[Session],
    box: SecretBox,
    clients: Clients,
    now: datetime,
    worker: str,
    clock: Callable[[], datetime],
) -> int:
    """The scheduler's renewal round: renew every connected token nearing its end, so a channel
    that posts rarely stays connected. Returns how many were renewed."""
    with factory() as session:
        rows = session.execute(
            select(ChannelConnection, Channel.publisher_secret)
            .join(Channel, Channel.id == ChannelConnection.channel_id)
            .where(
                ChannelConnection.state == ConnectionState.CONNECTED,
                ChannelConnection.expires_at.is_not(None),
                Channel.publisher_kind == ChannelConnection.platform,
            )
        ).all()
    renewed = 0
    for connection, secret in rows:
        if not secret or not _due_for_renewal(connection, now):
            continue
        client = clients(connection.platform)
        if client is None:
            continue
        try:
            token = TokenSet.from_json(box.decrypt(secret))
            if not client.can_refresh(token):
                # Nothing can renew it: tell the admins while it still works, not after.
                with write_session(factory) as session:
                    warn_before_end(session, connection.channel_id, connection.expires_at, now)
                continue
            ClaimedRenewal(factory, box, client, connection.channel_id, worker, clock).refresh(
                token
            )
        except (ReconnectRequiredError, TransientPublishError) as exc:
            log.warning("renewing channel %s: %s", connection.channel_id, exc)
            continue
        except Exception:
            log.exception("renewing channel %s failed", connection.channel_id)
            continue
        renewed += 1
    return renewed


def _due_for_renewal(connection: ChannelConnection, now: datetime) -> bool:
    assert connection.expires_at is not None
    since = connection.refreshed_at or connection.connected_at
    life = connection.expires_at - since
    ahead = min(MAX_AHEAD, max(MIN_AHEAD, life * AHEAD_SHARE))
    return connection.expires_at - now <= ahead


def token_sources(
    factory: sessionmaker[Session],
    box: SecretBox,
    clients: Clients,
    worker: Callable[[], str],
    clock: Callable[[], datetime],
) -> Callable[[Channel, dict[str, Any]], AccessTokenSource | None]:
    """The registry's hook: a TokenKeeper for a channel connected here, None (use the stored
    token as it is) for one whose token was pasted by hand or whose app is not configured."""

    def source(channel: Channel, secrets: dict[str, Any]) -> AccessTokenSource | None:
        if "access_token" not in secrets or "token_type" not in secrets:
            return None
        client = clients(channel.publisher_kind)
        if client is None:
            return None
        token = TokenSet.from_json(json.dumps(secrets))
        renewal = ClaimedRenewal(factory, box, client, channel.id, worker(), clock)
        return TokenKeeper(renewal, token, on_refresh=lambda _: None, clock=clock)

    return source
