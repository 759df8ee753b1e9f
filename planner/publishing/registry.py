"""Builds the Publisher for a channel from its kind, its settings and its decrypted credential.

Only the composition root (create_app) hands this registry to the engine, so the engine never
imports a concrete adapter. A channel's ``publisher_secret`` decrypts either to a JSON object of
secret fields or to one plain string, which is then the kind's main credential (the webhook
secret, the Mastodon access token, the WordPress application password, the SMTP password).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from planner.channels.models import Channel
from planner.publishing.ports import AccessTokenSource, PermanentPublishError, Publisher
from planner.publishing.secrets import SecretBox

#: the social platforms connected with OAuth 2 (their secret is a token set, see oauth.py)
OAUTH_KINDS = ("linkedin", "facebook", "instagram", "threads", "x")
#: kinds the engine sends itself; "manual" is posted by a person, "blog" inside the transaction
ENGINE_KINDS = (
    "blog",
    "webhook",
    "mastodon",
    "wordpress",
    "newsletter",
    "bluesky",
    *OAUTH_KINDS,
)
#: every way a channel can publish: by hand, or one of the kinds the engine sends
PUBLISHER_KINDS = ("manual", *ENGINE_KINDS)
#: kinds where sending the same delivery twice publishes once (an idempotency key, Bluesky's
#: record key, or the blog's own transaction); an ambiguous outcome on any other kind needs a
#: person, or a reconciler (publishing.md)
IDEMPOTENT_KINDS = ("blog", "webhook", "mastodon", "bluesky")
#: kinds whose publisher also implements the Reconciler port (find_published)
RECONCILING_KINDS = ("wordpress", *OAUTH_KINDS)
#: the field a plain-string secret fills, per kind
MAIN_SECRET = {
    "webhook": "secret",
    "mastodon": "access_token",
    "wordpress": "application_password",
    "newsletter": "password",
    "bluesky": "app_password",
    **dict.fromkeys(OAUTH_KINDS, "access_token"),
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


def _known(settings_class: type, values: dict[str, Any]) -> dict[str, Any]:
    """Only the settings the dataclass knows: a stored token set also holds refresh_token,
    expires_at and the like, which belong to the token keeper, not to the adapter."""
    names = {f.name for f in dataclasses.fields(settings_class)}
    return {key: value for key, value in values.items() if key in names}


def _bluesky(values: dict[str, Any], allow_loopback: bool) -> Publisher:
    from planner.publishing.adapters.bluesky import BlueskyPublisher, BlueskySettings

    settings = BlueskySettings(**_known(BlueskySettings, values), allow_loopback=allow_loopback)
    return BlueskyPublisher(settings)


def _oauth_builder(module: str, publisher: str, settings_name: str) -> Builder:
    def build(values: dict[str, Any], allow_loopback: bool) -> Publisher:
        import importlib

        adapters = importlib.import_module(f"planner.publishing.adapters.{module}")
        settings_class = getattr(adapters, settings_name)
        tokens = values.pop("tokens", None)
        known = {k: v for k, v in _known(settings_class, values).items() if k != "allow_loopback"}
        settings = settings_class(**known, allow_loopback=allow_loopback)
        built: Publisher = getattr(adapters, publisher)(settings, tokens=tokens)
        return built

    return build


DEFAULT_BUILDERS: dict[str, Builder] = {
    "webhook": _webhook,
    "mastodon": _mastodon,
    "wordpress": _wordpress,
    "newsletter": _newsletter,
    "bluesky": _bluesky,
    "linkedin": _oauth_builder("linkedin", "LinkedInPublisher", "LinkedInSettings"),
    "facebook": _oauth_builder("facebook", "FacebookPublisher", "FacebookSettings"),
    "instagram": _oauth_builder("instagram", "InstagramPublisher", "InstagramSettings"),
    "threads": _oauth_builder("threads", "ThreadsPublisher", "ThreadsSettings"),
    "x": _oauth_builder("x", "XPublisher", "XSettings"),
}

#: (channel, its decrypted secret values) -> a token source that refreshes and stores tokens,
#: or None to use the stored access token as it is
TokenSources = Callable[[Channel, dict[str, Any]], AccessTokenSource | None]


def is_idempotent(kind: str) -> bool:
    return kind in IDEMPOTENT_KINDS


def may_send_again(kind: str) -> bool:
    """Whether the engine may try again after an outcome nobody knows (a lost answer, a process
    that died mid-send): the platform dedups by our key, or, for a reconciling kind, the engine
    looks for the post on the account before it sends again (engine/run.py)."""
    return kind in IDEMPOTENT_KINDS or kind in RECONCILING_KINDS


def reconciles(kind: str) -> bool:
    return kind in RECONCILING_KINDS and kind not in IDEMPOTENT_KINDS


@dataclass
class PublisherRegistry:
    """Channel → Publisher. ``overrides`` lets tests put a fake behind one kind."""

    box: SecretBox
    allow_loopback: bool = False
    builders: Mapping[str, Builder] = field(default_factory=lambda: dict(DEFAULT_BUILDERS))
    #: the composition root's OAuth wiring (TokenKeeper per channel); None: static tokens
    token_sources: TokenSources | None = None

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
        secrets = self.secret_values(channel)
        values = {**(channel.publisher_settings or {}), **secrets}
        values.pop("allow_loopback", None)  # only the application's setting decides that
        values.pop("tokens", None)
        if channel.publisher_kind in OAUTH_KINDS and self.token_sources is not None:
            values["tokens"] = self.token_sources(channel, secrets)
        try:
            return builder(values, self.allow_loopback)
        except TypeError as exc:
            # A missing or unknown setting: a person must fix the channel, retrying cannot.
            raise PermanentPublishError(
                f"The publisher settings of channel {channel.name!r} are incomplete: {exc}"
            ) from exc
