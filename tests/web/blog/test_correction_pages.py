"""A published blog post corrected in place through the test client: the editor is read-only
with a link to the live post, the correction keeps the address and the post says "bijgewerkt"."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.blog import services as blog
from planner.blog.models import BlogPost
from planner.fragments.models import Fragment, FragmentStatus
from planner.publishing.models import DeliveryState
from tests import factories as make
from tests.conftest import EN, Login

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _published_article(db: Session, editor: User) -> tuple[Fragment, BlogPost]:
    channel = make.channel(
        db, editor, kind_key="blog", name="Nieuws", publisher_kind="blog", approval_steps=0
    )
    fragment = make.fragment(db, editor, channel, submit=False)
    delivery = make.delivery(db, fragment, NOW, DeliveryState.SENT)
    result = blog.publish_in_transaction(db, delivery, NOW, base_url="http://localhost")
    delivery.remote_url = result.remote_url
    delivery.sent_at = NOW
    fragment.status = FragmentStatus.PUBLISHED
    db.commit()
    post = db.scalar(select(BlogPost).where(BlogPost.fragment_id == fragment.id))
    assert post is not None
    return fragment, post


def test_published_article_is_read_only_with_the_live_post_and_the_update_path(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment, post = _published_article(db, editor)
    login(client, editor)
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert "Published: this text has gone out" in page
    assert '<fieldset class="fragment-editor__fields" disabled>' in page
    form = page[page.index('id="fragment-form"') :]
    assert ">Save</button>" not in form[: form.index("</form>")]
    assert f'href="http://localhost/blog/{post.slug}"' in page
    assert f'href="/fragments/{fragment.id}/correct-post"' in page
    assert "Draft a correction" not in page
    # a save posted anyway is refused, the text kept
    refused = client.post(
        f"/fragments/{fragment.id}",
        data={"title": "Anders", "body": "Anders.", "version": str(fragment.version)},
        headers=EN,
    )
    assert refused.status_code == 409


def test_blog_post_is_corrected_in_place_with_a_visible_updated_note(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment, post = _published_article(db, editor)
    slug = post.slug
    login(client, editor)
    form = client.get(f"/fragments/{fragment.id}/correct-post", headers=EN)
    assert form.status_code == 200
    assert "Mehmet repareert elke week de bankjes." in form.get_data(as_text=True)
    missing_note = client.post(
        f"/fragments/{fragment.id}/correct-post",
        data={"title": fragment.title, "lead": fragment.lead, "body": "Dit jaar: **41**."},
        headers=EN,
    )
    assert missing_note.status_code == 422
    assert "Dit jaar: **41**." in missing_note.get_data(as_text=True)
    done = client.post(
        f"/fragments/{fragment.id}/correct-post",
        data={
            "title": fragment.title,
            "lead": fragment.lead,
            "body": "Mehmet repareerde dit jaar **41** bankjes.",
            "note": "Het waren er 41, niet 40.",
        },
    )
    assert done.status_code == 302
    db.expire_all()
    assert post.slug == slug
    assert "<strong>41</strong>" in post.html
    assert post.correction_note == "Het waren er 41, niet 40."
    assert post.corrected_at is not None
    assert fragment.body == "Mehmet repareerde dit jaar **41** bankjes."
    assert fragment.status == FragmentStatus.PUBLISHED
    public = client.get(f"/blog/{slug}").get_data(as_text=True)
    assert "blog-post__updated" in public
    assert "Het waren er 41, niet 40." in public
    assert "<strong>41</strong>" in public


def test_a_correction_with_a_brand_error_is_refused_and_the_post_unchanged(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment, post = _published_article(db, editor)
    login(client, editor)
    refused = client.post(
        f"/fragments/{fragment.id}/correct-post",
        data={"title": fragment.title, "body": "Voor al onze klanten.", "note": "Aanvulling."},
        headers=EN,
    )
    assert refused.status_code == 409
    assert "Voor al onze klanten." in refused.get_data(as_text=True)
    db.expire_all()
    assert post.corrected_at is None
    assert "klanten" not in post.body
