"""The effect in the API: figures typed in for a fragment (with who and when), and the figures
per fragment, story, channel, theme and campaign, which add up across all of them."""

from __future__ import annotations

from datetime import date, timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.accounts.services import create_token
from planner.clock import FrozenClock
from planner.effect.models import ClickKind, ReactionSnapshot
from planner.effect.services import record_clicks
from planner.stories.models import Campaign, Theme
from tests import factories as make
from tests.web.effect.conftest import published

DAY = date(2026, 11, 27)


def _bearer(db: Session, user: User) -> dict[str, str]:
    token = create_token(db, None, user, "test")
    db.commit()
    return {"Authorization": f"Bearer {token}"}


def _world(db: Session, editor: User, clock: FrozenClock) -> dict[str, int]:
    """Story A (campaign, themes Wonen and Groen) on two channels; story B (Wonen) on one."""
    wonen, groen = Theme(name="Wonen"), Theme(name="Groen")
    campaign = Campaign(name="Zondag open", starts_on=DAY, ends_on=DAY + timedelta(days=30))
    db.add_all([wonen, groen, campaign])
    mastodon = make.channel(db, editor, "Mastodon")
    newsletter = make.channel(db, editor, "Nieuwsbrief", kind_key="newsletter")
    a1, link_a1, pub_a1 = published(
        db, editor, clock.now(), channel=mastodon, title="A", code="Aaaa1111"
    )
    a2, link_a2, _ = published(
        db, editor, clock.now(), channel=newsletter, title="A2", code="Aaaa2222"
    )
    a2.story_id = a1.story_id
    b1, link_b1, _ = published(
        db, editor, clock.now(), channel=mastodon, title="B", code="Bbbb1111"
    )
    a1.story.campaign = campaign
    a1.story.themes = [wonen, groen]
    b1.story.themes = [wonen]
    record_clicks(
        db,
        {
            (link_a1.id, DAY, "social.test", ClickKind.PERSON): 10,
            (link_a1.id, DAY, "", ClickKind.BOT): 50,
            (link_a2.id, DAY, "mail.test", ClickKind.PERSON): 5,
            (link_b1.id, DAY + timedelta(days=1), "", ClickKind.PERSON): 2,
            (link_b1.id, DAY + timedelta(days=40), "", ClickKind.PERSON): 99,  # outside
        },
    )
    db.add(
        ReactionSnapshot(
            publication_id=pub_a1.id,
            fragment_id=a1.id,
            moment="1h",
            due_at=clock.now(),
            taken_at=clock.now(),
            favourites=4,
            reblogs=1,
            replies=2,
        )
    )
    db.commit()
    return {
        "a1": a1.id,
        "a2": a2.id,
        "b1": b1.id,
        "story_a": a1.story_id,
        "story_b": b1.story_id,
        "wonen": wonen.id,
        "groen": groen.id,
        "campaign": campaign.id,
        "mastodon": mastodon.id,
        "newsletter": newsletter.id,
    }


def _effect(client: FlaskClient, auth: dict[str, str], by: str) -> dict[int, tuple[int, ...]]:
    response = client.get(f"/api/v1/effect?by={by}&start=2026-11-01&end=2026-11-30", headers=auth)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["timezone"] == "Europe/Amsterdam"
    return {
        item["id"]: (item["clicks"], item["reactions"], item["shares"], item["reach"])
        for item in body["items"]
    }


def test_the_figures_add_up_across_fragment_story_channel_theme_and_campaign(
    client: FlaskClient, db: Session, editor: User, clock: FrozenClock
) -> None:
    ids = _world(db, editor, clock)
    auth = _bearer(db, editor)
    entered = client.post(
        f"/api/v1/fragments/{ids['a2']}/metrics",
        json={"reach": 800, "reactions": 6, "shares": 3},
        headers=auth,
    )
    assert entered.status_code == 201
    assert entered.get_json()["entered_by"] == "Eddie Editor"

    fragments = _effect(client, auth, "fragment")
    assert fragments == {
        ids["a1"]: (10, 6, 1, 0),  # bots left out; favourites + replies, boosts
        ids["a2"]: (5, 6, 3, 800),
        ids["b1"]: (2, 0, 0, 0),
    }
    stories = _effect(client, auth, "story")
    assert stories == {ids["story_a"]: (15, 12, 4, 800), ids["story_b"]: (2, 0, 0, 0)}
    channels = _effect(client, auth, "channel")
    assert channels == {ids["mastodon"]: (12, 6, 1, 0), ids["newsletter"]: (5, 6, 3, 800)}
    themes = _effect(client, auth, "theme")
    assert themes == {ids["wonen"]: (17, 12, 4, 800), ids["groen"]: (15, 12, 4, 800)}
    assert _effect(client, auth, "campaign") == {ids["campaign"]: (15, 12, 4, 800)}
    total = tuple(map(sum, zip(*fragments.values(), strict=True)))
    assert total == tuple(map(sum, zip(*stories.values(), strict=True)))
    assert total == tuple(map(sum, zip(*channels.values(), strict=True)))


def test_figures_typed_in_are_checked_and_need_an_editor(
    client: FlaskClient, db: Session, editor: User, contributor: User, clock: FrozenClock
) -> None:
    fragment, _link, _pub = published(db, editor, clock.now())
    url = f"/api/v1/fragments/{fragment.id}/metrics"
    editor_auth = _bearer(db, editor)
    assert client.post(url, json={"reach": -1}, headers=editor_auth).status_code == 422
    assert client.post(url, json={"reach": "veel"}, headers=editor_auth).status_code == 422
    missing = client.post("/api/v1/fragments/999999/metrics", json={}, headers=editor_auth)
    assert missing.status_code == 404
    refused = client.post(url, json={"reach": 5}, headers=_bearer(db, contributor))
    assert refused.status_code == 403
    bad_period = client.get(
        "/api/v1/effect?by=story&start=2026-11-30&end=2026-11-01", headers=editor_auth
    )
    assert bad_period.status_code == 422
