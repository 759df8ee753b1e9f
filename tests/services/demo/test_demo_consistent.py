"""The demo does not contradict itself (issue 13, item 16): nothing "failed to send" on a channel
that is posted by hand, the term list is filled, the stories' statuses follow their fragments, the
organisation's own domains and privacy statement are set; and the README's tour sends no one to a
page their role may not open."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.brand.models import Term
from planner.channels.models import Channel
from planner.fragments.models import Fragment, FragmentStatus
from planner.media.storage import FileSystemStorage
from planner.organisation.services import get_organisation
from planner.publishing import deliveries
from planner.publishing.models import Delivery, DeliveryState
from planner.stories.models import Story, StoryStatus
from tests.conftest import sign_in_as

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
README = Path(__file__).resolve().parents[3] / "README.md"


def _seed(db: Session, tmp_path: Path) -> None:
    from planner.demo.seed import seed_demo

    seed_demo(db, NOW, FileSystemStorage(tmp_path / "media"))
    db.commit()


def test_the_demo_is_consistent(db: Session, tmp_path: Path) -> None:
    _seed(db, tmp_path)
    # no automatic failure on a channel without a publisher
    rows = db.execute(
        select(Delivery.state, Channel.publisher_kind, Channel.name).join(
            Channel, Delivery.channel_id == Channel.id
        )
    ).all()
    for state, publisher, name in rows:
        if publisher == "manual":
            assert state not in (
                DeliveryState.FAILED,
                DeliveryState.RETRYING,
                DeliveryState.NEEDS_CHECK,
                DeliveryState.MISSED,
            ), name
    # what needs attention is a by-hand post nobody made
    sanne = db.scalar(select(User).where(User.email == "sanne@zuiderhaven.example"))
    attention = deliveries.list_attention(db, sanne, NOW)
    assert attention
    assert all(d.channel.publisher_kind == "manual" for d in attention)
    assert all(d.last_error is None for d in attention)

    terms = db.scalars(select(Term)).all()
    assert len(terms) >= 3
    assert all(t.forbidden for t in terms)

    org = get_organisation(db)
    assert "zuiderhaven.nl" in org.domains()
    assert org.privacy_url
    assert org.privacy_url.startswith("https://")

    # a story with a published fragment is published; one with a planned fragment is in use
    for story in db.scalars(select(Story)):
        states = {f.status for f in db.scalars(select(Fragment).where(Fragment.story == story))}
        if story.status == StoryStatus.DECLINED:
            continue
        if FragmentStatus.PUBLISHED in states:
            assert story.status == StoryStatus.TOLD, story.title
        elif FragmentStatus.SCHEDULED in states:
            assert story.status in (StoryStatus.IN_PRODUCTION, StoryStatus.TOLD), story.title


def _tour() -> list[tuple[str, str]]:
    """(path, sentence) for every concrete page the README's tour names."""
    text = README.read_text(encoding="utf-8")
    tour = text.split("## A tour", 1)[1].split("\n## ", 1)[0]
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z*0-9])", " ".join(tour.split()))
    found = []
    for sentence in sentences:
        for path in re.findall(r"`(/[^`\s]*)`", sentence):
            if "<" not in path:
                found.append((path, sentence))
    return found


def test_the_readme_tour_sends_each_role_only_where_it_may_go(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    _seed(db, tmp_path)
    tour = _tour()
    assert any(path == "/stories/privacy" for path, _ in tour)
    people = {
        "editor": db.scalar(select(User).where(User.email == "sanne@zuiderhaven.example")),
        "admin": db.scalar(select(User).where(User.email == "eva@zuiderhaven.example")),
    }
    for path, sentence in tour:
        role = "admin" if re.search(r"\b[Aa]dmins?\b", sentence) else "editor"
        client = app.test_client()
        sign_in_as(client, people[role])
        status = client.get(path).status_code
        assert status == 200, (path, role, status)


def test_the_demos_big_platforms_are_marked_not_connected_and_post_by_hand(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    """Issue 16, item 7: Instagram, LinkedIn and Facebook are configured against nothing, say so
    on the publishing settings, and their posts stay on the by-hand list."""
    _seed(db, tmp_path)
    admin = db.scalar(select(User).where(User.email == "eva@zuiderhaven.example"))
    assert admin is not None
    client = app.test_client()
    sign_in_as(client, admin)
    page = client.get("/settings/publishing").get_data(as_text=True)
    for name in ("Instagram", "LinkedIn-pagina", "Facebookpagina"):
        row = page[page.index(name) : page.index("</tr>", page.index(name))]
        assert "niet verbonden" in row, name
        channel = db.scalar(select(Channel).where(Channel.name == name))
        assert channel is not None
        assert channel.publisher_kind == "manual"
        assert channel.publisher_secret is None
        detail = client.get(f"/channels/{channel.id}/publishing").get_data(as_text=True)
        assert "Verbinding met" in detail
        assert "niet verbonden" in detail
    assert client.get("/publishing/by-hand").status_code == 200
