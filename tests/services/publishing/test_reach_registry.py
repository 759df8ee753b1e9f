"""The registry builds the Reach publishers from a channel's settings and its encrypted secret."""

from __future__ import annotations

import json
from typing import Any

import pytest

from planner.channels.models import Channel
from planner.publishing.adapters.bluesky import BlueskyPublisher
from planner.publishing.adapters.facebook import FacebookPublisher
from planner.publishing.adapters.instagram import InstagramPublisher
from planner.publishing.adapters.linkedin import LinkedInPublisher
from planner.publishing.adapters.threads import ThreadsPublisher
from planner.publishing.adapters.x import XPublisher
from planner.publishing.oauth import TokenSet
from planner.publishing.ports import (
    PermanentPublishError,
    Publisher,
    Reconciler,
    StaticToken,
)
from planner.publishing.registry import (
    ENGINE_KINDS,
    OAUTH_KINDS,
    RECONCILING_KINDS,
    PublisherRegistry,
    is_idempotent,
)
from tests.factories import box

SETTINGS: dict[str, tuple[dict[str, Any], type]] = {
    "linkedin": ({"organization_id": "2414183"}, LinkedInPublisher),
    "facebook": ({"page_id": "104000000000001"}, FacebookPublisher),
    "instagram": ({"ig_user_id": "17841400000000001"}, InstagramPublisher),
    "threads": ({"user_id": "26000000000000001"}, ThreadsPublisher),
    "x": ({}, XPublisher),
}


def _channel(kind: str, settings: dict[str, Any], secret: str | None) -> Channel:
    return Channel(
        name=f"{kind} test",
        kind_key=kind if kind != "x" else "x",
        publisher_kind=kind,
        publisher_settings=settings,
        publisher_secret=box().encrypt(secret) if secret is not None else None,
    )


def test_bluesky_is_built_from_handle_service_and_app_password() -> None:
    registry = PublisherRegistry(box(), allow_loopback=True)
    publisher = registry.build(
        _channel(
            "bluesky",
            {"service_url": "https://bsky.social", "handle": "gemeente.bsky.social"},
            "abcd-efgh-ijkl-mnop",
        )
    )
    assert isinstance(publisher, BlueskyPublisher)
    assert publisher.settings.app_password == "abcd-efgh-ijkl-mnop"
    assert publisher.settings.allow_loopback is True


@pytest.mark.parametrize("kind", OAUTH_KINDS)
def test_oauth_kinds_take_a_plain_token_or_a_stored_token_set(kind: str) -> None:
    settings, publisher_class = SETTINGS[kind]
    registry = PublisherRegistry(box())
    plain = registry.build(_channel(kind, settings, "pasted-token"))
    assert isinstance(plain, publisher_class)
    assert plain.settings.access_token == "pasted-token"  # type: ignore[attr-defined]

    stored = TokenSet(access_token="oauth-token", refresh_token="refresh", scope="a b")
    built = registry.build(_channel(kind, settings, stored.to_json()))
    assert built.settings.access_token == "oauth-token"  # type: ignore[attr-defined]
    assert built.settings.allow_loopback is False  # type: ignore[attr-defined]


def test_the_composition_root_can_hand_oauth_publishers_a_token_source() -> None:
    seen: list[dict[str, Any]] = []

    def sources(channel: Channel, secrets: dict[str, Any]) -> StaticToken:
        seen.append(secrets)
        return StaticToken("from-the-keeper")

    registry = PublisherRegistry(box(), token_sources=sources)
    secret = json.dumps({"access_token": "stored", "refresh_token": "r"})
    publisher = registry.build(_channel("x", {}, secret))
    assert isinstance(publisher, XPublisher)
    assert publisher.client.tokens == StaticToken("from-the-keeper")
    assert seen == [{"access_token": "stored", "refresh_token": "r"}]


def test_a_missing_account_id_is_a_permanent_error() -> None:
    with pytest.raises(PermanentPublishError, match="incomplete"):
        PublisherRegistry(box()).build(_channel("linkedin", {}, "token"))


def test_reach_kinds_are_engine_kinds_and_only_bluesky_is_idempotent() -> None:
    for kind in ("bluesky", *OAUTH_KINDS):
        assert kind in ENGINE_KINDS
    assert is_idempotent("bluesky")
    assert not any(is_idempotent(kind) for kind in OAUTH_KINDS)


@pytest.mark.parametrize("kind", OAUTH_KINDS)
def test_every_reach_publisher_fits_the_ports(kind: str) -> None:
    settings, _ = SETTINGS[kind]
    publisher = PublisherRegistry(box()).build(_channel(kind, settings, "token"))
    assert isinstance(publisher, Publisher)
    assert publisher.supports_idempotency is False
    assert isinstance(publisher, Reconciler)
    assert kind in RECONCILING_KINDS
