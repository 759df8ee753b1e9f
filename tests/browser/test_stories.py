"""A resident sends a story through the demo intake link with consent; an editor finds it in the
list and accepts it. Screenshots of the intake page, the list and the story page."""

from __future__ import annotations

from typing import Any

import pytest

from planner.demo.seed import DEMO_PEOPLE
from planner.stories.demo import DEMO_INTAKE_TOKEN
from tests.browser.conftest import screenshot, sign_in

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
    screenshot(page, "stories-intake")
    page.get_by_role("button", name="Verstuur mijn verhaal").click()
    page.wait_for_url(f"**/i/{DEMO_INTAKE_TOKEN}/thanks")
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
