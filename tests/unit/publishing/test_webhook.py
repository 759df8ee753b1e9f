"""The webhook publisher against a real receiver that checks signatures and deduplicates."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from planner.publishing.adapters.webhook import (
    WebhookPublisher,
    WebhookSettings,
    sign,
    verify_signature,
)
from planner.publishing.ports import (
    AmbiguousPublishError,
    MediaItem,
    PermanentPublishError,
    PublishRequest,
    TransientPublishError,
)


def make_request(attempt: int = 1) -> PublishRequest:
    return PublishRequest(
        delivery_id=42,
        idempotency_key="delivery-42",
        attempt=attempt,
        text="Open dag bij de gemeente! Deel 1. Deel 2.",
        parts=["Open dag bij de gemeente! Deel 1.", "Deel 2."],
        title="Open dag",
        media=[
            MediaItem(
                alt="Het stadhuis in de zon",
                mime="image/jpeg",
                sha256="ab" * 32,
                url="https://cdn.example.nl/stadhuis.jpg",
            )
        ],
        story={"id": 7, "title": "Open dag"},
        channel={"id": 3, "kind": "webhook", "name": "Intranet"},
        campaign={"id": 1, "name": "Voorjaar"},
        link="https://example.nl/open-dag",
    )


def publisher_for(server, secret: str | None = None, timeout: float = 5.0) -> WebhookPublisher:
    settings = WebhookSettings(
        url=f"{server.url}/hooks/contentfabriek",
        secret=secret or server.app.secret,
        timeout=timeout,
        allow_loopback=True,
    )
    return WebhookPublisher(settings)


def test_sign_matches_the_standard_webhooks_test_vector() -> None:
    # The example from the Standard Webhooks reference libraries.
    signature = sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        b'{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_webhook_publish_delivers_a_signed_document(serve) -> None:
    receiver = serve("webhook")
    result = publisher_for(receiver).publish(make_request())

    assert len(receiver.app.events) == 1
    event = receiver.app.events[0]
    assert event["type"] == "fragment.published"
    data = event["data"]
    assert data["parts"] == ["Open dag bij de gemeente! Deel 1.", "Deel 2."]
    assert data["media"] == [
        {
            "url": "https://cdn.example.nl/stadhuis.jpg",
            "alt": "Het stadhuis in de zon",
            "mime": "image/jpeg",
            "sha256": "ab" * 32,
        }
    ]
    assert data["story"]["title"] == "Open dag"
    assert data["channel"]["name"] == "Intranet"
    assert data["campaign"]["name"] == "Voorjaar"
    assert data["link"] == "https://example.nl/open-dag"
    headers = receiver.app.requests[0].headers
    assert headers["webhook-id"] == "delivery-42"
    assert headers["webhook-signature"].startswith("v1,")
    assert result.remote_id == "delivery-42"
    assert result.remote_url == "https://receiver.test/events/delivery-42"


def test_webhook_publish_retry_with_same_key_is_deduplicated(serve) -> None:
    receiver = serve("webhook")
    publisher = publisher_for(receiver)
    publisher.publish(make_request(attempt=1))
    publisher.publish(make_request(attempt=2))
    assert len(receiver.app.requests) == 2
    assert len(receiver.app.events) == 1


def test_webhook_publish_commit_then_timeout_is_ambiguous_and_safe_to_retry(serve) -> None:
    receiver = serve("webhook")
    receiver.app.fail_next("/hooks", action="hang", after_handling=True)
    publisher = publisher_for(receiver, timeout=0.3)
    assert publisher.supports_idempotency
    with pytest.raises(AmbiguousPublishError):
        publisher.publish(make_request(attempt=1))
    publisher.publish(make_request(attempt=2))
    assert len(receiver.app.events) == 1


def test_webhook_publish_wrong_secret_is_permanent(serve) -> None:
    receiver = serve("webhook")
    wrong = "whsec_" + base64.b64encode(b"not-the-receivers-key").decode()
    with pytest.raises(PermanentPublishError) as caught:
        publisher_for(receiver, secret=wrong).publish(make_request())
    assert "401" in caught.value.message
    assert receiver.app.events == []


def test_webhook_publish_invalid_whsec_secret_is_permanent(serve) -> None:
    receiver = serve("webhook")
    with pytest.raises(PermanentPublishError, match="base64"):
        publisher_for(receiver, secret="whsec_***").publish(make_request())
    assert receiver.app.requests == []


def test_webhook_publish_500_is_transient(serve) -> None:
    receiver = serve("webhook")
    receiver.app.fail_next("/hooks", 500)
    with pytest.raises(TransientPublishError):
        publisher_for(receiver).publish(make_request())


def test_webhook_publish_429_passes_retry_after_on(serve) -> None:
    receiver = serve("webhook")
    receiver.app.fail_next("/hooks", 429, headers={"Retry-After": "90"})
    with pytest.raises(TransientPublishError) as caught:
        publisher_for(receiver).publish(make_request())
    assert caught.value.retry_after == 90.0


def test_webhook_publish_400_is_permanent(serve) -> None:
    receiver = serve("webhook")
    receiver.app.fail_next("/hooks", 400, body=b'{"error":"unknown channel"}')
    with pytest.raises(PermanentPublishError) as caught:
        publisher_for(receiver).publish(make_request())
    assert "unknown channel" in caught.value.message


def test_webhook_publish_connection_refused_is_transient(free_port: int) -> None:
    settings = WebhookSettings(
        url=f"http://127.0.0.1:{free_port}/hook", secret="s", allow_loopback=True
    )
    with pytest.raises(TransientPublishError):
        WebhookPublisher(settings).publish(make_request())


def test_webhook_publish_refuses_private_addresses_permanently() -> None:
    settings = WebhookSettings(url="http://10.0.0.1/hook", secret="s")
    with pytest.raises(PermanentPublishError, match="private network"):
        WebhookPublisher(settings).publish(make_request())


def test_verify_signature_rejects_tampering_and_stale_messages() -> None:
    secret = "plain-shared-secret"
    body = json.dumps({"a": 1}).encode()
    signed_at = datetime(2025, 5, 1, 10, 0, tzinfo=UTC)
    stamp = str(int(signed_at.timestamp()))
    header = sign(secret, "msg-1", int(stamp), body)
    common = {"msg_id": "msg-1", "timestamp": stamp, "signature_header": header}

    assert verify_signature(secret, body=body, now=signed_at, **common)
    assert not verify_signature(secret, body=body + b" ", now=signed_at, **common)
    assert not verify_signature("other", body=body, now=signed_at, **common)
    late = datetime(2025, 5, 1, 10, 10, tzinfo=UTC)
    assert not verify_signature(secret, body=body, now=late, **common)
    # Several signatures may be sent during a secret rotation; any valid one suffices.
    rotated = {**common, "signature_header": f"v1,bm90LWl0 {header}"}
    assert verify_signature(secret, body=body, now=signed_at, **rotated)
