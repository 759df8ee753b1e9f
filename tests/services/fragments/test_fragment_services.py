"""Splitting a story into channel drafts, saving versions, restoring them, and the brand gate that
decides whether a draft may go to review, against the real database."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.channels import services as channel_services
from planner.channels.counting import fits
from planner.channels.models import Channel
from planner.errors import ConflictError, PermissionDeniedError, ValidationError
from planner.fragments import gate, services
from planner.fragments.models import Fragment, FragmentStatus
from planner.stories.models import Story, StorySource

BODY = (
    "Mehmet Yilmaz van Stadsbeheer repareert elke week de bankjes in het Havenpark. "
    "Dit jaar waren het er al veertig. Inwoners melden een kapot bankje via de app, "
    "en meestal is het binnen drie dagen gemaakt. Zo blijft het park een plek waar "
    "iedereen even kan zitten."
)


def _story(db: Session) -> Story:
    story = Story(
        title="Veertig bankjes gerepareerd",
        body=BODY,
        language="nl",
        source=StorySource.EMPLOYEE,
    )
    db.add(story)
    db.flush()
    return story


def _channel(db: Session, editor: User, kind: str = "mastodon", name: str = "Mastodon") -> Channel:
    return channel_services.create_channel(db, editor, name=name, kind_key=kind, colour="#5B3FC4")


def _post(db: Session, editor: User, kind: str = "mastodon") -> Fragment:
    return services.split_story(db, editor, _story(db), [_channel(db, editor, kind).id])[0]


def test_create_channel_refuses_unknown_kind(db: Session, editor: User) -> None:
    with pytest.raises(ValidationError):
        channel_services.create_channel(db, editor, name="Fax", kind_key="fax")


def test_create_channel_refused_for_contributor(db: Session, contributor: User) -> None:
    with pytest.raises(PermissionDeniedError):
        channel_services.create_channel(db, contributor, name="X", kind_key="x")


def test_split_creates_one_fragment_per_channel_within_limits(db: Session, editor: User) -> None:
    story = _story(db)
    channels = [
        _channel(db, editor, "mastodon", "Mastodon"),
        _channel(db, editor, "bluesky", "Bluesky"),
        _channel(db, editor, "blog", "Website"),
    ]
    fragments = services.split_story(db, editor, story, [c.id for c in channels])
    assert [f.channel for f in fragments] == channels
    assert all(f.status == FragmentStatus.DRAFT and f.version == 1 for f in fragments)
    for fragment in fragments[:2]:
        assert fragment.parts
        assert all(fits(part, fragment.channel.kind_key) for part in fragment.parts)
    assert fragments[2].kind == "article"
    assert fragments[2].body


def test_split_refused_for_contributor(db: Session, editor: User, contributor: User) -> None:
    channel = _channel(db, editor)
    with pytest.raises(PermissionDeniedError):
        services.split_story(db, contributor, _story(db), [channel.id])


def test_update_creates_a_revision(db: Session, editor: User) -> None:
    fragment = _post(db, editor)
    services.update_fragment(db, editor, fragment, parts=["Een nieuwe tekst."])
    assert fragment.version == 2
    revisions = services.list_revisions(db, editor, fragment)
    assert [r.version for r in revisions] == [2, 1]
    assert revisions[0].snapshot["parts"] == ["Een nieuwe tekst."]


def test_update_without_changes_keeps_the_version(db: Session, editor: User) -> None:
    fragment = _post(db, editor)
    services.update_fragment(db, editor, fragment, parts=list(fragment.parts))
    assert fragment.version == 1


def test_update_with_stale_version_conflicts(db: Session, editor: User) -> None:
    fragment = _post(db, editor)
    with pytest.raises(ConflictError):
        services.update_fragment(db, editor, fragment, parts=["x"], expected_version=7)


def test_restore_puts_an_earlier_version_back_as_a_new_one(db: Session, editor: User) -> None:
    fragment = _post(db, editor)
    original = list(fragment.parts)
    services.update_fragment(db, editor, fragment, parts=["Tweede versie."])
    services.restore_revision(db, editor, fragment, 1)
    assert fragment.parts == original
    assert fragment.version == 3


def test_submit_for_review_refused_on_an_error_finding(db: Session, editor: User) -> None:
    fragment = _post(db, editor)
    services.update_fragment(db, editor, fragment, parts=["Wij helpen onze klanten graag."])
    with pytest.raises(ConflictError) as refused:
        services.submit_for_review(db, editor, fragment)
    assert "inwoners" in refused.value.message
    assert fragment.status == FragmentStatus.DRAFT


def test_submit_for_review_accepted_when_clean(db: Session, editor: User) -> None:
    fragment = _post(db, editor)
    services.update_fragment(db, editor, fragment, parts=["Het Havenpark heeft nieuwe bankjes."])
    services.submit_for_review(db, editor, fragment)
    assert fragment.status == FragmentStatus.IN_REVIEW


def test_submit_for_review_refused_for_contributor(
    db: Session, editor: User, contributor: User
) -> None:
    fragment = _post(db, editor)
    with pytest.raises(PermissionDeniedError):
        services.submit_for_review(db, contributor, fragment)


def test_check_draft_finds_the_inwoners_rule_with_offsets() -> None:
    text = "Wij helpen onze klanten graag."
    alerts = gate.check_draft(text, "mastodon", "nl")
    errors = gate.blocking(alerts)
    assert errors
    assert text[errors[0].start : errors[0].end] == "klanten"
    assert errors[0].action.name == "replace"


def test_editor_gate_and_api_read_the_same_article_findings(db: Session, editor: User) -> None:
    """One check over title, lead and body: the editor's preview, the gate and the API agree."""
    blog = _channel(db, editor, kind="blog", name="Nieuws")
    article = services.split_story(db, editor, _story(db), [blog.id])[0]
    services.update_fragment(
        db, editor, article, title="Voor onze klanten", lead="Het park is af.", body="Mooi werk."
    )
    live = services.preview_fragment(article)
    stored = gate.check_fragment_parts(article)
    assert [(p.field, p.text, p.alerts) for p in live] == [
        (p.field, p.text, p.alerts) for p in stored
    ]
    assert any(alert.match == "klanten" for alert in live[0].alerts)
    typed = services.preview_fragment(article, title="Veertig bankjes")
    assert not any(alert.match == "klanten" for alert in typed[0].alerts)
    with pytest.raises(ConflictError):
        services.submit_for_review(db, editor, article)
