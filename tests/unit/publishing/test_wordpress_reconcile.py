"""WordPress after an unclear outcome: the reconciler reads the site instead of asking a person."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from planner.publishing.adapters.wordpress import WordPressPublisher, WordPressSettings
from planner.publishing.ports import (
    AccountUnreadableError,
    AmbiguousPublishError,
    PublishRequest,
    Reconciler,
)
from tests.fakes.server import serving
from tests.fakes.wordpress import FakeWordPress


@pytest.fixture
def site() -> Iterator[FakeWordPress]:
    with serving(FakeWordPress()) as app:
        yield app


def publisher_for(site: FakeWordPress, *, timeout: float = 5.0) -> WordPressPublisher:
    return WordPressPublisher(
        WordPressSettings(
            base_url=site.url,
            username=site.user,
            application_password=site.password,
            timeout=timeout,
            allow_loopback=True,
        )
    )


def make_request(title: str = "Nieuwe speeltuin geopend") -> PublishRequest:
    return PublishRequest(
        delivery_id=61,
        idempotency_key="delivery-61",
        attempt=1,
        title=title,
        text="De speeltuin is open.\n\nKom <snel> kijken & spelen!",
    )


def test_wordpress_timeout_is_reconciled_to_the_post_on_the_site(site) -> None:
    site.fail_next("/wp-json/wp/v2/posts", action="hang", after_handling=True)
    with pytest.raises(AmbiguousPublishError):
        publisher_for(site, timeout=0.3).publish(make_request())
    publisher = publisher_for(site)
    assert isinstance(publisher, Reconciler)

    found = publisher.find_published(make_request())

    [post] = site.posts
    assert found is not None
    assert found.remote_id == str(post["id"])
    assert found.remote_url == post["link"]


def test_wordpress_reconciler_says_none_when_the_post_is_not_there(site) -> None:
    publisher_for(site).publish(make_request("Iets anders"))
    assert publisher_for(site).find_published(make_request()) is None


def test_wordpress_reconciler_that_cannot_read_the_site_says_so(site) -> None:
    site.fail_next("/wp-json/wp/v2/posts", 503, method="GET")
    with pytest.raises(AccountUnreadableError):
        publisher_for(site).find_published(make_request())
