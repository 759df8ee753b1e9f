"""Hashtags in the editor: a post's are written in its text (no separate field), an article's
have a field of their own that drives its list and its preview."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from tests import factories as make
from tests.conftest import EN, Login


def test_the_post_editor_has_no_hashtag_field_and_says_where_tags_go(
    client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    fragment = make.fragment(db, editor, submit=False)
    login(client, editor)
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert 'name="hashtags"' not in page
    assert "Hashtags go in the text" in page
    saved = client.post(
        f"/fragments/{fragment.id}",
        data={"version": str(fragment.version), "parts": "Tot zaterdag! #OpenDag"},
        headers=EN,
    )
    assert saved.status_code == 302
    db.refresh(fragment)
    assert fragment.hashtags == ["OpenDag"]


def test_the_article_field_drives_its_tags_and_its_preview(
    client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    blog = make.channel(db, editor, "Nieuws", kind_key="blog")
    fragment = make.fragment(db, editor, blog, submit=False)
    login(client, editor)
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert 'name="hashtags"' in page
    live = client.post(
        f"/fragments/{fragment.id}/live",
        data={"body": "Tekst.", "hashtags": "#OpenDag Havenpark"},
        headers=EN,
    ).get_data(as_text=True)
    assert (
        '<p class="pv__tags"><span class="pv-hashtag">#OpenDag</span> '
        '<span class="pv-hashtag">#Havenpark</span> </p>'
    ) in live
    form = {
        "version": str(fragment.version),
        "title": fragment.title,
        "body": fragment.body,
        "hashtags": "#OpenDag, #Havenpark",
    }
    assert client.post(f"/fragments/{fragment.id}", data=form, headers=EN).status_code == 302
    db.refresh(fragment)
    assert fragment.hashtags == ["OpenDag", "Havenpark"]
