"""The approval part of the JSON API: approve the version you read (never your own text),
request changes with a comment, and reviewer links for people without an account.

The body names the version the client read; when the fragment has moved on, the answer is a
409 problem carrying the current ``version``, so a client never approves text it has not seen.
"""

from __future__ import annotations

from datetime import datetime

from flask import g, url_for
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from planner.api import api
from planner.api.spec import MAX_ID, NO_NUL
from planner.approval import reviewer_links
from planner.approval import services as approval_services
from planner.approval.models import ReviewLink
from planner.fragments import services as fragment_services
from planner.fragments.models import Fragment
from planner.web import runtime
from planner.web.database import db_session


class ApproveIn(BaseModel):
    #: the fragment version the approver read (GET /fragments/{id} gives it)
    version: int = Field(ge=1, le=MAX_ID)
    comment: str | None = Field(
        default=None, max_length=approval_services.MAX_COMMENT_LENGTH, pattern=NO_NUL
    )


class ApprovalOut(BaseModel):
    step: int
    version: int
    approver: str
    #: true for a reviewer without an account (``approver`` is the name they typed)
    reviewer: bool = False
    created_at: datetime


class ApprovedOut(BaseModel):
    fragment_id: int
    status: str
    version: int
    approvals_needed: int
    approvals: list[ApprovalOut]


@api.operation(
    "POST",
    "/fragments/<int:fragment_id>/approve",
    summary="Approve the version you read of a fragment in review (editors; never text you "
    "wrote or edited since its last approval); 409 with the current version if it moved on",
    tags=["publishing"],
    response=ApprovedOut,
    body=ApproveIn,
    errors=(403, 409),
)
def approve_fragment(fragment_id: int, body: ApproveIn) -> ApprovedOut:
    session = db_session()
    fragment = fragment_services.get_fragment(session, g.api_user, fragment_id)
    approval_services.approve_fragment(
        session,
        g.api_user,
        fragment,
        runtime.now(),
        comment=body.comment,
        seen_version=body.version,
    )
    return _approved_out(session, fragment)


def _approved_out(session: Session, fragment: Fragment) -> ApprovedOut:
    return ApprovedOut(
        fragment_id=fragment.id,
        status=fragment.status.value,
        version=fragment.version,
        approvals_needed=approval_services.approvals_needed(fragment),
        approvals=[
            ApprovalOut(
                step=a.step,
                version=a.version,
                approver=a.who(),
                reviewer=a.is_reviewer,
                created_at=a.created_at,
            )
            for a in approval_services.current_approvals(session, fragment)
        ],
    )


class RequestChangesIn(BaseModel):
    #: the fragment version the reviewer read
    version: int = Field(ge=1, le=MAX_ID)
    comment: str = Field(
        min_length=1, max_length=approval_services.MAX_COMMENT_LENGTH, pattern=NO_NUL
    )


class ReviewLinkIn(BaseModel):
    days: int = Field(
        default=reviewer_links.DEFAULT_VALID_DAYS, ge=1, le=reviewer_links.MAX_VALID_DAYS
    )


class ReviewLinkOut(BaseModel):
    id: int
    fragment_id: int
    created_by: str | None
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None
    #: whether the link still works (not used, withdrawn or expired)
    open: bool


class ReviewLinkCreatedOut(ReviewLinkOut):
    #: the link to send the reviewer; its token is shown this once and never stored
    url: str


def _link_out(link: ReviewLink) -> ReviewLinkOut:
    return ReviewLinkOut(
        id=link.id,
        fragment_id=link.fragment_id,
        created_by=link.created_by.name if link.created_by else None,
        expires_at=link.expires_at,
        used_at=link.used_at,
        revoked_at=link.revoked_at,
        open=link.is_open(runtime.now()),
    )


@api.operation(
    "POST",
    "/fragments/<int:fragment_id>/request-changes",
    summary="Send the version you read back to its author as a draft, with a comment",
    tags=["publishing"],
    response=ApprovedOut,
    body=RequestChangesIn,
    errors=(403, 409),
)
def request_changes(fragment_id: int, body: RequestChangesIn) -> ApprovedOut:
    session = db_session()
    fragment = fragment_services.get_fragment(session, g.api_user, fragment_id)
    approval_services.request_changes(
        session, g.api_user, fragment, runtime.now(), body.comment, seen_version=body.version
    )
    return _approved_out(session, fragment)


@api.operation(
    "POST",
    "/fragments/<int:fragment_id>/review-links",
    summary="A reviewer link for someone without an account (never by whoever wrote or edited "
    "the text since its last approval); the url is shown once",
    tags=["publishing"],
    response=ReviewLinkCreatedOut,
    body=ReviewLinkIn,
    status=201,
    errors=(403,),
)
def create_review_link(fragment_id: int, body: ReviewLinkIn) -> ReviewLinkCreatedOut:
    session = db_session()
    fragment = fragment_services.get_fragment(session, g.api_user, fragment_id)
    link, token = reviewer_links.create_review_link(
        session, g.api_user, fragment, runtime.now(), days=body.days
    )
    url = runtime.base_url() + url_for("approval.review_page", token=token)
    return ReviewLinkCreatedOut(**_link_out(link).model_dump(), url=url)


@api.operation(
    "GET",
    "/fragments/<int:fragment_id>/review-links",
    summary="The fragment's reviewer links, newest first (without their tokens)",
    tags=["publishing"],
    response=ReviewLinkOut,
    errors=(403,),
    many=True,
)
def list_review_links(fragment_id: int) -> list[ReviewLinkOut]:
    session = db_session()
    fragment = fragment_services.get_fragment(session, g.api_user, fragment_id)
    return [
        _link_out(link) for link in reviewer_links.list_review_links(session, g.api_user, fragment)
    ]


@api.operation(
    "POST",
    "/review-links/<int:link_id>/revoke",
    summary="Withdraw a reviewer link",
    tags=["publishing"],
    response=ReviewLinkOut,
    errors=(403,),
)
def revoke_review_link(link_id: int) -> ReviewLinkOut:
    link = reviewer_links.revoke_review_link(db_session(), g.api_user, link_id, runtime.now())
    return _link_out(link)
