"""Comments on a fragment: a colleague's remark, noting the version it was made on, so a
discussion reads against the text it was about (the API's comments endpoints)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.errors import ValidationError
from planner.fragments.models import Fragment, FragmentComment

MAX_COMMENT = 5_000


def add_comment(
    session: Session, actor: User | None, fragment: Fragment, body: str | None
) -> FragmentComment:
    """A colleague's remark on the fragment, noting the version it was made on."""
    actor = require_role(actor, Role.EDITOR)
    text = (body or "").strip()
    if not text:
        raise ValidationError("Write a comment first.", field="body")
    if len(text) > MAX_COMMENT:
        raise ValidationError("The comment is too long.", field="body")
    comment = FragmentComment(
        fragment_id=fragment.id, author=actor, version=fragment.version, body=text
    )
    session.add(comment)
    session.flush()
    record_event(session, actor, "fragment.comment", fragment, comment=comment.id)
    return comment


def list_comments(
    session: Session, actor: User | None, fragment: Fragment
) -> list[FragmentComment]:
    """The fragment's comments, oldest first."""
    require_role(actor, Role.EDITOR)
    return list(
        session.scalars(
            select(FragmentComment)
            .where(FragmentComment.fragment_id == fragment.id)
            .order_by(FragmentComment.id)
        )
    )
