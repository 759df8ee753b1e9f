"""The built-in blog against the real database: a delivery makes exactly one post, slugs stay
unique, Markdown is sanitised, and the Atom feed is valid with stable ids and UTC times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.blog import services as blog
from planner.blog.models import BlogPost
from planner.publishing.models import Delivery
from tests import factories as make

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"


def _blog_delivery(db: Session, editor: User, title: str = "Veertig bankjes") -> Delivery:
    channel = db.info.get("blog_channel")
    if channel is None:
        channel = make.channel(
            db, editor, kind_key="blog", name="Nieuws", publisher_kind="blog", approval_steps=0
        )
        db.info["blog_channel"] = channel
    fragment = make.fragment(db, editor, channel, submit=False, title=title)
    return make.delivery(db, fragment, NOW)


def test_slugify_makes_readable_ascii() -> None:
    assert blog.slugify("Veertig bankjes in één jaar!") == "veertig-bankjes-in-een-jaar"
    assert blog.slugify("???") == "bericht"


def test_publish_writes_one_post_and_a_second_attempt_finds_it(db: Session, editor: User) -> None:
    delivery = _blog_delivery(db, editor)
    first = blog.publish_in_transaction(db, delivery, NOW, base_url="https://zuiderhaven.example")
    second = blog.publish_in_transaction(db, delivery, NOW + timedelta(minutes=1))
    assert first.remote_id == second.remote_id
    assert first.remote_url == "https://zuiderhaven.example/blog/veertig-bankjes"
    assert db.scalar(select(func.count()).select_from(BlogPost)) == 1
    post = db.scalar(select(BlogPost))
    assert post is not None
    assert post.title == "Veertig bankjes"
    assert "<strong>veertig</strong>" in post.html
    assert post.published_at == NOW


def test_the_database_refuses_a_second_post_for_one_delivery(db: Session, editor: User) -> None:
    delivery = _blog_delivery(db, editor)
    blog.publish_in_transaction(db, delivery, NOW)
    db.add(
        BlogPost(
            slug="other", title="x", body="", html="", published_at=NOW, delivery_id=delivery.id
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_same_title_gets_a_numbered_slug(db: Session, editor: User) -> None:
    one = blog.publish_in_transaction(db, _blog_delivery(db, editor, "Open dag"), NOW)
    two = blog.publish_in_transaction(db, _blog_delivery(db, editor, "Open dag"), NOW)
    assert one.remote_url == "/blog/open-dag"
    assert two.remote_url == "/blog/open-dag-2"


def test_raw_html_in_the_article_is_not_published_as_html(db: Session, editor: User) -> None:
    delivery = _blog_delivery(db, editor)
    delivery.fragment.body = "Hallo <script>alert(1)</script> [x](javascript:alert(1))"
    blog.publish_in_transaction(db, delivery, NOW)
    post = db.scalar(select(BlogPost))
    assert post is not None
    assert "<script>" not in post.html
    assert "javascript:" not in post.html


def test_atom_feed_is_valid_with_stable_ids_and_utc_times(db: Session, editor: User) -> None:
    blog.publish_in_transaction(db, _blog_delivery(db, editor, "Eerste"), NOW)
    blog.publish_in_transaction(db, _blog_delivery(db, editor, "Tweede"), NOW + timedelta(hours=1))
    posts = blog.list_posts(db).posts
    one = blog.atom_feed(posts, base_url="https://z.example/", title="Gemeente Zuiderhaven")
    two = blog.atom_feed(
        blog.list_posts(db).posts, base_url="https://z.example", title="Gemeente Zuiderhaven"
    )
    assert one == two
    root = ET.fromstring(one)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Tweede", "Eerste"]
    for entry in entries:
        assert entry.findtext(f"{ATOM}id", "").startswith("https://z.example/blog/posts/")
        assert entry.findtext(f"{ATOM}updated", "").endswith("Z")
    assert root.findtext(f"{ATOM}updated") == "2026-11-27T10:00:00Z"


def test_blog_pages_are_public_and_paginated(
    client: FlaskClient, db: Session, editor: User
) -> None:
    for n in range(12):
        blog.publish_in_transaction(
            db, _blog_delivery(db, editor, f"Bericht {n}"), NOW + timedelta(minutes=n)
        )
    db.commit()
    first = client.get("/blog", headers={"Accept-Language": "en"})
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "Bericht 11" in html
    assert "Bericht 1<" not in html
    assert "Page 1 of 2" in html
    second = client.get("/blog?page=2").get_data(as_text=True)
    assert "Bericht 0" in second
    post = client.get("/blog/bericht-3")
    assert post.status_code == 200
    assert "<strong>veertig</strong>" in post.get_data(as_text=True)
    assert client.get("/blog/nope").status_code == 404
    feed = client.get("/blog/feed.atom")
    assert feed.status_code == 200
    assert feed.mimetype == "application/atom+xml"
    assert len(ET.fromstring(feed.data).findall(f"{ATOM}entry")) == 12


def test_withdrawn_consent_takes_the_post_off_the_blog_and_its_feed(
    client: FlaskClient, db: Session, editor: User
) -> None:
    kept = _blog_delivery(db, editor, "Blijft staan")
    withdrawn = _blog_delivery(db, editor, "Gaat offline")
    for delivery in (kept, withdrawn):
        blog.publish_in_transaction(db, delivery, NOW)
    withdrawn.fragment.story.consent_withdrawn_at = NOW + timedelta(days=1)
    db.commit()

    assert client.get("/blog/gaat-offline").status_code == 404
    assert client.get("/blog/gaat-offline/hero").status_code == 404
    listing = client.get("/blog").get_data(as_text=True)
    assert "Blijft staan" in listing
    assert "Gaat offline" not in listing
    feed = ET.fromstring(client.get("/blog/feed.atom").data)
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == ["Blijft staan"]


def test_a_lead_the_body_opens_with_is_shown_once(db: Session, editor: User) -> None:
    delivery = _blog_delivery(db, editor)
    fragment = delivery.fragment
    fragment.lead = "Mehmet repareert elke week de bankjes."
    blog.publish_in_transaction(db, delivery, NOW)
    post = db.scalar(select(BlogPost))
    assert post is not None
    assert post.lead is None
    assert post.body.startswith("Mehmet repareert elke week de bankjes.")
    apart = _blog_delivery(db, editor, "Open dag")
    apart.fragment.lead = "Kom zaterdag kijken."
    blog.publish_in_transaction(db, apart, NOW)
    second = db.scalar(select(BlogPost).where(BlogPost.delivery_id == apart.id))
    assert second is not None
    assert second.lead == "Kom zaterdag kijken."
