"""Configuring the Reach publishers: a Bluesky handle and app password, the account to post as
for the OAuth platforms, all checked before anything is stored."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.errors import ValidationError
from planner.publishing.publisher_settings import PublisherInput, configure_publisher
from planner.publishing.secrets import SecretBox
from tests import factories as make

BOX = SecretBox("test-secret-key-" + "x" * 32)


def _public(host: str, port: int) -> list[str]:
    return ["93.184.215.14"]


def test_bluesky_settings_are_checked_and_the_app_password_encrypted(
    db: Session, admin: User
) -> None:
    channel = make.channel(db, admin)
    configure_publisher(
        db,
        admin,
        channel,
        PublisherInput(
            kind="bluesky",
            url="https://bsky.social/",
            username="@Gemeente.bsky.social",
            secret="abcd-efgh-ijkl-mnop",
        ),
        BOX,
        resolver=_public,
    )
    assert channel.publisher_settings == {
        "service_url": "https://bsky.social",
        "handle": "gemeente.bsky.social",
    }
    assert BOX.decrypt(channel.publisher_secret or "") == "abcd-efgh-ijkl-mnop"


def test_bluesky_needs_a_real_handle(db: Session, admin: User) -> None:
    channel = make.channel(db, admin)
    with pytest.raises(ValidationError) as caught:
        configure_publisher(
            db,
            admin,
            channel,
            PublisherInput(
                kind="bluesky", url="https://bsky.social", username="gemeente", secret="s"
            ),
            BOX,
            resolver=_public,
        )
    assert caught.value.field == "username"


def test_linkedin_takes_an_organisation_id_or_urn(db: Session, admin: User) -> None:
    channel = make.channel(db, admin)
    configure_publisher(
        db,
        admin,
        channel,
        PublisherInput(kind="linkedin", account_id="urn:li:organization:2414183", secret="t"),
        BOX,
    )
    assert channel.publisher_settings == {"organization_id": "2414183"}


@pytest.mark.parametrize(("kind", "account"), [("facebook", ""), ("instagram", "abc")])
def test_oauth_kinds_refuse_a_missing_or_malformed_account(
    db: Session, admin: User, kind: str, account: str
) -> None:
    channel = make.channel(db, admin)
    with pytest.raises(ValidationError) as caught:
        configure_publisher(
            db, admin, channel, PublisherInput(kind=kind, account_id=account, secret="t"), BOX
        )
    assert caught.value.field == "account_id"


def test_x_needs_no_account_id_but_a_credential(db: Session, admin: User) -> None:
    channel = make.channel(db, admin)
    with pytest.raises(ValidationError) as caught:
        configure_publisher(db, admin, channel, PublisherInput(kind="x"), BOX)
    assert caught.value.field == "secret"
    configure_publisher(db, admin, channel, PublisherInput(kind="x", secret="token"), BOX)
    assert channel.publisher_settings == {}
