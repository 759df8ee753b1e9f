"""The publisher registry: which adapter a channel gets, with which credential."""

from __future__ import annotations

import json

import pytest

from planner.channels.models import Channel
from planner.publishing.adapters.mastodon import MastodonPublisher
from planner.publishing.adapters.newsletter import NewsletterPublisher
from planner.publishing.adapters.webhook import WebhookPublisher
from planner.publishing.ports import PermanentPublishError
from planner.publishing.registry import PublisherRegistry, is_idempotent
from tests.factories import box


def _channel(kind: str, settings: dict[str, object], secret: str | None) -> Channel:
    return Channel(
        name=f"{kind} test",
        kind_key="mastodon",
        publisher_kind=kind,
        publisher_settings=settings,
        publisher_secret=box().encrypt(secret) if secret is not None else None,
    )


def test_a_plain_secret_fills_the_kinds_main_credential() -> None:
    registry = PublisherRegistry(box(), allow_loopback=True)
    webhook = registry.build(_channel("webhook", {"url": "https://hooks.example/x"}, "s3cret"))
    assert isinstance(webhook, WebhookPublisher)
    assert webhook.settings.secret == "s3cret"
    assert webhook.settings.allow_loopback is True
    mastodon = registry.build(
        _channel("mastodon", {"base_url": "https://social.example"}, "token-1")
    )
    assert isinstance(mastodon, MastodonPublisher)
    assert mastodon.settings.access_token == "token-1"


def test_a_json_secret_and_the_settings_are_merged() -> None:
    registry = PublisherRegistry(box())
    channel = _channel(
        "newsletter",
        {"host": "smtp.example", "sender": "nieuws@example.org", "recipients": "lijst@example.org"},
        json.dumps({"username": "nieuws", "password": "pw"}),
    )
    newsletter = registry.build(channel)
    assert isinstance(newsletter, NewsletterPublisher)
    assert newsletter.settings.recipients == ("lijst@example.org",)
    assert (newsletter.settings.username, newsletter.settings.password) == ("nieuws", "pw")
    assert newsletter.settings.allow_loopback is False


def test_settings_cannot_switch_loopback_on() -> None:
    registry = PublisherRegistry(box(), allow_loopback=False)
    channel = _channel("webhook", {"url": "https://h.example", "allow_loopback": True}, "s")
    publisher = registry.build(channel)
    assert isinstance(publisher, WebhookPublisher)
    assert publisher.settings.allow_loopback is False


def test_incomplete_or_unknown_publishers_are_permanent_errors() -> None:
    registry = PublisherRegistry(box())
    with pytest.raises(PermanentPublishError):
        registry.build(_channel("webhook", {}, "s"))  # no url
    with pytest.raises(PermanentPublishError):
        registry.build(_channel("manual", {}, None))


def test_only_channels_that_deduplicate_are_idempotent() -> None:
    assert [
        k for k in ("blog", "webhook", "mastodon", "wordpress", "newsletter") if is_idempotent(k)
    ] == [
        "blog",
        "webhook",
        "mastodon",
    ]
