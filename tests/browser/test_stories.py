"""A resident sends a story with a photo through the demo intake link with consent; an editor
finds it in the list, writes the photo's alt text, sets its focal point by clicking the photo and
accepts it. Screenshots of the intake page, the list and the story page.

New fields are found by id, not label: their Dutch labels arrive when the catalogue is merged."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from planner.demo.seed import DEMO_PEOPLE
from planner.demo.stories import DEMO_INTAKE_TOKEN
from tests.browser.conftest import screenshot, sign_in, upload_file
from tests.unit.media.sample_images import jpeg

pytestmark = pytest.mark.browser

EDITOR = next(p for p in DEMO_PEOPLE if p.role.value == "editor")
TITLE = "Het bankje bij de vijver is weer heel"


def test_resident_sends_story_and_editor_accepts_it(page: Any) -> None:
    page.goto(f"/i/{DEMO_INTAKE_TOKEN}")
    assert page.get_by_role("heading", level=1).inner_text() == "Deel je verhaal"
    page.get_by_label("Je naam").fill("Joyce Peters")
    page.get_by_label("Je e-mailadres (niet verplicht)").fill("joyce@example.org")
    page.get_by_label("Titel van je verhaal").fill(TITLE)
    page.get_by_label("Je verhaal", exact=True).fill(
        "Vorige week zat er nog een gat in het bankje bij de vijver.\n\nNu is het gemaakt!"
    )
    page.get_by_label("Ik geef Gemeente Zuiderhaven toestemming").check()
    page.get_by_label("Mijn naam mag bij het verhaal staan.").check()
    page.set_input_files(
        "#photos-0-file",
        files=[upload_file("bankje.jpg", jpeg(1200, 800))],
    )
    screenshot(page, "stories-intake")
    page.get_by_role("button", name="Verstuur mijn verhaal").click()
    page.wait_for_url(f"**/i/{DEMO_INTAKE_TOKEN}/thanks*")
    assert page.get_by_role("heading", level=1).inner_text() == "Bedankt voor je verhaal"

    sign_in(page, EDITOR.email, EDITOR.password)
    page.goto("/stories")
    page.get_by_label("Zoeken").fill("vijver")
    page.get_by_role("button", name="Filteren", exact=True).click()
    page.wait_for_url("**/stories?*")
    screenshot(page, "stories-list")
    page.get_by_role("link", name=TITLE).click()
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    assert page.get_by_text("Joyce Peters").first.is_visible()

    # the photo arrived without alt text: the page warns, the editor writes it
    photo = page.locator("article.photo").first
    assert page.locator("#photos .alert--warning").is_visible()
    alt_box = photo.locator("textarea[id$='-alt']")
    alt_box.fill("Het gerepareerde bankje bij de vijver, met nieuwe planken.")
    alt_box.locator("xpath=ancestor::form").locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#photos .alert--warning").count() == 0
    photo = page.locator("article.photo").first
    assert photo.locator("img.focal-picker__image").get_attribute("alt") == (
        "Het gerepareerde bankje bij de vijver, met nieuwe planken."
    )

    # click a quarter across and a third down: the focal point follows, crops are remade
    image = photo.locator("img.focal-picker__image")
    image.scroll_into_view_if_needed()
    box = image.bounding_box()
    assert box is not None
    with page.expect_navigation():
        page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] / 3)
    photo = page.locator("article.photo").first
    focal_x = float(photo.locator("input[id$='-focal_x']").input_value())
    focal_y = float(photo.locator("input[id$='-focal_y']").input_value())
    assert abs(focal_x - 0.25) < 0.03
    assert abs(focal_y - 1 / 3) < 0.03
    marker = photo.locator(".focal-picker__marker").get_attribute("style") or ""
    assert re.search(r"left: 2[45]\.\d+%", marker), marker
    crops = photo.locator(".crop img")
    assert crops.count() >= 5
    page.wait_for_function(
        "() => [...document.querySelectorAll('.crop img')].every(i => i.complete && i.naturalWidth > 0)"
    )

    page.get_by_role("button", name="Accepteren").click()
    page.wait_for_load_state()
    assert page.get_by_text("Het verhaal is geaccepteerd.").is_visible()
    screenshot(page, "stories-story")


def test_intake_page_without_consent_shows_the_error(page: Any) -> None:
    page.goto(f"/i/{DEMO_INTAKE_TOKEN}")
    page.get_by_label("Je naam").fill("Piet")
    page.get_by_label("Titel van je verhaal").fill("Zonder toestemming")
    page.get_by_label("Je verhaal", exact=True).fill("Tekst")
    page.get_by_role("button", name="Verstuur mijn verhaal").click()
    page.wait_for_load_state()
    assert page.get_by_text("alleen gebruiken als je toestemming geeft").is_visible()
    assert page.get_by_label("Titel van je verhaal").input_value() == "Zonder toestemming"


def test_intake_refuses_a_too_large_photo_before_sending(page: Any, tmp_path: Path) -> None:
    page.goto(f"/i/{DEMO_INTAKE_TOKEN}")
    page.get_by_label("Titel van je verhaal").fill("Grote foto")
    # A file on disk, not a buffer: Playwright hands a buffer over by fetching a data: URL in the
    # page, which the Content-Security-Policy (connect-src 'self') rightly refuses.
    big = tmp_path / "groot.jpg"
    big.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * (21 * 1024 * 1024))
    page.set_input_files("#photos-0-file", files=[str(big)], timeout=60_000)
    error = page.locator(".photo-limits__error")
    error.wait_for()
    assert "20 MB" in error.inner_text()
    assert page.locator("#photos-0-file").input_value() == ""
    assert page.get_by_label("Titel van je verhaal").input_value() == "Grote foto"


def test_deleting_a_photo_asks_first(page: Any) -> None:
    sign_in(page, EDITOR.email, EDITOR.password)
    page.goto("/stories")
    page.locator("a[href^='/stories/']").filter(has_text=re.compile(r"\w")).first.wait_for()
    # The first demo story with photos.
    for link in page.locator("table a[href^='/stories/']").all():
        href = link.get_attribute("href") or ""
        if re.fullmatch(r"/stories/\d+", href):
            page.goto(href)
            if page.locator("article.photo").count():
                break
    photos = page.locator("article.photo").count()
    assert photos > 0
    asked: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.locator("article.photo").first.get_by_role("button", name="Foto verwijderen").click()
    page.wait_for_timeout(300)  # a dismissed confirm must leave the page as it was
    assert page.locator("article.photo").count() == photos
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    with page.expect_navigation():
        page.locator("article.photo").first.get_by_role("button", name="Foto verwijderen").click()
    assert page.locator("article.photo").count() == photos - 1
    assert len(asked) == 2
    assert "niet ongedaan" in asked[0]
