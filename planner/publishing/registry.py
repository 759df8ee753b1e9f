"""Builds the Publisher for a channel from its kind, its settings and its decrypted credential.

Only the composition root (create_app) hands this registry to the engine, so the engine never
imports a concrete adapter. A channel's ``publisher_secret`` decrypts either to a JSON object of
secret fields or to one plain string, which is then the kind's main credential (the webhook
secret, the Mastodon access token, the WordPress application password, the SMTP password).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from planner.channels.models import Channel
from planner.publishing.ports import PermanentPublishError, Publisher
from planner.publishing.secrets import SecretBox

#: kinds the engine sends itself; "manual" is posted by a person, "blog" inside the transaction
ENGINE_KINDS = ("blog", "webhook", "mastodon", "wordpress", "newsletter")
#: kinds where sending the same delivery twice publishes once (an idempotency key, or the blog's
#: own transaction); an ambiguous outcome on any other kind needs a person (publishing.md)
IDEMPOTENT_KINDS = ("blog", "webhook", "mastodon")
#: the field a plain-string secret fills, per kind
MAIN_SECRET = {
    "webhook": "secret",
    "mastodon": "access_token",
    "wordpress": "application_password",
    "newsletter": "password",
}

Builder = Callable[[dict[str, Any], bool], Publisher]


def _webhook(values: dict[str, Any], allow_loopback: bool) -> Publisher:
    from planner.publishing.adapters.webhook import WebhookPublisher, WebhookSettings

    return WebhookPublisher(WebhookSettings(**values, allow_loopback=allow_loopback))


def _mastodon(values: dict[str, Any], allow_loopback: bool) -> Publisher:
    from planner.publishing.adapters.mastodon import MastodonPublisher, MastodonSettings

    return MastodonPublisher(MastodonSettings(**values, allow_loopback=allow_loopback))


def _wordpress(values: dict[str, Any], allow_loopback: bool) -> Publisher:
    from planner.publishing.adapters.wordpress import WordPressPublisher, WordPressSettings

    return WordPressPublisher(WordPressSettings(**values, allow_loopback=allow_loopback))


def _newsletter(values: dict[str, Any], allow_loopback: bool) -> Publisher:
    from planner.publishing.adapters.newsletter import NewsletterPublisher, NewsletterSettings

    if isinstance(values.get("recipients"), str):
        values["recipients"] = [values["recipients"]]
    values["recipients"] = tuple(values.get("recipients") or ())
    return NewsletterPublisher(NewsletterSettings(**values, allow_loopback=allow_loopback))


DEFAULT_BUILDERS: dict[str, Builder] = {
    "webhook": _webhook,
    "mastodon": _mastodon,
    "wordpress": _wordpress,
    "newsletter": _newsletter,
}


def is_idempotent(kind: str) -> bool:
    return kind in IDEMPOTENT_KINDS


@dataclass
class PublisherRegistry:
    """Channel → Publisher. ``overrides`` lets tests put a fake behind one kind."""

    box: SecretBox
    allow_loopback: bool = False
    builders: Mapping[str, Builder] = field(default_factory=lambda: dict(DEFAULT_BUILDERS))

    def __repr__(self) -> str:
        return f"PublisherRegistry(kinds={sorted(self.builders)})"

    def secret_values(self, channel: Channel) -> dict[str, Any]:
        if not channel.publisher_secret:
            return {}
        plain = self.box.decrypt(channel.publisher_secret)
        try:
            parsed = json.loads(plain)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return parsed
        main = MAIN_SECRET.get(channel.publisher_kind)
        return {main: plain} if main else {}

    def build(self, channel: Channel) -> Publisher:
        """A ready publisher, or PermanentPublishError when the channel is not set up for it."""
        builder = self.builders.get(channel.publisher_kind)
        if builder is None:
            raise PermanentPublishError(
                f"Channel kind {channel.publisher_kind!r} has no automatic publisher."
            )
        values = {**(channel.publisher_settings or {}), **self.secret_values(channel)}
        values.pop("allow_loopback", None)  # only the application's setting decides that
        try:
            return builder(values, self.allow_loopback)
        except TypeError as exc:
            # A missing or unknown setting: a person must fix the channel, retrying cannot.
            raise PermanentPublishError(
                f"The publisher settings of channel {channel.name!r} are incomplete: {exc}"
            ) from exc
