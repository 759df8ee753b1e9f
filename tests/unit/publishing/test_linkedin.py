"""The LinkedIn publisher and reconciler against a fake Posts/Images API for one page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from planner.publishing.adapters.linkedin import (
    LinkedInPublisher,
    LinkedInSettings,
    little_text,
    plain_text,
)
from planner.publishing.oauth import (
    OAuthClient,
    OAuthClientConfig,
    OAuthEndpoints,
    TokenKeeper,
    TokenSet,
)
from planner.publishing.ports import (
    AccountUnreadableError,
    AmbiguousPublishError,
    PermanentPublishError,
    PublishRequest,
    ReconnectRequiredError,
    TransientPublishError,
)
from tests.fakes.linkedin import FakeLinkedIn, shown_text
from tests.fakes.media import image
from tests.fakes.oauth import FakeAuthorizationServer
from tests.fakes.server import serving


@pytest.fixture
def api() -> Iterator[FakeLinkedIn]:
    with serving(FakeLinkedIn()) as app:
        yield app


def publisher_for(api: FakeLinkedIn, *, timeout: float = 5.0, **options: object):
    settings = LinkedInSettings(
        access_token=FakeLinkedIn.token,
        organization_id="2414183",
        base_url=api.url,
        timeout=timeout,
        allow_loopback=True,
    )
    return LinkedInPublisher(settings, **options)  # type: ignore[arg-type]


def make_request(text: str, *, attempt: int = 1, **extra: object) -> PublishRequest:
    return PublishRequest(
        delivery_id=41,
        idempotency_key="delivery-41",
        attempt=attempt,
        text=text,
        **extra,  # type: ignore[arg-type]
    )


TRICKY = "Kom (gratis) naar de #OpenDag van bieb_zuid! 50% korting* op [boeken] <3 ~ ja"


def test_linkedin_posts_as_the_page_with_version_headers_and_escaped_text(api) -> None:
    result = publisher_for(api).publish(make_request(TRICKY))

    [post] = api.posts
    assert post["author"] == "urn:li:organization:2414183"
    assert post["shown"] == TRICKY  # nothing was cut off
    assert "{hashtag|#|OpenDag}" in post["commentary"]
    assert post["visibility"] == "PUBLIC"
    assert post["lifecycleState"] == "PUBLISHED"
    assert post["distribution"]["feedDistribution"] == "MAIN_FEED"
    [create] = api.calls("POST", "/rest/posts")
    assert create.headers["linkedin-version"] == "202610"
    assert create.headers["x-restli-protocol-version"] == "2.0.0"
    assert result.remote_id == post["id"]
    assert result.remote_url == f"https://www.linkedin.com/feed/update/{post['id']}/"


def test_unescaped_text_would_be_cut_by_linkedin() -> None:
    # The reason for little_text: the fake cuts where LinkedIn does.
    assert shown_text(TRICKY) == "Kom "
    assert shown_text(little_text(TRICKY)) == TRICKY
    assert plain_text(little_text(TRICKY)) == TRICKY


def test_linkedin_uploads_an_image_and_posts_it_with_alt_text(api) -> None:
    photo = image()
    publisher_for(api).publish(make_request("Het lint is door!", media=[photo]))

    [(urn, stored)] = api.images.items()
    assert stored["status"] == "AVAILABLE"
    assert stored["bytes"] == photo.read_bytes()
    [init] = api.calls("POST", "/rest/images")
    assert init.query == {"action": "initializeUpload"}
    assert init.json() == {"initializeUploadRequest": {"owner": "urn:li:organization:2414183"}}
    assert api.posts[0]["content"] == {"media": {"id": urn, "altText": photo.alt}}


def test_linkedin_posts_several_images_as_multi_image(api) -> None:
    photos = [image("Eerste foto"), image("Tweede foto", width=1080, height=1080)]
    publisher_for(api).publish(make_request("Twee foto's", media=photos))
    images = api.posts[0]["content"]["multiImage"]["images"]
    assert [entry["altText"] for entry in images] == ["Eerste foto", "Tweede foto"]
    assert {entry["id"] for entry in images} == set(api.images)


def test_linkedin_shares_an_article_link(api) -> None:
    publisher_for(api).publish(
        make_request(
            "Lees het verhaal.",
            link="https://zuiderhaven.nl/nieuws/bieb",
            title="De nieuwe bieb",
            excerpt="Alles over de opening.",
        )
    )
    assert api.posts[0]["content"] == {
        "article": {
            "source": "https://zuiderhaven.nl/nieuws/bieb",
            "title": "De nieuwe bieb",
            "description": "Alles over de opening.",
        }
    }


def test_linkedin_expired_static_token_asks_for_a_reconnect(api) -> None:
    api.expired.add(FakeLinkedIn.token)
    with pytest.raises(ReconnectRequiredError):
        publisher_for(api).publish(make_request("Hallo"))
    assert api.posts == []


def test_linkedin_refreshes_an_expired_token_through_the_keeper(api) -> None:
    with serving(FakeAuthorizationServer(require_pkce=False)) as auth:
        api.token_check = auth.is_valid
        endpoints = OAuthEndpoints(
            authorize_url=f"{auth.url}/authorize",
            token_url=f"{auth.url}/token",
            scopes=("w_organization_social",),
            pkce=False,
        )
        client = OAuthClient(
            OAuthClientConfig(
                auth.client_id, auth.client_secret, auth.redirect_uri, endpoints, 5.0, True
            )
        )
        with auth.lock:
            issued = auth._issue("w_organization_social")
        token = TokenSet(issued["access_token"], refresh_token=issued["refresh_token"])
        stored: list[TokenSet] = []
        keeper = TokenKeeper(client, token, on_refresh=stored.append)
        auth.expire(token.access_token)

        publisher_for(api, tokens=keeper).publish(make_request("Vers token"))

        assert len(api.posts) == 1
        assert len(stored) == 1


def test_linkedin_throttle_waits_until_the_daily_quota_resets(api) -> None:
    now = datetime(2026, 12, 4, 22, 0, tzinfo=UTC)
    api.fail_next(
        "/rest/posts", 429, body={"status": 429, "message": "Resource level throttle limit"}
    )
    with pytest.raises(TransientPublishError) as caught:
        publisher_for(api, clock=lambda: now).publish(make_request("Hallo"))
    assert caught.value.retry_after == 2 * 3600.0


def test_linkedin_timeout_then_resend_returns_the_same_post_without_a_duplicate(api) -> None:
    api.fail_next("/rest/posts", method="POST", action="hang", after_handling=True)
    with pytest.raises(AmbiguousPublishError):
        publisher_for(api, timeout=0.3).publish(make_request(TRICKY))

    result = publisher_for(api).publish(make_request(TRICKY, attempt=2))

    [post] = api.posts
    assert result.remote_id == post["id"]
    assert result.raw["duplicate_of"] == post["id"]


def test_linkedin_reconciler_finds_the_post_after_a_timeout(api) -> None:
    api.fail_next("/rest/posts", method="POST", action="hang", after_handling=True)
    with pytest.raises(AmbiguousPublishError):
        publisher_for(api, timeout=0.3).publish(make_request(TRICKY))
    found = publisher_for(api).find_published(make_request(TRICKY))
    assert found is not None
    assert found.remote_id == api.posts[0]["id"]
    assert publisher_for(api).find_published(make_request("Iets anders")) is None


def test_linkedin_reconciler_that_cannot_read_the_page_says_so(api) -> None:
    api.fail_next("/rest/posts", 500, method="GET")
    with pytest.raises(AccountUnreadableError):
        publisher_for(api).find_published(make_request("Hallo"))


def test_linkedin_duplicate_of_a_deleted_post_needs_a_person(api) -> None:
    publisher_for(api).publish(make_request("Eerder geplaatst"))
    api.posts[0]["deleted"] = True
    with pytest.raises(PermanentPublishError, match="no longer there"):
        publisher_for(api).publish(make_request("Eerder geplaatst"))


def test_linkedin_text_over_the_limit_is_refused_before_sending(api) -> None:
    with pytest.raises(PermanentPublishError, match="LinkedIn allows 3000"):
        publisher_for(api).publish(make_request("x" * 3001))
    assert api.requests == []


# -- paging back through a burst ----------------------------------------------------------------


def list_pages(api: FakeLinkedIn) -> list:
    return [r for r in api.calls("GET", "/rest/posts") if r.path == "/rest/posts"]


def seed(api: FakeLinkedIn, count: int, *, start: datetime, prefix: str = "Drukte") -> None:
    """`count` posts a second apart from `start` on, oldest first."""
    for n in range(count):
        api.add_post(f"{prefix} {n}", at=start + timedelta(seconds=n))


def test_linkedin_reconciler_finds_a_post_behind_250_newer_ones(api) -> None:
    now = datetime.now(UTC)
    lost = api.add_post("De verloren post.", at=now - timedelta(hours=2))
    seed(api, 250, start=now - timedelta(hours=1))

    found = publisher_for(api).find_published(make_request("De verloren post."))

    assert found is not None
    assert found.remote_id == lost["id"]
    pages = list_pages(api)
    assert [(p.query["start"], p.query["count"]) for p in pages] == [
        ("0", "100"),
        ("100", "100"),
        ("200", "100"),
    ]


def test_linkedin_reconciler_reads_no_further_back_than_the_window(api) -> None:
    now = datetime.now(UTC)
    api.add_post("Van eergisteren.", at=now - timedelta(hours=50))
    seed(api, 200, start=now - timedelta(hours=60), prefix="Oud")
    seed(api, 150, start=now - timedelta(hours=1))

    assert publisher_for(api).find_published(make_request("Van eergisteren.")) is None

    assert len(list_pages(api)) == 2  # the second page reaches past the window: no third


def test_linkedin_reconciler_that_runs_out_of_pages_cannot_tell(api) -> None:
    seed(api, 1050, start=datetime.now(UTC) - timedelta(hours=3))

    with pytest.raises(AccountUnreadableError, match="more than 1000 posts"):
        publisher_for(api).find_published(make_request("Niet te vinden."))

    assert len(list_pages(api)) == 10
