"""The Publisher port: requests are immutable, outcomes are planner errors, and every adapter
fits the protocol the delivery engine relies on."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from planner.errors import PlannerError
from planner.publishing.adapters.mastodon import MastodonPublisher, MastodonSettings
from planner.publishing.adapters.newsletter import NewsletterPublisher, NewsletterSettings
from planner.publishing.adapters.webhook import WebhookPublisher, WebhookSettings
from planner.publishing.adapters.wordpress import WordPressPublisher, WordPressSettings
from planner.publishing.ports import (
    AmbiguousPublishError,
    MediaItem,
    PermanentPublishError,
    Publisher,
    PublishRequest,
    TransientPublishError,
)

ADAPTERS = [
    (WebhookPublisher(WebhookSettings(url="https://hooks.example.org/x", secret="s")), True),
    (
        MastodonPublisher(MastodonSettings(base_url="https://social.example", access_token="t")),
        True,
    ),
    (
        WordPressPublisher(
            WordPressSettings(
                base_url="https://blog.example", username="u", application_password="p"
            )
        ),
        False,
    ),
    (
        NewsletterPublisher(
            NewsletterSettings(host="smtp.example", sender="a@example.org", recipients=("b@x",))
        ),
        False,
    ),
]


@pytest.mark.parametrize(("adapter", "idempotent"), ADAPTERS)
def test_adapter_satisfies_the_publisher_protocol(adapter: object, idempotent: bool) -> None:
    assert isinstance(adapter, Publisher)
    assert adapter.supports_idempotency is idempotent


def test_publish_errors_are_planner_errors() -> None:
    for error in (
        TransientPublishError("x", retry_after=3),
        PermanentPublishError("x"),
        AmbiguousPublishError("x"),
    ):
        assert isinstance(error, PlannerError)


def test_publish_request_single_post_has_its_text_as_the_only_part() -> None:
    request = PublishRequest(delivery_id=1, idempotency_key="d-1", attempt=1, text="Hallo")
    assert request.parts == ("Hallo",)


def test_publish_request_is_frozen_including_its_lists() -> None:
    parts = ["een", "twee"]
    request = PublishRequest(
        delivery_id=1, idempotency_key="d-1", attempt=1, text="een twee", parts=parts
    )
    parts.append("drie")
    assert request.parts == ("een", "twee")
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.text = "anders"  # type: ignore[misc]


def test_publish_request_needs_a_key_and_a_real_attempt() -> None:
    with pytest.raises(ValueError, match="idempotency"):
        PublishRequest(delivery_id=1, idempotency_key="", attempt=1, text="x")
    with pytest.raises(ValueError, match="start at 1"):
        PublishRequest(delivery_id=1, idempotency_key="k", attempt=0, text="x")


def test_media_item_reads_a_file_that_matches_its_hash(tmp_path: Path) -> None:
    photo = tmp_path / "foto.jpg"
    photo.write_bytes(b"jpeg")
    item = MediaItem(
        alt="Foto", mime="image/jpeg", sha256=hashlib.sha256(b"jpeg").hexdigest(), path=photo
    )
    assert item.read_bytes() == b"jpeg"


def test_media_item_without_bytes_cannot_be_uploaded() -> None:
    item = MediaItem(alt="x", mime="image/png", sha256="0" * 64, url="https://cdn.example/x.png")
    with pytest.raises(PermanentPublishError, match="only a link"):
        item.read_bytes()


def test_media_item_missing_file_is_permanent(tmp_path: Path) -> None:
    item = MediaItem(alt="x", mime="image/png", sha256="0" * 64, path=tmp_path / "weg.png")
    with pytest.raises(PermanentPublishError, match="missing"):
        item.read_bytes()
