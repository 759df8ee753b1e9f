"""The review workflow of a fragment in the JSON API: submit the version you saved, acknowledge a
warning with a reason, and comment on it. (Approving, requesting changes and reviewer links are
the approval feature's: planner.approval.api.)"""

from __future__ import annotations

from datetime import datetime

from flask import g
from pydantic import BaseModel, Field

from planner.api import api
from planner.api.spec import MAX_ID, NO_NUL
from planner.errors import ConflictError, ValidationError
from planner.fragments import comments, gate, services
from planner.fragments.api import FragmentOut, fragment_out
from planner.fragments.models import Fragment
from planner.web import runtime
from planner.web.database import db_session


class SubmitIn(BaseModel):
    #: the version being submitted (what the author last saw)
    version: int = Field(ge=1, le=MAX_ID)


class AcknowledgeIn(BaseModel):
    """A warning from GET /fragments/{id}/checks, named by its field, check and match."""

    field: str = Field(min_length=1, max_length=32, pattern=NO_NUL)
    check: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    match: str = Field(max_length=500, pattern=NO_NUL)
    reason: str = Field(min_length=1, max_length=gate.MAX_REASON, pattern=NO_NUL)


class AcknowledgementOut(BaseModel):
    id: int
    fragment_id: int
    field: str
    check: str
    match: str
    reason: str
    fragment_version: int
    acknowledged_by: str | None
    acknowledged_at: datetime


class CommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=comments.MAX_COMMENT, pattern=NO_NUL)


class CommentOut(BaseModel):
    id: int
    author: str | None
    body: str
    #: the fragment version it was made on (fragment comments only)
    version: int | None = None
    created_at: datetime


def _moved(fragment: Fragment, version: int) -> None:
    if version != fragment.version:
        raise ConflictError(
            "The fragment changed after you read it; read the new version first.",
            version=fragment.version,
            seen_version=version,
        )


@api.operation(
    "POST",
    "/fragments/<int:fragment_id>/submit",
    summary="Submit a draft for review (the brand gate decides; 409 with the findings, or with "
    "the current version when it moved on)",
    tags=["fragments"],
    response=FragmentOut,
    body=SubmitIn,
    errors=(403, 409),
)
def submit_fragment(fragment_id: int, body: SubmitIn) -> FragmentOut:
    session = db_session()
    fragment = services.get_fragment(session, g.api_user, fragment_id)
    services.lock_for_change(session, fragment)
    _moved(fragment, body.version)
    services.submit_for_review(session, g.api_user, fragment)
    return fragment_out(fragment)


@api.operation(
    "POST",
    "/fragments/<int:fragment_id>/acknowledgements",
    summary="Let a warning stand, with a reason (approval and scheduling wait for this)",
    tags=["fragments"],
    response=AcknowledgementOut,
    body=AcknowledgeIn,
    status=201,
    errors=(403, 409),
)
def acknowledge_warning(fragment_id: int, body: AcknowledgeIn) -> AcknowledgementOut:
    session = db_session()
    fragment = services.get_fragment(session, g.api_user, fragment_id)
    try:
        row = gate.acknowledge_warning(
            session,
            g.api_user,
            fragment,
            field=body.field,
            check=body.check,
            match=body.match,
            reason=body.reason,
            now=runtime.now(),
        )
    except ValidationError as exc:
        if exc.field == "reason" and body.reason.strip():
            # Well-formed, but no such warning in the saved text (or it is an error).
            raise ConflictError(exc.message) from exc
        raise
    return AcknowledgementOut(
        id=row.id,
        fragment_id=fragment.id,
        field=row.field,
        check=row.check,
        match=row.match,
        reason=row.reason,
        fragment_version=row.fragment_version,
        acknowledged_by=row.acknowledged_by.name if row.acknowledged_by else None,
        acknowledged_at=row.acknowledged_at,
    )


@api.operation(
    "GET",
    "/fragments/<int:fragment_id>/comments",
    summary="Colleagues' comments on a fragment, oldest first",
    tags=["fragments"],
    response=CommentOut,
    errors=(403,),
    many=True,
)
def list_fragment_comments(fragment_id: int) -> list[CommentOut]:
    session = db_session()
    fragment = services.get_fragment(session, g.api_user, fragment_id)
    return [
        CommentOut(
            id=c.id,
            author=c.author.name if c.author else None,
            body=c.body,
            version=c.version,
            created_at=c.created_at,
        )
        for c in comments.list_comments(session, g.api_user, fragment)
    ]


@api.operation(
    "POST",
    "/fragments/<int:fragment_id>/comments",
    summary="Comment on a fragment (editors)",
    tags=["fragments"],
    response=CommentOut,
    body=CommentIn,
    status=201,
    errors=(403,),
)
def add_fragment_comment(fragment_id: int, body: CommentIn) -> CommentOut:
    session = db_session()
    fragment = services.get_fragment(session, g.api_user, fragment_id)
    comment = comments.add_comment(session, g.api_user, fragment, body.body)
    return CommentOut(
        id=comment.id,
        author=g.api_user.name,
        body=comment.body,
        version=comment.version,
        created_at=comment.created_at,
    )
