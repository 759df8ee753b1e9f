"""A phone (390×844) can use every signed-in page: nothing is wider than the screen, the side
menu folds behind a button that works by keyboard, and the calendar opens in its list view."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from planner.demo.seed import DEMO_PEOPLE
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

ADMIN = next(p for p in DEMO_PEOPLE if p.role.value == "admin")
EDITOR = next(p for p in DEMO_PEOPLE if p.role.value == "editor")
PHONE = {"width": 390, "height": 844}

EDITOR_PAGES = [
    "/dashboard",
    "/stories",
    "/stories/1",
    "/fragments",
    "/fragments/1",
    "/calendar",
    "/inbox",
    "/inbox/report",
    "/calendar/balance",
    "/calendar/workload",
    "/publishing/by-hand",
    "/publishing/attention",
    "/stories/new",
    "/stories/1/split",
    "/stories/intake",
    "/inbox/1",
    "/inbox/ideas",
    "/calendar/slots",
    "/calendar/feeds",
    "/calendar/fragments/1/schedule",
    "/channels",
    "/brand",
    "/account",
]
ADMIN_PAGES = [
    "/settings",
    "/settings/users",
    "/settings/publishing",
    "/settings/audit",
    "/settings/archive",
    "/settings/style",
    "/settings/terms",
    "/inbox/settings",
]


def _width(page: Any) -> int:
    width: int = page.evaluate("document.scrollingElement.scrollWidth")
    return width


def _too_wide(page: Any) -> list[str]:
    """The elements that stick out past the right edge, to say why a page scrolls sideways."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
            .filter((el) => el.offsetParent !== null)
            .slice(0, 8)
            .map((el) => el.tagName.toLowerCase() + '.' + [...el.classList].join('.')
                 + ' ' + Math.round(el.getBoundingClientRect().right))"""
    )
    return found


@pytest.mark.parametrize(
    ("person", "paths"), [(EDITOR, EDITOR_PAGES), (ADMIN, ADMIN_PAGES)], ids=["editor", "admin"]
)
def test_every_signed_in_page_fits_a_phone(page: Any, person: Any, paths: list[str]) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, person.email, person.password)
    problems = []
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        screenshot(page, f"phone{path.replace('/', '-')}")
        if _width(page) > PHONE["width"]:
            problems.append(f"{path}: {_width(page)} px wide: {_too_wide(page)}")
    assert not problems, "\n".join(problems)


def test_the_side_menu_folds_behind_a_keyboard_button_on_a_phone(page: Any) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, EDITOR.email, EDITOR.password)
    menu = page.locator("nav.sidenav")
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu.get_by_role("link", name="Verhalen")).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Verhalen")).to_be_visible()
    screenshot(page, "phone-menu-open")
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    toggle.click()
    menu.get_by_role("link", name="Verhalen").click()
    page.wait_for_url("**/stories")
    assert _width(page) <= PHONE["width"]


def test_the_menu_button_is_not_there_on_a_laptop(page: Any) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, EDITOR.email, EDITOR.password)
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.locator("nav.sidenav").get_by_role("link", name="Verhalen")).to_be_visible()


def test_the_calendar_opens_as_a_list_on_a_phone(page: Any) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, EDITOR.email, EDITOR.password)
    page.goto("/calendar")
    expect(page.locator("#calendar .fc-list")).to_be_visible()
    expect(page.locator("#calendar .fc-daygrid-body")).to_have_count(0)
    screenshot(page, "phone-calendar-list")
    assert _width(page) <= PHONE["width"]
    link = page.locator("#calendar .fc-list-event a.cal-event__link").first
    link.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    box = dialog.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    page.screenshot(path=str(screenshot(page, "phone-calendar-peek")))  # the viewport, as seen
    dialog.get_by_role("button", name="Sluiten").click()
    expect(dialog).to_be_hidden()
    expect(link).to_be_focused()


def test_table_rows_become_cards_whose_cells_name_their_column(page: Any) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, EDITOR.email, EDITOR.password)
    page.goto("/stories")
    row = page.locator("table.table tbody tr").first
    status = row.locator('td[data-label="Status"]')
    expect(status).to_be_visible()
    label = status.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Status"'
    assert row.bounding_box()["width"] <= PHONE["width"]
    assert page.locator("table.table thead").bounding_box()["width"] <= 1
    page.set_viewport_size({"width": 1280, "height": 900})
    assert status.evaluate("td => getComputedStyle(td, '::before').content") == "none"


def test_filters_fold_behind_a_button_on_a_phone_unless_in_use(page: Any) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, EDITOR.email, EDITOR.password)
    page.goto("/calendar")
    form = page.get_by_role("search", name="Kalender filteren")
    toggle = page.get_by_role("button", name="Kalender filteren")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(form).to_be_hidden()
    expect(page.locator("#calendar .fc-list")).to_be_in_viewport()
    toggle.click()
    expect(form).to_be_visible()
    expect(form.get_by_label("Kanaal")).to_be_focused()
    page.goto("/stories?status=new")  # a filter in use: the form stays open
    expect(page.get_by_role("search", name="Verhalen filteren")).to_be_visible()
    expect(page.get_by_role("button", name="Verhalen filteren")).to_have_attribute(
        "aria-expanded", "true"
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/calendar")
    expect(page.get_by_role("search", name="Kalender filteren")).to_be_visible()
    expect(page.locator(".filters-toggle")).to_have_count(0)
