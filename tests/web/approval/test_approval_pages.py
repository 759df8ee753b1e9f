"""The approval panel through the test client: approve, refusals shown on the page, request
changes, schedule in the organisation's timezone (DST gap and overlap), and reviewer links."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.approval.models import ApprovalDecision, FragmentApproval
from planner.clock import FrozenClock
from planner.fragments.models import FragmentStatus
from tests import factories as make
from tests.conftest import EN, Login


def test_editor_page_shows_the_panel_with_an_approve_button_for_another_editor(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = make.fragment(db, editor)
    other = make.second_editor(db)
    login(client, other)
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert 'id="approval"' in page
    assert "needs the approval of one editor" in page
    assert f'action="/fragments/{fragment.id}/approve"' in page


def test_author_sees_no_approve_button(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = make.fragment(db, editor)
    login(client, editor)
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert "You wrote or edited this version" in page
    assert f'action="/fragments/{fragment.id}/approve"' not in page


def test_approve_records_who_and_which_version(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = make.fragment(db, editor)
    other = make.second_editor(db)
    login(client, other)
    response = client.post(
        f"/fragments/{fragment.id}/approve",
        data={"approve-comment": "Mooi", "approve-version": str(fragment.version)},
    )
    assert response.status_code == 302
    db.refresh(fragment)
    assert fragment.status == FragmentStatus.APPROVED
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert "Approved by Sam Second" in page
    assert f"version {fragment.version}" in page
    assert f'action="/fragments/{fragment.id}/schedule"' in page


def test_own_fragment_refusal_is_shown_on_the_page_and_keeps_the_comment(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = make.fragment(db, editor)
    login(client, editor)
    response = client.post(
        f"/fragments/{fragment.id}/approve",
        data={"approve-comment": "Ziet er goed uit", "approve-version": str(fragment.version)},
        headers=EN,
    )
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "You wrote or edited this version" in page
    assert "Ziet er goed uit" in page
    db.refresh(fragment)
    assert fragment.status == FragmentStatus.IN_REVIEW


def test_approve_refused_for_a_draft(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = make.fragment(db, editor, submit=False)
    login(client, make.second_editor(db))
    response = client.post(
        f"/fragments/{fragment.id}/approve",
        data={"approve-version": str(fragment.version)},
        headers=EN,
    )
    assert response.status_code == 409
    assert "Submit the fragment for review" in response.get_data(as_text=True)


def test_request_changes_needs_a_comment_and_returns_the_draft(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = make.fragment(db, editor)
    login(client, make.second_editor(db))
    version = str(fragment.version)
    empty = client.post(
        f"/fragments/{fragment.id}/request-changes",
        data={"changes-version": version},
        headers=EN,
    )
    assert empty.status_code == 400
    assert "Say what should change." in empty.get_data(as_text=True)
    response = client.post(
        f"/fragments/{fragment.id}/request-changes",
        data={"changes-comment": "Noem het park bij naam.", "changes-version": version},
    )
    assert response.status_code == 302
    db.refresh(fragment)
    assert fragment.status == FragmentStatus.DRAFT
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert "Noem het park bij naam." in page


def _approved(db: Session, editor: User, client: FlaskClient, login: Login):  # type: ignore[no-untyped-def]
    fragment = make.fragment(db, editor)
    login(client, make.second_editor(db))
    data = {"approve-version": str(fragment.version)}
    assert client.post(f"/fragments/{fragment.id}/approve", data=data).status_code == 302
    return fragment


def test_reviewer_link_lets_a_person_without_account_approve_once(
    client: FlaskClient, login: Login, editor: User, db: Session, clock: FrozenClock, app
) -> None:
    fragment = make.fragment(db, editor)
    login(client, make.second_editor(db))
    made = client.post(f"/fragments/{fragment.id}/review-links", data={"link-days": "3"})
    assert made.status_code == 201
    path = re.search(r"(/review/[A-Za-z0-9_\-]+)", made.get_data(as_text=True))
    assert path is not None
    stranger = app.test_client()
    page = stranger.get(path.group(1), headers=EN)
    assert page.status_code == 200
    assert CLEAN_TEXT_FRAGMENT in page.get_data(as_text=True)
    version = str(fragment.version)
    nameless = stranger.post(
        path.group(1), data={"decision": "approve", "version": version}, headers=EN
    )
    assert nameless.status_code == 400
    done = stranger.post(
        path.group(1),
        data={"decision": "approve", "name": "Mehmet Yilmaz", "version": version},
        headers=EN,
    )
    assert done.status_code == 200
    assert "your approval has been recorded" in done.get_data(as_text=True)
    db.refresh(fragment)
    assert fragment.status == FragmentStatus.APPROVED
    approval = db.scalar(
        select(FragmentApproval).where(FragmentApproval.fragment_id == fragment.id)
    )
    assert approval is not None
    assert approval.reviewer_name == "Mehmet Yilmaz"
    assert approval.approver_id is None
    assert approval.decision == ApprovalDecision.APPROVED
    again = stranger.get(path.group(1), headers=EN)
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)


def test_reviewer_link_refused_when_expired_or_withdrawn(
    client: FlaskClient, login: Login, editor: User, db: Session, clock: FrozenClock, app
) -> None:
    from datetime import timedelta

    from planner.approval.reviewer_links import create_review_link

    fragment = make.fragment(db, editor)
    colleague = make.second_editor(db)
    link, token = create_review_link(db, colleague, fragment, clock.now(), days=1)
    db.commit()
    stranger = app.test_client()
    assert stranger.get(f"/review/{token}", headers=EN).status_code == 200
    clock.advance(timedelta(days=1, seconds=1))
    expired = stranger.get(f"/review/{token}", headers=EN)
    assert expired.status_code == 410
    assert "expired" in expired.get_data(as_text=True)
    clock.advance(timedelta(days=-1))
    login(client, colleague)
    assert client.post(f"/review-links/{link.id}/revoke", data={}).status_code == 302
    withdrawn = stranger.get(f"/review/{token}", headers=EN)
    assert withdrawn.status_code == 410
    assert "withdrawn" in withdrawn.get_data(as_text=True)
    assert stranger.get("/review/not-a-token", headers=EN).status_code == 404


def test_reviewer_comment_sends_the_fragment_back_as_a_draft(
    editor: User, db: Session, clock: FrozenClock, app
) -> None:
    from planner.approval.reviewer_links import create_review_link

    fragment = make.fragment(db, editor)
    _link, token = create_review_link(db, make.second_editor(db), fragment, clock.now())
    db.commit()
    stranger = app.test_client()
    version = str(fragment.version)
    empty = stranger.post(
        f"/review/{token}",
        data={"decision": "comment", "name": "Mehmet", "version": version},
        headers=EN,
    )
    assert empty.status_code == 400
    assert "Say what should change." in empty.get_data(as_text=True)
    done = stranger.post(
        f"/review/{token}",
        data={
            "decision": "comment",
            "name": "Mehmet",
            "comment": "Mijn naam klopt niet.",
            "version": version,
        },
        headers=EN,
    )
    assert done.status_code == 200
    db.refresh(fragment)
    assert fragment.status == FragmentStatus.DRAFT


def test_public_review_form_needs_its_csrf_token(
    editor: User, db: Session, clock: FrozenClock, app_factory
) -> None:
    from planner.approval.reviewer_links import create_review_link

    fragment = make.fragment(db, editor)
    _link, token = create_review_link(db, make.second_editor(db), fragment, clock.now())
    db.commit()
    stranger = app_factory(csrf=True).test_client()
    response = stranger.post(
        f"/review/{token}",
        data={"decision": "approve", "name": "Mallory", "version": str(fragment.version)},
        headers=EN,
    )
    assert response.status_code == 400
    db.refresh(fragment)
    assert fragment.status == FragmentStatus.IN_REVIEW


CLEAN_TEXT_FRAGMENT = "Nieuwe bankjes in het Havenpark"
