"""The Mastodon publisher against a fake server with instance limits, media processing and
Idempotency-Key deduplication."""

from __future__ import annotations

import hashlib

import pytest

from planner.publishing.adapters.mastodon import (
    InstanceLimitsCache,
    MastodonPublisher,
    MastodonSettings,
    count_characters,
)
from planner.publishing.ports import (
    AmbiguousPublishError,
    MediaItem,
    PermanentPublishError,
    PublishRequest,
    TransientPublishError,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"fake image bytes"


def image(alt: str = "Wethouder knipt het lint door") -> MediaItem:
    return MediaItem(
        alt=alt,
        mime="image/png",
        sha256=hashlib.sha256(PNG).hexdigest(),
        loader=lambda: PNG,
    )


def make_request(
    parts: list[str], *, media: list[MediaItem] | None = None, attempt: int = 1
) -> PublishRequest:
    return PublishRequest(
        delivery_id=9,
        idempotency_key="delivery-9",
        attempt=attempt,
        text=" ".join(parts),
        parts=parts,
        media=media or [],
    )


def publisher_for(server, *, token: str | None = None, cache=None, timeout: float = 5.0):
    settings = MastodonSettings(
        base_url=server.url,
        access_token=token or server.app.token,
        visibility="unlisted",
        timeout=timeout,
        allow_loopback=True,
        media_poll_interval=0.0,
    )
    return MastodonPublisher(settings, cache=cache)


def test_mastodon_publish_posts_with_idempotency_key_and_visibility(serve) -> None:
    server = serve("mastodon")
    result = publisher_for(server).publish(make_request(["De bieb is zaterdag open."]))

    [status] = server.app.statuses
    assert status["content"] == "De bieb is zaterdag open."
    assert status["visibility"] == "unlisted"
    assert status["idempotency_key"] == "delivery-9:0"
    assert result.remote_id == status["id"]
    assert result.remote_url == status["url"]


def test_mastodon_publish_uploads_media_with_alt_text_and_waits_for_processing(serve) -> None:
    server = serve("mastodon")
    publisher_for(server).publish(make_request(["Het lint is door!"], media=[image()]))

    [media] = server.app.media.values()
    assert media["description"] == "Wethouder knipt het lint door"
    assert media["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert media["polls"] == 2  # 202 on upload, 206 on the first poll, 200 on the second
    assert server.app.statuses[0]["media_ids"] == [media["id"]]


def test_mastodon_publish_gives_up_waiting_for_media_transiently(serve) -> None:
    server = serve("mastodon")
    settings = MastodonSettings(
        base_url=server.url,
        access_token=server.app.token,
        allow_loopback=True,
        media_poll_interval=0.0,
        media_poll_attempts=1,
    )
    with pytest.raises(TransientPublishError, match="still processing"):
        MastodonPublisher(settings).publish(make_request(["Foto"], media=[image()]))
    assert server.app.statuses == []


def test_mastodon_publish_threads_parts_as_replies(serve) -> None:
    server = serve("mastodon")
    result = publisher_for(server).publish(make_request(["Deel een.", "Deel twee.", "Deel drie."]))

    first, second, third = server.app.statuses
    assert first["in_reply_to_id"] is None
    assert second["in_reply_to_id"] == first["id"]
    assert third["in_reply_to_id"] == second["id"]
    assert [s["idempotency_key"] for s in server.app.statuses] == [
        "delivery-9:0",
        "delivery-9:1",
        "delivery-9:2",
    ]
    assert result.remote_id == first["id"]
    assert result.raw["ids"] == [first["id"], second["id"], third["id"]]


def test_mastodon_publish_too_long_text_is_permanent_with_a_clear_message(serve) -> None:
    server = serve("mastodon")
    with pytest.raises(PermanentPublishError) as caught:
        publisher_for(server).publish(make_request(["Kort.", "x" * 61]))
    assert caught.value.message.startswith("Part 2 of the thread is 61 characters")
    assert "allows 60" in caught.value.message
    assert server.app.statuses == []


def test_mastodon_publish_too_many_images_is_permanent(serve) -> None:
    server = serve("mastodon")
    with pytest.raises(PermanentPublishError, match="allows 2 per post"):
        publisher_for(server).publish(make_request(["Foto's"], media=[image()] * 3))
    assert server.app.media == {}


def test_mastodon_publish_reads_instance_limits_once(serve) -> None:
    server = serve("mastodon")
    publisher = publisher_for(server, cache=InstanceLimitsCache(ttl=600))
    publisher.publish(make_request(["Een"]))
    publisher.publish(
        PublishRequest(delivery_id=10, idempotency_key="delivery-10", attempt=1, text="Twee")
    )
    assert server.app.instance_fetches == 1


def test_mastodon_publish_commit_then_timeout_then_retry_posts_once(serve) -> None:
    server = serve("mastodon")
    server.app.fail_next("/api/v1/statuses", action="hang", after_handling=True)
    with pytest.raises(AmbiguousPublishError):
        publisher_for(server, timeout=0.3).publish(make_request(["Eenmalig."]))
    result = publisher_for(server).publish(make_request(["Eenmalig."], attempt=2))
    assert len(server.app.statuses) == 1
    assert result.remote_id == server.app.statuses[0]["id"]


def test_mastodon_publish_thread_failing_midway_resumes_without_duplicates(serve) -> None:
    server = serve("mastodon")
    server.app.fail_next("/api/v1/statuses", 503, skip=1)
    publisher = publisher_for(server)
    with pytest.raises(TransientPublishError) as caught:
        publisher.publish(make_request(["Een.", "Twee."]))
    assert caught.value.details["published_ids"] == [server.app.statuses[0]["id"]]

    publisher.publish(make_request(["Een.", "Twee."], attempt=2))
    first, second = server.app.statuses
    assert (first["content"], second["content"]) == ("Een.", "Twee.")
    assert second["in_reply_to_id"] == first["id"]


def test_mastodon_publish_commit_then_500_then_retry_posts_once(serve) -> None:
    server = serve("mastodon")
    server.app.fail_next("/api/v1/statuses", 500, skip=1, after_handling=True)
    publisher = publisher_for(server)
    with pytest.raises(TransientPublishError):
        publisher.publish(make_request(["Een.", "Twee."]))
    publisher.publish(make_request(["Een.", "Twee."], attempt=2))
    assert [s["content"] for s in server.app.statuses] == ["Een.", "Twee."]


def test_mastodon_publish_bad_token_is_permanent(serve) -> None:
    server = serve("mastodon")
    with pytest.raises(PermanentPublishError, match="401"):
        publisher_for(server, token="expired").publish(make_request(["Hallo"]))


def test_mastodon_publish_rate_limit_uses_the_reset_header(serve) -> None:
    server = serve("mastodon")
    server.app.fail_next(
        "/api/v1/statuses", 429, headers={"X-RateLimit-Reset": "2999-01-01T00:00:00.000Z"}
    )
    with pytest.raises(TransientPublishError) as caught:
        publisher_for(server).publish(make_request(["Hallo"]))
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 0


def test_mastodon_publish_429_with_retry_after_is_transient(serve) -> None:
    server = serve("mastodon")
    server.app.fail_next("/api/v1/statuses", 429, headers={"Retry-After": "30"})
    with pytest.raises(TransientPublishError) as caught:
        publisher_for(server).publish(make_request(["Hallo"]))
    assert caught.value.retry_after == 30.0


def test_mastodon_publish_connection_refused_is_transient(free_port: int) -> None:
    settings = MastodonSettings(
        base_url=f"http://127.0.0.1:{free_port}", access_token="t", allow_loopback=True
    )
    with pytest.raises(TransientPublishError):
        MastodonPublisher(settings).publish(make_request(["Hallo"]))


def test_count_characters_counts_urls_as_23() -> None:
    assert count_characters("Lees https://example.nl/een/heel/lang/pad?met=query") == 5 + 23


def test_count_characters_shortens_remote_mentions() -> None:
    assert count_characters("Hoi @redactie@social.example") == len("Hoi @redactie")


def test_count_characters_counts_graphemes() -> None:
    family = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
    assert count_characters(family + " e\u0301") == 3  # one family, a space, e + combining acute
