"""The X publisher and reconciler against a fake API v2 that refuses duplicate text."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from planner.publishing.adapters.x import XPublisher, XSettings
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
    PartlyPublishedError,
    PermanentPublishError,
    PublishRequest,
    Reconciler,
    ReconnectRequiredError,
    TransientPublishError,
)
from tests.fakes.media import image
from tests.fakes.oauth import FakeAuthorizationServer
from tests.fakes.server import serving
from tests.fakes.x import FakeX


@pytest.fixture
def api() -> Iterator[FakeX]:
    with serving(FakeX()) as app:
        yield app


def publisher_for(api: FakeX, *, timeout: float = 5.0, **options: object) -> XPublisher:
    settings = XSettings(
        access_token=FakeX.token, base_url=api.url, timeout=timeout, allow_loopback=True
    )
    return XPublisher(settings, **options)  # type: ignore[arg-type]


def make_request(parts: list[str], *, attempt: int = 1, **extra: object) -> PublishRequest:
    return PublishRequest(
        delivery_id=31,
        idempotency_key="delivery-31",
        attempt=attempt,
        text=" ".join(parts),
        parts=parts,
        **extra,  # type: ignore[arg-type]
    )


def test_x_publish_posts_text(api) -> None:
    result = publisher_for(api).publish(make_request(["De bieb is zaterdag open."]))
    [post] = api.posts
    assert post["text"] == "De bieb is zaterdag open."
    assert result.remote_id == post["id"]
    assert result.remote_url == f"https://x.com/i/web/status/{post['id']}"


def test_x_publish_uploads_media_with_alt_text(api) -> None:
    photo = image()
    publisher_for(api).publish(make_request(["Het lint is door!"], media=[photo]))
    [media] = api.media.values()
    assert media["alt"] == photo.alt
    assert media["category"] == "tweet_image"
    assert api.posts[0]["media_ids"] == [media["id"]]


def test_x_publish_threads_parts_as_replies(api) -> None:
    result = publisher_for(api).publish(make_request(["Een.", "Twee.", "Drie."]))
    first, second, third = api.posts
    assert first["reply_to"] is None
    assert second["reply_to"] == first["id"]
    assert third["reply_to"] == second["id"]
    assert result.raw["ids"] == [first["id"], second["id"], third["id"]]


def test_x_refreshes_an_expired_token_through_the_keeper(api) -> None:
    clock = lambda: datetime.now(UTC)  # noqa: E731
    with serving(FakeAuthorizationServer(client_auth="client_secret_basic")) as auth:
        api.token_check = auth.is_valid
        endpoints = OAuthEndpoints(
            authorize_url=f"{auth.url}/authorize",
            token_url=f"{auth.url}/token",
            scopes=("tweet.write",),
            token_auth="client_secret_basic",
        )
        client = OAuthClient(
            OAuthClientConfig(
                auth.client_id, auth.client_secret, auth.redirect_uri, endpoints, 5.0, True
            ),
            clock=clock,
        )
        with auth.lock:
            issued = auth._issue("tweet.write")
        token = TokenSet(access_token=issued["access_token"], refresh_token=issued["refresh_token"])
        stored: list[TokenSet] = []
        keeper = TokenKeeper(client, token, on_refresh=stored.append, clock=clock)
        auth.expire(token.access_token)

        publisher_for(api, tokens=keeper).publish(make_request(["Met een vers token."]))

        assert len(api.posts) == 1
        assert len(stored) == 1
        assert auth.is_valid(stored[0].access_token)
        unauthorised = [r for r in api.requests if r.bearer() == token.access_token]
        assert len(unauthorised) == 1  # one refused call, then the same call with the new token


def test_x_with_a_token_that_cannot_be_refreshed_asks_for_a_reconnect(api) -> None:
    api.token_check = lambda token: False
    with pytest.raises(ReconnectRequiredError):
        publisher_for(api).publish(make_request(["Hallo"]))


def test_x_rate_limit_waits_until_the_reset_header(api) -> None:
    now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    api.fail_next(
        "/2/tweets",
        429,
        headers={
            "x-rate-limit-limit": "200",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(int(now.timestamp()) + 420),
        },
        body={"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429},
    )
    with pytest.raises(TransientPublishError) as caught:
        publisher_for(api, clock=lambda: now).publish(make_request(["Hallo"]))
    assert caught.value.retry_after == 420.0


def test_x_timeout_after_posting_is_reconciled_without_a_duplicate(api) -> None:
    api.fail_next("/2/tweets", action="hang", after_handling=True)
    publisher = publisher_for(api, timeout=0.3)
    request = make_request(["Lees meer: https://zuiderhaven.nl/a & meer"], media=[image()])
    with pytest.raises(AmbiguousPublishError):
        publisher.publish(request)
    assert isinstance(publisher, Reconciler)

    found = publisher_for(api).find_published(request)

    [post] = api.posts
    assert found is not None
    assert found.remote_id == post["id"]
    assert found.raw["reconciled"] is True


def test_x_resend_after_a_timeout_is_refused_as_duplicate_and_finds_the_post(api) -> None:
    api.fail_next("/2/tweets", action="hang", after_handling=True)
    with pytest.raises(AmbiguousPublishError):
        publisher_for(api, timeout=0.3).publish(make_request(["Eenmalig."]))
    result = publisher_for(api).publish(make_request(["Eenmalig."], attempt=2))
    [post] = api.posts
    assert result.remote_id == post["id"]


def test_x_reconciler_says_none_when_nothing_went_out(api) -> None:
    publisher_for(api).publish(make_request(["Iets anders."]))
    assert publisher_for(api).find_published(make_request(["Dit niet."])) is None


def test_x_goes_on_from_the_parts_of_a_thread_already_out(api) -> None:
    """Part two answered 503: the reconciler names part one, the resend replies to it with the
    rest (images went with part one and are not uploaded again), and nothing is posted twice."""
    photo = image()
    request = make_request(["Een.", "Twee.", "Drie."], media=[photo])
    api.fail_next("/2/tweets", 503, skip=1)
    with pytest.raises(TransientPublishError):
        publisher_for(api).publish(request)
    with pytest.raises(PartlyPublishedError, match="1 of the 3 parts") as partly:
        publisher_for(api).find_published(request)
    uploads = len(api.media)
    resumed = publisher_for(api).publish(
        dataclasses.replace(request, attempt=2, published_parts=partly.value.found_ids)
    )
    first, second, third = api.posts
    assert [p["text"] for p in api.posts] == ["Een.", "Twee.", "Drie."]
    assert (second["reply_to"], third["reply_to"]) == (first["id"], second["id"])
    assert resumed.raw["ids"] == [first["id"], second["id"], third["id"]]
    assert len(api.media) == uploads


def test_x_reconciler_that_cannot_read_the_account_says_so(api) -> None:
    api.fail_next("/2/users/", 503)
    with pytest.raises(AccountUnreadableError):
        publisher_for(api).find_published(make_request(["Hallo"]))


def test_x_server_error_on_the_post_is_ambiguous(api) -> None:
    api.fail_next("/2/tweets", 500, after_handling=True)
    with pytest.raises(AmbiguousPublishError):
        publisher_for(api).publish(make_request(["Misschien."]))


def test_x_too_long_text_is_permanent_before_sending(api) -> None:
    with pytest.raises(PermanentPublishError, match="X allows 280"):
        publisher_for(api).publish(make_request(["🎉" * 141]))
    assert api.posts == []


# -- paging back through a burst ----------------------------------------------------------------


def timeline_pages(api: FakeX) -> list:
    return api.calls("GET", f"/2/users/{FakeX.user_id}/tweets")


def seed(api: FakeX, count: int, *, start: datetime, prefix: str = "Drukte") -> None:
    """`count` posts a second apart from `start` on, oldest first."""
    for n in range(count):
        api.add_post(f"{prefix} {n}", at=start + timedelta(seconds=n))


def test_x_reconciler_finds_a_post_behind_250_newer_ones(api) -> None:
    now = datetime.now(UTC)
    lost = api.add_post("De verloren post.", at=now - timedelta(hours=2))
    seed(api, 250, start=now - timedelta(hours=1))

    found = publisher_for(api).find_published(make_request(["De verloren post."]))

    assert found is not None
    assert found.remote_id == lost["id"]
    pages = timeline_pages(api)
    assert len(pages) == 3
    assert [p.query["max_results"] for p in pages] == ["100"] * 3
    assert "pagination_token" not in pages[0].query
    assert all("pagination_token" in p.query for p in pages[1:])


def test_x_reconciler_reads_no_further_back_than_the_window(api) -> None:
    now = datetime.now(UTC)
    api.add_post("Van eergisteren.", at=now - timedelta(hours=50))
    seed(api, 200, start=now - timedelta(hours=60), prefix="Oud")
    seed(api, 150, start=now - timedelta(hours=1))

    assert publisher_for(api).find_published(make_request(["Van eergisteren."])) is None

    pages = timeline_pages(api)
    assert len(pages) == 2  # 100 + 50 within the window; X leaves the older ones out
    start = datetime.fromisoformat(pages[0].query["start_time"].replace("Z", "+00:00"))
    assert timedelta(hours=47, minutes=59) < now - start <= timedelta(hours=48, seconds=1)


def test_x_reconciler_that_runs_out_of_pages_cannot_tell(api) -> None:
    now = datetime.now(UTC)
    seed(api, 1050, start=now - timedelta(hours=3))

    with pytest.raises(AccountUnreadableError, match="more than 1000 posts"):
        publisher_for(api).find_published(make_request(["Niet te vinden."]))

    assert len(timeline_pages(api)) == 10


def test_x_reconciler_pages_back_to_a_thread_and_reports_the_parts_out(api) -> None:
    now = datetime.now(UTC)
    head = api.add_post("Een.", at=now - timedelta(hours=2))
    seed(api, 150, start=now - timedelta(minutes=100), prefix="Tussendoor")
    second = api.add_post("Twee.", at=now - timedelta(minutes=30), reply_to=head["id"])
    seed(api, 120, start=now - timedelta(minutes=20), prefix="Daarna")

    found = publisher_for(api).find_published(make_request(["Een.", "Twee."]))
    assert found is not None
    assert found.raw["ids"] == [head["id"], second["id"]]
    with pytest.raises(PartlyPublishedError, match="2 of the 3 parts") as partly:
        publisher_for(api).find_published(make_request(["Een.", "Twee.", "Drie."]))
    assert list(partly.value.found_ids) == [head["id"], second["id"]]


def test_x_duplicate_too_far_back_to_find_stays_open(api) -> None:
    """X refuses the resend as a duplicate but the earlier post is beyond what one look reads:
    the outcome stays open (the engine's reconciler looks again) rather than failing."""
    now = datetime.now(UTC)
    api.add_post("Eerder verstuurd.", at=now - timedelta(hours=4))
    seed(api, 1050, start=now - timedelta(hours=3))

    with pytest.raises(AmbiguousPublishError, match="more than 1000 posts"):
        publisher_for(api).publish(make_request(["Eerder verstuurd."], attempt=2))
    assert len(timeline_pages(api)) == 10
