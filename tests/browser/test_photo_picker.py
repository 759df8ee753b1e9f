"""The photo picker in a real browser: chosen with the keyboard only, kept within the channel's
limit, and the live preview follows with the crop and its alt text."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from planner.web import runtime
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_fragments import EDITOR

pytestmark = pytest.mark.browser


def _draft_with_photos(live_server: Any, kind_key: str, limit: int) -> tuple[int, list[int]]:
    """A fresh draft of a demo story with at least ``limit + 1`` described photos."""
    from sqlalchemy import select

    from planner.accounts.models import User
    from planner.channels import services as channel_services
    from planner.db import write_session
    from planner.fragments import services
    from planner.stories.models import Photo, Story
    from tests.unit.media.sample_images import jpeg

    app = live_server.app
    factory = runtime.session_factory(app)
    with write_session(factory) as session:
        editor = session.scalar(select(User).where(User.email == EDITOR.email))
        story = session.scalars(select(Story).order_by(Story.id)).first()
        assert editor is not None
        assert story is not None
        storage = runtime.storage(app)
        for n in range(limit + 1 - len(story.photos)):
            key = storage.put(jpeg(1200 + n, 800), ".jpg")
            story.photos.append(
                Photo(
                    storage_key=key,
                    width=1200 + n,
                    height=800,
                    mime="image/jpeg",
                    byte_size=1,
                    sha256=key[:64],
                    alt_text=f"Extra foto {n}",
                    position=100 + n,
                )
            )
        session.flush()
        channel = channel_services.create_channel(
            session, editor, name=f"Picker {kind_key} {story.id}", kind_key=kind_key
        )
        fragment = services.split_story(session, editor, story, [channel.id])[0]
        session.flush()
        return fragment.id, [p.id for p in story.photos]


def test_photo_picker_with_the_keyboard_and_the_cropped_preview(
    page: Any, live_server: Any
) -> None:
    fragment_id, photo_ids = _draft_with_photos(live_server, "youtube", 1)  # one 16:9 thumbnail
    sign_in(page, EDITOR.email, EDITOR.password, language="en")
    page.goto(f"/fragments/{fragment_id}")
    boxes = page.locator(".photo-picker__box")
    expect(boxes).to_have_count(len(photo_ids))
    chosen = page.locator(".photo-picker__box:checked")
    expect(chosen).to_have_count(1)
    expect(page.locator(".photo-picker__box:disabled")).to_have_count(len(photo_ids) - 1)

    # Untick with the keyboard: every box becomes available; tick another one with Space.
    chosen.first.focus()
    page.keyboard.press("Space")
    expect(page.locator(".photo-picker__box:disabled")).to_have_count(0)
    expect(page.locator("#photo-picker-status")).to_have_text("0 of 1 photos chosen.")
    expect(page.locator("#live .pv__photo img")).to_have_count(0)
    other = boxes.nth(len(photo_ids) - 1)
    other.focus()
    page.keyboard.press("Space")
    expect(other).to_be_checked()
    expect(page.locator("#photo-picker-status")).to_have_text("1 of 1 photos chosen.")

    image = page.locator("#live .pv__photo img")
    expect(image).to_have_count(1)
    expect(image).to_have_attribute("src", f"/media/photos/{photo_ids[-1]}/youtube")
    expect(image).to_have_attribute("alt", re.compile(r"\S"))
    page.wait_for_function(
        "() => { const i = document.querySelector('#live .pv__photo img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    ratio = page.evaluate(
        "() => { const i = document.querySelector('#live .pv__photo img');"
        " return i.naturalWidth / i.naturalHeight; }"
    )
    assert abs(ratio - 16 / 9) < 0.01
    screenshot(page, "fragment-editor-photo-picker")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".photo-picker__box:checked")).to_have_count(1)
    expect(page.locator(f"#photo-{photo_ids[-1]}")).to_be_checked()
