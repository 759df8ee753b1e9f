"""The photos a fragment carries: chosen per channel when a story is split, edited and versioned
with the fragment, and held back by the gate while one of them has no alt text."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.channels import services as channel_services
from planner.channels.models import Channel
from planner.errors import ConflictError, ValidationError
from planner.fragments import gate, services
from planner.fragments.models import Fragment, FragmentStatus
from planner.stories.models import Photo, Story, StorySource

BODY = (
    "Het Havenpark heeft veertig nieuwe bankjes. Inwoners meldden de kapotte bankjes via de app. "
    "Binnen drie dagen was alles gemaakt."
)


def _photo(story: Story, n: int, alt: str, size: tuple[int, int] = (1600, 900)) -> Photo:
    digest = f"{n:064x}"
    photo = Photo(
        storage_key=digest + ".jpg",
        width=size[0],
        height=size[1],
        mime="image/jpeg",
        byte_size=1000,
        sha256=digest,
        alt_text=alt,
        position=n,
    )
    story.photos.append(photo)
    return photo


def _story(db: Session, alts: list[str]) -> Story:
    story = Story(title="Nieuwe bankjes", body=BODY, language="nl", source=StorySource.EMPLOYEE)
    db.add(story)
    for n, alt in enumerate(alts):
        _photo(story, n, alt)
    db.flush()
    return story


def _channel(db: Session, editor: User, kind: str) -> Channel:
    return channel_services.create_channel(
        db, editor, name=f"Kanaal {kind}", kind_key=kind, colour="#5B3FC4"
    )


def _split(db: Session, editor: User, story: Story, kind: str) -> Fragment:
    return services.split_story(db, editor, story, [_channel(db, editor, kind).id])[0]


def test_split_takes_described_photos_up_to_the_channel_limit(db: Session, editor: User) -> None:
    story = _story(db, [f"Bankje {n} in het Havenpark" for n in range(6)])
    mastodon = _split(db, editor, story, "mastodon")  # media_per_post = 4
    youtube = _split(db, editor, story, "youtube")  # media_per_post = 1
    blog = _split(db, editor, story, "blog")  # no limit
    ids = [photo.id for photo in story.photos]
    assert mastodon.photo_ids == ids[:4]
    assert youtube.photo_ids == ids[:1]
    assert blog.photo_ids == ids
    assert mastodon.revisions[0].snapshot["photo_ids"] == ids[:4]


def test_split_leaves_out_photos_without_alt_text(db: Session, editor: User) -> None:
    story = _story(db, ["", "Een bankje bij de vijver", "  ", "Twee bankjes onder een boom"])
    fragment = _split(db, editor, story, "mastodon")
    assert fragment.photo_ids == [story.photos[1].id, story.photos[3].id]


def test_split_gives_no_photos_to_a_channel_without_images(db: Session, editor: User) -> None:
    story = _story(db, ["Een bankje bij de vijver"])
    assert _split(db, editor, story, "webhook").photo_ids == []


def test_update_saves_chosen_photos_as_a_new_version(db: Session, editor: User) -> None:
    story = _story(db, ["Een", "Twee", "Drie"])
    fragment = _split(db, editor, story, "mastodon")
    chosen = [story.photos[2].id, story.photos[0].id]
    services.update_fragment(db, editor, fragment, photo_ids=chosen)
    assert fragment.photo_ids == chosen
    assert fragment.version == 2
    assert services.list_revisions(db, editor, fragment)[0].snapshot["photo_ids"] == chosen
    services.restore_revision(db, editor, fragment, 1)
    assert fragment.photo_ids == [p.id for p in story.photos]
    assert fragment.version == 3


def test_update_refuses_more_photos_than_the_channel_carries(db: Session, editor: User) -> None:
    story = _story(db, ["Een", "Twee"])
    fragment = _split(db, editor, story, "youtube")
    with pytest.raises(ValidationError) as refused:
        services.update_fragment(db, editor, fragment, photo_ids=[p.id for p in story.photos])
    assert refused.value.field == "photo_ids"
    assert fragment.version == 1


def test_update_refuses_a_photo_of_another_story(db: Session, editor: User) -> None:
    fragment = _split(db, editor, _story(db, ["Een"]), "mastodon")
    other = _story(db, ["Ander verhaal"])
    with pytest.raises(ValidationError):
        services.update_fragment(db, editor, fragment, photo_ids=[other.photos[0].id])


def test_gate_holds_back_a_photo_without_alt_text(db: Session, editor: User) -> None:
    story = _story(db, ["Een bankje in het Havenpark", ""])
    fragment = _split(db, editor, story, "mastodon")
    services.update_fragment(db, editor, fragment, parts=["Het Havenpark heeft nieuwe bankjes."])
    services.update_fragment(db, editor, fragment, photo_ids=[p.id for p in story.photos])
    held = gate.gate_alerts(db, fragment, "submit")
    assert [a.message for a in held] == ["Foto zonder alt-tekst"]
    with pytest.raises(ConflictError):
        services.submit_for_review(db, editor, fragment)
    story.photos[1].alt_text = "Een nieuw bankje bij de vijver"
    db.flush()
    services.submit_for_review(db, editor, fragment)
    assert fragment.status == FragmentStatus.IN_REVIEW
