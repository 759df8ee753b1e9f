"""Four eyes in chromium (issue 12, items 1-3): the author gets neither an approve button nor a
reviewer link; a colleague's approve form refuses once the text moved on; the reviewer's page
binds the version too, names the reviewer as a reviewer on the panel, and the link is spent."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_publishing import AUTHOR, REVIEWER, _factory, _fragment_in_review

pytestmark = pytest.mark.browser

EDITED = "Nieuwe bankjes in het Havenpark: kom ze zaterdag allemaal proberen."


def _edit_as_author(live_server: Any, fragment_id: int, text: str) -> None:
    """The author saves a new version meanwhile (in another tab, as it were)."""
    from sqlalchemy import select

    from planner.accounts.models import User
    from planner.db import write_session
    from planner.fragments import services
    from planner.fragments.models import Fragment

    with write_session(_factory(live_server)) as session:
        author = session.scalar(select(User).where(User.email == AUTHOR.email))
        fragment = session.get(Fragment, fragment_id)
        assert fragment is not None
        services.update_fragment(session, author, fragment, parts=[text])


def test_no_approval_of_ones_own_text_and_none_of_unseen_text(
    page: Any, browser: Any, live_server: Any
) -> None:
    fragment_id = _fragment_in_review(live_server)
    sign_in(page, AUTHOR.email, AUTHOR.password, language="en")
    page.goto(f"/fragments/{fragment_id}")
    panel = page.locator("#approval")
    expect(panel.get_by_role("button", name="Approve")).to_have_count(0)
    panel.get_by_text("Reviewer link for someone without an account").click()
    expect(panel.get_by_text("a colleague who did not makes the reviewer link")).to_be_visible()
    expect(panel.get_by_role("button", name="Make a reviewer link")).to_have_count(0)
    screenshot(page, "approval-author-no-link")

    # A colleague reads version 2; the author saves version 3; the old form does not approve it.
    sign_in(page, REVIEWER.email, REVIEWER.password, language="en")
    page.goto(f"/fragments/{fragment_id}")
    _edit_as_author(live_server, fragment_id, EDITED)
    panel.get_by_label("Comment (optional)").fill("Helder.")
    panel.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("The fragment changed after you read it")).to_be_visible()
    expect(page.get_by_label("Comment (optional)")).to_have_value("Helder.")
    screenshot(page, "approval-version-moved")

    # The colleague makes a reviewer link; the author edits again before the reviewer decides.
    page.goto(f"/fragments/{fragment_id}")
    panel.get_by_text("Reviewer link for someone without an account").click()
    panel.get_by_role("button", name="Make a reviewer link").click()
    url = page.locator("#review-url").input_value()
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    outside = browser.new_context(base_url=live_server.url, locale="en-GB")
    reviewer = outside.new_page()
    try:
        reviewer.goto(path)
        _edit_as_author(live_server, fragment_id, EDITED + " Tot zaterdag!")
        reviewer.get_by_label("Your name").fill(REVIEWER.name)
        reviewer.get_by_role("button", name="Approve").click()
        expect(reviewer.get_by_text("The fragment changed after you read it")).to_be_visible()
        expect(reviewer.get_by_text("Tot zaterdag!")).to_be_visible()  # the new text is shown
        expect(reviewer.get_by_label("Your name")).to_have_value(REVIEWER.name)
        screenshot(reviewer, "approval-reviewer-version-moved")
        reviewer.get_by_role("button", name="Approve").click()
        expect(reviewer.get_by_text("your approval has been recorded")).to_be_visible()
        reviewer.goto(path)
        expect(reviewer.get_by_text("already been used")).to_be_visible()
    finally:
        outside.close()

    # The typed name is a reviewer's, even when it is a staff member's name.
    page.goto(f"/fragments/{fragment_id}")
    expect(
        panel.get_by_text(re.compile(rf"Approved by reviewer {REVIEWER.name} \(via a link"))
    ).to_be_visible()
    screenshot(page, "approval-reviewer-marked")
