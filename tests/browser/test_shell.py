"""The journeys of the foundation in chromium: sign in, switch language, sign out, be refused,
and an axe-core scan of every page with no serious or critical violations."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from planner.demo.seed import DEMO_PEOPLE
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

ADMIN = next(p for p in DEMO_PEOPLE if p.role.value == "admin")
EDITOR = next(p for p in DEMO_PEOPLE if p.role.value == "editor")
CONTRIBUTOR = next(p for p in DEMO_PEOPLE if p.role.value == "contributor")


def test_editor_signs_in_switches_language_and_signs_out(page: Any) -> None:
    sign_in(page, EDITOR.email, EDITOR.password)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Fijn je te zien")
    screenshot(page, "dashboard-nl")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Good to see you")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in")
    page.goto("/dashboard")
    assert "/sign-in" in page.url


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(page: Any) -> None:
    sign_in(page, EDITOR.email, EDITOR.password)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Naar de inhoud"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_contributor_is_refused_an_admin_page(page: Any) -> None:
    sign_in(page, CONTRIBUTOR.email, CONTRIBUTOR.password)
    response = page.goto("/settings/users")
    assert response is not None
    assert response.status == 403
    assert "geen toegang" in page.get_by_role("heading", level=1).inner_text()


def test_wrong_password_shows_message_in_page(page: Any) -> None:
    page.goto("/sign-in")
    page.get_by_label("E-mailadres").fill(EDITOR.email)
    page.get_by_label("Wachtwoord").fill("not the password")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_be_visible()  # waits for the answer, unlike is_visible
    assert page.get_by_label("E-mailadres").input_value() == EDITOR.email


PAGES_BY_ROLE = {
    None: ["/sign-in", "/i/deel-je-verhaal-zuiderhaven", "/blog"],
    CONTRIBUTOR: ["/dashboard", "/account", "/stories", "/stories/new"],
    EDITOR: [
        "/dashboard",
        "/stories",
        "/stories/1",
        "/stories/7",
        "/stories/intake",
        "/stories/themes",
        "/stories/campaigns",
        "/stories/8",
        "/stories/1/edit",
        "/channels",
        "/fragments",
        "/fragments/1",
        "/stories/1/split",
        "/brand",
        "/settings/terms",
        "/channels/1/edit",
        "/calendar",
        "/calendar/balance",
        "/calendar/workload",
        "/calendar/slots",
        "/calendar/feeds",
        "/calendar/fragments/1/schedule",
        "/publishing/by-hand",
        "/publishing/attention",
    ],
    ADMIN: [
        "/settings/publishing",
        "/channels/1/publishing",
        "/settings/archive",
        "/settings",
        "/settings/users",
        "/settings/users/1",
        "/settings/users/new",
        "/settings/audit",
        "/stories/privacy",
        "/settings/style",
    ],
}


@pytest.mark.parametrize("person", list(PAGES_BY_ROLE), ids=lambda p: p.role.value if p else "anon")
def test_pages_have_no_serious_accessibility_violations(page: Any, person: Any) -> None:
    axe = Axe()
    if person is not None:
        sign_in(page, person.email, person.password)
    problems = []
    for path in PAGES_BY_ROLE[person]:
        for language in ("nl", "en"):
            page.context.clear_cookies() if person is None else None
            page.goto(path)
            results = axe.run(page)
            for violation in results.response["violations"]:
                if violation["impact"] in {"serious", "critical"}:
                    problems.append(f"{path} [{language}]: {violation['id']}: {violation['help']}")
            screenshot(page, f"a11y{path.replace('/', '-')}-{language}")
            page.get_by_role("button", name="English" if language == "nl" else "Nederlands").click()
            page.wait_for_load_state()
    assert problems == []
