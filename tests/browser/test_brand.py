"""The brand check in chromium: an admin imports a style package and reads the report, an editor
keeps the term list, types a forbidden term, sees it marked, fixes it with one click, and is
refused when an error goes back in."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from planner.demo.seed import DEMO_PEOPLE
from planner.web import runtime
from tests.browser.conftest import screenshot, sign_in

EDITOR = next(p for p in DEMO_PEOPLE if p.role.value == "editor")
ADMIN = next(p for p in DEMO_PEOPLE if p.role.value == "admin")
OTHER_EDITOR = [p for p in DEMO_PEOPLE if p.role.value == "editor"][1]


def _package(tmp_path: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "Huisstijl/Vaag.yml",
            "extends: existence\nmessage: \"Vermijd '%s'.\"\nlevel: warning\nignorecase: true\n"
            "tokens:\n  - best wel\n  - heel erg\n",
        )
        archive.writestr(
            "Huisstijl/examples/Vaag.yml",
            "valid: ['Het is mooi.']\ninvalid: ['Het is best wel mooi.']\n",
        )
        archive.writestr(
            "Huisstijl/Zeker.yml",
            "extends: existence\nmessage: \"Schrap '%s'.\"\nlevel: error\ntokens:\n  - zeker\n",
        )
        # Its examples contradict it: imported, named in the report, not activated.
        archive.writestr("Huisstijl/examples/Zeker.yml", "valid: ['Dat weten we zeker.']\n")
        archive.writestr("Huisstijl/Volgorde.yml", "extends: sequence\nmessage: x\ntokens: []\n")
    path = tmp_path / "huisstijl.zip"
    path.write_bytes(buffer.getvalue())
    return path


def test_admin_imports_a_style_package_and_reads_the_report(page: Any, tmp_path: Path) -> None:
    sign_in(page, ADMIN.email, ADMIN.password, language="en")
    page.goto("/settings/style")
    page.get_by_label("Name").fill("Huisstijl")
    page.get_by_label("Style package (.zip)").set_input_files(str(_package(tmp_path)))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Import report")).to_be_visible()
    report = page.locator(".import-report")
    expect(report).to_contain_text("Huisstijl.Vaag")
    expect(report.locator("tr", has_text="Huisstijl.Zeker")).to_contain_text(
        "Examples failed: not active"
    )
    expect(report.locator("tr", has_text="Huisstijl.Volgorde")).to_contain_text("Not runnable")
    screenshot(page, "brand-style-import-report")

    # A hostile zip is refused with a clear report; nothing is activated.
    bad = tmp_path / "bad.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../etc/Rule.yml", "extends: existence\nmessage: x\ntokens: [a]\n")
    bad.write_bytes(buffer.getvalue())
    page.goto("/settings/style")
    page.get_by_label("Name").fill("Kwaad")
    page.get_by_label("Style package (.zip)").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("alert")).to_contain_text("A path leaves the package.")
    expect(page.get_by_label("Name")).to_have_value("Kwaad")
    screenshot(page, "brand-style-import-refused")


def test_editor_keeps_the_term_list(page: Any) -> None:
    sign_in(page, EDITOR.email, EDITOR.password, language="en")
    page.goto("/settings/terms")
    page.get_by_label("Term", exact=True).fill("Stadswinkel")
    page.get_by_label("Forbidden variants").fill("stadsloket, gemeentewinkel")
    page.get_by_label("Note").fill("Sinds 2026 heet de balie in het stadhuis zo.")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".terms-table")).to_contain_text("stadsloket")
    # A duplicate is refused and what was typed stays.
    page.get_by_label("Term", exact=True).fill("stadswinkel")
    page.get_by_label("Forbidden variants").fill("balie")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".field__error")).to_contain_text("already on the list")
    expect(page.get_by_label("Forbidden variants")).to_have_value("balie")
    screenshot(page, "brand-term-list")


def _fresh_mastodon_draft(live_server: Any) -> int:
    """A new Mastodon draft of a demo story, so the shared demo drafts stay as they are."""
    from sqlalchemy import select

    from planner.accounts.models import User
    from planner.brand import services as brand_services
    from planner.brand.models import Term
    from planner.channels.models import Channel
    from planner.db import write_session
    from planner.fragments import services
    from planner.stories.models import Story

    factory = runtime.session_factory(live_server.app)
    with write_session(factory) as session:
        editor = session.scalar(select(User).where(User.email == EDITOR.email))
        channel = session.scalar(select(Channel).where(Channel.kind_key == "mastodon"))
        story = session.scalars(select(Story).order_by(Story.id)).first()
        assert editor is not None
        assert channel is not None
        assert story is not None
        if session.scalar(select(Term).where(Term.term == "Stadswinkel")) is None:
            brand_services.create_term(
                session,
                editor,
                term="Stadswinkel",
                forbidden=["stadsloket", "gemeentewinkel"],
                now=datetime.now(UTC),
            )
        return services.split_story(session, editor, story, [channel.id])[0].id


def test_editor_fixes_a_forbidden_term_and_cannot_pass_the_gate_with_an_error(
    page: Any, live_server: Any
) -> None:
    fragment_id = _fresh_mastodon_draft(live_server)
    sign_in(page, EDITOR.email, EDITOR.password, language="en")
    page.goto(f"/fragments/{fragment_id}")
    area = page.locator("textarea.fragment-part").first
    area.fill("Wij helpen onze klanten graag bij het stadsloket.")
    marked = page.locator("#live mark.hl--error", has_text="klanten")
    expect(marked).to_be_visible()
    # The term list works in the editor like any other rule.
    expect(page.locator("#live mark.hl--error", has_text="stadsloket")).to_be_visible()
    screenshot(page, "brand-editor-findings")

    page.locator("#live .js-replace", has_text="inwoners").first.click()
    expect(area).to_have_value(re.compile("onze inwoners graag"))
    expect(page.locator("#live mark", has_text="klanten")).to_have_count(0)
    page.locator("#live .js-replace", has_text="Stadswinkel").first.click()
    expect(area).to_have_value("Wij helpen onze inwoners graag bij het Stadswinkel.")
    expect(page.locator("#live mark.hl--error")).to_have_count(0)

    # Put an error back, save, and try to send it to review: refused, with the reason shown.
    area.fill("Onze klanten zijn welkom in het Havenpark.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flash--success")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    alert = page.get_by_role("alert").first
    expect(alert).to_contain_text("fix the errors")
    expect(alert).to_contain_text("inwoners")
    screenshot(page, "brand-editor-submit-refused")

    # Fixed, it goes to review; an error that comes back in review stops the approval.
    area = page.locator("textarea.fragment-part").first
    page.locator("#live .js-replace", has_text="Inwoners").first.click()
    expect(area).to_have_value("Onze inwoners zijn welkom in het Havenpark.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".flash--success")).to_be_visible()
    page.locator("textarea.fragment-part").first.fill("Onze klanten zijn welkom in het Havenpark.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flash--success")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, OTHER_EDITOR.email, OTHER_EDITOR.password, language="en")
    page.goto(f"/fragments/{fragment_id}")
    # The approval panel names the error that stands in the way and offers no approve button.
    panel = page.locator("#approval")
    held = panel.locator(".approval__held--errors")
    expect(held).to_contain_text("fixed in the text before anyone can approve")
    expect(held).to_contain_text("Schrijf 'inwoners' in plaats van 'klanten'.")
    expect(panel.get_by_role("button", name="Approve")).to_have_count(0)
    screenshot(page, "brand-editor-approve-refused")
