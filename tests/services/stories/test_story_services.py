"""Capturing stories: who may read what, the status workflow, public intake with consent, and
the privacy requests, each against the real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.audit.models import AuditEvent
from planner.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from planner.stories import intake, privacy, services
from planner.stories.consent import CONSENT_VERSION
from planner.stories.models import Campaign, IntakeLink, Story, StorySource, StoryStatus, Theme
from tests.conftest import make_user

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _submit(
    db: Session, actor: User, title: str = "Bankjes", body: str = "Mehmet repareert."
) -> Story:
    return services.submit_story(db, actor, title=title, body=body)


def _link(db: Session, editor: User, **kw: object) -> IntakeLink:
    return intake.create_intake_link(db, editor, title="Deel je verhaal", **kw)  # type: ignore[arg-type]


def _public(**changes: object) -> intake.PublicSubmission:
    values: dict[str, object] = {
        "name": "Fatima Ouali",
        "email": "Fatima@Example.org ",
        "title": "De stoep is eindelijk vlak",
        "body": "Ik kan nu zelf naar de supermarkt.",
        "allow_story": True,
        "allow_name": True,
    }
    values.update(changes)
    return intake.PublicSubmission(**values)  # type: ignore[arg-type]


def _actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# --- submitting and reading ---------------------------------------------------------------------


def test_submit_story_records_employee_source_contributor_and_audit(
    db: Session, contributor: User
) -> None:
    theme = Theme(name="Duurzaamheid", target_share=25)
    db.add(theme)
    db.flush()
    story = services.submit_story(
        db, contributor, title="  Oude   bankjes ", body="Tekst", theme_ids=[theme.id]
    )
    assert story.title == "Oude bankjes"
    assert story.source == StorySource.EMPLOYEE
    assert story.status == StoryStatus.NEW
    assert story.contributor == contributor
    assert story.themes == [theme]
    assert "story.submit" in _actions(db)


def test_submit_story_needs_a_title_and_a_known_theme(db: Session, contributor: User) -> None:
    with pytest.raises(ValidationError) as exc:
        services.submit_story(db, contributor, title="  ", body="Tekst")
    assert exc.value.field == "title"
    with pytest.raises(ValidationError) as exc:
        services.submit_story(db, contributor, title="T", body="B", theme_ids=[987654])
    assert exc.value.field == "themes"


def test_submit_story_needs_an_account(db: Session) -> None:
    with pytest.raises(PermissionDeniedError):
        services.submit_story(db, None, title="T", body="B")


def test_contributor_cannot_read_another_contributors_story(db: Session, contributor: User) -> None:
    other = make_user(db, Role.CONTRIBUTOR, "other@example.org", "Otto Other")
    story = _submit(db, other)
    with pytest.raises(PermissionDeniedError):
        services.get_story(db, contributor, story.id)
    assert services.get_story(db, other, story.id) is story


def test_get_story_that_does_not_exist_is_not_found(db: Session, editor: User) -> None:
    with pytest.raises(NotFoundError):
        services.get_story(db, editor, 2_000_000)


def test_contributors_list_only_their_own_stories_editors_see_all(
    db: Session, contributor: User, editor: User
) -> None:
    other = make_user(db, Role.CONTRIBUTOR, "other@example.org", "Otto Other")
    mine = _submit(db, contributor, "Mijn verhaal")
    theirs = _submit(db, other, "Hun verhaal")
    assert services.list_stories(db, contributor) == [mine]
    assert {s.id for s in services.list_stories(db, editor)} >= {mine.id, theirs.id}


def test_list_stories_filters_by_status_theme_source_campaign_and_text(
    db: Session, contributor: User, editor: User
) -> None:
    theme = Theme(name="Veiligheid", target_share=20)
    campaign = Campaign(name="Feestdagen", starts_on=NOW.date(), ends_on=NOW.date())
    db.add_all([theme, campaign])
    db.flush()
    bench = _submit(db, contributor, "Bankjes in het park", "Hout uit eigen PARKEN")
    bike = services.submit_story(
        db,
        contributor,
        title="Wijkagent op de fiets",
        body="Karim fietst 100% van de tijd",
        theme_ids=[theme.id],
        campaign_id=campaign.id,
    )
    services.accept_story(db, editor, bike.id)

    def ids(**kw: object) -> set[int]:
        return {s.id for s in services.list_stories(db, editor, services.StoryFilters(**kw))}  # type: ignore[arg-type]

    assert ids(status=StoryStatus.ACCEPTED) == {bike.id}
    assert ids(theme_id=theme.id) == {bike.id}
    assert ids(campaign_id=campaign.id) == {bike.id}
    assert bench.id in ids(source=StorySource.EMPLOYEE)
    assert ids(q="parken") == {bench.id}
    assert ids(q="WIJKAGENT") == {bike.id}
    assert ids(q="100%") == {bike.id}
    assert ids(q="_") == set()


# --- the workflow -------------------------------------------------------------------------------


def test_accept_then_production_then_told(db: Session, contributor: User, editor: User) -> None:
    story = _submit(db, contributor)
    services.accept_story(db, editor, story.id)
    assert story.status == StoryStatus.ACCEPTED
    assert story.editor == editor
    services.set_story_status(db, editor, story.id, StoryStatus.IN_PRODUCTION)
    services.set_story_status(db, editor, story.id, StoryStatus.TOLD)
    assert story.status == StoryStatus.TOLD
    assert _actions(db)[-3:] == ["story.accept", "story.status", "story.status"]


def test_a_new_story_cannot_jump_to_told(db: Session, contributor: User, editor: User) -> None:
    story = _submit(db, contributor)
    with pytest.raises(ConflictError):
        services.set_story_status(db, editor, story.id, StoryStatus.TOLD)
    assert story.status == StoryStatus.NEW


def test_decline_needs_a_reason(db: Session, contributor: User, editor: User) -> None:
    story = _submit(db, contributor)
    with pytest.raises(ValidationError) as exc:
        services.decline_story(db, editor, story.id, "   ")
    assert exc.value.field == "reason"
    services.decline_story(db, editor, story.id, "Past niet bij onze thema's.")
    assert story.status == StoryStatus.DECLINED
    assert story.decline_reason == "Past niet bij onze thema's."
    assert not services.is_publishable(story)


def test_contributors_cannot_accept_or_comment(db: Session, contributor: User) -> None:
    story = _submit(db, contributor)
    with pytest.raises(PermissionDeniedError):
        services.accept_story(db, contributor, story.id)
    with pytest.raises(PermissionDeniedError):
        services.add_comment(db, contributor, story.id, "Mag ik?")


def test_assign_editor_and_comment(db: Session, contributor: User, editor: User) -> None:
    story = _submit(db, contributor)
    services.assign_editor(db, editor, story.id, editor.id)
    assert story.editor == editor
    with pytest.raises(ValidationError):
        services.assign_editor(db, editor, story.id, contributor.id)
    comment = services.add_comment(db, editor, story.id, " Goed verhaal ")
    assert comment.body == "Goed verhaal"
    assert story.comments == [comment]


def test_update_story_changes_text(db: Session, contributor: User, editor: User) -> None:
    story = _submit(db, contributor)
    services.update_story(db, editor, story.id, title="Nieuw", body="Nieuwe tekst", language="en")
    assert (story.title, story.body, story.language) == ("Nieuw", "Nieuwe tekst", "en")


# --- public intake ------------------------------------------------------------------------------


def test_public_story_is_stored_with_a_consent_snapshot(db: Session, editor: User) -> None:
    link = _link(db, editor)
    story = intake.submit_public_story(db, None, link.token, _public(), NOW)
    assert story is not None
    assert story.source == StorySource.RESIDENT
    assert story.contributor is None
    assert story.contributor_name == "Fatima Ouali"
    assert story.contributor_email == "fatima@example.org"
    [consent] = story.consents
    assert consent.consent_version == CONSENT_VERSION
    assert "toestemming" in consent.consent_text
    assert consent.allow_story
    assert consent.allow_name
    assert not consent.allow_photos
    assert consent.given_at == NOW
    assert services.is_publishable(story)


def test_public_story_without_consent_is_refused(db: Session, editor: User) -> None:
    link = _link(db, editor)
    with pytest.raises(ValidationError) as exc:
        intake.submit_public_story(db, None, link.token, _public(allow_story=False), NOW)
    assert exc.value.field == "allow_story"
    assert db.scalar(select(Story).where(Story.intake_link_id == link.id)) is None


def test_public_story_with_filled_honeypot_is_silently_dropped(db: Session, editor: User) -> None:
    link = _link(db, editor)
    result = intake.submit_public_story(
        db, None, link.token, _public(website="http://spam.example"), NOW
    )
    assert result is None
    assert db.scalar(select(Story).where(Story.intake_link_id == link.id)) is None


def test_closed_or_expired_or_unknown_link_is_not_found(db: Session, editor: User) -> None:
    closed = _link(db, editor)
    intake.close_intake_link(db, editor, closed.id, NOW)
    expired = _link(db, editor, expires_at=NOW - timedelta(minutes=1))
    for token in (closed.token, expired.token, "no-such-token"):
        with pytest.raises(NotFoundError):
            intake.submit_public_story(db, None, token, _public(), NOW)
    assert _link(db, editor, expires_at=NOW + timedelta(days=1)).is_open(NOW)


def test_intake_link_tokens_are_random_and_editors_only(
    db: Session, editor: User, contributor: User
) -> None:
    assert _link(db, editor).token != _link(db, editor).token
    with pytest.raises(PermissionDeniedError):
        _link(db, contributor)


def test_withdrawn_consent_makes_a_story_unpublishable(db: Session, editor: User) -> None:
    link = _link(db, editor)
    story = intake.submit_public_story(db, None, link.token, _public(), NOW)
    assert story is not None
    privacy.withdraw_consent(db, editor, story.id, NOW)
    assert story.consent_withdrawn_at == NOW
    assert story.consents[0].withdrawn_at == NOW
    assert not services.is_publishable(story)
    assert "story.withdraw_consent" in _actions(db)


# --- privacy ------------------------------------------------------------------------------------


def test_export_contributor_data_holds_stories_consents_and_comments(
    db: Session, editor: User, admin: User
) -> None:
    link = _link(db, editor)
    story = intake.submit_public_story(db, None, link.token, _public(), NOW)
    assert story is not None
    services.add_comment(db, editor, story.id, "Mooi!")
    data = privacy.export_contributor_data(db, admin, " FATIMA@example.org", NOW)
    [exported] = data["stories"]
    assert exported["title"] == "De stoep is eindelijk vlak"
    assert exported["consents"][0]["version"] == CONSENT_VERSION
    assert exported["comments"][0]["body"] == "Mooi!"
    assert "privacy.export" in _actions(db)


def test_privacy_requests_are_for_admins_only(db: Session, editor: User) -> None:
    with pytest.raises(PermissionDeniedError):
        privacy.export_contributor_data(db, editor, "x@example.org")
    with pytest.raises(PermissionDeniedError):
        privacy.erase_contributor(db, editor, "x@example.org")


def test_erase_anonymises_consented_stories_and_deletes_withdrawn_ones(
    db: Session, editor: User, admin: User
) -> None:
    link = _link(db, editor)
    kept = intake.submit_public_story(db, None, link.token, _public(), NOW)
    gone = intake.submit_public_story(db, None, link.token, _public(title="Tweede"), NOW)
    assert kept is not None
    assert gone is not None
    privacy.withdraw_consent(db, editor, gone.id, NOW)
    gone_id = gone.id
    anonymised, deleted = privacy.erase_contributor(db, admin, "fatima@example.org")
    assert (anonymised, deleted) == (1, 1)
    assert kept.contributor_name is None
    assert kept.contributor_email is None
    assert not kept.consents[0].allow_name
    db.expire_all()
    assert db.get(Story, gone_id) is None
    assert privacy.export_contributor_data(db, admin, "fatima@example.org")["stories"] == []
