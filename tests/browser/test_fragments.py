"""An editor opens a fragment, types, and sees the counter, the preview and the checks follow."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from planner.demo.seed import DEMO_PEOPLE
from tests.browser.conftest import screenshot, sign_in

EDITOR = next(p for p in DEMO_PEOPLE if p.role.value == "editor")
TEXT = "Wij helpen onze klanten graag in het Havenpark. Lees meer op https://zuiderhaven.example #Havenpark"


def test_editor_types_and_the_counter_preview_and_checks_follow(page: Any) -> None:
    sign_in(page, EDITOR.email, EDITOR.password, language="en")
    page.goto(page.url.split("/dashboard")[0].rstrip("/") + "/fragments")
    page.locator("tr", has_text="Mastodon").locator("a").first.click()
    area = page.locator("textarea.fragment-part").first
    expect(area).to_be_visible()
    area.fill(TEXT)
    counter = page.locator("#counter-part-0 .counter__count")
    expect(counter).to_have_text(re.compile(r"^9\d / 500$"))
    preview = page.locator("#live .pv__text").first
    expect(preview).to_contain_text("klanten graag")
    expect(preview.locator(".pv-hashtag")).to_have_text("#Havenpark")
    replace = page.locator("#live .js-replace").first
    expect(replace).to_be_visible()
    screenshot(page, "fragment-editor-typing")
    replace.click()
    expect(area).to_have_value(re.compile("onze inwoners graag"))
    expect(preview).to_contain_text("inwoners graag")
    area.fill("x" * 510)
    expect(page.locator("#counter-part-0")).to_have_class(re.compile("counter--over"))
    screenshot(page, "fragment-editor-over-limit")
