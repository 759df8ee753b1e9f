"""The fragment pages through the test client: channels, splitting, the editor with its live
partial, saving a version, the review gate, and who may open them."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.channels import services as channel_services
from planner.channels.models import Channel
from planner.fragments import services
from planner.fragments.models import Fragment, FragmentStatus
from planner.stories.models import Story, StorySource
from tests.conftest import EN, Login


def _story(db: Session) -> Story:
    story = Story(
        title="Veertig bankjes",
        body="Mehmet repareert elke week de bankjes in het Havenpark. Dit jaar al veertig.",
        language="nl",
        source=StorySource.EMPLOYEE,
    )
    db.add(story)
    db.flush()
    return story


def _channel(db: Session, editor: User) -> Channel:
    return channel_services.create_channel(
        db, editor, name="Mastodon", kind_key="mastodon", handle="@zuiderhaven@social.example"
    )


def _fragment(db: Session, editor: User) -> Fragment:
    fragment = services.split_story(db, editor, _story(db), [_channel(db, editor).id])[0]
    db.commit()
    return fragment


def test_channels_page_adds_a_channel(client: FlaskClient, login: Login, editor: User) -> None:
    login(client, editor)
    response = client.post(
        "/channels",
        data={
            "name": "Bluesky",
            "kind_key": "bluesky",
            "colour": "#0A5CC2",
            "timezone": "Europe/Amsterdam",
            "cadence_per_week": "3",
        },
        headers=EN,
    )
    assert response.status_code == 302
    page = client.get("/channels", headers=EN).get_data(as_text=True)
    assert "Bluesky" in page
    assert "300" in page


def test_story_page_offers_splitting_in_its_spread_box(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    story = _story(db)
    db.commit()
    login(client, editor)
    page = client.get(f"/stories/{story.id}", headers=EN).get_data(as_text=True)
    spread = page[page.index('id="spread"') :]
    assert f'href="/stories/{story.id}/split"' in spread
    assert "Split over channels" in spread
    dutch = client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert f'href="/stories/{story.id}/split"' in dutch


def test_story_page_offers_no_splitting_once_consent_is_withdrawn(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    story = _story(db)
    story.consent_withdrawn_at = story.created_at
    db.commit()
    login(client, editor)
    page = client.get(f"/stories/{story.id}", headers=EN).get_data(as_text=True)
    assert f'href="/stories/{story.id}/split"' not in page


def test_split_page_makes_drafts_and_lands_on_an_overview_of_them(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    story = _story(db)
    channel = _channel(db, editor)
    blog = channel_services.create_channel(db, editor, name="Nieuws", kind_key="blog")
    db.commit()
    login(client, editor)
    assert client.get(f"/stories/{story.id}/split", headers=EN).status_code == 200
    response = client.post(
        f"/stories/{story.id}/split",
        data={"channels": [str(channel.id), str(blog.id)]},
        headers=EN,
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/fragments?")
    assert f"story={story.id}" in location
    made = services.list_fragments(db, editor, story_id=story.id)
    assert len(made) == 2
    page = client.get(location, headers=EN).get_data(as_text=True)
    assert "2 drafts have been made." in page
    assert "Fragments of “Veertig bankjes”" in page
    for fragment in made:
        assert f'href="/fragments/{fragment.id}"' in page
    assert page.count('class="badge badge--ok">new<') == 2
    assert "Mastodon" in page
    assert "Nieuws" in page


def test_editor_page_renders_counter_and_preview(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _fragment(db, editor)
    login(client, editor)
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert 'id="counter-part-0"' in page
    assert "/ 500" in page
    assert 'hx-post="/fragments/' in page
    assert "pv__avatar" in page
    assert client.get("/fragments", headers=EN).status_code == 200


def test_live_partial_returns_counter_and_findings(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _fragment(db, editor)
    login(client, editor)
    response = client.post(
        f"/fragments/{fragment.id}/live",
        data={"parts": "Wij helpen onze klanten graag. #OpenDag"},
        headers=EN,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "39 / 500" in html
    assert 'hx-swap-oob="true"' in html
    assert "inwoners" in html
    assert 'data-replacement="inwoners"' in html


def test_live_partial_marks_text_over_the_limit(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _fragment(db, editor)
    login(client, editor)
    html = client.post(
        f"/fragments/{fragment.id}/live", data={"parts": "a" * 510}, headers=EN
    ).get_data(as_text=True)
    assert "counter--over" in html
    assert "10 too many" in html


def test_save_creates_a_version(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _fragment(db, editor)
    login(client, editor)
    response = client.post(
        f"/fragments/{fragment.id}",
        data={"parts": "Nieuwe bankjes in het Havenpark.", "version": "1", "hashtags": "#Park"},
    )
    assert response.status_code == 302
    db.refresh(fragment)
    assert fragment.version == 2
    assert fragment.hashtags == ["Park"]


def test_submit_refused_with_findings_then_accepted(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _fragment(db, editor)
    services.update_fragment(db, editor, fragment, parts=["Wij helpen onze klanten graag."])
    db.commit()
    login(client, editor)
    refused = client.post(f"/fragments/{fragment.id}/submit", headers=EN)
    assert refused.status_code == 409
    assert "inwoners" in refused.get_data(as_text=True)
    services.update_fragment(db, editor, fragment, parts=["Het park heeft nieuwe bankjes."])
    db.commit()
    assert client.post(f"/fragments/{fragment.id}/submit").status_code == 302
    db.refresh(fragment)
    assert fragment.status == FragmentStatus.IN_REVIEW


def test_restore_button_puts_a_version_back(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _fragment(db, editor)
    original = list(fragment.parts)
    services.update_fragment(db, editor, fragment, parts=["Tweede versie."])
    db.commit()
    login(client, editor)
    assert client.post(f"/fragments/{fragment.id}/revisions/1/restore").status_code == 302
    db.refresh(fragment)
    assert fragment.parts == original


def test_contributors_get_403(
    client: FlaskClient, login: Login, editor: User, contributor: User, db: Session
) -> None:
    fragment = _fragment(db, editor)
    login(client, contributor)
    assert client.get(f"/fragments/{fragment.id}").status_code == 403
    assert client.post(f"/fragments/{fragment.id}/live", data={"parts": "x"}).status_code == 403
    assert client.get("/fragments").status_code == 403
    assert client.get("/channels").status_code == 403


def test_article_and_video_brief_editors_render(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    story = _story(db)
    blog = channel_services.create_channel(db, editor, name="Website", kind_key="blog")
    tiktok = channel_services.create_channel(db, editor, name="TikTok", kind_key="tiktok")
    article, brief = services.split_story(db, editor, story, [blog.id, tiktok.id])
    db.commit()
    login(client, editor)
    page = client.get(f"/fragments/{article.id}", headers=EN).get_data(as_text=True)
    assert 'name="meta_description"' in page
    assert 'data-field="body"' in page
    live = client.post(
        f"/fragments/{article.id}/live", data={"body": "Onze klanten."}, headers=EN
    ).get_data(as_text=True)
    assert "inwoners" in live
    assert client.get(f"/fragments/{brief.id}", headers=EN).status_code == 200


# --- editor leftovers: thread parts, channel edit page ---------------------------------------


def test_thread_editor_offers_add_and_remove_part_buttons(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    story = _story(db)
    channel = _channel(db, editor)
    fragment = services.split_story(db, editor, story, [channel.id])[0]
    fragment.kind = "thread"
    services.update_fragment(db, editor, fragment, parts=["Deel een.", "Deel twee."])
    db.commit()
    login(client, editor)
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert 'class="button button--small js-add-part"' in page
    assert "Remove part 2" in page
    assert 'data-max-parts="25"' in page
    # Saving three parts keeps three; each gets its own counter in the live partial.
    html = client.post(
        f"/fragments/{fragment.id}/live", data={"parts": ["Een.", "Twee.", "Drie."]}, headers=EN
    ).get_data(as_text=True)
    assert 'id="counter-part-2"' in html
    response = client.post(
        f"/fragments/{fragment.id}",
        data={"parts": ["Een.", "Twee.", "Drie."], "version": str(fragment.version)},
        headers=EN,
    )
    assert response.status_code == 302
    db.expire_all()
    assert fragment.parts == ["Een.", "Twee.", "Drie."]


def test_channel_edit_page_saves_and_checks_contrast(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    channel = _channel(db, editor)
    db.commit()
    login(client, editor)
    page = client.get(f"/channels/{channel.id}/edit", headers=EN).get_data(as_text=True)
    assert 'value="Mastodon"' in page
    data = {
        "name": "Mastodon Zuiderhaven",
        "handle": "@zuiderhaven@social.example",
        "colour": "#FFD966",
        "timezone": "Europe/Amsterdam",
        "cadence_per_week": "4",
    }
    refused = client.post(f"/channels/{channel.id}/edit", data=data, headers=EN)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "choose a darker colour" in html
    assert 'value="Mastodon Zuiderhaven"' in html  # nothing typed is lost
    bad_zone = client.post(
        f"/channels/{channel.id}/edit",
        data={**data, "colour": "#0A5CC2", "timezone": "Mars/Olympus"},
        headers=EN,
    )
    assert bad_zone.status_code == 422
    assert "Unknown timezone." in bad_zone.get_data(as_text=True)
    saved = client.post(f"/channels/{channel.id}/edit", data={**data, "colour": "#0a5cc2"})
    assert saved.status_code == 302
    db.expire_all()
    assert channel.name == "Mastodon Zuiderhaven"
    assert channel.colour == "#0A5CC2"
    assert channel.cadence_per_week == 4
    assert channel.is_active is False  # the box was not ticked


def test_channel_edit_page_is_for_editors(
    client: FlaskClient, login: Login, editor: User, contributor: User, db: Session
) -> None:
    channel = _channel(db, editor)
    db.commit()
    login(client, contributor)
    assert client.get(f"/channels/{channel.id}/edit").status_code == 403


def test_refused_submit_shows_the_stored_fields_not_an_empty_form(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _fragment(db, editor)
    services.update_fragment(
        db, editor, fragment, parts=["Onze klanten."], hashtags=["OpenDag"], is_sponsored=True
    )
    db.commit()
    login(client, editor)
    refused = client.post(f"/fragments/{fragment.id}/submit", headers=EN)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert 'value="#OpenDag"' in html
    assert "[&#39;OpenDag&#39;]" not in html
    at = html.index('id="is_sponsored"')
    tag = html[html.rindex("<input", 0, at) : html.index(">", at)]
    assert "checked" in tag


def test_submit_button_shares_the_form_that_saves_and_warns_on_leaving(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _fragment(db, editor)
    login(client, editor)
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    start = page.index('id="fragment-form"')
    form = page[start : page.index("</form>", start)]
    assert 'name="then" value="submit"' in form
    assert "data-unsaved=" in page[start : page.index(">", start)]
    assert f'action="/fragments/{fragment.id}/submit"' not in page


def test_submit_saves_the_unsaved_text_first(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _fragment(db, editor)
    login(client, editor)
    response = client.post(
        f"/fragments/{fragment.id}",
        data={"parts": "Veertig bankjes, opnieuw geverfd.", "version": "1", "then": "submit"},
        headers=EN,
    )
    assert response.status_code == 302
    db.expire_all()
    assert fragment.parts == ["Veertig bankjes, opnieuw geverfd."]
    assert fragment.version == 2
    assert fragment.status == FragmentStatus.IN_REVIEW
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert "Your changes are saved and the fragment is waiting for review." in page


def test_submit_refused_by_the_gate_still_keeps_the_typed_text(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _fragment(db, editor)
    login(client, editor)
    response = client.post(
        f"/fragments/{fragment.id}",
        data={"parts": "Wij helpen onze klanten graag.", "version": "1", "then": "submit"},
        headers=EN,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Your changes are saved, but this draft cannot go to review yet" in html
    assert "Wij helpen onze klanten graag.</textarea>" in html
    db.expire_all()
    assert fragment.parts == ["Wij helpen onze klanten graag."]
    assert fragment.status == FragmentStatus.DRAFT


def test_submit_with_a_stale_version_saves_nothing_and_keeps_the_typed_text(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _fragment(db, editor)
    services.update_fragment(db, editor, fragment, parts=["Iemand anders schreef dit."])
    db.commit()
    login(client, editor)
    response = client.post(
        f"/fragments/{fragment.id}",
        data={"parts": "Mijn eigen versie.", "version": "1", "then": "submit"},
        headers=EN,
    )
    assert response.status_code == 409
    assert "Mijn eigen versie.</textarea>" in response.get_data(as_text=True)
    db.expire_all()
    assert fragment.parts == ["Iemand anders schreef dit."]
    assert fragment.status == FragmentStatus.DRAFT


def _article(db: Session, editor: User) -> Fragment:
    blog = channel_services.create_channel(db, editor, name="Nieuws", kind_key="blog")
    article = services.split_story(db, editor, _story(db), [blog.id])[0]
    services.update_fragment(
        db,
        editor,
        article,
        title="Veertig bankjes",
        lead="Het park is weer af.",
        body="Mehmet repareert elke week de bankjes.",
    )
    db.commit()
    return article


def test_article_editor_checks_title_lead_and_body_as_the_gate_does(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    article = _article(db, editor)
    login(client, editor)
    clean = client.post(
        f"/fragments/{article.id}/live",
        data={"title": "Veertig bankjes", "lead": "Het park is af.", "body": "Mooi werk."},
        headers=EN,
    ).get_data(as_text=True)
    assert "No findings." in clean
    for typed in (
        {"title": "Onze klanten zitten graag", "lead": "Het park is af.", "body": "Mooi werk."},
        {"title": "Veertig bankjes", "lead": "Voor onze klanten.", "body": "Mooi werk."},
    ):
        live = client.post(f"/fragments/{article.id}/live", data=typed, headers=EN)
        html = live.get_data(as_text=True)
        assert "No findings." not in html
        assert 'data-replacement="inwoners"' in html
    # the stored lead carries the finding: the editor shows it, and the gate refuses on it
    services.update_fragment(db, editor, article, lead="Voor onze klanten.")
    db.commit()
    page = client.get(f"/fragments/{article.id}", headers=EN).get_data(as_text=True)
    assert 'data-replacement="inwoners"' in page
    assert client.post(f"/fragments/{article.id}/submit", headers=EN).status_code == 409


def test_article_title_and_lead_re_check_while_typing(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    article = _article(db, editor)
    login(client, editor)
    page = client.get(f"/fragments/{article.id}", headers=EN).get_data(as_text=True)
    for name in ("title", "lead", "body"):
        start = page.index(f'name="{name}"')
        tag = page[page.rindex("<", 0, start) : page.index(">", start)]
        assert f'hx-post="/fragments/{article.id}/live"' in tag
        assert 'hx-include="#fragment-form"' in tag
