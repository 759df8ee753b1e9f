"""The publishing collaborators ``create_app`` picked: credentials box, publishers, notifier.

Views, the API and the scheduler task reach them here by type; the engine and the services take
them as arguments and never look them up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from planner.publishing.engine.shared import InTransactionPublisher
from planner.publishing.oauth import OAuthClient
from planner.publishing.registry import PublisherRegistry
from planner.publishing.secrets import SecretBox

_KEY = "planner.publishing"

#: told the ids of deliveries that ended needing a person; never raises
AttentionNotifier = Callable[[Sequence[int]], Any]


@dataclass(frozen=True)
class Publishing:
    secret_box: SecretBox
    publishers: PublisherRegistry
    notify_attention: AttentionNotifier | None = None
    #: channel kind -> publisher inside this application (the blog), sent in the settling
    #: transaction
    local_publishers: Mapping[str, InTransactionPublisher] = field(default_factory=dict)
    #: platform -> the app's OAuth client, None while its id and secret are not set
    oauth_clients: Callable[[str], OAuthClient | None] = lambda _platform: None


def install(app: Flask, publishing: Publishing) -> None:
    app.extensions[_KEY] = publishing


def get(app: Flask | None = None) -> Publishing:
    publishing: Publishing = (app or current_app).extensions[_KEY]
    return publishing


def secret_box() -> SecretBox:
    return get().secret_box
