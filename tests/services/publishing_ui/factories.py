"""Small factories for the publishing UI tests: channels with a publisher, fragments ready for
review written by one editor, and a second editor to approve them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.channels import services as channel_services
from planner.channels.models import Channel
from planner.fragments import services
from planner.fragments.models import Fragment
from planner.publishing.models import Delivery, DeliveryState
from planner.stories.models import Story, StorySource
from tests.conftest import make_user

CLEAN_TEXT = "Nieuwe bankjes in het Havenpark: kom ze zaterdag proberen."
ARTICLE_BODY = "Mehmet repareert elke week de bankjes.\n\nDit jaar waren het er **veertig**."


def second_editor(db: Session) -> User:
    return make_user(db, Role.EDITOR, "second@example.org", "Sam Second")


def story(db: Session, title: str = "Veertig bankjes") -> Story:
    made = Story(
        title=title,
        body="Mehmet repareert elke week de bankjes in het Havenpark. Dit jaar al veertig.",
        language="nl",
        source=StorySource.EMPLOYEE,
    )
    db.add(made)
    db.flush()
    return made


def channel(
    db: Session,
    actor: User,
    *,
    kind_key: str = "mastodon",
    name: str = "Mastodon",
    publisher_kind: str = "manual",
    approval_steps: int = 1,
) -> Channel:
    made = channel_services.create_channel(db, actor, name=name, kind_key=kind_key)
    made.publisher_kind = publisher_kind
    made.approval_steps = approval_steps
    db.flush()
    return made


def fragment(
    db: Session,
    author: User,
    made_channel: Channel | None = None,
    *,
    submit: bool = True,
    title: str = "Veertig bankjes",
) -> Fragment:
    target = made_channel or channel(db, author)
    made = services.split_story(db, author, story(db, title), [target.id])[0]
    if made.kind == "article":
        services.update_fragment(
            db, author, made, title=title, lead="Het park is weer af.", body=ARTICLE_BODY
        )
    else:
        services.update_fragment(db, author, made, parts=[CLEAN_TEXT])
    if submit:
        services.submit_for_review(db, author, made)
    db.commit()
    return made


def delivery(
    db: Session,
    made_fragment: Fragment,
    due_at: datetime,
    state: DeliveryState = DeliveryState.PENDING,
) -> Delivery:
    """A delivery row as the engine leaves it (for the states the web cannot reach by itself)."""
    made = Delivery(
        fragment=made_fragment,
        channel=made_fragment.channel,
        due_at=due_at,
        not_before=due_at,
        state=state,
        fragment_version=made_fragment.version,
    )
    db.add(made)
    db.flush()
    return made
