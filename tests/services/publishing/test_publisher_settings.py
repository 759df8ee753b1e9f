"""Configuring a channel's publisher: settings per kind, checked addresses, and a credential that
is encrypted, kept when not retyped, and cleared on request."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.errors import PermissionDeniedError, ValidationError
from planner.publishing.publisher_settings import (
    PublisherInput,
    configure_publisher,
    public_settings,
)
from planner.publishing.secrets import SecretBox
from tests import factories as make

BOX = SecretBox("test-secret-key-" + "x" * 32)


def _loopback(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


def test_newsletter_settings_are_checked_and_stored(db: Session, admin: User) -> None:
    channel = make.channel(db, admin)
    configure_publisher(
        db,
        admin,
        channel,
        PublisherInput(
            kind="newsletter",
            host="smtp.zuiderhaven.example",
            port=2525,
            sender="nieuws@zuiderhaven.example",
            recipients=["lijst@zuiderhaven.example", " "],
            secret="smtp-wachtwoord",
        ),
        BOX,
        allow_loopback=True,
        resolver=_loopback,
    )
    assert channel.publisher_settings == {
        "host": "smtp.zuiderhaven.example",
        "port": 2525,
        "sender": "nieuws@zuiderhaven.example",
        "recipients": ["lijst@zuiderhaven.example"],
    }
    assert BOX.decrypt(channel.publisher_secret or "") == "smtp-wachtwoord"
    assert public_settings(channel)["has_secret"] is True
    assert "smtp-wachtwoord" not in str(public_settings(channel))


def test_a_name_resolving_inward_is_refused(db: Session, admin: User) -> None:
    channel = make.channel(db, admin)
    with pytest.raises(ValidationError) as caught:
        configure_publisher(
            db,
            admin,
            channel,
            PublisherInput(kind="mastodon", url="https://social.example", secret="t"),
            BOX,
            resolver=_loopback,
        )
    assert caught.value.field == "base_url"
    assert "loopback" in caught.value.message


def test_secret_is_kept_then_cleared(db: Session, admin: User) -> None:
    channel = make.channel(db, admin)
    hook = PublisherInput(kind="webhook", url="http://127.0.0.1:9/", secret="geheim")
    configure_publisher(db, admin, channel, hook, BOX, allow_loopback=True)
    first = channel.publisher_secret
    again = PublisherInput(kind="webhook", url="http://127.0.0.1:9/")
    configure_publisher(db, admin, channel, again, BOX, allow_loopback=True)
    assert channel.publisher_secret == first
    manual = PublisherInput(kind="manual", clear_secret=True, approval_steps=0)
    configure_publisher(db, admin, channel, manual, BOX)
    assert channel.publisher_secret is None
    assert channel.approval_steps == 0


def test_only_admins_configure_publishers(db: Session, editor: User) -> None:
    channel = make.channel(db, editor)
    with pytest.raises(PermissionDeniedError):
        configure_publisher(db, editor, channel, PublisherInput(kind="blog"), BOX)
