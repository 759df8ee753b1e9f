"""The approval part of the JSON API: approve the version you read (never your own text).

The body names the version the client read; when the fragment has moved on, the answer is a
409 problem carrying the current ``version``, so a client never approves text it has not seen.
"""

from __future__ import annotations

from datetime import datetime

from flask import g
from pydantic import BaseModel, Field

from planner.api import api
from planner.api.spec import MAX_ID, NO_NUL
from planner.approval import services as approval_services
from planner.fragments import services as fragment_services
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
