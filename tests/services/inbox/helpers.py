"""Small factories for the inbox tests: a listening Mastodon channel, an editor."""

from __future__ import annotations

from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.services import create_user
from planner.channels.models import Channel
from planner.publishing.secrets import SecretBox
from tests.conftest import PASSWORD
from tests.fakes.mastodon import TOKEN

#: the secret key tests.conftest.make_settings gives every app
APP_SECRET = "test-secret-key-" + "x" * 32


def mastodon_channel(session: Session, base_url: str, name: str = "Mastodon") -> Channel:
    channel = Channel(
        name=name,
        kind_key="mastodon",
        handle="@zuiderhaven@social.test",
        publisher_kind="mastodon",
        publisher_settings={"base_url": base_url},
        publisher_secret=SecretBox(APP_SECRET).encrypt(TOKEN),
        approval_steps=0,
    )
    session.add(channel)
    session.flush()
    return channel


def editor(session: Session, email: str = "sanne@zuiderhaven.test") -> User:
    return create_user(
        session, None, email=email, name="Sanne Bakker", role=Role.EDITOR, password=PASSWORD
    )
