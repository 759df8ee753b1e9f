"""The editor's previews show what readers get: an article or newsletter as rendered Markdown
(cleaned by nh3, unsaved text included), social text without doubled blank lines, Instagram's photo
above its caption, and a "too long" finding that quotes everything that does not fit."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.channels import services as channel_services
from planner.fragments import services
from tests import factories as make
from tests.conftest import EN, Login
from tests.web.fragments.test_fragment_photos_pages import _fragment


def test_an_article_preview_is_its_markdown_rendered_and_cleaned(
    client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    newsletter = make.channel(db, editor, "Nieuwsbrief", kind_key="newsletter")
    fragment = make.fragment(db, editor, newsletter, submit=False)
    login(client, editor)
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    live = page[page.index('id="live"') :]
    assert '<div class="pv pv--newsletter pv--article">' in live
    assert '<h3 class="pv__title">Veertig bankjes</h3>' in live
    assert '<p class="pv__lead">Het park is weer af.</p>' in live
    assert "<p>Dit jaar waren het er <strong>veertig</strong>.</p>" in live

    typed = client.post(
        f"/fragments/{fragment.id}/live",
        data={
            "title": "Nog niet bewaard",
            "lead": "",
            "body": "## Kop\n\n- een\n- twee\n\n<script>alert(1)</script>",
        },
        headers=EN,
    ).get_data(as_text=True)
    assert '<h3 class="pv__title">Nog niet bewaard</h3>' in typed
    assert "<h2>Kop</h2>" in typed
    assert "<li>een</li>" in typed
    assert "<script>" not in typed
    assert "pv__lead" not in typed


def test_a_blank_line_in_a_post_is_one_blank_line_in_the_preview(
    client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    fragment = make.fragment(db, editor, submit=False)
    login(client, editor)
    html = client.post(
        f"/fragments/{fragment.id}/live",
        data={"parts": "Kom langs!\n\nZaterdag #OpenDag"},
        headers=EN,
    ).get_data(as_text=True)
    assert 'Kom langs!<br><br>Zaterdag <span class="pv-hashtag">#OpenDag</span>' in html


def test_instagram_shows_the_photo_above_the_caption_and_mastodon_below(
    app: Flask, client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    login(client, editor)
    for kind, photo_first in (("instagram", True), ("mastodon", False)):
        fragment = _fragment(app, db, editor, ["Een bankje in het park"], kind)
        page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
        preview = page[page.index(f'<div class="pv pv--{kind}">') :]
        assert (preview.index("pv__media") < preview.index("pv__text")) is photo_first, kind


def test_a_too_long_finding_quotes_all_of_the_overflow(
    client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    channel = channel_services.create_channel(db, editor, name="Bluesky", kind_key="bluesky")
    fragment = make.fragment(db, editor, channel, submit=False)
    services.update_fragment(
        db, editor, fragment, parts=["Het Havenpark heeft nieuwe bankjes. " * 9 + "Tot zaterdag!"]
    )
    db.commit()
    login(client, editor)
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    finding = page[page.index('data-check="Channel.Length"') :]
    quote = finding[finding.index('<q class="finding__match">') :]
    quote = quote[len('<q class="finding__match">') : quote.index("</q>")]
    assert quote.endswith("Tot zaterdag!")
    assert len(quote) > 20
