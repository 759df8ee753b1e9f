"""An editor plans on the calendar in chromium: a drag that sticks after a reload, a refused drag
that explains itself, and screenshots of the month view, the workload and the theme balance."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from playwright.sync_api import expect

from planner.demo.seed import DEMO_PEOPLE
from tests.browser.conftest import screenshot, sign_in

EDITOR = next(p for p in DEMO_PEOPLE if p.role.value == "editor")
PAGES = [
    "/calendar",
    "/calendar/balance",
    "/calendar/workload",
    "/calendar/slots",
    "/calendar/feeds",
    "/calendar/fragments/1/schedule",
]


def _open_calendar(page: Any) -> None:
    page.set_viewport_size({"width": 1440, "height": 1200})
    page.goto("/calendar")
    expect(page.locator("#calendar .fc-daygrid-body")).to_be_visible()
    expect(page.locator("#calendar .fc-event").first).to_be_visible()


def _drag(page: Any, source: Any, target: Any) -> None:
    """FullCalendar follows real pointer moves, so move in steps rather than teleporting."""
    source.scroll_into_view_if_needed()
    box = source.bounding_box()
    goal = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(100)
    page.mouse.move(box["x"] + box["width"] / 2 + 8, box["y"] + box["height"] / 2 + 8, steps=4)
    page.wait_for_timeout(100)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] / 2, steps=15)
    page.wait_for_timeout(100)
    page.mouse.up()


def _movable(page: Any, after: date) -> tuple[str, date]:
    """An editable event on a day after ``after`` whose next day is still in view."""
    for event in page.locator("#calendar .fc-event.fc-event-draggable").all():
        cell = event.locator("xpath=ancestor::td[@data-date]")
        day = date.fromisoformat(cell.get_attribute("data-date"))
        nxt = (day + timedelta(days=1)).isoformat()
        if day > after and page.locator(f'#calendar td[data-date="{nxt}"]').count():
            return event.get_attribute("data-fragment-id"), day
    raise AssertionError("no movable event in view")


def test_editor_drags_a_fragment_to_another_day_and_it_stays(page: Any) -> None:
    sign_in(page, EDITOR.email, EDITOR.password, language="en")
    _open_calendar(page)
    today = date.fromisoformat(page.locator("#calendar td.fc-day-today").get_attribute("data-date"))
    fragment_id, day = _movable(page, today)
    target_day = (day + timedelta(days=1)).isoformat()
    source = page.locator(f'#calendar [data-fragment-id="{fragment_id}"]')
    _drag(page, source, page.locator(f'#calendar td[data-date="{target_day}"]'))

    expect(page.locator("#calendar-message")).to_contain_text("is planned for")
    page.reload()
    expect(page.locator("#calendar .fc-event").first).to_be_visible()
    moved = page.locator(
        f'#calendar td[data-date="{target_day}"] [data-fragment-id="{fragment_id}"]'
    )
    expect(moved).to_have_count(1)
    screenshot(page, "calendar-month-after-drag")


def test_a_move_into_the_past_is_refused_with_its_reason(page: Any) -> None:
    sign_in(page, EDITOR.email, EDITOR.password, language="en")
    _open_calendar(page)
    today = date.fromisoformat(page.locator("#calendar td.fc-day-today").get_attribute("data-date"))
    fragment_id, day = _movable(page, today)
    past = page.locator(f'#calendar td[data-date="{(today - timedelta(days=1)).isoformat()}"]')
    _drag(page, page.locator(f'#calendar [data-fragment-id="{fragment_id}"]'), past)

    message = page.locator("#calendar-message")
    expect(message).to_have_text("Choose a time in the future.")
    expect(message).to_have_class("cal-message cal-message--error")
    back = page.locator(
        f'#calendar td[data-date="{day.isoformat()}"] [data-fragment-id="{fragment_id}"]'
    )
    expect(back).to_have_count(1)
    screenshot(page, "calendar-refused-move")


def test_month_workload_and_balance_look_good(page: Any) -> None:
    sign_in(page, EDITOR.email, EDITOR.password)
    page.set_viewport_size({"width": 1440, "height": 1000})
    _open_calendar(page)
    screenshot(page, "calendar-month")
    page.get_by_role("button", name="week").click()
    expect(page.locator("#calendar .fc-timegrid")).to_be_visible()
    screenshot(page, "calendar-week")
    page.goto("/calendar/workload")
    expect(page.locator(".fte-summary__number").first).to_be_visible()
    screenshot(page, "calendar-workload")
    page.goto("/calendar/balance")
    expect(page.locator(".balance__row").first).to_be_visible()
    screenshot(page, "calendar-balance")


def test_calendar_pages_and_the_reviewer_link_pass_axe(page: Any, browser: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    sign_in(page, EDITOR.email, EDITOR.password, language="en")
    page.goto("/calendar/feeds")
    page.get_by_label("For whom").fill("Wethouder Jansen")
    page.get_by_role("button", name="Create link").click()
    link = page.locator(".alert--success code.token").inner_text()
    problems = []
    for path in [
        "/calendar",
        "/calendar/feeds",
        "/calendar/slots",
        "/calendar/fragments/1/schedule",
    ]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in {"serious", "critical"}:
                nodes = [node["html"] for node in violation["nodes"]][:3]
                problems.append(f"{path}: {violation['id']}: {violation['help']} {nodes}")

    stranger = browser.new_context(locale="en-GB").new_page()
    stranger.goto(link)
    expect(stranger.get_by_role("heading", name="Editorial calendar")).to_be_visible()
    expect(stranger.locator(".agenda__item").first).to_be_visible()
    for violation in axe.run(stranger).response["violations"]:
        if violation["impact"] in {"serious", "critical"}:
            problems.append(f"shared: {violation['id']}: {violation['help']}")
    screenshot(stranger, "calendar-shared-with-reviewer")
    stranger.context.close()
    assert problems == []


def test_keyboard_scheduling_refuses_the_gap_and_asks_in_the_overlap(page: Any) -> None:
    sign_in(page, EDITOR.email, EDITOR.password, language="en")
    page.goto("/calendar")
    link = page.locator(".to-plan__item a", has_text="Schedule…").first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/schedule")

    page.get_by_label("Date").fill("2027-03-28")
    page.get_by_label("Time").fill("02:30")
    page.get_by_role("button", name="Plan", exact=True).press("Enter")
    expect(page.locator(".field__error")).to_contain_text(
        "02:30 does not exist on 28 March 2027 in Europe/Amsterdam"
    )
    expect(page.get_by_label("Date")).to_have_value("2027-03-28")

    page.get_by_label("Time").fill("02:30")
    page.get_by_label("Date").fill("2027-10-31")
    page.get_by_role("button", name="Plan", exact=True).click()
    expect(page.locator(".fold-choice")).to_be_visible()
    expect(page.get_by_label("The first time: 02:30 (UTC+02:00)")).to_be_checked()
    screenshot(page, "calendar-schedule-overlap")
    page.get_by_label("The second time: 02:30 (UTC+01:00)").check()
    page.get_by_role("button", name="Plan", exact=True).click()
    expect(page.locator(".flash--success")).to_contain_text("The fragment has been planned.")


def test_a_fragment_dragged_from_the_list_to_plan_lands_on_that_day(page: Any) -> None:
    sign_in(page, EDITOR.email, EDITOR.password, language="en")
    _open_calendar(page)
    today = date.fromisoformat(page.locator("#calendar td.fc-day-today").get_attribute("data-date"))
    item = page.locator(".to-plan__item").first
    fragment_id = item.get_attribute("data-fragment-id")
    day = next(
        d
        for d in (today + timedelta(days=n) for n in range(1, 9))
        if page.locator(f'#calendar td[data-date="{d.isoformat()}"]').count()
    )
    _drag(page, item.locator(".to-plan__title"), page.locator(f'#calendar td[data-date="{day}"]'))

    expect(page.locator("#calendar-message")).to_contain_text("is planned for")
    expect(page.locator(f'.to-plan__item[data-fragment-id="{fragment_id}"]')).to_have_count(0)
    page.reload()
    landed = page.locator(f'#calendar td[data-date="{day}"] [data-fragment-id="{fragment_id}"]')
    expect(landed).to_have_count(1)


def test_an_event_opens_a_look_at_the_post_that_escape_closes(page: Any) -> None:
    sign_in(page, EDITOR.email, EDITOR.password)
    _open_calendar(page)
    event = page.locator("#calendar .fc-daygrid-body a.fc-event").first
    # a legible title and the channel's mark on every event in the month grid
    title = event.locator(".cal-event__title")
    expect(title).to_be_visible()
    assert title.evaluate("el => el.getBoundingClientRect().width") > 60
    expect(event.locator(".cal-event__icon")).not_to_be_empty()
    fragment_id = event.get_attribute("data-fragment-id")
    event.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".peek__title")).to_have_text(title.inner_text())
    expect(dialog.locator(".peek__approvals")).to_contain_text("Goedkeuring")
    expect(dialog.locator(".badge").first).to_be_visible()
    fragment_link = dialog.get_by_role("link", name="Fragment openen")
    expect(fragment_link).to_have_attribute("href", f"/fragments/{fragment_id}")
    screenshot(page, "calendar-peek")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement.dataset.fragmentId") == fragment_id
    assert "/calendar" in page.url


def test_the_list_view_shows_dark_titles_on_white(page: Any) -> None:
    sign_in(page, EDITOR.email, EDITOR.password)
    _open_calendar(page)
    page.get_by_role("button", name="lijst").click()
    title = page.locator("#calendar .fc-list-event .cal-event__title").first
    expect(title).to_be_visible()
    colour = title.evaluate("el => getComputedStyle(el).color")
    background = title.evaluate("el => getComputedStyle(el.closest('td')).backgroundColor")
    assert colour == "rgb(29, 36, 51)", colour  # --ink
    assert background in {"rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"}, background
    expect(page.locator("#calendar .fc-list-event .cal-event__icon").first).not_to_be_empty()
    screenshot(page, "calendar-list")


CONTRAST = """(el) => {
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  let back = el;
  while (back && (getComputedStyle(back).backgroundColor === "rgba(0, 0, 0, 0)")) {
    back = back.parentElement;
  }
  const fg = lum(rgb(getComputedStyle(el).color));
  const bg = lum(rgb(back ? getComputedStyle(back).backgroundColor : "rgb(255, 255, 255)"));
  return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
}"""
INSIDE = """(el) => {
  const box = el.closest('.fc-event').getBoundingClientRect();
  const own = el.getBoundingClientRect();
  return own.bottom <= box.bottom + 1 && own.top >= box.top - 1 && own.width > 20;
}"""


def test_every_view_shows_a_legible_title_with_the_channel_mark(page: Any) -> None:
    sign_in(page, EDITOR.email, EDITOR.password)
    _open_calendar(page)
    problems = []
    toolbar = page.locator("#calendar .fc-header-toolbar")
    for view in ("Maand", "Week", "Dag", "Lijst"):
        toolbar.get_by_role("button", name=view, exact=True).click()
        titles = page.locator("#calendar .fc-event .cal-event__title")
        if view == "Dag":  # today may be empty: step to a day that has a post
            for _step in range(14):
                if titles.count():
                    break
                toolbar.locator(".fc-next-button").click()
        expect(titles.first).to_be_visible()
        for index in range(min(titles.count(), 12)):
            title = titles.nth(index)
            if not title.is_visible():
                continue
            ratio = title.evaluate(CONTRAST)
            if ratio < 4.5:
                problems.append(f"{view}: {title.inner_text()!r} contrast {ratio:.2f}")
            if not title.evaluate(INSIDE):
                problems.append(f"{view}: {title.inner_text()!r} spills out of its event")
            icon = title.locator("xpath=ancestor::*[contains(@class,'fc-event')][1]").locator(
                ".cal-event__icon"
            )
            if not icon.inner_text().strip():
                problems.append(f"{view}: {title.inner_text()!r} has no channel mark")
        screenshot(page, f"calendar-view-{view}")
    assert not problems, "\n".join(problems)
