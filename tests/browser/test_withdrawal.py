"""Consent withdrawn, in chromium (issue 12 item 6): an editor withdraws consent on the story page;
the planned post says "Withdrawn" on its page and on the calendar, leaves the by-hand list, and the
post already made by hand shows up on the attention page as "Take this down" with its link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from planner.demo.seed import DEMO_PEOPLE
from planner.web import runtime
from tests.browser.conftest import LiveServer, screenshot, sign_in

pytestmark = pytest.mark.browser

AUTHOR, REVIEWER = [p for p in DEMO_PEOPLE if p.role.value == "editor"][:2]
TITLE = "Buurtmoestuur Zuidwijk"
POSTED_URL = "https://social.example/@zuiderhaven/4242"


def _story_with_two_posts(live_server: LiveServer) -> tuple[int, int, int]:
    """A fresh story with two approved by-hand posts: one planned for tomorrow, one already
    posted by hand. Returns (story id, planned fragment id, its delivery id)."""
    from sqlalchemy import select

    from planner.accounts.models import User
    from planner.approval import services as approval
    from planner.channels import services as channels
    from planner.db import write_session
    from planner.fragments import services as fragments
    from planner.publishing import deliveries
    from planner.scheduling import planning
    from planner.stories.models import Story, StorySource

    now = datetime.now(UTC)
    with write_session(runtime.session_factory(live_server.app)) as session:
        author = session.scalar(select(User).where(User.email == AUTHOR.email))
        reviewer = session.scalar(select(User).where(User.email == REVIEWER.email))
        assert author is not None
        assert reviewer is not None
        story = Story(title=TITLE, body="De moestuin.", language="nl", source=StorySource.EMPLOYEE)
        session.add(story)
        channel = channels.create_channel(
            session, author, name="Buurt-app", kind_key="mastodon", handle=None
        )
        channel.publisher_kind = "manual"
        channel.approval_steps = 1
        session.flush()
        made = []
        for _ in range(2):
            fragment = fragments.split_story(session, author, story, [channel.id])[0]
            fragments.update_fragment(
                session, author, fragment, parts=["Kom zaterdag naar de moestuin."], hashtags=[]
            )
            fragments.submit_for_review(session, author, fragment)
            approval.approve_fragment(session, reviewer, fragment, now)
            made.append(
                planning.schedule_fragment(session, author, fragment, now + timedelta(days=1), now)
            )
        planned, posted = made
        deliveries.mark_posted(session, author, posted, POSTED_URL, now)
        return story.id, planned.fragment_id, planned.id


def test_withdrawing_consent_stops_the_story_everywhere(page: Any, live_server: LiveServer) -> None:
    story_id, fragment_id, delivery_id = _story_with_two_posts(live_server)
    sign_in(page, AUTHOR.email, AUTHOR.password, language="en")
    page.goto("/publishing/by-hand")
    expect(page.locator(f"#delivery-{delivery_id}")).to_be_visible()

    page.goto(f"/stories/{story_id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Withdraw consent on request").click()
    page.wait_for_load_state()

    page.goto(f"/fragments/{fragment_id}")
    expect(page.locator(".page-header .badge--withdrawn, .badge--withdrawn").first).to_have_text(
        "Withdrawn"
    )

    page.goto("/publishing/by-hand")
    expect(page.locator(f"#delivery-{delivery_id}")).to_have_count(0)

    page.goto("/publishing/attention")
    takedown = page.locator(".attention--takedown").filter(has_text=TITLE)
    expect(takedown).to_be_visible()
    expect(takedown.get_by_text("Take this down")).to_be_visible()
    expect(takedown.get_by_role("link", name=POSTED_URL)).to_have_attribute("href", POSTED_URL)
    screenshot(page, "withdrawn-take-down")

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    page.goto(f"/calendar?date={tomorrow}")
    event = page.locator(
        f".cal-event--withdrawn[href$='/calendar/fragments/{fragment_id}/schedule']"
    )
    expect(event).to_be_visible()
    expect(event).to_contain_text("Withdrawn")
    screenshot(page, "withdrawn-calendar")

    page.goto("/publishing/attention")
    page.locator(".attention--takedown").filter(has_text=TITLE).get_by_role(
        "button", name="It has been taken down"
    ).click()
    page.wait_for_load_state()
    expect(page.locator(".attention--takedown").filter(has_text=TITLE)).to_have_count(0)
