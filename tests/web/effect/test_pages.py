"""The Effect page (charts with their tables and CSVs), a fragment's and a story's own figures,
figures typed in on the fragment's page, and goals with their progress on the dashboard."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.clock import FrozenClock
from planner.effect.models import ClickKind, Goal, GoalMetric, ManualMetric
from planner.effect.report import set_goal
from planner.effect.services import record_clicks
from planner.fragments.models import Fragment
from planner.stories.models import Campaign, Theme
from tests.web.effect.conftest import published

Login = Callable[[FlaskClient, User], FlaskClient]
DAY = date(2026, 11, 27)


def _clicked(db: Session, editor: User, clock: FrozenClock, clicks: int = 7) -> int:
    fragment, link, _pub = published(db, editor, clock.now(), title="Bibliotheek op zondag")
    theme = Theme(name="Cultuur")
    db.add(theme)
    fragment.story.themes = [theme]
    record_clicks(db, {(link.id, DAY, "social.test", ClickKind.PERSON): clicks})
    db.commit()
    return fragment.id


def test_the_effect_page_shows_charts_with_tables_and_csv(
    client: FlaskClient, db: Session, editor: User, clock: FrozenClock, login: Login
) -> None:
    _clicked(db, editor, clock)
    login(client, editor)
    page = client.get("/effect?month=2026-11")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for key in ("daily", "stories", "themes", "channels"):
        assert f'id="chart-{key}"' in html
        assert f'data-canvas="chart-{key}"' in html
        assert f"/effect/{key}.csv?month=2026-11" in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "<script>" not in html  # no inline script: effect.js reads the tables
    assert 'data-value="7"' in html
    assert "Bibliotheek op zondag" in html

    daily = client.get("/effect/daily.csv?month=2026-11")
    assert daily.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(daily.get_data(as_text=True))))
    assert len(rows) == 30  # one channel, every day of November
    assert {r["day"]: r["clicks"] for r in rows}["2026-11-27"] == "7"
    stories = list(
        csv.reader(io.StringIO(client.get("/effect/stories.csv").get_data(as_text=True)))
    )
    assert stories[0][:3] == ["id", "name", "clicks"]
    assert stories[1][1:3] == ["Bibliotheek op zondag", "7"]
    assert client.get("/effect/nothing.csv").status_code == 404


def test_the_effect_page_is_for_editors(
    client: FlaskClient, contributor: User, login: Login
) -> None:
    login(client, contributor)
    assert client.get("/effect").status_code == 403


def test_figures_typed_in_on_the_fragment_page_show_there_and_on_the_story(
    client: FlaskClient, db: Session, editor: User, clock: FrozenClock, login: Login
) -> None:
    fragment_id = _clicked(db, editor, clock)
    login(client, editor)
    saved = client.post(
        f"/fragments/{fragment_id}/metrics", data={"reach": "1200", "reactions": "14", "shares": ""}
    )
    assert saved.status_code == 302
    [metric] = db.scalars(select(ManualMetric)).all()
    assert (metric.reach, metric.reactions, metric.shares) == (1200, 14, 0)
    assert metric.entered_by_name == "Eddie Editor"
    refused = client.post(f"/fragments/{fragment_id}/metrics", data={"reach": "-3"})
    assert refused.status_code == 302
    assert len(db.scalars(select(ManualMetric)).all()) == 1

    page = client.get(f"/fragments/{fragment_id}").get_data(as_text=True)
    assert 'data-figure="clicks">7<' in page
    assert 'data-figure="reach">1.200<' in page or 'data-figure="reach">1,200<' in page
    fragment = db.get(Fragment, fragment_id)
    assert fragment is not None
    story_page = client.get(f"/stories/{fragment.story_id}").get_data(as_text=True)
    assert 'data-figure="reactions">14<' in story_page


def test_a_goal_shows_its_progress_on_the_effect_page_and_the_dashboard(
    client: FlaskClient, db: Session, editor: User, clock: FrozenClock, login: Login
) -> None:
    _clicked(db, editor, clock, clicks=40)
    theme = db.scalars(select(Theme)).one()
    login(client, editor)
    saved = client.post(
        "/effect/goals",
        data={
            "owner": f"theme:{theme.id}",
            "metric": "clicks",
            "target": "100",
            "starts_on": "2026-11-01",
            "due_on": "2026-12-31",
        },
    )
    assert saved.status_code == 302
    [goal] = db.scalars(select(Goal)).all()
    assert (goal.theme_id, goal.target) == (theme.id, 100)
    page = client.get("/effect?month=2026-11").get_data(as_text=True)
    assert 'value="40"' in page  # the progress bar: 40 of 100
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Cultuur: 40 of 100 (40%)" in dashboard or "Cultuur: 40 van 100 (40%)" in dashboard
    wrong = client.post(
        "/effect/goals",
        data={
            "owner": "theme:999999",
            "metric": "clicks",
            "target": "0",
            "starts_on": "2026-11-01",
            "due_on": (DAY + timedelta(days=3)).isoformat(),
        },
    )
    assert wrong.status_code == 302
    assert len(db.scalars(select(Goal)).all()) == 1
    removed = client.post(f"/effect/goals/{goal.id}/delete")
    assert removed.status_code == 302
    assert db.scalars(select(Goal)).all() == []


def test_goals_show_on_the_campaign_and_on_the_theme_balance(
    client: FlaskClient, db: Session, editor: User, clock: FrozenClock, login: Login
) -> None:
    fragment_id = _clicked(db, editor, clock, clicks=30)
    fragment = db.get(Fragment, fragment_id)
    assert fragment is not None
    theme = db.scalars(select(Theme)).one()
    campaign = Campaign(name="Zondag open", starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 31))
    fragment.story.campaign = campaign
    db.add(campaign)
    db.flush()
    set_goal(
        db,
        editor,
        campaign_id=campaign.id,
        metric=GoalMetric.CLICKS,
        target=60,
        starts_on=date(2026, 11, 1),
        due_on=date(2026, 12, 31),
    )
    set_goal(
        db,
        editor,
        theme_id=theme.id,
        metric=GoalMetric.CLICKS,
        target=120,
        starts_on=date(2026, 11, 1),
        due_on=date(2026, 12, 31),
    )
    db.commit()
    login(client, editor)
    campaign_page = client.get(f"/stories/campaigns/{campaign.id}").get_data(as_text=True)
    assert '<progress max="100" value="50"' in campaign_page  # 30 of 60
    assert 'value="25"' not in campaign_page  # the theme's goal is not the campaign's
    balance = client.get("/calendar/balance?start=2026-11-01&end=2026-11-30").get_data(as_text=True)
    assert '<progress max="100" value="25"' in balance  # 30 of 120
