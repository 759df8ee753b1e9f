"""The Bluesky publisher against a fake PDS that keeps records by key, like a real repository."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from planner.publishing.adapters.bluesky import (
    TID_SYNTAX,
    BlueskyPublisher,
    BlueskySettings,
    SessionCache,
    detect_facets,
    record_key,
)
from planner.publishing.ports import (
    AmbiguousPublishError,
    PermanentPublishError,
    PublishRequest,
    ReconnectRequiredError,
    TransientPublishError,
)
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.media import image
from tests.fakes.server import serving

NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)


@pytest.fixture
def pds() -> Iterator[FakeBluesky]:
    with serving(FakeBluesky()) as app:
        yield app


def publisher_for(
    pds: FakeBluesky,
    *,
    password: str | None = None,
    timeout: float = 5.0,
    sessions: SessionCache | None = None,
) -> BlueskyPublisher:
    settings = BlueskySettings(
        service_url=pds.url,
        handle=pds.account_handle,
        app_password=password or pds.password,
        timeout=timeout,
        allow_loopback=True,
    )
    return BlueskyPublisher(
        settings, sessions=sessions if sessions is not None else SessionCache(), clock=lambda: NOW
    )


def make_request(parts: list[str], *, attempt: int = 1, **extra: object) -> PublishRequest:
    return PublishRequest(
        delivery_id=21,
        idempotency_key="delivery-21",
        attempt=attempt,
        text="\n\n".join(parts),
        parts=parts,
        **extra,  # type: ignore[arg-type]
    )


def test_bluesky_publish_writes_a_post_with_language_under_the_derived_key(pds) -> None:
    result = publisher_for(pds).publish(make_request(["De bibliotheek is zaterdag open."]))

    [post] = pds.posts()
    assert post["rkey"] == record_key("delivery-21", 0)
    assert post["value"]["text"] == "De bibliotheek is zaterdag open."
    assert post["value"]["langs"] == ["nl"]
    assert post["value"]["createdAt"] == "2026-12-04T09:30:00.000Z"
    assert result.remote_id == post["uri"]
    assert result.remote_url == (
        f"https://bsky.app/profile/{pds.account_handle}/post/{record_key('delivery-21', 0)}"
    )
    assert pds.logins == 1


def test_record_keys_are_valid_tids_stable_per_delivery_and_part() -> None:
    keys = {record_key(f"delivery-{d}", p) for d in range(50) for p in range(4)}
    assert len(keys) == 200
    assert all(TID_SYNTAX.match(key) for key in keys)
    assert record_key("delivery-7", 1) == record_key("delivery-7", 1)


def test_bluesky_publish_uploads_images_with_alt_text_and_aspect_ratio(pds) -> None:
    photo = image(width=1200, height=675)
    publisher_for(pds).publish(make_request(["Het lint is door!"], media=[photo]))

    [post] = pds.posts()
    [blob] = pds.blobs.values()
    assert blob["mime"] == "image/png"
    embed = post["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    [entry] = embed["images"]
    assert entry["alt"] == photo.alt
    assert entry["aspectRatio"] == {"width": 1200, "height": 675}
    assert entry["image"]["size"] == blob["size"]


def test_bluesky_publish_adds_a_link_card_for_the_article(pds) -> None:
    publisher_for(pds).publish(
        make_request(
            ["Lees het hele verhaal: https://zuiderhaven.nl/nieuws/bieb"],
            link="https://zuiderhaven.nl/nieuws/bieb",
            title="De nieuwe bieb is open",
            excerpt="Alles over de opening.",
        )
    )
    [post] = pds.posts()
    assert post["value"]["embed"] == {
        "$type": "app.bsky.embed.external",
        "external": {
            "uri": "https://zuiderhaven.nl/nieuws/bieb",
            "title": "De nieuwe bieb is open",
            "description": "Alles over de opening.",
        },
    }
    [facet] = post["value"]["facets"]
    assert facet["features"] == [
        {"$type": "app.bsky.richtext.facet#link", "uri": "https://zuiderhaven.nl/nieuws/bieb"}
    ]


def test_bluesky_publish_threads_parts_as_a_reply_chain(pds) -> None:
    result = publisher_for(pds).publish(make_request(["Een.", "Twee.", "Drie."]))

    by_key = {post["rkey"]: post for post in pds.posts()}
    first, second, third = (by_key[record_key("delivery-21", i)] for i in range(3))
    root = {"uri": first["uri"], "cid": first["cid"]}
    assert "reply" not in first["value"]
    assert second["value"]["reply"] == {"root": root, "parent": root}
    assert third["value"]["reply"] == {
        "root": root,
        "parent": {"uri": second["uri"], "cid": second["cid"]},
    }
    assert result.raw["uris"] == [first["uri"], second["uri"], third["uri"]]


def _slice(text: str, facet: dict) -> str:
    index = facet["index"]
    return text.encode("utf-8")[index["byteStart"] : index["byteEnd"]].decode("utf-8")


def test_bluesky_facets_sit_at_utf8_byte_offsets_after_emoji_and_accents(pds) -> None:
    text = (
        "Café 🎉 in Zuiderhaven: #OpenDag bij @wethouder.bsky.social, "
        "zie https://zuiderhaven.nl/één-dag! Groet @niemand.example.org"
    )
    publisher_for(pds).publish(make_request([text]))

    [post] = pds.posts()
    facets = post["value"]["facets"]
    assert [_slice(text, f) for f in facets] == [
        "#OpenDag",
        "@wethouder.bsky.social",
        "https://zuiderhaven.nl/één-dag",
    ]
    # "Café " is 6 bytes, "🎉 " 5 and "in Zuiderhaven: " 16: the tag starts at byte 27, not 24.
    assert facets[0]["index"] == {"byteStart": 27, "byteEnd": 35}
    assert facets[0]["features"] == [{"$type": "app.bsky.richtext.facet#tag", "tag": "OpenDag"}]
    assert facets[1]["features"] == [
        {
            "$type": "app.bsky.richtext.facet#mention",
            "did": FakeBluesky.directory["wethouder.bsky.social"],
        }
    ]
    # A handle that does not resolve stays plain text instead of pointing nowhere.
    assert all("niemand" not in _slice(text, f) for f in facets)


def test_detect_facets_ignores_numbers_punctuation_and_keycaps() -> None:
    found = detect_facets("#1 is geen tag, #Ja! wel, 1#️⃣ niet, (https://x.nl/a) en @nohandle.")
    assert [(f.kind, f.value) for f in found] == [("tag", "Ja"), ("link", "https://x.nl/a")]


def test_bluesky_refreshes_an_expired_access_token_without_logging_in_again(pds) -> None:
    sessions = SessionCache()
    publisher_for(pds, sessions=sessions).publish(make_request(["Eerste."]))
    pds.expire_access_tokens()
    other = PublishRequest(delivery_id=22, idempotency_key="delivery-22", attempt=1, text="Twee.")
    publisher_for(pds, sessions=sessions).publish(other)

    assert (pds.logins, pds.refreshes) == (1, 1)
    assert len(pds.posts()) == 2


def test_bluesky_logs_in_again_when_the_refresh_token_is_gone_too(pds) -> None:
    sessions = SessionCache()
    publisher_for(pds, sessions=sessions).publish(make_request(["Eerste."]))
    pds.expire_access_tokens()
    pds.expire_refresh_tokens()
    other = PublishRequest(delivery_id=22, idempotency_key="delivery-22", attempt=1, text="Twee.")
    publisher_for(pds, sessions=sessions).publish(other)
    assert pds.logins == 2
    assert len(pds.posts()) == 2


def test_bluesky_wrong_app_password_asks_for_a_reconnect(pds) -> None:
    with pytest.raises(ReconnectRequiredError, match="app password"):
        publisher_for(pds, password="wrong").publish(make_request(["Hallo"]))
    assert pds.posts() == []


def test_bluesky_rate_limit_waits_until_the_reset_header(pds) -> None:
    reset = int(NOW.timestamp()) + 240
    pds.fail_next(
        "/xrpc/com.atproto.repo.createRecord",
        429,
        headers={
            "RateLimit-Limit": "5000",
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(reset),
            "RateLimit-Policy": "5000;w=3600",
        },
        body={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
    )
    with pytest.raises(TransientPublishError) as caught:
        publisher_for(pds).publish(make_request(["Hallo"]))
    assert caught.value.retry_after == 240.0
    assert pds.posts() == []


def test_bluesky_resend_after_a_timeout_finds_its_post_instead_of_writing_another(pds) -> None:
    pds.fail_next("/xrpc/com.atproto.repo.createRecord", action="hang", after_handling=True)
    with pytest.raises(AmbiguousPublishError):
        publisher_for(pds, timeout=0.3).publish(make_request(["Precies één keer."]))
    assert len(pds.posts()) == 1

    result = publisher_for(pds).publish(make_request(["Precies één keer."], attempt=2))
    [post] = pds.posts()
    assert result.remote_id == post["uri"]
    assert result.raw["already_there"] == [True]
    # The second create was refused by the repository and the post read back.
    assert len(pds.calls("POST", "/xrpc/com.atproto.repo.createRecord")) == 2
    assert len(pds.calls("GET", "/xrpc/com.atproto.repo.getRecord")) == 1


def test_bluesky_resend_works_with_a_named_duplicate_error_too(pds) -> None:
    pds.duplicate_error = "RecordAlreadyExists"
    publisher_for(pds).publish(make_request(["Eén."]))
    result = publisher_for(pds).publish(make_request(["Eén."], attempt=2))
    assert len(pds.posts()) == 1
    assert result.raw["already_there"] == [True]


def test_bluesky_thread_failing_midway_resumes_without_duplicates(pds) -> None:
    pds.fail_next("/xrpc/com.atproto.repo.createRecord", 502, skip=1)
    with pytest.raises(TransientPublishError) as caught:
        publisher_for(pds).publish(make_request(["Een.", "Twee.", "Drie."]))
    assert len(caught.value.details["published_uris"]) == 1

    result = publisher_for(pds).publish(make_request(["Een.", "Twee.", "Drie."], attempt=2))
    assert len(pds.posts()) == 3
    assert result.raw["already_there"] == [True, False, False]


def test_bluesky_too_long_text_is_permanent_before_anything_is_sent(pds) -> None:
    with pytest.raises(PermanentPublishError, match="Part 2 of the thread is 301 characters"):
        publisher_for(pds).publish(make_request(["Kort.", "é" * 301]))
    assert pds.calls("POST", "/xrpc/com.atproto.repo.createRecord") == []


def test_bluesky_image_without_alt_text_is_refused(pds) -> None:
    with pytest.raises(PermanentPublishError, match="alt text"):
        publisher_for(pds).publish(make_request(["Foto"], media=[image(alt=" ")]))
    assert pds.blobs == {}
