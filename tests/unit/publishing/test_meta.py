"""The Facebook Page, Instagram and Threads publishers and reconcilers against fake Graph hosts."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from planner.publishing.adapters.facebook import FacebookPublisher, FacebookSettings
from planner.publishing.adapters.instagram import InstagramPublisher, InstagramSettings
from planner.publishing.adapters.threads import ThreadsPublisher, ThreadsSettings
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
    MediaItem,
    PartlyPublishedError,
    PermanentPublishError,
    PublishRequest,
    ReconnectRequiredError,
    TransientPublishError,
)
from tests.fakes.media import image
from tests.fakes.meta import FakeFacebookPage, FakeInstagram, FakeThreads, GraphFake
from tests.fakes.oauth import FakeAuthorizationServer
from tests.fakes.server import serving


def make_request(parts: list[str], *, attempt: int = 1, **extra: object) -> PublishRequest:
    return PublishRequest(
        delivery_id=51,
        idempotency_key="delivery-51",
        attempt=attempt,
        text="\n\n".join(parts),
        parts=parts,
        **extra,  # type: ignore[arg-type]
    )


def throttled(minutes: int) -> dict[str, str]:
    usage = {
        "104000000000001": [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 40,
                "total_time": 60,
                "estimated_time_to_regain_access": minutes,
            }
        ]
    }
    return {"X-Business-Use-Case-Usage": json.dumps(usage)}


def seed(
    add: Callable[..., object], count: int, *, start: datetime, prefix: str = "Drukte"
) -> None:
    """`count` posts a second apart from `start` on, oldest first, through a fake's add_*."""
    for n in range(count):
        add(f"{prefix} {n}", at=start + timedelta(seconds=n))


def cursor_pages(api: GraphFake, path: str) -> list:
    return [r for r in api.calls("GET", path) if r.path == path]


# -- Facebook ------------------------------------------------------------------------------------


@pytest.fixture
def page() -> Iterator[FakeFacebookPage]:
    with serving(FakeFacebookPage()) as app:
        yield app


def facebook(page: FakeFacebookPage, *, timeout: float = 5.0) -> FacebookPublisher:
    return FacebookPublisher(
        FacebookSettings(
            access_token=FakeFacebookPage.token,
            page_id=FakeFacebookPage.page_id,
            base_url=f"{page.url}/v21.0",
            timeout=timeout,
            allow_loopback=True,
        )
    )


def test_facebook_posts_text_with_a_link_to_the_feed(page) -> None:
    result = facebook(page).publish(
        make_request(["Lees het verhaal."], link="https://zuiderhaven.nl/nieuws/bieb")
    )
    [post] = page.posts
    assert post["message"] == "Lees het verhaal."
    assert post["link"] == "https://zuiderhaven.nl/nieuws/bieb"
    assert result.remote_id == post["id"]


def test_facebook_posts_one_photo_with_alt_text(page) -> None:
    photo = image()
    result = facebook(page).publish(make_request(["Het lint is door!"], media=[photo]))
    [stored] = page.photos.values()
    assert stored["alt_text_custom"] == photo.alt
    assert stored["published"] is True
    assert result.remote_id == page.posts[0]["id"]
    assert page.posts[0]["photos"] == [stored["id"]]


def test_facebook_posts_several_photos_as_attached_media(page) -> None:
    photos = [image("Eerste"), image("Tweede", width=1080, height=1350)]
    facebook(page).publish(make_request(["Twee foto's"], media=photos))
    assert [p["published"] for p in page.photos.values()] == [False, False]
    assert [p["alt_text_custom"] for p in page.photos.values()] == ["Eerste", "Tweede"]
    [post] = page.posts
    assert post["photos"] == list(page.photos)


def test_facebook_expired_page_token_asks_for_a_reconnect(page) -> None:
    page.token_check = lambda token: False
    with pytest.raises(ReconnectRequiredError):
        facebook(page).publish(make_request(["Hallo"]))


def test_facebook_page_throttle_waits_as_long_as_the_usage_header_says(page) -> None:
    page.fail_next(
        "/v21.0/104000000000001/feed",
        400,
        headers=throttled(7),
        body={
            "error": {"message": "Page request limit reached", "code": 32, "type": "OAuthException"}
        },
    )
    with pytest.raises(TransientPublishError) as caught:
        facebook(page).publish(make_request(["Hallo"]))
    assert caught.value.retry_after == 420.0


def test_facebook_timeout_is_reconciled_and_a_resend_is_not_duplicated(page) -> None:
    page.fail_next("/v21.0/104000000000001/feed", action="hang", after_handling=True)
    request = make_request(["Eenmalig op Facebook."])
    with pytest.raises(AmbiguousPublishError):
        facebook(page, timeout=0.3).publish(request)

    found = facebook(page).find_published(request)
    assert found is not None
    assert found.remote_id == page.posts[0]["id"]
    # Even a blind resend is refused as a duplicate (code 506) and resolves to the same post.
    result = facebook(page).publish(make_request(["Eenmalig op Facebook."], attempt=2))
    assert result.remote_id == page.posts[0]["id"]
    assert len(page.posts) == 1


def test_facebook_reconciler_that_cannot_read_the_page_says_so(page) -> None:
    page.fail_next("/v21.0/104000000000001/published_posts", 500)
    with pytest.raises(AccountUnreadableError):
        facebook(page).find_published(make_request(["Hallo"]))


FEED = "/v21.0/104000000000001/published_posts"


def test_facebook_reconciler_finds_a_post_behind_250_newer_ones(page) -> None:
    now = datetime.now(UTC)
    lost = page.add_post("De verloren post.", at=now - timedelta(hours=2))
    seed(page.add_post, 250, start=now - timedelta(hours=1))

    found = facebook(page).find_published(make_request(["De verloren post."]))

    assert found is not None
    assert found.remote_id == lost["id"]
    pages = cursor_pages(page, FEED)
    assert [p.query["limit"] for p in pages] == ["100"] * 3
    assert "after" not in pages[0].query
    assert all(p.query["after"] for p in pages[1:])


def test_facebook_reconciler_reads_no_further_back_than_the_window(page) -> None:
    now = datetime.now(UTC)
    page.add_post("Van eergisteren.", at=now - timedelta(hours=50))
    seed(page.add_post, 200, start=now - timedelta(hours=60), prefix="Oud")
    seed(page.add_post, 150, start=now - timedelta(hours=1))

    assert facebook(page).find_published(make_request(["Van eergisteren."])) is None

    assert len(cursor_pages(page, FEED)) == 2  # the second page reaches past the window


def test_facebook_reconciler_that_runs_out_of_pages_cannot_tell(page) -> None:
    seed(page.add_post, 1050, start=datetime.now(UTC) - timedelta(hours=3))

    with pytest.raises(AccountUnreadableError, match="more than 1000 posts"):
        facebook(page).find_published(make_request(["Niet te vinden."]))

    assert len(cursor_pages(page, FEED)) == 10


# -- Instagram ---------------------------------------------------------------------------------


@pytest.fixture
def insta() -> Iterator[FakeInstagram]:
    with serving(FakeInstagram()) as app:
        yield app


def instagram(insta: FakeInstagram, *, timeout: float = 5.0, attempts: int = 5, **opts: object):
    return InstagramPublisher(
        InstagramSettings(
            access_token=FakeInstagram.token,
            ig_user_id=FakeInstagram.ig_user_id,
            base_url=f"{insta.url}/v21.0",
            poll_interval=0.0,
            poll_attempts=attempts,
            timeout=timeout,
            allow_loopback=True,
        ),
        **opts,  # type: ignore[arg-type]
    )


def portrait(insta, alt: str = "Kinderen in de nieuwe leeszaal", **size: int) -> MediaItem:
    item = image(alt, width=size.get("width", 1080), height=size.get("height", 1350), fmt="JPEG")
    insta.web[str(item.url)] = item.read_bytes()
    return item


def test_instagram_publishes_a_photo_from_its_public_url_with_alt_text(insta) -> None:
    photo = portrait(insta)
    result = instagram(insta).publish(make_request(["Open! #bieb"], media=[photo]))

    [media] = insta.media
    fields = media["container"]["fields"]
    assert fields["image_url"] == photo.url
    assert fields["alt_text"] == photo.alt
    assert fields["caption"] == "Open! #bieb"
    assert media["container"]["polls"] == 2  # IN_PROGRESS once, then FINISHED
    assert result.remote_id == media["id"]
    assert result.remote_url == media["permalink"]


def test_instagram_publishes_a_carousel_of_children(insta) -> None:
    photos = [portrait(insta, "Een"), portrait(insta, "Twee", width=1080, height=1080)]
    result = instagram(insta).publish(make_request(["Twee foto's"], media=photos))
    [media] = insta.media
    carousel = media["container"]["fields"]
    assert carousel["media_type"] == "CAROUSEL"
    children = carousel["children"].split(",")
    assert [insta.containers[c]["fields"]["alt_text"] for c in children] == ["Een", "Twee"]
    assert result.raw["children"] == children


def test_instagram_container_error_is_permanent(insta) -> None:
    photo = portrait(insta)
    insta.web[str(photo.url)] = image(fmt="PNG").read_bytes()  # the crawler finds a PNG
    with pytest.raises(PermanentPublishError, match="Only JPEG images"):
        instagram(insta).publish(make_request(["Foto"], media=[photo]))
    assert insta.media == []


def test_instagram_refuses_an_aspect_ratio_it_cannot_show_before_sending(insta) -> None:
    with pytest.raises(PermanentPublishError, match=r"aspect ratios from 0\.80 to 1\.91"):
        instagram(insta).publish(
            make_request(["Foto"], media=[portrait(insta, width=1080, height=1920)])
        )
    assert insta.containers == {}


def test_instagram_container_still_in_progress_is_tried_again_later(insta) -> None:
    insta.processing_polls = 10
    with pytest.raises(TransientPublishError, match="still processing"):
        instagram(insta, attempts=3).publish(make_request(["Foto"], media=[portrait(insta)]))
    assert insta.media == []


def test_instagram_expired_container_is_transient(insta) -> None:
    insta.processing_polls = 10
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        insta.expire_containers()

    with pytest.raises(TransientPublishError, match="expired"):
        instagram(insta, sleep=sleep).publish(make_request(["Foto"], media=[portrait(insta)]))


def test_instagram_lost_publish_answer_is_settled_by_the_container(insta) -> None:
    insta.fail_next("/v21.0/17841400000000001/media_publish", action="hang", after_handling=True)
    result = instagram(insta, timeout=0.5).publish(
        make_request(["Eenmalig"], media=[portrait(insta)])
    )
    [media] = insta.media
    assert result.remote_id == media["id"]
    assert result.raw["reconciled"] is True


def test_instagram_reconciler_finds_the_post_and_no_resend_is_needed(insta) -> None:
    photo = portrait(insta)
    instagram(insta).publish(make_request(["Al geplaatst"], media=[photo]))
    found = instagram(insta).find_published(make_request(["Al geplaatst"], media=[photo]))
    assert found is not None
    assert found.remote_id == insta.media[0]["id"]
    assert instagram(insta).find_published(make_request(["Nooit geplaatst"])) is None


def test_instagram_publishing_limit_is_transient_with_the_usage_wait(insta) -> None:
    insta.fail_next(
        "/v21.0/17841400000000001/media_publish",
        400,
        headers=throttled(30),
        body={
            "error": {
                "message": "Application request limit reached",
                "code": 9,
                "error_subcode": 2207042,
                "type": "OAuthException",
            }
        },
    )
    with pytest.raises(TransientPublishError) as caught:
        instagram(insta).publish(make_request(["Foto"], media=[portrait(insta)]))
    assert caught.value.retry_after == 1800.0


def test_instagram_needs_a_photo(insta) -> None:
    with pytest.raises(PermanentPublishError, match="at least one photo"):
        instagram(insta).publish(make_request(["Alleen tekst"]))


MEDIA = "/v21.0/17841400000000001/media"


def test_instagram_reconciler_finds_a_post_behind_250_newer_ones(insta) -> None:
    now = datetime.now(UTC)
    lost = insta.add_media("De verloren post.", at=now - timedelta(hours=2))
    seed(insta.add_media, 250, start=now - timedelta(hours=1))

    found = instagram(insta).find_published(make_request(["De verloren post."]))

    assert found is not None
    assert found.remote_id == lost["id"]
    assert len(cursor_pages(insta, MEDIA)) == 3


def test_instagram_reconciler_reads_no_further_back_than_the_window(insta) -> None:
    now = datetime.now(UTC)
    insta.add_media("Van eergisteren.", at=now - timedelta(hours=50))
    seed(insta.add_media, 200, start=now - timedelta(hours=60), prefix="Oud")
    seed(insta.add_media, 150, start=now - timedelta(hours=1))

    assert instagram(insta).find_published(make_request(["Van eergisteren."])) is None

    assert len(cursor_pages(insta, MEDIA)) == 2


def test_instagram_reconciler_that_runs_out_of_pages_cannot_tell(insta) -> None:
    seed(insta.add_media, 1050, start=datetime.now(UTC) - timedelta(hours=3))

    with pytest.raises(AccountUnreadableError, match="more than 1000 posts"):
        instagram(insta).find_published(make_request(["Niet te vinden."]))

    assert len(cursor_pages(insta, MEDIA)) == 10


# -- Threads -------------------------------------------------------------------------------------


@pytest.fixture
def threads_api() -> Iterator[FakeThreads]:
    with serving(FakeThreads()) as app:
        yield app


def threads(api: FakeThreads, *, timeout: float = 5.0, **opts: object) -> ThreadsPublisher:
    return ThreadsPublisher(
        ThreadsSettings(
            access_token=FakeThreads.token,
            base_url=f"{api.url}/v1.0",
            poll_interval=0.0,
            timeout=timeout,
            allow_loopback=True,
        ),
        **opts,  # type: ignore[arg-type]
    )


def test_threads_publishes_a_text_post(threads_api) -> None:
    result = threads(threads_api).publish(make_request(["Goedemorgen Zuiderhaven!"]))
    [post] = threads_api.posts
    assert post["media_type"] == "TEXT"
    assert post["text"] == "Goedemorgen Zuiderhaven!"
    assert result.remote_url == post["permalink"]


def test_threads_publishes_an_image_with_alt_text(threads_api) -> None:
    photo = image()
    threads_api.web[str(photo.url)] = photo.read_bytes()
    threads(threads_api).publish(make_request(["Foto!"], media=[photo]))
    fields = threads_api.posts[0]["container"]["fields"]
    assert fields["media_type"] == "IMAGE"
    assert fields["alt_text"] == photo.alt


def test_threads_publishes_thread_parts_as_replies(threads_api) -> None:
    result = threads(threads_api).publish(make_request(["Een.", "Twee.", "Drie."]))
    first, second, third = threads_api.posts
    assert first["reply_to"] is None
    assert second["reply_to"] == first["id"]
    assert third["reply_to"] == second["id"]
    assert result.raw["ids"] == [first["id"], second["id"], third["id"]]


def test_threads_renews_a_long_lived_token_through_the_keeper(threads_api) -> None:
    with serving(FakeAuthorizationServer(require_pkce=False)) as auth:
        threads_api.token_check = auth.is_valid
        endpoints = OAuthEndpoints(
            authorize_url=f"{auth.url}/authorize",
            token_url=f"{auth.url}/token",
            scopes=("threads_content_publish",),
            pkce=False,
            refresh="th_refresh_token",
            refresh_url=f"{auth.url}/refresh_access_token",
        )
        client = OAuthClient(
            OAuthClientConfig(
                auth.client_id, auth.client_secret, auth.redirect_uri, endpoints, 5.0, True
            )
        )
        with auth.lock:
            issued = auth._issue("threads_content_publish")
        # Five minutes before expiry the keeper renews before posting, not after a refusal.
        token = TokenSet(
            issued["access_token"], expires_at=datetime.now(UTC) + timedelta(minutes=4)
        )
        stored: list[TokenSet] = []
        keeper = TokenKeeper(client, token, on_refresh=stored.append)

        threads(threads_api, tokens=keeper).publish(make_request(["Vers token"]))

        assert len(threads_api.posts) == 1
        [renewed] = stored
        assert auth.calls("GET", "/refresh_access_token")[0].query["access_token"] == (
            token.access_token
        )
        assert all(r.bearer() == renewed.access_token for r in threads_api.requests)


def test_threads_lost_publish_answer_is_settled_without_a_duplicate(threads_api) -> None:
    threads_api.fail_next("/v1.0/me/threads_publish", action="hang", after_handling=True)
    result = threads(threads_api, timeout=0.5).publish(make_request(["Eenmalig."]))
    [post] = threads_api.posts
    assert result.remote_id == post["id"]


def test_threads_reconciler_finds_a_whole_thread_or_reports_half_of_one(threads_api) -> None:
    threads(threads_api).publish(make_request(["Een.", "Twee."]))
    found = threads(threads_api).find_published(make_request(["Een.", "Twee."]))
    assert found is not None
    assert found.raw["ids"] == [p["id"] for p in threads_api.posts]
    with pytest.raises(PartlyPublishedError, match="2 of the 3 parts") as partly:
        threads(threads_api).find_published(make_request(["Een.", "Twee.", "Drie."]))
    assert list(partly.value.found_ids) == [p["id"] for p in threads_api.posts]
    assert threads(threads_api).find_published(make_request(["Anders."])) is None


def test_threads_goes_on_from_the_parts_already_out(threads_api) -> None:
    """A thread cut off after its first part (the second publish answered 503) is finished
    from where it stopped: the reconciler names the part that is out, the resend adds the rest
    as replies to it, and nothing is posted twice."""
    request = make_request(["Een.", "Twee.", "Drie."])
    threads_api.fail_next("/v1.0/me/threads_publish", 503, skip=1)
    with pytest.raises(TransientPublishError):
        threads(threads_api).publish(request)
    assert len(threads_api.posts) == 1
    with pytest.raises(PartlyPublishedError) as partly:
        threads(threads_api).find_published(request)
    resumed = threads(threads_api).publish(
        dataclasses.replace(request, attempt=2, published_parts=partly.value.found_ids)
    )
    first, second, third = threads_api.posts
    assert [p["text"] for p in threads_api.posts] == ["Een.", "Twee.", "Drie."]
    assert resumed.raw["ids"] == [first["id"], second["id"], third["id"]]
    assert second["reply_to"] == first["id"]
    assert third["reply_to"] == second["id"]


def test_threads_throttle_is_transient_with_the_usage_wait(threads_api) -> None:
    threads_api.fail_next(
        "/v1.0/me/threads",
        400,
        headers=throttled(2),
        body={"error": {"message": "Application request limit reached", "code": 4}},
    )
    with pytest.raises(TransientPublishError) as caught:
        threads(threads_api).publish(make_request(["Hallo"]))
    assert caught.value.retry_after == 120.0


def test_threads_text_is_counted_with_emoji_as_bytes(threads_api) -> None:
    with pytest.raises(PermanentPublishError, match="Threads allows 500"):
        threads(threads_api).publish(make_request(["🎉" * 126]))
    assert threads_api.containers == {}


THREADS = "/v1.0/me/threads"
REPLIES = "/v1.0/me/replies"


def test_threads_reconciler_finds_a_post_behind_250_newer_ones(threads_api) -> None:
    now = datetime.now(UTC)
    lost = threads_api.add_post("De verloren post.", at=now - timedelta(hours=2))
    seed(threads_api.add_post, 250, start=now - timedelta(hours=1))

    found = threads(threads_api).find_published(make_request(["De verloren post."]))

    assert found is not None
    assert found.remote_id == lost["id"]
    # Threads answers with cursors only: a full page with an after cursor is followed.
    pages = cursor_pages(threads_api, THREADS)
    assert len(pages) == 3
    assert all(p.query["after"] for p in pages[1:])


def test_threads_reconciler_reads_no_further_back_than_the_window(threads_api) -> None:
    now = datetime.now(UTC)
    threads_api.add_post("Van eergisteren.", at=now - timedelta(hours=50))
    seed(threads_api.add_post, 200, start=now - timedelta(hours=60), prefix="Oud")
    seed(threads_api.add_post, 150, start=now - timedelta(hours=1))

    assert threads(threads_api).find_published(make_request(["Van eergisteren."])) is None

    assert len(cursor_pages(threads_api, THREADS)) == 2


def test_threads_reconciler_that_runs_out_of_pages_cannot_tell(threads_api) -> None:
    seed(threads_api.add_post, 1050, start=datetime.now(UTC) - timedelta(hours=3))

    with pytest.raises(AccountUnreadableError, match="more than 1000 posts"):
        threads(threads_api).find_published(make_request(["Niet te vinden."]))

    assert len(cursor_pages(threads_api, THREADS)) == 10


def test_threads_reconciler_pages_back_to_a_thread_and_its_replies(threads_api) -> None:
    """A thread behind a burst: its first part is found pages back, its replies among replies
    to others, and reading the replies stops at the first part's time."""
    now = datetime.now(UTC)
    older = threads_api.add_post("Elders.", at=now - timedelta(hours=5))
    seed(
        lambda text, at: threads_api.add_post(text, at=at, reply_to=older["id"]),
        150,
        start=now - timedelta(hours=4),
        prefix="Antwoord eerder",
    )
    head = threads_api.add_post("Een.", at=now - timedelta(hours=2))
    seed(threads_api.add_post, 150, start=now - timedelta(minutes=100))
    second = threads_api.add_post("Twee.", at=now - timedelta(minutes=30), reply_to=head["id"])
    seed(
        lambda text, at: threads_api.add_post(text, at=at, reply_to=older["id"]),
        120,
        start=now - timedelta(minutes=20),
        prefix="Antwoord later",
    )

    found = threads(threads_api).find_published(make_request(["Een.", "Twee."]))
    assert found is not None
    assert found.raw["ids"] == [head["id"], second["id"]]

    with pytest.raises(PartlyPublishedError, match="2 of the 3 parts") as partly:
        threads(threads_api).find_published(make_request(["Een.", "Twee.", "Drie."]))
    assert list(partly.value.found_ids) == [head["id"], second["id"]]
    # 121 replies are newer than "Een.", so the second page of replies reaches back past it.
    assert len(cursor_pages(threads_api, REPLIES)) == 2 + 2
