"""An editor opens a fragment, types, and sees the counter, the preview and the checks follow."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from planner.demo.seed import DEMO_PEOPLE
from planner.web import runtime
from tests.browser.conftest import screenshot, sign_in

EDITOR = next(p for p in DEMO_PEOPLE if p.role.value == "editor")
TEXT = "Wij helpen onze klanten graag in het Havenpark. Lees meer op https://zuiderhaven.example #Havenpark"


def test_editor_types_and_the_counter_preview_and_checks_follow(page: Any) -> None:
    sign_in(page, EDITOR.email, EDITOR.password, language="en")
    page.goto(page.url.split("/dashboard")[0].rstrip("/") + "/fragments")
    # a draft: published fragments are read-only
    # not yet published: a published fragment is read-only
    open_rows = page.locator("tbody tr").filter(has_not=page.locator(".badge--published"))
    open_rows.filter(has_text="Mastodon").locator("a").first.click()
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


def _thread_draft(live_server: Any) -> int:
    """A fresh Bluesky draft of a demo story, made a two-part thread (setup in the database, so
    the shared demo drafts other tests use stay as they are)."""
    from sqlalchemy import select

    from planner.accounts.models import User
    from planner.channels.models import Channel
    from planner.db import write_session
    from planner.fragments import services
    from planner.stories.models import Story

    factory = runtime.session_factory(live_server.app)
    with write_session(factory) as session:
        editor = session.scalar(select(User).where(User.email == EDITOR.email))
        channel = session.scalar(select(Channel).where(Channel.kind_key == "bluesky"))
        story = session.scalars(select(Story).order_by(Story.id)).first()
        assert editor is not None
        assert channel is not None
        assert story is not None
        fragment = services.split_story(session, editor, story, [channel.id])[0]
        fragment.kind = "thread"
        fragment.parts = ["Deel een van de draad.", "Deel twee van de draad."]
        session.flush()
        return fragment.id


def test_editor_adds_and_removes_thread_parts_with_the_keyboard(
    page: Any, live_server: Any
) -> None:
    fragment_id = _thread_draft(live_server)
    sign_in(page, EDITOR.email, EDITOR.password, language="en")
    page.goto(f"/fragments/{fragment_id}")
    parts = page.locator("textarea.fragment-part")
    expect(parts).to_have_count(2)
    add = page.get_by_role("button", name="Add a part")
    add.focus()
    page.keyboard.press("Enter")
    expect(parts).to_have_count(3)
    third = page.get_by_label("Part 3 of 3")
    expect(third).to_be_focused()
    page.keyboard.type("Het derde deel, met onze klanten.")
    expect(page.locator("#counter-part-2 .counter__count")).to_have_text(re.compile(r"^33 / 300$"))
    expect(page.locator("#live mark.hl--error", has_text="klanten")).to_be_visible()
    expect(page.locator("#thread-status")).to_have_text("Part 3 added.")
    screenshot(page, "fragment-thread-three-parts")

    # Remove the second part with the keyboard; the rest renumber and keep their counters.
    page.get_by_role("button", name="Remove part 2").focus()
    page.keyboard.press("Enter")
    expect(parts).to_have_count(2)
    expect(page.get_by_label("Part 1 of 2")).to_be_focused()
    expect(page.get_by_label("Part 2 of 2")).to_have_value("Het derde deel, met onze klanten.")
    expect(page.locator("#counter-part-1 .counter__count")).to_have_text("33 / 300")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flash--success")).to_be_visible()
    expect(parts).to_have_count(2)
    expect(page.get_by_label("Part 2 of 2")).to_have_value("Het derde deel, met onze klanten.")
    # One part left: it cannot be removed.
    page.get_by_role("button", name="Remove part 2").click()
    expect(page.get_by_role("button", name="Remove part 1")).to_be_disabled()


def test_previews_show_what_readers_get(page: Any) -> None:
    """Instagram: photo above the caption, one blank line stays one; an article: its text."""
    sign_in(page, EDITOR.email, EDITOR.password)
    page.goto("/fragments")
    # a draft: published fragments are read-only
    drafts = page.locator("tr", has=page.locator(".badge--draft"))
    drafts.filter(has_text="Instagram").locator("a").first.click()
    box = page.locator(".photo-picker__box").first
    if not box.is_checked():  # a demo post without a chosen photo: choose one (unsaved)
        box.check()
    preview = page.locator("#live .pv--instagram").first
    photo, caption = preview.locator(".pv__media"), preview.locator(".pv__text")
    expect(photo).to_be_visible()
    assert photo.bounding_box()["y"] < caption.bounding_box()["y"]
    page.locator("textarea.fragment-part").first.fill("Kom langs!\n\nZaterdag #OpenDag")
    expect(caption).to_contain_text("Kom langs!")
    assert caption.inner_text() == "Kom langs!\n\nZaterdag #OpenDag"
    screenshot(page, "fragment-preview-instagram")

    page.goto("/fragments")
    open_rows = page.locator("tbody tr").filter(has_not=page.locator(".badge--published"))
    open_rows.filter(has_text="Nieuws op zuiderhaven.nl").locator("a").first.click()
    article = page.locator("#live .pv--article")
    expect(article.locator(".pv__title")).to_be_visible()
    expect(article.locator(".pv__article p").first).to_be_visible()
    assert len(article.locator(".pv__article").inner_text()) > 200
    page.locator("textarea[name=body]").fill("## Een kop\n\nMet **vet** erin.")
    expect(article.locator(".pv__article")).to_have_text("Een kop\nMet vet erin.")
    expect(article.locator(".pv__article h2")).to_have_text("Een kop")
    expect(article.locator(".pv__article strong")).to_have_text("vet")
    screenshot(page, "fragment-preview-article")
