"""The WordPress publisher against a fake REST API that checks the application password."""

from __future__ import annotations

import hashlib

import pytest

from planner.publishing.adapters.wordpress import WordPressPublisher, WordPressSettings
from planner.publishing.ports import (
    AmbiguousPublishError,
    MediaItem,
    PermanentPublishError,
    PublishRequest,
    TransientPublishError,
)

JPEG = b"\xff\xd8\xff\xe0" + b"pretend this is a photo"


def make_request(*, html: str | None = None, with_image: bool = True) -> PublishRequest:
    media = [
        MediaItem(
            alt="Kinderen bij de opening van de speeltuin",
            mime="image/jpeg",
            sha256=hashlib.sha256(JPEG).hexdigest(),
            loader=lambda: JPEG,
            filename="speeltuin opening (1).jpg",
        )
    ]
    return PublishRequest(
        delivery_id=5,
        idempotency_key="delivery-5",
        attempt=1,
        title="Nieuwe speeltuin geopend",
        text="De speeltuin is open.\n\nKom <snel> kijken & spelen!",
        html=html,
        excerpt="De speeltuin in Oost is open.",
        media=media if with_image else [],
    )


def publisher_for(server, *, password: str | None = None, timeout: float = 5.0):
    settings = WordPressSettings(
        base_url=server.url,
        username=server.app.user,
        application_password=password or server.app.password,
        timeout=timeout,
        allow_loopback=True,
    )
    return WordPressPublisher(settings)


def test_wordpress_publish_uploads_featured_image_with_alt_text(serve) -> None:
    server = serve("wordpress")
    result = publisher_for(server).publish(make_request())

    [media] = server.app.media.values()
    assert media["disposition"] == 'attachment; filename="speeltuin-opening-1.jpg"'
    assert media["mime"] == "image/jpeg"
    assert media["sha256"] == hashlib.sha256(JPEG).hexdigest()
    assert media["alt_text"] == "Kinderen bij de opening van de speeltuin"
    [post] = server.app.posts
    assert post["featured_media"] == media["id"]
    assert post["status"] == "publish"
    assert post["title"] == "Nieuwe speeltuin geopend"
    assert post["excerpt"] == "De speeltuin in Oost is open."
    assert result.remote_id == str(post["id"])
    assert result.remote_url == post["link"]


def test_wordpress_publish_escapes_plain_text_into_paragraphs(serve) -> None:
    server = serve("wordpress")
    publisher_for(server).publish(make_request(with_image=False))
    [post] = server.app.posts
    assert post["content"] == (
        "<p>De speeltuin is open.</p>\n<p>Kom &lt;snel&gt; kijken &amp; spelen!</p>"
    )
    assert "featured_media" not in post


def test_wordpress_publish_uses_rendered_html_when_given(serve) -> None:
    server = serve("wordpress")
    publisher_for(server).publish(make_request(html="<h2>Open!</h2>", with_image=False))
    assert server.app.posts[0]["content"] == "<h2>Open!</h2>"


def test_wordpress_publish_wrong_application_password_is_permanent(serve) -> None:
    server = serve("wordpress")
    with pytest.raises(PermanentPublishError, match="401"):
        publisher_for(server, password="wrong").publish(make_request())
    assert server.app.posts == []


def test_wordpress_publish_has_no_idempotency_so_timeouts_are_ambiguous(serve) -> None:
    server = serve("wordpress")
    server.app.fail_next("/wp-json/wp/v2/posts", action="hang", after_handling=True)
    publisher = publisher_for(server, timeout=0.3)
    assert publisher.supports_idempotency is False
    with pytest.raises(AmbiguousPublishError):
        publisher.publish(make_request())
    assert len(server.app.posts) == 1  # it did go out: exactly why a person must check


def test_wordpress_publish_server_error_on_post_is_ambiguous(serve) -> None:
    server = serve("wordpress")
    server.app.fail_next("/wp-json/wp/v2/posts", 500, after_handling=True)
    with pytest.raises(AmbiguousPublishError):
        publisher_for(server).publish(make_request())


def test_wordpress_publish_unavailable_is_transient(serve) -> None:
    server = serve("wordpress")
    server.app.fail_next("/wp-json/wp/v2/posts", 503, headers={"Retry-After": "120"})
    with pytest.raises(TransientPublishError) as caught:
        publisher_for(server).publish(make_request())
    assert caught.value.retry_after == 120.0


def test_wordpress_publish_media_server_error_is_transient(serve) -> None:
    server = serve("wordpress")
    server.app.fail_next("/wp-json/wp/v2/media", 500)
    with pytest.raises(TransientPublishError):
        publisher_for(server).publish(make_request())
    assert server.app.posts == []


def test_wordpress_publish_changed_image_is_permanent(serve) -> None:
    server = serve("wordpress")
    tampered = MediaItem(alt="x", mime="image/jpeg", sha256="0" * 64, loader=lambda: JPEG)
    request = PublishRequest(
        delivery_id=6, idempotency_key="d-6", attempt=1, text="Hallo", media=[tampered]
    )
    with pytest.raises(PermanentPublishError, match="SHA-256"):
        publisher_for(server).publish(request)
    assert server.app.requests == []
