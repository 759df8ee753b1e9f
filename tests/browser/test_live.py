"""Two editors in two browser contexts (issue 14): one schedules a fragment and the other's
calendar shows it without a reload; an inbox item one assigns to the other appears in the other's
bell; the crisis pause banner appears for both."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from playwright.sync_api import expect

from planner.demo.seed import DEMO_PEOPLE
from tests.browser.conftest import LiveServer, screenshot, sign_in

SANNE, DAAN = (p for p in DEMO_PEOPLE if p.role.value == "editor")


def _context(browser: Any, live_server: LiveServer) -> Any:
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.set_viewport_size({"width": 1440, "height": 1200})
    return page


def test_two_editors_see_each_others_changes_live(browser: Any, live_server: LiveServer) -> None:
    sanne = _context(browser, live_server)
    daan = _context(browser, live_server)
    try:
        sign_in(sanne, SANNE.email, SANNE.password, language="en")
        sign_in(daan, DAAN.email, DAAN.password, language="en")

        # Daan watches the calendar; his stream is open before Sanne plans.
        daan.goto("/calendar")
        expect(daan.locator("#calendar .fc-daygrid-body")).to_be_visible()
        expect(daan.locator("html[data-live=open]")).to_have_count(1)
        today = date.fromisoformat(
            daan.locator("#calendar td.fc-day-today").get_attribute("data-date")
        )
        day = next(
            d
            for d in (today + timedelta(days=n) for n in range(1, 20))
            if daan.locator(f'#calendar td[data-date="{d.isoformat()}"]').count()
        )

        sanne.goto("/calendar")
        item = sanne.locator(".to-plan__item").last
        fragment_id = item.get_attribute("data-fragment-id")
        assert daan.locator(f'#calendar [data-fragment-id="{fragment_id}"]').count() == 0
        item.locator("a", has_text="Schedule…").click()
        sanne.wait_for_url("**/schedule")
        sanne.get_by_label("Date").fill(day.isoformat())
        sanne.get_by_label("Time").fill("11:00")
        sanne.get_by_role("button", name="Plan", exact=True).click()
        expect(sanne.locator(".flash--success")).to_be_visible()
        planned = time.monotonic()
        landed = daan.locator(f'#calendar td[data-date="{day}"] [data-fragment-id="{fragment_id}"]')
        expect(landed).to_have_count(1, timeout=2_000)  # within two seconds, no reload
        print(f"schedule to the other's calendar: {time.monotonic() - planned:.2f} s")
        screenshot(daan, "live-calendar-other-editor")

        # Sanne gives Daan an inbox conversation; Daan's bell counts it without a reload.
        bell = daan.locator('[data-live-count="notifications"]')
        before = int(bell.text_content() or "0") if bell.is_visible() else 0
        sanne.goto("/inbox")
        sanne.locator(".inbox-list a, table a").first.click()
        sanne.get_by_label("Assigned to").select_option(label="Daan Visser")
        sanne.get_by_role("button", name="Assign", exact=True).click()
        expect(bell).to_have_text(str(before + 1), timeout=3_000)
        expect(bell).to_be_visible()

        # Sanne pauses everything: the banner appears on Daan's open page without a reload,
        # and on every page either of them opens next.
        sanne.goto("/publishing/pause")
        sanne.get_by_label("Why are you pausing?").fill("Ernstig ongeluk in de haven")
        sanne.get_by_role("button", name="Pause publishing now").click()
        expect(sanne.locator("[data-pause-banner]")).to_contain_text("Ernstig ongeluk")
        expect(daan.locator("[data-pause-banner]")).to_contain_text(
            "Ernstig ongeluk", timeout=2_000
        )
        daan.goto("/dashboard")
        expect(daan.locator("[data-pause-banner]")).to_contain_text("Ernstig ongeluk")
        screenshot(daan, "live-pause-banner")
    finally:
        sanne.goto("/publishing/pause")
        resume = sanne.get_by_role("button", name="Resume publishing")
        if resume.count():
            resume.first.click()
        sanne.context.close()
        daan.context.close()
