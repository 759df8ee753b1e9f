"""An editor reads the Effect page in chromium (Dutch, the demo's organisation): four charts drawn by Chart.js from the
tables beside them, the demo's month of clicks and reactions, a story's own figures; screenshots
in test-artifacts/ and no serious accessibility problems."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from planner.demo.seed import DEMO_PEOPLE
from tests.browser.conftest import screenshot, sign_in

EDITOR = next(p for p in DEMO_PEOPLE if p.role.value == "editor")
CHARTS = ("daily", "stories", "themes", "channels")


def test_the_effect_page_draws_its_charts_from_its_tables(page: Any) -> None:
    sign_in(page, EDITOR.email, EDITOR.password)
    page.set_viewport_size({"width": 1440, "height": 1200})
    page.locator('nav a[href="/effect"]').click()
    expect(page.locator("h1")).to_have_text("Effect")
    for key in CHARTS:
        expect(page.locator(f"#chart-{key}")).to_have_attribute("data-drawn", re.compile(r"^\d+$"))
        table = page.locator(f'table[data-canvas="chart-{key}"]')
        expect(table.locator("tbody tr").first).to_be_visible()
    # the demo's month: the newsletter and Mastodon brought people in, every day has a row
    assert page.locator('table[data-canvas="chart-daily"] tbody tr').count() == 30
    daily_drawn = int(page.locator("#chart-daily").get_attribute("data-drawn") or 0)
    assert daily_drawn >= 8  # clicks and reactions for at least four channels
    clicks = page.locator('table[data-canvas="chart-channels"] tbody td:nth-of-type(1)')
    assert (
        sum(int(v) for v in clicks.evaluate_all("cells => cells.map(c => c.dataset.value)")) > 500
    )
    box = page.locator("#chart-daily").bounding_box()
    assert box is not None
    assert box["height"] > 100  # drawn, not collapsed
    expect(page.locator('a[href^="/effect/daily.csv"]')).to_be_visible()
    expect(page.locator("#goals progress").first).to_be_visible()
    screenshot(page, "effect-page")


def test_a_story_shows_its_own_figures(page: Any) -> None:
    sign_in(page, EDITOR.email, EDITOR.password)
    page.goto("/effect")
    page.locator('table[data-canvas="chart-stories"] tbody th a').first.click()
    figures = page.locator("section#effect")
    expect(figures).to_be_visible()
    clicks = figures.locator('dd[data-figure="clicks"]').inner_text()
    assert int(clicks.replace(".", "")) > 0
    figures.scroll_into_view_if_needed()
    screenshot(page, "effect-story-figures")


def test_the_effect_page_has_no_serious_accessibility_problems(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    sign_in(page, EDITOR.email, EDITOR.password)
    axe = Axe()
    problems = []
    for path in ("/effect", "/effect?month=2026-11", "/stories/3"):
        page.goto(path)
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in {"serious", "critical"}:
                problems.append(f"{path}: {violation['id']}: {violation['help']}")
    assert problems == []
