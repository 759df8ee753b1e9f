"""TODO docstring."""

from __future__ import annotations

from datetime import datetime

from flask import g
from pydantic import BaseModel, Field

from planner.api import api
from planner.api.spec import NO_NUL
from planner.approval import services as approval_services
from planner.fragments import services as fragment_services
from planner.web import runtime
from planner.web.database import db_session


class ApproveIn(BaseModel):
    comment: str | None = Field(
        default=None, max_length=approval_services.MAX_COMMENT_LENGTH, pattern=NO_NUL
    )


class ApprovalOut(BaseModel):
    step: int
    version: int
    approver: str
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
    summary="Approve a fragment in review (editors; never your own)",
    tags=["publishing"],
    response=ApprovedOut,
    body=ApproveIn,
    errors=(403, 409),
)
def approve_fragment(fragment_id: int, body: ApproveIn) -> ApprovedOut:
    session = db_session()
    fragment = fragment_services.get_fragment(session, g.api_user, fragment_id)
    approval_services.approve_fragment(
        session, g.api_user, fragment, runtime.now(), comment=body.comment
    )
    return ApprovedOut(
        fragment_id=fragment.id,
        status=fragment.status.value,
        version=fragment.version,
        approvals_needed=approval_services.approvals_needed(fragment),
        approvals=[
            ApprovalOut(step=a.step, version=a.version, approver=a.who(), created_at=a.created_at)
            for a in approval_services.current_approvals(session, fragment)
        ],
    )
